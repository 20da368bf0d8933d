// How fast a group's queue moves, for the estimated wait a queued visitor is shown.
//
// Kept per group (the tenant's default queue is group ""): the times of its last
// kSamples conversations that left the queue for an agent, none older than kWindow.
// The estimate is the mean gap between them, measured up to now, with one assumed
// gap of kAssumedGap mixed in:
//
//     gap = (now - oldest sample + kAssumedGap) / samples        (no samples: kAssumedGap)
//     eta = position * gap, rounded up to whole seconds
//
// Measuring up to now makes the estimate grow while the queue stands still; the
// assumed gap keeps a burst (an agent coming online takes three chats in the same
// millisecond) from promising an instant answer, and matters less the more history
// there is. Pure: the caller passes the time, so tests need no clock.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>

namespace sb::engine {

class QueuePace {
 public:
  static constexpr size_t kSamples = 20;
  static constexpr int64_t kWindow_ms = 30 * 60 * 1000;
  static constexpr int64_t kAssumedGap_ms = 60 * 1000;

  // A conversation of `group` left the queue for an agent at now_ms (monotonic).
  void record(const std::string& group, int64_t now_ms);
  // The estimated wait in seconds of the visitor at `position` (1-based) of group's queue.
  uint32_t eta_s(const std::string& group, uint32_t position, int64_t now_ms) const;
  // Whether group's estimates grow with time alone (it has recent history); without
  // history they stay at kAssumedGap a place.
  bool drifts(const std::string& group, int64_t now_ms) const;

 private:
  std::unordered_map<std::string, std::deque<int64_t>> taken_;  // oldest first
};

}  // namespace sb::engine
