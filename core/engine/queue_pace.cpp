#include "engine/queue_pace.hpp"

#include <algorithm>

namespace sb::engine {

void QueuePace::record(const std::string& group, int64_t now_ms) {
  auto& times = taken_[group];
  times.push_back(now_ms);
  while (times.size() > kSamples || (!times.empty() && now_ms - times.front() > kWindow_ms))
    times.pop_front();
}

uint32_t QueuePace::eta_s(const std::string& group, uint32_t position, int64_t now_ms) const {
  int64_t span_ms = 0;
  int64_t samples = 0;
  if (auto it = taken_.find(group); it != taken_.end()) {
    for (const int64_t t : it->second) {
      if (now_ms - t > kWindow_ms) continue;  // too old to say anything about now
      if (samples++ == 0) span_ms = std::max<int64_t>(0, now_ms - t);
    }
  }
  const int64_t gap_ms = samples == 0 ? kAssumedGap_ms : (span_ms + kAssumedGap_ms) / samples;
  const int64_t eta_ms = gap_ms * position;
  return static_cast<uint32_t>((eta_ms + 999) / 1000);
}

bool QueuePace::drifts(const std::string& group, int64_t now_ms) const {
  auto it = taken_.find(group);
  return it != taken_.end() && !it->second.empty() && now_ms - it->second.back() <= kWindow_ms;
}

}  // namespace sb::engine
