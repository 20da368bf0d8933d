// The keep-alive's schedule: a silent WebSocket is pinged after websocket_ping_ms
// and dropped after twice that, counted in sweeps of its loop (keepalive.hpp).
#include "hub/keepalive.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>

using sb::hub::KeepAliveSchedule;
using Step = KeepAliveSchedule::Step;
using std::chrono::milliseconds;

namespace {
// The times (ms after the last frame, heard `offset` ms after a sweep, 0 < offset
// <= period) at which a connection nothing more is heard from is pinged and dropped.
struct Seen {
  int64_t ping_ms = -1;
  int64_t drop_ms = -1;
  int pings = 0;
};
Seen silence(const KeepAliveSchedule& schedule, int64_t offset) {
  Seen seen;
  uint16_t quiet = 0;  // the frame reset it
  const int64_t period = schedule.period.count();
  for (int64_t at = period - offset; at < 100'000'000; at += period) {
    const Step step = schedule.step(quiet);
    if (step == Step::ping) {
      ++seen.pings;
      if (seen.ping_ms < 0) seen.ping_ms = at;
    }
    if (step == Step::drop) {
      seen.drop_ms = at;
      return seen;
    }
  }
  return seen;
}
}  // namespace

TEST_CASE("a silent connection is pinged after the interval and dropped after twice it") {
  for (const int64_t ping : {100, 300, 1000, 8000, 30000, 3'600'000}) {
    const KeepAliveSchedule schedule{milliseconds(ping)};
    INFO("ping after " << ping << " ms, a sweep every " << schedule.period.count() << " ms");
    CHECK(schedule.period.count() >= 10);
    CHECK(schedule.period.count() <= 1000);
    CHECK(schedule.period.count() <= std::max<int64_t>(ping / 8, 10));
    const int64_t period = schedule.period.count();
    for (int64_t offset = 1; offset <= period; offset += std::max<int64_t>(period / 7, 1)) {
      INFO("heard " << offset << " ms after a sweep");
      const Seen seen = silence(schedule, offset);
      CHECK(seen.pings == 1);
      // Never early; late by less than two sweeps (one where the period divides
      // the interval, below).
      CHECK(seen.ping_ms >= ping);
      CHECK(seen.ping_ms < ping + 2 * period);
      CHECK(seen.drop_ms >= 2 * ping);
      CHECK(seen.drop_ms < 2 * ping + 2 * period);
      if (ping % period == 0) {
        CHECK(seen.ping_ms < ping + period);
        CHECK(seen.drop_ms < 2 * ping + period);
      }
    }
  }
}

TEST_CASE("the shipped interval sweeps once a second: a ping after 30 s, a drop after 60 s") {
  const KeepAliveSchedule schedule{milliseconds(30000)};
  CHECK(schedule.period == milliseconds(1000));
  CHECK(schedule.ping_at == 31);
  CHECK(schedule.drop_at == 61);
}

TEST_CASE("a frame heard between sweeps starts the count again") {
  const KeepAliveSchedule schedule{milliseconds(1000)};
  uint16_t quiet = 0;
  for (int round = 0; round < 100; ++round) {
    for (int i = 0; i + 1 < schedule.ping_at; ++i) CHECK(schedule.step(quiet) == Step::none);
    quiet = 0;  // heard: a message or a pong
  }
  // Pinged once, then (the pong heard) again a whole interval later.
  for (int i = 0; i + 1 < schedule.ping_at; ++i) CHECK(schedule.step(quiet) == Step::none);
  CHECK(schedule.step(quiet) == Step::ping);
  quiet = 0;
  for (int i = 0; i + 1 < schedule.ping_at; ++i) CHECK(schedule.step(quiet) == Step::none);
  CHECK(schedule.step(quiet) == Step::ping);
  // No answer: dropped once the silence is twice the interval, and every sweep after.
  for (int i = schedule.ping_at; i + 1 < schedule.drop_at; ++i)
    CHECK(schedule.step(quiet) == Step::none);
  CHECK(schedule.step(quiet) == Step::drop);
  CHECK(schedule.step(quiet) == Step::drop);
}
