// How fast a group's queue moves, for the estimated wait a queued visitor is shown.
//
// Kept per group (the tenant's default queue is group ""): the times of its last
// kSamples conversations that left the queue for an agent, none older than kWindow.
// The estimate is the mean gap between them, measured up to now, with one assumed
// gap of kAssumedGap mixed in:
//
//     gap = (now - oldest sample + kAssumedGap) / samples        (no samples: kAssumedGap)
//     eta = position * gap, rounded up to whole seconds
//
// Measuring up to now makes the estimate grow while the queue stands still; the
// assumed gap keeps a burst (an agent coming online takes three chats in the same
// millisecond) from promising an instant answer, and matters less the more history
// there is.
//
// Only time in which the queue could move counts in those gaps: someone waited and
// someone who serves the group was online (set_moving). A queue that stood empty
// for twenty minutes, or that nobody was online to serve, took nobody in that time
// because there was nobody to take or nobody to take them, which says nothing about
// how fast the next visitor is served; its time is left out. Visitors who left the
// queue unserved (closed, abandoned) are no samples either: only record() is one.
// Pure: the caller passes the time, so tests need no clock.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <utility>

namespace sb::engine {

class QueuePace {
 public:
  static constexpr size_t kSamples = 20;
  static constexpr int64_t kWindow_ms = 30 * 60 * 1000;
  static constexpr int64_t kAssumedGap_ms = 60 * 1000;

  // A conversation of `group` left the queue for an agent at now_ms (monotonic).
  void record(const std::string& group, int64_t now_ms);
  // The estimated wait in seconds of the visitor at `position` (1-based) of group's queue.
  uint32_t eta_s(const std::string& group, uint32_t position, int64_t now_ms) const;
  // Whether group's estimates grow with time alone (it has recent history and can
  // move); without history they stay at kAssumedGap a place.
  bool drifts(const std::string& group, int64_t now_ms) const;
  // Whether group's queue can move from now_ms on: someone waits in it and someone
  // who serves it is online. A group never told is taken to be moving.
  void set_moving(const std::string& group, bool moving, int64_t now_ms);
  // The same for every group at once: `waiting` holds the groups someone waits for,
  // each with whether someone who serves it is online; every other group's queue
  // is empty, so it stands.
  void set_moving(const std::unordered_map<std::string, bool>& waiting, int64_t now_ms);

 private:
  struct Line {
    // (when, the moving clock then), oldest first.
    std::deque<std::pair<int64_t, int64_t>> taken;
    // The moving clock: the time the queue could move. It read `clock_ms` at
    // `since_ms`, and runs on from there while `moving`. Never told: it reads now.
    int64_t clock_ms = 0;
    int64_t since_ms = 0;
    bool moving = true;
    int64_t clock(int64_t now_ms) const { return clock_ms + (moving ? now_ms - since_ms : 0); }
  };
  std::unordered_map<std::string, Line> lines_;
};

}  // namespace sb::engine
