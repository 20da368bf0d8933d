#include "hub/ws_session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <chrono>

#include "auth/session_book.hpp"
#include "common/clock.hpp"

namespace sb::hub {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;

namespace {
constexpr std::size_t kAgentQueueFactor = 8;
// A queue that never quite drains drops its sent prefix once it is this long.
constexpr std::size_t kKeptQueueSlots = 16;
// What a connection waiting for its next frame holds for it (see read_next): one
// of the allocator's size classes exactly.
constexpr std::size_t kFirstReadBytes = 256;

int64_t monotonic_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}
}  // namespace

WsSession::WsSession(TransportStream&& stream, ConnectionSlot slot, SessionContext& context,
                     ConnectionState state)
    : ws_(std::move(stream)),
      slot_(std::move(slot)),
      context_(context),
      state_(std::move(state)),
      peer_id_(context.next_peer_id.fetch_add(1, std::memory_order_relaxed)) {}

WsSession::~WsSession() {
  finish();
}

void WsSession::run(beast::http::request<beast::http::string_body> upgrade) {
  ws_.next_layer().set_owner(weak_from_this());
  // No deadline on the socket and no timer of Beast's: its idle timeout re-arms a
  // timer on every read (a cancelled wait per frame). Time is kept instead by the
  // loop's keep-alive sweep (keepalive.hpp: a ping after websocket_ping_ms of
  // silence, the socket closed after twice that), by deadline_ for a closing
  // handshake, and the handshake's answer needs none: it is only buffered
  // (CoalescingStream), and leaves like any frame.
  ws_.next_layer().next_layer().expires_never();
  // Every frame heard resets the count, control frames too (a pong, the client's
  // own ping), which Beast answers without completing a read. The callback runs
  // inside a read, which holds the session.
  ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
    quiet_sweeps_ = 0;
    if (kind == websocket::frame_type::close) bound_closing();
  });
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(beast::http::field::server, "switchboard"); }));
  // Oversize frames up to the hard cap are read and answered with too_large; only
  // beyond it does the WebSocket layer itself refuse (close 1009).
  ws_.read_message_max(context_.options.hard_max_frame_bytes);
  ws_.auto_fragment(false);
  ws_.async_accept(upgrade, beast::bind_front_handler(&WsSession::on_accept, shared_from_this()));
}

void WsSession::on_accept(beast::error_code ec) {
  if (ec) return finish();
  open_ = true;
  counted_ = true;
  if (auto* sweep = context_.keepalive_for(ws_.get_executor())) sweep->add(shared_from_this());
  auto& m = state_.gate->metrics();
  state_.gate->attach(shared_from_this());
  if (const auto& relay = state_.gate->relay()) relay->open(shared_from_this(), state_.who);
  if (state_.who.role == engine::Role::agent) {
    m.agent_connections.fetch_add(1, std::memory_order_relaxed);
    // An agent is known as soon as the token checked out; visitors after hello.
    state_.registered = true;
    if (!state_.gate->relay()) state_.gate->engine()->agent_connect(shared_from_this(), state_.who);
    watch_session_end();
  } else {
    m.visitor_connections.fetch_add(1, std::memory_order_relaxed);
    expect_hello();
  }
  if (ws_.next_layer().next_layer().is_tls()) {
    // A stopping server closes it with 1001, then ends its TLS session cleanly.
    tls_listing_ = context_.tls_connections.add(peer_id_, [weak = weak_from_this()] {
      if (auto self = weak.lock())
        self->close(websocket::close_code::going_away, "the server is stopping");
    });
  }
  read_next();
}

void WsSession::watch_session_end() {
  const int64_t left_s = state_.expires_at_s - wall_clock_ms() / 1000;
  deadline_ = std::make_unique<net::steady_timer>(ws_.get_executor());
  deadline_->expires_after(std::chrono::seconds(std::max<int64_t>(left_s, 0)));
  deadline_->async_wait([weak = weak_from_this()](beast::error_code ec) {
    if (auto self = weak.lock(); self && !ec)
      self->start_close(engine::kCloseSessionEnded, kSessionExpired.close_reason());
  });
  // Every agent socket: an admin may sign the agent out everywhere; a console's
  // socket also ends with its session.
  const bool watched = context_.services->sessions().watch(
      state_.gate->id(), state_.who.id, state_.session, state_.issued_at_ms, peer_id_,
      [weak = weak_from_this()](std::string reason) {
        if (auto self = weak.lock()) self->close(engine::kCloseSessionEnded, std::move(reason));
      });
  watched_ = true;
  if (!watched) start_close(engine::kCloseSessionEnded, kSignedOut.close_reason());
}

