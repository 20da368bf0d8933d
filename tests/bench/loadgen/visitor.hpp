#pragma once
// One visitor connection: connect (optionally from a chosen source address), say
// hello, wait for welcome, then send messages on a fixed schedule (open loop) and
// time the acks.

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "run_context.hpp"

namespace loadgen {

class Worker;

class Visitor : public std::enable_shared_from_this<Visitor> {
 public:
  Visitor(Worker& worker, int index);

  void start();
  // Called on the worker thread for every visitor; ignored unless welcome arrived.
  void start_sending(const Timeline& timeline);

 private:
  void on_connect(boost::system::error_code ec);
  void on_handshake(boost::system::error_code ec);
  void read_next();
  void on_read(boost::system::error_code ec, std::size_t bytes);
  void handle_frame(std::string_view frame);
  void mark_ready();
  void record_echo(const boost::json::object& message);
  void schedule_next_send();
  void on_send_timer(boost::system::error_code ec);
  void enqueue(std::string frame);
  void write_next();
  void on_write(boost::system::error_code ec, std::size_t bytes);
  void fail(const char* step, boost::system::error_code ec);

  Worker& worker_;
  const int index_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer read_buffer_;
  boost::asio::steady_timer send_timer_;
  // Beast allows one write in flight; the rest wait here, bounded.
  std::deque<std::string> write_queue_;
  bool writing_ = false;
  bool ready_ = false;
  bool done_ = false;
  int64_t connect_started_ns_ = 0;
  Timeline timeline_;
  int64_t next_send_ns_ = 0;
  uint64_t messages_sent_ = 0;
};

}  // namespace loadgen
