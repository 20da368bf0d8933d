// Messages stored per wall-clock minute over the last hour, for the admin
// dashboard's "messages per minute". Kept in memory by the engine (one counter per
// minute, no per-message state): a restart starts counting afresh. Pure: the caller
// passes the time, so tests need no clock.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sb::engine {

class MessageRate {
 public:
  static constexpr int64_t kMinute_ms = 60 * 1000;
  static constexpr size_t kMinutes = 60;

  // One message stored at wall_ms.
  void record(int64_t wall_ms);

  struct Minute {
    int64_t start_ms = 0;  // the minute's first millisecond (UTC, wall clock)
    uint32_t count = 0;
  };
  // The last `minutes` whole and current minutes up to now_ms, oldest first (the
  // current one still counting); at most kMinutes.
  std::vector<Minute> recent(int64_t now_ms, size_t minutes) const;

 private:
  // Slot i holds the minute whose index (wall_ms / kMinute_ms) is congruent to i.
  std::array<Minute, kMinutes> slots_{};
};

}  // namespace sb::engine
