// Today's stored conversation records, kept between dashboard polls so that each
// poll reads from storage only what changed since the last one (records updated
// since then, with an overlap), not the whole day again: a tenant with 100,000
// conversations today costs seconds of storage time per full read (RESULTS.md),
// and the dashboard asks every few seconds. One entry per tenant and time zone;
// an entry starts over when its day does. Thread-safe: polls answer on the
// blocking pool's threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "stats/conversation_stats.hpp"

namespace sb::stats {

class TodayCache {
 public:
  // Re-read this much before the last read began: a record written while a read
  // ran, or stamped a moment before its write was issued (a rating), is not missed.
  static constexpr int64_t kOverlap_ms = 30 * 1000;
  static constexpr size_t kMaxEntries = 256;

  // What to ask storage for: records updated at or after the returned time (the
  // day's start when the entry is new or its day changed). key: tenant and zone.
  int64_t read_since(const std::string& key, int64_t day_start_ms);
  // Merges what a read that began at read_began_ms found (a record replaces the
  // one held only when it is as new or newer: two polls may answer out of order);
  // `complete` false when the read hit its limit (the day's figures then say so).
  // Answers the day's figures from everything held.
  Period merge(const std::string& key, int64_t day_start_ms, int64_t day_end_ms,
               int64_t read_began_ms, std::vector<Record> records, bool complete, bool& truncated);

 private:
  struct Day {
    int64_t start_ms = 0;
    int64_t last_read_began_ms = 0;  // 0: never read
    bool truncated = false;
    std::unordered_map<std::string, Record> records;  // by id
    uint64_t used = 0;                                // for eviction
  };
  Day& entry(const std::string& key, int64_t day_start_ms);

  std::mutex mutex_;
  std::map<std::string, Day> days_;
  uint64_t uses_ = 0;
};

}  // namespace sb::stats
