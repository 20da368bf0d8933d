#pragma once
// One monotonic time base, in nanoseconds, shared by every thread of the process:
// a visitor stamps its scheduled send time into the message and the agent side
// (same process) subtracts it from its receive time.

#include <chrono>
#include <cstdint>

namespace loadgen {

inline int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

inline std::chrono::steady_clock::time_point to_time_point(int64_t ns) {
  return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(ns));
}

}  // namespace loadgen
