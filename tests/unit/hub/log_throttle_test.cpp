#include "hub/log_throttle.hpp"

#include <catch2/catch.hpp>

using sb::hub::LogThrottle;

TEST_CASE("a log throttle lets one line through per interval and counts the rest") {
  LogThrottle throttle(10'000);
  uint64_t held_back = 99;
  REQUIRE(throttle.allow(1'000, held_back));  // the first event is always logged
  CHECK(held_back == 0);
  for (int64_t at = 1'001; at < 11'000; at += 100) CHECK_FALSE(throttle.allow(at, held_back));
  REQUIRE(throttle.allow(11'000, held_back));
  CHECK(held_back == 100);  // what happened in between is told with the next line
  CHECK_FALSE(throttle.allow(11'001, held_back));
  REQUIRE(throttle.allow(60'000, held_back));
  CHECK(held_back == 1);
}
