#include "agent.hpp"

#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "clock.hpp"
#include "message_codec.hpp"
#include "worker.hpp"

namespace loadgen {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using boost::system::error_code;

namespace {
// Login verifies an argon2id hash, which is slow on purpose; allow for a queue of them.
constexpr auto kLoginTimeout = std::chrono::seconds(60);
constexpr auto kConnectTimeout = std::chrono::seconds(15);

// Tokens are usually URL-safe already; escape anything else for the query string.
std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string_view string_field(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string_view(value->get_string()) : std::string_view();
}
}  // namespace

Agent::Agent(Worker& worker, int index) : worker_(worker), index_(index), ws_(worker.io()) {}

void Agent::start() {
  connect_started_ns_ = now_ns();
  const auto& context = worker_.context();
  boost::json::object body{{"email", agent_email(context.options, index_ + 1)},
                           {"password", context.options.agent_password}};
  login_request_ = {http::verb::post, "/v1/tenants/" + context.options.tenant + "/auth/login", 11};
  login_request_.set(http::field::host, context.agent_node(index_).host_header);
  login_request_.set(http::field::content_type, "application/json");
  login_request_.body() = boost::json::serialize(body);
  login_request_.prepare_payload();

  http_.emplace(worker_.io());
  http_->expires_after(kLoginTimeout);
  http_->async_connect(context.agent_node(index_).endpoint,
                       beast::bind_front_handler(&Agent::on_login_connect, shared_from_this()));
}

void Agent::on_login_connect(error_code ec) {
  if (ec) return fail("login connect", ec);
  http::async_write(*http_, login_request_,
                    beast::bind_front_handler(&Agent::on_login_written, shared_from_this()));
}

void Agent::on_login_written(error_code ec, std::size_t) {
  if (ec) return fail("login write", ec);
  http::async_read(*http_, read_buffer_, login_response_,
                   beast::bind_front_handler(&Agent::on_login_response, shared_from_this()));
}

void Agent::on_login_response(error_code ec, std::size_t) {
  if (ec) return fail("login read", ec);
  http_->socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  http_.reset();
  read_buffer_.clear();
  if (login_response_.result() != http::status::ok)
    return fail_login("login: HTTP " + std::to_string(login_response_.result_int()));

  const auto value = boost::json::parse(login_response_.body(), ec);
  const auto* object = value.if_object();
  const auto token = object ? string_field(*object, "token") : std::string_view();
  if (ec || token.empty()) return fail_login("login: no token in response");
  token_ = token;

  beast::get_lowest_layer(ws_).expires_after(kConnectTimeout);
  beast::get_lowest_layer(ws_).async_connect(
      worker_.context().agent_node(index_).endpoint,
      beast::bind_front_handler(&Agent::on_ws_connect, shared_from_this()));
}

void Agent::on_ws_connect(error_code ec) {
  if (ec) return fail("connect", ec);
  beast::get_lowest_layer(ws_).socket().set_option(asio::ip::tcp::no_delay(true), ec);
  const auto& options = worker_.context().options;
  ws_.async_handshake(worker_.context().agent_node(index_).host_header,
                      "/v1/ws/agent?tenant=" + options.tenant + "&token=" + percent_encode(token_),
                      beast::bind_front_handler(&Agent::on_handshake, shared_from_this()));
}

void Agent::on_handshake(error_code ec) {
  if (ec) return fail("handshake", ec);
  beast::get_lowest_layer(ws_).expires_never();
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  // The agent is online from the upgrade on; welcome needs no answer.
  ready_ = true;
  auto& stats = worker_.stats();
  stats.counters.agents_ready.fetch_add(1, std::memory_order_relaxed);
  stats.connect_ns.record(static_cast<uint64_t>(now_ns() - connect_started_ns_));
  read_next();
}

void Agent::read_next() {
  ws_.async_read(read_buffer_, beast::bind_front_handler(&Agent::on_read, shared_from_this()));
}

void Agent::on_read(error_code ec, std::size_t) {
  if (ec) return fail("read", ec);
  const auto data = read_buffer_.cdata();
  handle_frame(std::string_view(static_cast<const char*>(data.data()), data.size()));
  read_buffer_.consume(read_buffer_.size());
  read_next();
}

void Agent::handle_frame(std::string_view frame) {
  auto& stats = worker_.stats();
  error_code ec;
  const auto value = boost::json::parse(frame, ec);
  const auto* object = value.if_object();
  if (ec || !object) return stats.count_error("client:bad_json_from_server");
  const auto kind = string_field(*object, "type");

  if (kind == "message") {
    handle_message(string_field(*object, "conversation_id"), *object);
  } else if (kind == "conversation.assigned") {
    stats.counters.conversations_assigned.fetch_add(1, std::memory_order_relaxed);
    const auto* conversation = object->if_contains("conversation");
    const auto* conversation_object = conversation ? conversation->if_object() : nullptr;
    const auto conversation_id =
        conversation_object ? string_field(*conversation_object, "id") : std::string_view();
    // The message that opened the conversation may arrive only in the history.
    const auto* history = object->if_contains("history");
    if (history && history->is_array())
      for (const auto& entry : history->get_array())
        if (const auto* message = entry.if_object()) {
          const auto id = string_field(*message, "conversation_id");
          handle_message(id.empty() ? conversation_id : id, *message);
        }
  } else if (kind == "error") {
    const auto code = string_field(*object, "code");
    stats.count_error("server:" + std::string(code.empty() ? "?" : code));
  }
}

void Agent::handle_message(std::string_view conversation_id, const boost::json::object& message) {
  auto& stats = worker_.stats();
  const auto* from = message.if_contains("from");
  if (!from || !from->is_object() || string_field(from->get_object(), "role") != "visitor") return;
  const auto received_ns = now_ns();

  const auto* seq_value = message.if_contains("seq");
  if (seq_value && seq_value->is_number()) {
    error_code ec;
    const auto seq = seq_value->to_number<int64_t>(ec);
    auto& last = last_seq_[std::string(conversation_id)];
    if (seq <= last) {
      stats.counters.duplicate_deliveries.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    // Agent replies take seq numbers too, but this load has none, so every gap is real.
    if (seq != last + 1) stats.counters.seq_gaps.fetch_add(1, std::memory_order_relaxed);
    last = seq;
  }

  const auto scheduled = scheduled_ns_from_text(string_field(message, "text"));
  if (!scheduled) return stats.count_error("client:message_without_timestamp");
  const auto& timeline = worker_.timeline();
  if (received_ns >= timeline.measure_from_ns && received_ns < timeline.measure_until_ns)
    stats.counters.delivered_arrived_in_window.fetch_add(1, std::memory_order_relaxed);
  if (!timeline.in_window(*scheduled)) return;
  stats.counters.delivered_window.fetch_add(1, std::memory_order_relaxed);
  stats.delivery_ns.record(static_cast<uint64_t>(received_ns - *scheduled));
}

void Agent::fail_login(const std::string& why) {
  if (done_) return;
  done_ = true;
  worker_.stats().count_error(why);
  worker_.stats().counters.agents_failed.fetch_add(1, std::memory_order_relaxed);
}

void Agent::fail(const char* step, error_code ec) {
  if (done_) return;
  done_ = true;
  auto& stats = worker_.stats();
  if (ec != asio::error::operation_aborted)
    stats.count_error(std::string(step) + ": " + ec.message());
  if (ready_)
    stats.counters.connections_lost.fetch_add(1, std::memory_order_relaxed);
  else
    stats.counters.agents_failed.fetch_add(1, std::memory_order_relaxed);
  if (http_) http_->close();
  beast::get_lowest_layer(ws_).close();
}

}  // namespace loadgen
