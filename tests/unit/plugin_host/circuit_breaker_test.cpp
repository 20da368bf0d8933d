#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "plugin_host/circuit_breaker.hpp"

using sb::plugin_host::CircuitBreaker;
using namespace std::chrono_literals;

TEST_CASE("breaker: N failures in a row open it; a success in between resets the count") {
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
