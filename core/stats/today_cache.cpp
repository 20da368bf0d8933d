#include "stats/today_cache.hpp"

#include <algorithm>

namespace sb::stats {

TodayCache::Day& TodayCache::entry(const std::string& key, int64_t day_start_ms) {
  auto it = days_.find(key);
  if (it == days_.end()) {
    if (days_.size() >= kMaxEntries) {
      auto oldest = std::min_element(days_.begin(), days_.end(), [](const auto& a, const auto& b) {
        return a.second.used < b.second.used;
      });
      days_.erase(oldest);
    }
    it = days_.emplace(key, Day{}).first;
  }
  Day& day = it->second;
  if (day.start_ms != day_start_ms) {  // a new day: start over
    day = Day{};
    day.start_ms = day_start_ms;
  }
  day.used = ++uses_;
  return day;
}

int64_t TodayCache::read_since(const std::string& key, int64_t day_start_ms) {
  std::lock_guard lock(mutex_);
  const Day& day = entry(key, day_start_ms);
  if (!day.last_read_began_ms) return day_start_ms;
  return std::max(day_start_ms, day.last_read_began_ms - kOverlap_ms);
}

Period TodayCache::merge(const std::string& key, int64_t day_start_ms, int64_t day_end_ms,
                         int64_t read_began_ms, std::vector<Record> records, bool complete,
                         bool& truncated) {
  std::lock_guard lock(mutex_);
  Day& day = entry(key, day_start_ms);
  for (Record& r : records) {
    auto [it, inserted] = day.records.try_emplace(r.id);
    if (inserted || r.updated_ms >= it->second.updated_ms) it->second = std::move(r);
  }
  day.last_read_began_ms = std::max(day.last_read_began_ms, read_began_ms);
  day.truncated = day.truncated || !complete;
  truncated = day.truncated;
  return period_figures(day.records, day_start_ms, day_end_ms);
}

}  // namespace sb::stats
