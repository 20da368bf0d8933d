// A per-instance circuit breaker: after N consecutive failures it refuses calls for a
// cool-down, then lets exactly one trial call through (half-open); that call's
// success closes it, its failure opens it again for twice as long, up to `cooldown`.
// The first cool-down is `first_cooldown` (by default the whole): the plugin host
// starts short, so a backend down for a few seconds (a database restarting) is used
// again within about as long as it was away, and one down for good is tried once
// per `cooldown`.
//
// A refusal (SB_REFUSED, ABI 1.11: the request was bad, the plugin is fine) is
// neither: it leaves the count of consecutive failures as it was, so no number of
// bad requests opens the circuit, and a refused trial decides nothing either way
// (it did not show the backend works): the circuit stays half-open and the next
// call is the trial.
//
// Lock-free: callers sit on many threads and storage calls run ~20,000 times a
// second, so the closed-state path is one relaxed load.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

namespace sb::plugin_host {

class CircuitBreaker {
 public:
  CircuitBreaker(uint32_t failure_threshold, std::chrono::milliseconds cooldown,
                 std::optional<std::chrono::milliseconds> first_cooldown = std::nullopt);

  // May this call go to the plugin? In the half-open state only one caller gets true.
  bool try_acquire();
  void record_success();
  // Returns true when this failure opened (or re-opened) the circuit, so the caller
  // logs the transition once rather than per refused call.
  bool record_failure();
  // The plugin refused the request as bad: counts for nothing, ends a trial.
  void record_refusal();
  // True while calls are refused (open and the cool-down has not elapsed).
  bool is_open() const;

 private:
  const uint32_t failure_threshold_;
  const int64_t cooldown_ms_;        // the longest
  const int64_t first_cooldown_ms_;  // after a close
  std::atomic<int64_t> next_cooldown_ms_;
  std::atomic<uint32_t> consecutive_failures_{0};
  std::atomic<int64_t> open_until_ms_{0};  // 0 = closed
  std::atomic<bool> trial_running_{false};
};

}  // namespace sb::plugin_host