// A socket that never says who it is would otherwise stay forever: it answers the
// pings that keep a real one alive. The widget says hello at once; a refused hello
// (a bad identity) may be said again within the same time.
void WsSession::expect_hello() {
  deadline_ = std::make_unique<net::steady_timer>(ws_.get_executor());
  deadline_->expires_after(std::chrono::milliseconds(context_.options.hello_timeout_ms));
  deadline_->async_wait([weak = weak_from_this()](beast::error_code ec) {
    auto self = weak.lock();
    if (!self || ec || self->state_.registered) return;
    self->context_.services->metrics().hello_timeouts.fetch_add(1, std::memory_order_relaxed);
    self->start_close(websocket::close_code::policy_error, "no hello in time");
  });
}

void WsSession::hello_done() {
  // The timer and its pending wait would otherwise stay until the hello timeout,
  // on thousands of idle visitors. Destroying it cancels the wait.
  // While closing, deadline_ bounds the closing handshake instead.
  if (deadline_ && state_.who.role == engine::Role::visitor && state_.registered && open_)
    deadline_.reset();
}

// Beast holds the buffer it reads into while it waits for a frame, and most
// connections wait most of the time: a frame's first read takes at most
// kFirstReadBytes (most client frames fit), the rest of a longer one is read once
// its header has arrived, sized by it. Reading into plain bytes (not a dynamic
// buffer) also keeps Beast's extra read layer out of what a waiting connection holds.
void WsSession::read_next() {
  const std::size_t room = frame_bytes_ == 0
                               ? kFirstReadBytes
                               : std::max<std::size_t>(ws_.read_size_hint(kFirstReadBytes), 1);
  frame_.resize(frame_bytes_ + room);
  ws_.async_read_some(net::buffer(frame_.data() + frame_bytes_, room),
                      beast::bind_front_handler(&WsSession::on_read, shared_from_this()));
}

void WsSession::on_read(beast::error_code ec, std::size_t bytes) {
  if (ec) return finish();  // closed, dropped by the keep-alive, or failed by the WebSocket layer
  quiet_sweeps_ = 0;
  frame_bytes_ += bytes;
  if (!ws_.is_message_done()) return read_next();

  const std::string_view text(frame_.data(), frame_bytes_);
  FrameVerdict verdict = FrameVerdict::ok;
  if (const auto& relay = state_.gate->relay(); relay && ws_.got_text()) {
    // The owner node checks the frame; a visitor said something, so the hello
    // deadline is the owner's business now.
    relay->frame(shared_from_this(), text);
    state_.registered = true;
  } else if (!ws_.got_text()) {
    verdict = reject_frame(state_, shared_from_this(), metrics::ErrorCode::bad_frame,
                           "binary frames are not accepted; send JSON text frames");
  } else {
    verdict = handle_text_frame(state_, shared_from_this(), text, monotonic_us());
  }
  // Between frames a connection holds no read buffer (an allocation per frame is
  // far cheaper than its system calls).
  std::vector<char>().swap(frame_);
  frame_bytes_ = 0;
  hello_done();

  if (verdict == FrameVerdict::close_policy)
    return start_close(websocket::close_code::policy_error, "too many bad frames");
  read_next();
}

void WsSession::send(std::shared_ptr<const std::string> frame) {
  net::dispatch(ws_.get_executor(),
                [self = shared_from_this(), frame = std::move(frame)]() mutable {
                  self->enqueue(std::move(frame));
                });
}

void WsSession::close(uint16_t code, std::string reason) {
  net::dispatch(ws_.get_executor(),
                [self = shared_from_this(), code, reason = std::move(reason)]() mutable {
                  self->start_close(code, std::move(reason));
                });
}

void WsSession::enqueue(std::shared_ptr<const std::string> frame) {
  if (!open_) return;
  // An agent's connection carries all of their conversations: it gets more room.
  const std::size_t limit = context_.options.send_queue_max_bytes *
                            (state_.who.role == engine::Role::agent ? kAgentQueueFactor : 1);
  // Counted with what the socket has not yet taken: frames leave this queue for the
  // stream's write buffer at once, and leave that only as fast as the client reads.
  const std::size_t unsent = queued_bytes_ + ws_.next_layer().unsent_bytes();
  if (unsent + frame->size() > limit) {
    // A consumer this slow would hold memory and delay nobody but itself if we let
    // it; cut it off instead. Its messages stay in storage for when it resumes.
    state_.gate->metrics().slow_consumers_dropped.fetch_add(1, std::memory_order_relaxed);
    spdlog::info("tenant {}: closing a slow connection ({} bytes unsent)", state_.gate->id(),
                 unsent);
    open_ = false;
    ws_.next_layer().next_layer().close_socket();
    return;
  }
  queued_bytes_ += frame->size();
  queue_.push_back(std::move(frame));
  if (!writing_) write_next();
}

