#include "plugin_host/circuit_breaker.hpp"

#include <algorithm>

#include "common/clock.hpp"

namespace sb::plugin_host {

CircuitBreaker::CircuitBreaker(uint32_t failure_threshold, std::chrono::milliseconds cooldown,
                               std::optional<std::chrono::milliseconds> first_cooldown)
    : failure_threshold_(failure_threshold == 0 ? 1 : failure_threshold),
      cooldown_ms_(cooldown.count()),
      first_cooldown_ms_(std::min(cooldown_ms_, first_cooldown.value_or(cooldown).count())),
      next_cooldown_ms_(first_cooldown_ms_) {}

bool CircuitBreaker::try_acquire() {
  const int64_t open_until = open_until_ms_.load(std::memory_order_relaxed);
  if (open_until == 0) return true;
  if (monotonic_ms() < open_until) return false;
  bool expected = false;
  return trial_running_.compare_exchange_strong(expected, true, std::memory_order_acq_rel);
}

void CircuitBreaker::record_success() {
  // Loads first: on the hot path nothing changes and no cache line is written.
  if (consecutive_failures_.load(std::memory_order_relaxed) != 0) {
    consecutive_failures_.store(0, std::memory_order_relaxed);
  }
  if (open_until_ms_.load(std::memory_order_relaxed) != 0) {
    next_cooldown_ms_.store(first_cooldown_ms_, std::memory_order_relaxed);
    open_until_ms_.store(0, std::memory_order_release);
    trial_running_.store(false, std::memory_order_release);
  }
}

bool CircuitBreaker::record_failure() {
  const uint32_t failures = consecutive_failures_.fetch_add(1, std::memory_order_relaxed) + 1;
  const int64_t open_until = open_until_ms_.load(std::memory_order_relaxed);
  if (open_until != 0) {
    // A failed trial re-opens for twice the last cool-down (at most the whole). A
    // straggler that failed while the circuit was already open and cooling down
    // changes nothing.
    if (monotonic_ms() < open_until) return false;
    const int64_t longer =
        std::min(cooldown_ms_, 2 * next_cooldown_ms_.load(std::memory_order_relaxed));
    next_cooldown_ms_.store(longer, std::memory_order_relaxed);
    open_until_ms_.store(monotonic_ms() + longer, std::memory_order_release);
    trial_running_.store(false, std::memory_order_release);
    return true;
  }
  if (failures >= failure_threshold_) {
    int64_t expected = 0;
    return open_until_ms_.compare_exchange_strong(
        expected, monotonic_ms() + next_cooldown_ms_.load(std::memory_order_relaxed),
        std::memory_order_acq_rel);
  }
  return false;
}

void CircuitBreaker::record_refusal() {
  // Only a trial's answer can find the circuit open and its cool-down over (any
  // other call was refused at try_acquire); a straggler's during the cool-down
  // changes nothing.
  const int64_t open_until = open_until_ms_.load(std::memory_order_relaxed);
  if (open_until != 0 && monotonic_ms() >= open_until)
    trial_running_.store(false, std::memory_order_release);
}

bool CircuitBreaker::is_open() const {
  const int64_t open_until = open_until_ms_.load(std::memory_order_acquire);
  return open_until != 0 && monotonic_ms() < open_until;
}

}  // namespace sb::plugin_host
