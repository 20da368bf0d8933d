// Internal to the hub: the layer under a WebSocket stream that turns many frames
// into one system call.
//
// Beast writes one WebSocket message per async_write, and each would be its own
// sendmsg. Under load an agent's connection receives hundreds of frames a second,
// and the system call (with the loopback or NIC work behind it) costs more than
// everything else the frame needs. This layer accepts each write into a pending
// buffer and completes it at once (asynchronously, as Asio requires); the bytes
// go out in one write per loop turn, and while a write is in flight whatever
// arrives meanwhile joins the next one. Order is kept: bytes leave in the order
// they were written, control frames (ping, pong, close) included, since Beast
// writes those through this layer too.
//
// Nothing here is bounded by itself: the session counts unsent_bytes() in its send
// queue's limit and cuts off a client that does not read. Teardown (after a
// WebSocket close) waits for the pending bytes to leave first.
//
// Runs on one event loop like the session that owns it; no locks.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "hub/transport_stream.hpp"

namespace sb::hub {

class CoalescingStream {
 public:
  using next_layer_type = TransportStream;
  using executor_type = next_layer_type::executor_type;

  explicit CoalescingStream(next_layer_type&& next) : next_(std::move(next)) {}

  // The object that owns this stream (the session): its queued write and flush
  // hold it alive, since they outlive the write handlers that Beast holds.
  void set_owner(std::weak_ptr<void> owner) { owner_ = std::move(owner); }

  executor_type get_executor() noexcept { return next_.get_executor(); }
  next_layer_type& next_layer() noexcept { return next_; }
  const next_layer_type& next_layer() const noexcept { return next_; }

  // While corked, accepted bytes wait for uncork() instead of the end of the loop
  // turn: a writer that sends one frame per completion (Beast allows one write at
  // a time) corks while it still has frames queued, so they leave together. A
  // writer whose queue never quite empties still sends every kCorkedBytesMax.
  void cork() noexcept { corked_ = true; }
  void uncork() {
    corked_ = false;
    schedule_flush();
  }

  // Bytes accepted from writes that the socket has not yet taken.
  std::size_t unsent_bytes() const noexcept {
    return writes_ ? writes_->pending.size() + writes_->in_flight.size() : 0;
  }
  // How many socket writes carried the bytes so far (for tests and diagnostics).
  std::size_t socket_writes() const noexcept { return socket_writes_; }
  // Whether the stream holds write state (buffers); an idle one holds none.
  bool holds_write_state() const noexcept { return writes_ != nullptr; }

  template <class MutableBufferSequence, class ReadHandler>
  auto async_read_some(const MutableBufferSequence& buffers, ReadHandler&& handler) {
    return next_.async_read_some(buffers, std::forward<ReadHandler>(handler));
  }

  // Copies the bytes into the pending buffer and completes with all of them
  // written; a failed socket write fails every later write with its error.
  template <class ConstBufferSequence, class WriteHandler>
  auto async_write_some(const ConstBufferSequence& buffers, WriteHandler&& handler) {
    return boost::asio::async_initiate<WriteHandler, void(boost::system::error_code, std::size_t)>(
        [this](auto completion, const ConstBufferSequence& data) {
          std::size_t n = 0;
          const boost::system::error_code failed = error();
          if (!failed) {
            if (!writes_) writes_ = std::make_unique<Writes>();
            for (const auto b : boost::beast::buffers_range_ref(data)) {
              writes_->pending.append(static_cast<const char*>(b.data()), b.size());
              n += b.size();
            }
            schedule_flush();
          }
          auto ex = boost::asio::get_associated_executor(completion, get_executor());
          boost::asio::post(ex, boost::beast::bind_front_handler(std::move(completion), failed, n));
        },
        handler, buffers);
  }

  // Calls done (on this stream's executor) once every accepted byte has left, or
  // with the error that stopped them.
  void async_flush(std::function<void(boost::system::error_code)> done) {
    if (unsent_bytes() == 0 || error()) {
      boost::asio::post(get_executor(), [done = std::move(done), ec = error()] { done(ec); });
      return;
    }
    writes_->flushed = std::move(done);
  }

