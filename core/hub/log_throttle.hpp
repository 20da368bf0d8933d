// Internal to the hub: lets one log line through per interval and counts the ones
// held back, so that a flood of one event (a scanner's failed TLS handshakes) cannot
// flood the log while the first of them, and how many followed, are still seen.
// Any thread; lock-free.
#pragma once

#include <atomic>
#include <cstdint>

namespace sb::hub {

class LogThrottle {
 public:
  explicit LogThrottle(int64_t interval_ms) : interval_ms_(interval_ms) {}

  // Whether to log the event happening at now_ms; if so, held_back is how many were
  // not logged since the last line.
  bool allow(int64_t now_ms, uint64_t& held_back) {
    int64_t next = next_ms_.load(std::memory_order_relaxed);
    if (now_ms < next ||
        !next_ms_.compare_exchange_strong(next, now_ms + interval_ms_, std::memory_order_relaxed)) {
      held_back_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    held_back = held_back_.exchange(0, std::memory_order_relaxed);
    return true;
  }

 private:
  const int64_t interval_ms_;
  std::atomic<int64_t> next_ms_{INT64_MIN};
  std::atomic<uint64_t> held_back_{0};
};

}  // namespace sb::hub
