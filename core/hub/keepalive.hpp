// Internal to the hub: the WebSocket keep-alive, one timer per event loop instead
// of one per connection re-armed by every read.
//
// A connection the client has sent nothing on (no frame, not even a pong) for
// websocket_ping_ms is pinged; one silent for twice as long is taken for dead and
// its socket closed. The promise is kept by counting: each connection holds a
// count of sweeps since it last heard from its client (reset by every frame read,
// one store), and its loop's sweep visits every connection once a period and
// advances the count. A read arms no timer and makes no system call; a loop with
// no WebSocket connection has no sweep pending.
//
// Loop thread only, like the sessions it visits.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

namespace sb::hub {

class WsSession;

// When to ping and when to give up, in sweeps, for one ping interval.
struct KeepAliveSchedule {
  enum class Step : uint8_t { none, ping, drop };

  explicit KeepAliveSchedule(std::chrono::milliseconds ping_after);

  // One sweep over a connection whose count is `quiet`: counts it and says what to
  // do. A connection heard from at any time within a period is counted from the
  // next sweep on, so the silence before the ping is at least ping_after and less
  // than two periods more (one more where the period divides it, as 1 s does the
  // shipped 30 s), and before the drop at least twice ping_after.
  Step step(uint16_t& quiet) const noexcept {
    if (quiet < drop_at) ++quiet;
    if (quiet >= drop_at) return Step::drop;
    return quiet == ping_at ? Step::ping : Step::none;
  }

  std::chrono::milliseconds period;  // between sweeps: ping_after / 8, 10 ms to 1 s
  uint16_t ping_at;                  // sweeps of silence before the ping
  uint16_t drop_at;                  // sweeps of silence before the socket is closed
};

class KeepAliveSweep {
 public:
  KeepAliveSweep(boost::asio::io_context& loop, KeepAliveSchedule schedule);
  ~KeepAliveSweep();
  KeepAliveSweep(const KeepAliveSweep&) = delete;
  KeepAliveSweep& operator=(const KeepAliveSweep&) = delete;

  // A connection open on this loop. It leaves by itself: a finished or destroyed
  // session is dropped at the next sweep (a weak reference: the session never has
  // to reach the sweep again, which may go before it at the server's stop).
  void add(const std::shared_ptr<WsSession>& session);

  boost::asio::io_context& loop() const noexcept { return *loop_; }
  const KeepAliveSchedule& schedule() const noexcept { return schedule_; }
  // Connections on the list (a finished one until the next sweep); for tests.
  std::size_t size() const noexcept { return members_.size(); }

 private:
  void arm();
  void sweep();

  boost::asio::io_context* loop_;
  KeepAliveSchedule schedule_;
  boost::asio::steady_timer timer_;
  std::vector<std::weak_ptr<WsSession>> members_;
  bool armed_ = false;
};

}  // namespace sb::hub