void WsSession::write_next() {
  if (queue_head_ == queue_.size()) {
    // A drained queue is given back: most connections are idle between frames.
    std::vector<std::shared_ptr<const std::string>>().swap(queue_);
    queue_head_ = 0;
    writing_ = false;
    // Everything queued is in the stream's buffer now: one system call sends it.
    ws_.next_layer().uncork();
    if (close_) {
      ws_.async_close(
          websocket::close_reason(static_cast<websocket::close_code>(close_->code), close_->reason),
          [self = shared_from_this()](beast::error_code) { self->finish(); });
    }
    return;
  }
  writing_ = true;
  ws_.next_layer().cork();
  ws_.text(true);
  ws_.async_write(net::buffer(*queue_[queue_head_]),
                  beast::bind_front_handler(&WsSession::on_write, shared_from_this()));
}

void WsSession::on_write(beast::error_code ec, std::size_t) {
  if (ec) {
    open_ = false;
    queue_.clear();
    queue_head_ = 0;
    queued_bytes_ = 0;
    writing_ = false;
    return finish();
  }
  queued_bytes_ -= queue_[queue_head_]->size();
  queue_[queue_head_++].reset();
  // A queue that never quite drains drops its sent prefix now and then.
  if (queue_head_ >= kKeptQueueSlots && queue_head_ * 2 >= queue_.size()) {
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(queue_head_));
    queue_head_ = 0;
  }
  write_next();
}

void WsSession::start_close(uint16_t code, std::string reason) {
  if (!open_ || close_) return;
  close_ = std::make_unique<PendingClose>(PendingClose{code, std::move(reason)});
  open_ = false;  // nothing new is queued after the close
  bound_closing();
  if (!writing_) write_next();
}

// A client that never answers the close (or, having sent its own, never ends the
// connection) would otherwise hold it until the keep-alive took it for dead.
void WsSession::bound_closing() {
  if (finished_) return;
  deadline_ = std::make_unique<net::steady_timer>(ws_.get_executor());
  deadline_->expires_after(std::chrono::milliseconds(context_.options.handshake_timeout_ms));
  deadline_->async_wait([weak = weak_from_this()](beast::error_code ec) {
    if (auto self = weak.lock(); self && !ec) self->ws_.next_layer().next_layer().close_socket();
  });
}

bool WsSession::keepalive_step(const KeepAliveSchedule& schedule) {
  if (finished_) return false;
  switch (schedule.step(quiet_sweeps_)) {
    case KeepAliveSchedule::Step::none:
      break;
    case KeepAliveSchedule::Step::ping:
      // Not while closing (the close frame asks for an answer already), nor twice.
      if (!open_ || pinging_) break;
      pinging_ = true;
      ws_.async_ping({},
                     [self = shared_from_this()](beast::error_code) { self->pinging_ = false; });
      break;
    case KeepAliveSchedule::Step::drop:
      // Nothing heard since the ping, nor for as long before it: the peer is gone
      // (or will not talk). Its read fails, and that finishes the session.
      ws_.next_layer().next_layer().close_socket();
      break;
  }
  return true;
}

void WsSession::finish() {
  if (finished_) return;
  finished_ = true;
  open_ = false;
  if (deadline_) deadline_->cancel();
  if (watched_) context_.services->sessions().unwatch(peer_id_);
  tls_listing_.reset();
  auto& m = state_.gate->metrics();
  state_.gate->detach(peer_id_);
  if (const auto& relay = state_.gate->relay()) {
    relay->close(peer_id_);
  } else if (state_.registered) {
    // The engine holds a reference to this peer; disconnect lets it go. In the
    // destructor there is no one left to tell.
    if (auto self = weak_from_this().lock()) state_.gate->engine()->disconnect(self, state_.who);
  }
  if (counted_) {
    if (state_.who.role == engine::Role::agent) {
      m.agent_connections.fetch_sub(1, std::memory_order_relaxed);
    } else {
      m.visitor_connections.fetch_sub(1, std::memory_order_relaxed);
    }
  }
  state_.gate->close_connection();
}

}  // namespace sb::hub
