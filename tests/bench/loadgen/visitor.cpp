#include "visitor.hpp"

#include <boost/beast/core/bind_handler.hpp>
#include <boost/json/parse.hpp>

#include "clock.hpp"
#include "message_codec.hpp"
#include "socket_options.hpp"
#include "worker.hpp"

namespace loadgen {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using boost::system::error_code;

namespace {
// A visitor whose own queue holds this many unsent frames skips further sends and
// counts them: the client, not the server, is then the bottleneck.
constexpr size_t kMaxQueuedFrames = 1024;
constexpr auto kConnectTimeout = std::chrono::seconds(15);
}  // namespace

Visitor::Visitor(Worker& worker, int index)
    : worker_(worker), index_(index), ws_(worker.io()), send_timer_(worker.io()) {}

void Visitor::start() {
  connect_started_ns_ = now_ns();
  const auto& sources = worker_.context().visitor_source_addresses;
  if (!sources.empty()) {
    error_code ec;
    bind_source_address(beast::get_lowest_layer(ws_).socket(), sources[index_ % sources.size()],
                        ec);
    if (ec) return fail("bind", ec);
  }
  beast::get_lowest_layer(ws_).expires_after(kConnectTimeout);
  beast::get_lowest_layer(ws_).async_connect(
      worker_.context().visitor_node(index_).endpoint,
      beast::bind_front_handler(&Visitor::on_connect, shared_from_this()));
}

void Visitor::on_connect(error_code ec) {
  if (ec) return fail("connect", ec);
  // Small frames must leave at their scheduled time, not wait for Nagle.
  beast::get_lowest_layer(ws_).socket().set_option(asio::ip::tcp::no_delay(true), ec);
  const auto& context = worker_.context();
  ws_.async_handshake(context.visitor_node(index_).host_header,
                      "/v1/ws/visitor?tenant=" + context.options.tenant,
                      beast::bind_front_handler(&Visitor::on_handshake, shared_from_this()));
}

void Visitor::on_handshake(error_code ec) {
  if (ec) return fail("handshake", ec);
  // From here the websocket's own timeouts apply (none for an idle client).
  beast::get_lowest_layer(ws_).expires_never();
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  ws_.text(true);
  if (worker_.context().options.echo) {
    // The echo server knows no hello: the upgrade is all there is to connecting.
    mark_ready();
  } else {
    enqueue(R"({"type":"hello","name":"v)" + std::to_string(index_) + R"("})");
  }
  read_next();
}

void Visitor::read_next() {
  ws_.async_read(read_buffer_, beast::bind_front_handler(&Visitor::on_read, shared_from_this()));
}

void Visitor::on_read(error_code ec, std::size_t) {
  if (ec) return fail("read", ec);
  const auto data = read_buffer_.cdata();
  handle_frame(std::string_view(static_cast<const char*>(data.data()), data.size()));
  read_buffer_.consume(read_buffer_.size());
  read_next();
}

void Visitor::handle_frame(std::string_view frame) {
  auto& stats = worker_.stats();
  error_code ec;
  const auto value = boost::json::parse(frame, ec);
  const auto* object = value.if_object();
  if (ec || !object) return stats.count_error("client:bad_json_from_server");
  const auto* type = object->if_contains("type");
  if (!type || !type->is_string()) return stats.count_error("client:frame_without_type");
  const std::string_view kind = type->get_string();

  if (kind == "message" && worker_.context().options.echo) {
    record_echo(*object);
  } else if (kind == "ack") {
    const auto* id = object->if_contains("client_msg_id");
    const auto scheduled =
        id && id->is_string() ? scheduled_ns_from_client_msg_id(id->get_string()) : std::nullopt;
    if (!scheduled) return stats.count_error("client:ack_without_our_id");
    if (!timeline_.in_window(*scheduled)) return;
    stats.counters.acked_window.fetch_add(1, std::memory_order_relaxed);
    stats.ack_ns.record(static_cast<uint64_t>(now_ns() - *scheduled));
  } else if (kind == "error") {
    const auto* code = object->if_contains("code");
    stats.count_error("server:" + std::string(code && code->is_string()
                                                  ? std::string_view(code->get_string())
                                                  : "?"));
    const auto* ref = object->if_contains("ref");
    const auto scheduled =
        ref && ref->is_string() ? scheduled_ns_from_client_msg_id(ref->get_string()) : std::nullopt;
    if (scheduled && timeline_.in_window(*scheduled))
      stats.counters.rejected_window.fetch_add(1, std::memory_order_relaxed);
  } else if (kind == "welcome" && !ready_) {
    mark_ready();
  }
  // Anything else (agent replies, typing, conversation events) needs no action.
}

void Visitor::mark_ready() {
  ready_ = true;
  auto& stats = worker_.stats();
  stats.counters.visitors_ready.fetch_add(1, std::memory_order_relaxed);
  stats.connect_ns.record(static_cast<uint64_t>(now_ns() - connect_started_ns_));
}

// The echo server's answer stands for both halves of Switchboard's: the sender's
// ack and the agent's delivery, timed from the same scheduled send.
void Visitor::record_echo(const boost::json::object& message) {
  auto& stats = worker_.stats();
  const auto* id = message.if_contains("client_msg_id");
  const auto scheduled =
      id && id->is_string() ? scheduled_ns_from_client_msg_id(id->get_string()) : std::nullopt;
  if (!scheduled) return stats.count_error("client:echo_without_our_id");
  const int64_t received_ns = now_ns();
  if (received_ns >= timeline_.measure_from_ns && received_ns < timeline_.measure_until_ns)
    stats.counters.delivered_arrived_in_window.fetch_add(1, std::memory_order_relaxed);
  if (!timeline_.in_window(*scheduled)) return;
  const auto latency_ns = static_cast<uint64_t>(received_ns - *scheduled);
  stats.counters.acked_window.fetch_add(1, std::memory_order_relaxed);
  stats.ack_ns.record(latency_ns);
  stats.counters.delivered_window.fetch_add(1, std::memory_order_relaxed);
  stats.delivery_ns.record(latency_ns);
}

void Visitor::start_sending(const Timeline& timeline) {
  if (!ready_ || done_) return;
  timeline_ = timeline;
  // Spread the visitors' schedules evenly over one interval so the offered load is
  // smooth rather than a burst every interval.
  const auto offset_ns =
      static_cast<int64_t>(static_cast<double>(timeline.visitor_interval_ns) *
                           (static_cast<double>(index_) / timeline.total_visitors));
  next_send_ns_ = timeline.send_from_ns + offset_ns;
  schedule_next_send();
}

void Visitor::schedule_next_send() {
  if (done_ || next_send_ns_ >= timeline_.measure_until_ns) return;
  send_timer_.expires_at(to_time_point(next_send_ns_));
  send_timer_.async_wait(beast::bind_front_handler(&Visitor::on_send_timer, shared_from_this()));
}

void Visitor::on_send_timer(error_code ec) {
  if (ec || done_) return;
  auto& counters = worker_.stats().counters;
  // Open loop: every send time that has passed gets its message now, stamped with
  // the time it was due, so a stalled client or server shows up as latency.
  const int64_t now = now_ns();
  while (next_send_ns_ <= now && next_send_ns_ < timeline_.measure_until_ns) {
    const bool measured = timeline_.in_window(next_send_ns_);
    if (write_queue_.size() >= kMaxQueuedFrames) {
      if (measured) counters.skipped_window.fetch_add(1, std::memory_order_relaxed);
    } else {
      if (measured) worker_.stats().send_lag_ns.record(static_cast<uint64_t>(now - next_send_ns_));
      enqueue(encode_visitor_message(next_send_ns_, index_, messages_sent_++,
                                     worker_.context().options.message_bytes));
      counters.sent_total.fetch_add(1, std::memory_order_relaxed);
      if (measured) counters.sent_window.fetch_add(1, std::memory_order_relaxed);
    }
    next_send_ns_ += timeline_.visitor_interval_ns;
  }
  schedule_next_send();
}

void Visitor::enqueue(std::string frame) {
  write_queue_.push_back(std::move(frame));
  if (!writing_) write_next();
}

void Visitor::write_next() {
  if (write_queue_.empty() || done_) return;
  writing_ = true;
  ws_.async_write(asio::buffer(write_queue_.front()),
                  beast::bind_front_handler(&Visitor::on_write, shared_from_this()));
}

void Visitor::on_write(error_code ec, std::size_t) {
  writing_ = false;
  if (ec) return fail("write", ec);
  write_queue_.pop_front();
  write_next();
}

void Visitor::fail(const char* step, error_code ec) {
  if (done_) return;
  done_ = true;
  send_timer_.cancel();
  auto& stats = worker_.stats();
  // Aborted operations come from our own shutdown, not from the server.
  if (ec != asio::error::operation_aborted)
    stats.count_error(std::string(step) + ": " + ec.message());
  if (ready_)
    stats.counters.connections_lost.fetch_add(1, std::memory_order_relaxed);
  else
    stats.counters.visitors_failed.fetch_add(1, std::memory_order_relaxed);
  beast::get_lowest_layer(ws_).close();
}

}  // namespace loadgen
