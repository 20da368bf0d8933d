#pragma once
// One agent: log in over HTTP, open the agent WebSocket with the token (the agent
// is online from then on), and time every visitor message it receives.

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/fwd.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "run_context.hpp"

namespace loadgen {

class Worker;

class Agent : public std::enable_shared_from_this<Agent> {
 public:
  Agent(Worker& worker, int index);

  void start();

 private:
  void on_login_connect(boost::system::error_code ec);
  void on_login_written(boost::system::error_code ec, std::size_t bytes);
  void on_login_response(boost::system::error_code ec, std::size_t bytes);
  void on_ws_connect(boost::system::error_code ec);
  void on_handshake(boost::system::error_code ec);
  void read_next();
  void on_read(boost::system::error_code ec, std::size_t bytes);
  void handle_frame(std::string_view frame);
  void handle_message(std::string_view conversation_id, const boost::json::object& message);
  void fail(const char* step, boost::system::error_code ec);
  void fail_login(const std::string& why);

  Worker& worker_;
  const int index_;                               // 0-based; the email uses index_ + 1
  std::optional<boost::beast::tcp_stream> http_;  // only while logging in
  boost::beast::http::request<boost::beast::http::string_body> login_request_;
  boost::beast::http::response<boost::beast::http::string_body> login_response_;
  std::string token_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer read_buffer_;
  // Highest seq seen per conversation: a message both in an assignment's history
  // and as a frame counts once, and a jump shows a gap.
  std::unordered_map<std::string, int64_t> last_seq_;
  bool ready_ = false;
  bool done_ = false;
  int64_t connect_started_ns_ = 0;
};

}  // namespace loadgen
