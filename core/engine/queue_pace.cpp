#include "engine/queue_pace.hpp"

#include <algorithm>

namespace sb::engine {

void QueuePace::record(const std::string& group, int64_t now_ms) {
  Line& line = lines_[group];
  auto& times = line.taken;
  times.emplace_back(now_ms, line.clock(now_ms));
  while (times.size() > kSamples || (!times.empty() && now_ms - times.front().first > kWindow_ms))
    times.pop_front();
}

uint32_t QueuePace::eta_s(const std::string& group, uint32_t position, int64_t now_ms) const {
  int64_t span_ms = 0;
  int64_t samples = 0;
  if (auto it = lines_.find(group); it != lines_.end()) {
    const int64_t clock_now = it->second.clock(now_ms);
    for (const auto& [t, clock] : it->second.taken) {
      if (now_ms - t > kWindow_ms) continue;  // too old to say anything about now
      if (samples++ == 0) span_ms = std::max<int64_t>(0, clock_now - clock);
    }
  }
  const int64_t gap_ms = samples == 0 ? kAssumedGap_ms : (span_ms + kAssumedGap_ms) / samples;
  const int64_t eta_ms = gap_ms * position;
  return static_cast<uint32_t>((eta_ms + 999) / 1000);
}

bool QueuePace::drifts(const std::string& group, int64_t now_ms) const {
  auto it = lines_.find(group);
  return it != lines_.end() && it->second.moving && !it->second.taken.empty() &&
         now_ms - it->second.taken.back().first <= kWindow_ms;
}

void QueuePace::set_moving(const std::string& group, bool moving, int64_t now_ms) {
  Line& line = lines_[group];
  if (line.moving == moving) return;
  line.clock_ms = line.clock(now_ms);
  line.since_ms = now_ms;
  line.moving = moving;
}

void QueuePace::set_moving(const std::unordered_map<std::string, bool>& waiting, int64_t now_ms) {
  for (auto& [group, line] : lines_)
    if (!waiting.count(group)) set_moving(group, false, now_ms);
  for (const auto& [group, online] : waiting) set_moving(group, online, now_ms);
}

}  // namespace sb::engine
