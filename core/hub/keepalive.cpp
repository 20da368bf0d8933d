#include "hub/keepalive.hpp"

#include <algorithm>

#include "hub/ws_session.hpp"

namespace sb::hub {

namespace {
// Sweeps per ping interval at least (so the ping comes at most an eighth late),
// but never more often than every 10 ms nor less often than every second.
constexpr int64_t kSweepsPerPing = 8;
constexpr std::chrono::milliseconds kShortestPeriod{10};
constexpr std::chrono::milliseconds kLongestPeriod{1000};

// Sweeps of silence that make at least `silence`: the first sweep after a frame
// may come at once, so one more than silence / period.
uint16_t sweeps_for(std::chrono::milliseconds silence, std::chrono::milliseconds period) {
  const int64_t sweeps = (silence.count() + period.count() - 1) / period.count() + 1;
  return static_cast<uint16_t>(std::clamp<int64_t>(sweeps, 2, UINT16_MAX));
}
}  // namespace

KeepAliveSchedule::KeepAliveSchedule(std::chrono::milliseconds ping_after)
    : period(std::clamp(ping_after / kSweepsPerPing, kShortestPeriod, kLongestPeriod)),
      ping_at(sweeps_for(ping_after, period)),
      drop_at(std::max<uint16_t>(sweeps_for(2 * ping_after, period), ping_at + 1)) {}

KeepAliveSweep::KeepAliveSweep(boost::asio::io_context& loop, KeepAliveSchedule schedule)
    : loop_(&loop), schedule_(schedule), timer_(loop) {}

// The loops no longer run here (the hub goes after they stopped, or with them
// idle): a wait still queued is only destroyed, and never reaches this sweep.
KeepAliveSweep::~KeepAliveSweep() = default;

void KeepAliveSweep::add(const std::shared_ptr<WsSession>& session) {
  members_.push_back(session);
  arm();
}

void KeepAliveSweep::arm() {
  if (armed_ || members_.empty()) return;
  armed_ = true;
  timer_.expires_after(schedule_.period);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;  // cancelled: the sweep is going away
    armed_ = false;
    sweep();
    arm();
  });
}

void KeepAliveSweep::sweep() {
  // Each member once; a finished one is swapped out for the last. A step adds no
  // member and runs no handler (what it starts completes later, on the loop).
  std::size_t i = 0;
  while (i < members_.size()) {
    auto session = members_[i].lock();
    if (session && session->keepalive_step(schedule_)) {
      ++i;
      continue;
    }
    if (i + 1 != members_.size()) members_[i] = std::move(members_.back());
    members_.pop_back();
  }
  // A list that shrank a lot gives its room back (after a burst of connections).
  if (members_.capacity() > 64 && members_.size() < members_.capacity() / 4)
    members_.shrink_to_fit();
}

}  // namespace sb::hub
