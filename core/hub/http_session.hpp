// Internal to the hub: one HTTP/1.1 connection, plain or TLS (told apart by its
// first bytes when the server has a certificate). Reads requests (keep-alive),
// answers plain requests through HubServices::handle_http, and turns WebSocket
// upgrades into a WsSession after checking tenant, token and quotas.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "hub/session_context.hpp"
#include "hub/transport_stream.hpp"

namespace sb::hub {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // over_address_limit: the client's address has its limit of connections open;
  // this one only reads the request head, answers 429 and closes.
  HttpSession(boost::asio::ip::tcp::socket&& socket, ConnectionSlot slot, SessionContext& context,
              bool over_address_limit);
  void run();

 private:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;

  void on_detect(boost::beast::error_code ec, bool tls);
  void on_tls_handshake(boost::beast::error_code ec, std::size_t used);
  // new_deadline: false for a connection's first request, whose deadline (set when
  // it was accepted) also covers the TLS handshake.
  void read_next(bool new_deadline);
  void watch_idle(std::chrono::steady_clock::time_point deadline);
  void stop();
  bool plain_http_refused() const;
  void on_header(boost::beast::error_code ec, std::size_t bytes);
  void start_transfer();
  void expire_transfer();
  void read_body();
  void on_body(boost::beast::error_code ec, std::size_t bytes);
  void on_read(boost::beast::error_code ec);
  void upgrade(Request request, HttpRequest parsed, const boost::asio::ip::address& client);
  void respond(const HttpResponse& response, bool keep_alive);
  void write_some(bool keep_alive);
  void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t bytes);
  void close_gracefully();
  void linger();
  void on_drain(boost::beast::error_code ec, std::size_t bytes);

  TransportStream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<boost::beast::http::response<boost::beast::http::string_body>> response_;
  std::optional<boost::beast::http::response_serializer<boost::beast::http::string_body>>
      serializer_;
  ConnectionSlot slot_;
  SessionContext& context_;
  boost::asio::ip::address peer_;
  bool over_address_limit_;
  std::chrono::steady_clock::time_point transfer_started_;  // of the body in flight
  std::size_t transferred_bytes_ = 0;
  std::size_t drained_bytes_ = 0;
  // The first request head's deadline, from the connection's start.
  std::chrono::steady_clock::time_point first_head_deadline_;
  // TLS, waiting for a request head: its deadline (see watch_idle).
  std::optional<boost::asio::steady_timer> idle_timer_;
  bool head_expired_ = false;
  TlsConnections::Listing tls_listing_;  // while a TLS connection is HTTP
  bool stopping_ = false;                // the server is: no more keep-alive
};

}  // namespace sb::hub
