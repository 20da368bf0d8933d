#include "plugin_host/circuit_breaker.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

using sb::plugin_host::CircuitBreaker;
using namespace std::chrono_literals;

TEST_CASE("breaker: N failures in a row open it, a success in between resets the count") {
  CircuitBreaker breaker(3, 10s);
  CHECK(breaker.try_acquire());
  CHECK_FALSE(breaker.record_failure());
  CHECK_FALSE(breaker.record_failure());
  breaker.record_success();
  CHECK_FALSE(breaker.record_failure());
  CHECK_FALSE(breaker.record_failure());
  CHECK_FALSE(breaker.is_open());
  CHECK(breaker.record_failure());  // the third in a row opens it, reported once
  CHECK(breaker.is_open());
  CHECK_FALSE(breaker.try_acquire());
  CHECK_FALSE(breaker.record_failure());  // a straggler while open changes nothing
}

TEST_CASE("breaker: after the cool-down exactly one trial goes through") {
  CircuitBreaker breaker(1, 50ms);
  CHECK(breaker.record_failure());
  CHECK_FALSE(breaker.try_acquire());
  std::this_thread::sleep_for(60ms);
  CHECK_FALSE(breaker.is_open());

  // Many threads race for the trial: one wins.
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) threads.emplace_back([&] { allowed += breaker.try_acquire(); });
  for (auto& t : threads) t.join();
  CHECK(allowed == 1);

  SECTION("its success closes the circuit") {
    breaker.record_success();
    CHECK(breaker.try_acquire());
    CHECK(breaker.try_acquire());
  }
  SECTION("its failure opens it for another cool-down") {
    CHECK(breaker.record_failure());
    CHECK(breaker.is_open());
    CHECK_FALSE(breaker.try_acquire());
  }
}

TEST_CASE("breaker: refusals of bad requests never open it and leave the failure count") {
  CircuitBreaker breaker(3, 10s);
  for (int i = 0; i < 100; ++i) {
    CHECK(breaker.try_acquire());
    breaker.record_refusal();
  }
  CHECK_FALSE(breaker.is_open());
  // Between failures a refusal resets nothing either: the backend was not tried.
  CHECK_FALSE(breaker.record_failure());
  breaker.record_refusal();
  CHECK_FALSE(breaker.record_failure());
  breaker.record_refusal();
  CHECK(breaker.record_failure());
  CHECK(breaker.is_open());
  CHECK_FALSE(breaker.try_acquire());
  breaker.record_refusal();  // a straggler's while cooling down changes nothing
  CHECK(breaker.is_open());
}

TEST_CASE("breaker: a refused trial ends the trial and leaves it half-open") {
  CircuitBreaker breaker(1, 50ms);
  CHECK(breaker.record_failure());
  std::this_thread::sleep_for(60ms);
  REQUIRE(breaker.try_acquire());
  CHECK_FALSE(breaker.try_acquire());  // one trial at a time
  breaker.record_refusal();
  // The next call is the next trial (not stuck waiting for an answer that came).
  CHECK(breaker.try_acquire());
  CHECK_FALSE(breaker.try_acquire());
  CHECK(breaker.record_failure());  // and its failure opens it again
  CHECK(breaker.is_open());
}

TEST_CASE(
    "breaker: the first cool-down is short and each failed trial doubles it, up to the "
    "configured one") {
  CircuitBreaker breaker(1, 1500ms, 500ms);
  auto open_for = [&] {  // how long it refuses, to the nearest 50 ms
    const auto from = std::chrono::steady_clock::now();
    while (!breaker.try_acquire()) std::this_thread::sleep_for(10ms);
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 from);
  };
  CHECK(breaker.record_failure());
  const auto first = open_for();
  CHECK(first >= 450ms);
  CHECK(first < 900ms);             // not the whole 1.5 s: a short outage is over sooner
  CHECK(breaker.record_failure());  // the trial failed: 1 s now
  const auto second = open_for();
  CHECK(second >= 950ms);
  CHECK(breaker.record_failure());  // 2 s would be longer than allowed: 1.5 s
  const auto third = open_for();
  CHECK(third >= 1450ms);
  CHECK(third < 1900ms);
  breaker.record_success();  // closed: the next opening is short again
  CHECK(breaker.record_failure());
  CHECK(open_for() < 1000ms);
}