 private:
  // What a stream holds while it has bytes to send (and after a socket write
  // failed, for the error). Thousands of connections are idle most of the time:
  // this state lives apart from the stream, which Beast keeps inside its own
  // WebSocket state, so that an idle connection holds neither the buffers nor the
  // room for them (see RESULTS.md, issue 12, the thirteenth pass).
  struct Writes {
    std::string pending;    // accepted, waiting for the next socket write
    std::string in_flight;  // the socket write under way
    boost::system::error_code error;
    std::function<void(boost::system::error_code)> flushed;
  };

  boost::system::error_code error() const noexcept {
    return writes_ ? writes_->error : boost::system::error_code();
  }

  void schedule_flush() {
    if (flush_scheduled_ || unsent_bytes() == 0 || !writes_->in_flight.empty()) return;
    if (held_by_cork()) return;
    flush_scheduled_ = true;
    // After the handlers of this loop turn: every frame they write goes together.
    boost::asio::post(get_executor(), [this, keep = owner_.lock()] {
      flush_scheduled_ = false;
      write_pending();
    });
  }

  void write_pending() {
    if (!writes_) return;
    if (writes_->pending.empty() || writes_->error) return finish_flush();
    if (held_by_cork()) return;  // uncork() or more bytes send it
    writes_->in_flight.swap(writes_->pending);
    ++socket_writes_;
    boost::asio::async_write(
        next_, boost::asio::buffer(writes_->in_flight),
        [this, keep = owner_.lock()](boost::system::error_code ec, std::size_t) {
          writes_->in_flight.clear();
          if (ec) {
            writes_->error = ec;
            writes_->pending.clear();
          }
          write_pending();
        });
  }

  bool held_by_cork() const noexcept {
    return corked_ && writes_->pending.size() < kCorkedBytesMax;
  }

  void finish_flush() {
    auto done = std::exchange(writes_->flushed, nullptr);
    const boost::system::error_code ec = writes_->error;
    if (ec) {
      std::string().swap(writes_->in_flight);
      std::string().swap(writes_->pending);
    } else {
      writes_.reset();  // an idle connection keeps no write state
    }
    if (done) done(ec);
  }

  static constexpr std::size_t kCorkedBytesMax = 8 * 1024;

  next_layer_type next_;
  std::unique_ptr<Writes> writes_;  // while bytes are unsent, or once a write failed
  std::weak_ptr<void> owner_;
  std::size_t socket_writes_ = 0;
  bool flush_scheduled_ = false;
  bool corked_ = false;
};

// Beast calls these (found by argument-dependent lookup) to end the connection
// after a WebSocket close: the pending bytes, the close frame among them, go first;
// a TLS session then ends with close_notify (bounded, see async_tls_shutdown), so
// a wss:// client's own TLS shutdown completes instead of reporting a truncated
// stream; then the TCP connection. The blocking form is not used by the sessions.
inline void teardown(boost::beast::role_type role, CoalescingStream& stream,
                     boost::system::error_code& ec) {
  stream.next_layer().with_socket([role, &ec](auto& socket) {
    using boost::beast::websocket::teardown;
    teardown(role, socket, ec);
  });
}

template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, CoalescingStream& stream,
                    TeardownHandler&& handler) {
  // Beast's handlers move but do not copy; the flush callback must copy.
  auto held =
      std::make_shared<std::decay_t<TeardownHandler>>(std::forward<TeardownHandler>(handler));
  stream.async_flush([&stream, role, held](boost::system::error_code flushed) {
    auto close_tcp = [&stream, role, held](boost::system::error_code) {
      stream.next_layer().with_socket([role, &held](auto& socket) {
        using boost::beast::async_teardown;
        async_teardown(role, socket, std::move(*held));
      });
    };
    if (flushed || !stream.next_layer().is_tls()) return close_tcp({});
    stream.next_layer().async_tls_shutdown(std::move(close_tcp));
  });
}

}  // namespace sb::hub
