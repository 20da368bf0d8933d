// Internal to the hub: one WebSocket connection (Beast), as the engine's Peer.
//
// Runs on the event loop its socket was accepted on; every handler runs there, so
// the session needs no lock. Frames from the engine arrive from other threads and
// are dispatched onto that loop. The send queue is bounded in bytes: a client that
// does not read is disconnected rather than allowed to grow memory.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <memory>
#include <string>
#include <vector>

#include "engine/ports.hpp"
#include "hub/client_frames.hpp"
#include "hub/coalescing_stream.hpp"
#include "hub/keepalive.hpp"
#include "hub/session_context.hpp"

namespace sb::hub {

class WsSession : public engine::Peer, public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(TransportStream&& stream, ConnectionSlot slot, SessionContext& context,
            ConnectionState state);
  ~WsSession() override;

  // Completes the upgrade of the request that asked for it, then reads frames.
  void run(boost::beast::http::request<boost::beast::http::string_body> upgrade);

  void send(std::shared_ptr<const std::string> frame) override;
  void close(uint16_t code, std::string reason) override;
  uint64_t peer_id() const override { return peer_id_; }
  // The loop the connection runs on; run() must be called there.
  boost::asio::any_io_executor executor() { return ws_.get_executor(); }

  // One visit of its loop's keep-alive sweep (keepalive.hpp): pings a connection
  // silent for long enough, closes the socket of one silent for twice as long.
  // False once the session has finished (it leaves the sweep).
  bool keepalive_step(const KeepAliveSchedule& schedule);

 private:
  void on_accept(boost::beast::error_code ec);
  void read_next();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void enqueue(std::shared_ptr<const std::string> frame);
  void write_next();
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  void start_close(uint16_t code, std::string reason);
  void watch_session_end();  // agents: close with 4001 when the token ends
  void expect_hello();       // visitors: close with 1008 without a hello in time
  void hello_done();         // visitors: the hello deadline's timer is given back
  void bound_closing();      // a closing handshake gets handshake_timeout_ms, then the socket goes
  void finish();             // once: tells the engine, frees the tenant's connection slot

  // No permessage-deflate: the server never offers it, and without it the stream
  // carries no compression state.
  boost::beast::websocket::stream<CoalescingStream, false> ws_;
  // The frame being read, its first frame_bytes_ read so far; empty between
  // frames (see read_next). Not a std::string: that would allocate one byte more
  // than it is asked for (its terminator), past the allocator's size class.
  std::vector<char> frame_;
  std::size_t frame_bytes_ = 0;
  // Agents: when their token ends. Visitors: the deadline for their hello, given
  // back once they said it (an idle visitor holds no timer). Either: the end of a
  // closing handshake.
  std::unique_ptr<boost::asio::steady_timer> deadline_;
  ConnectionSlot slot_;
  SessionContext& context_;
  ConnectionState state_;
  const uint64_t peer_id_;

  // Frames not yet handed to the stream, oldest at queue_head_. A vector (not a
  // deque, which allocates on construction) keeps an idle connection small.
  std::vector<std::shared_ptr<const std::string>> queue_;
  std::size_t queue_head_ = 0;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool open_ = false;  // upgrade done, not yet closing
  bool finished_ = false;
  bool counted_ = false;  // in the tenant's connection gauge
  bool watched_ = false;  // in the session book (agents), until finish()
  bool pinging_ = false;  // a keep-alive ping not yet handed to the stream
  // Keep-alive sweeps since the client last sent a frame (any: data or control).
  // Beside the flags, in what was their padding: the session does not grow.
  uint16_t quiet_sweeps_ = 0;
  // A close waiting for the queue to drain (rare: kept apart from the session,
  // which every idle connection holds).
  struct PendingClose {
    uint16_t code;
    std::string reason;
  };
  std::unique_ptr<PendingClose> close_;
  TlsConnections::Listing tls_listing_;  // TLS: until finish()
};

}  // namespace sb::hub
