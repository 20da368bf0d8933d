#include "engine/message_rate.hpp"

#include <algorithm>

namespace sb::engine {

void MessageRate::record(int64_t wall_ms) {
  const int64_t minute = wall_ms / kMinute_ms;
  Minute& slot = slots_[static_cast<size_t>(minute % static_cast<int64_t>(kMinutes))];
  // A slot last used an hour (or more) ago starts again from zero.
  if (slot.start_ms != minute * kMinute_ms) slot = Minute{minute * kMinute_ms, 0};
  ++slot.count;
}

std::vector<MessageRate::Minute> MessageRate::recent(int64_t now_ms, size_t minutes) const {
  minutes = std::min(minutes, kMinutes);
  const int64_t current = now_ms / kMinute_ms;
  std::vector<Minute> out;
  out.reserve(minutes);
  for (int64_t minute = current - static_cast<int64_t>(minutes) + 1; minute <= current; ++minute) {
    const Minute& slot = slots_[static_cast<size_t>(minute % static_cast<int64_t>(kMinutes))];
    out.push_back({minute * kMinute_ms, slot.start_ms == minute * kMinute_ms ? slot.count : 0u});
  }
  return out;
}

}  // namespace sb::engine
