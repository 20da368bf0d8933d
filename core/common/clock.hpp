// The two clocks the server uses, in milliseconds.
#pragma once

#include <chrono>
#include <cstdint>

namespace sb {

// Wall clock: timestamps that leave the process (message "ts", token expiry).
inline int64_t wall_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Monotonic clock: durations, timeouts, "longest since last assignment".
inline int64_t monotonic_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace sb
