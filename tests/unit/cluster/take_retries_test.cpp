// When a node tries again to take a tenant whose lease another node still holds: as
// that lease ends (a dead owner's tenants served again lease_ms after its last
// write, not up to a heartbeat later), and not before (each try builds the
// tenant's storage).
#include "cluster/take_retries.hpp"

#include <catch2/catch.hpp>

using sb::cluster::TakeRetries;
using namespace std::chrono_literals;

TEST_CASE(
    "take retries: a refusal that says when it ends is tried then, one that does not at once") {
  TakeRetries retries;
  const auto t0 = TakeRetries::Clock::now();
  // What is left of the lease, as the storage plugin said it (sb_error.retry_after_ms).
  retries.failed("t1", 691ms, t0);
  CHECK_FALSE(retries.due("t1", t0 + 691ms));
  CHECK(retries.due("t1", t0 + 691ms + TakeRetries::kAfterLeaseEnd));
  // A plugin before ABI 1.8, or a failure that ends at no known time: the next pass.
  retries.failed("t2", std::nullopt, t0);
  CHECK(retries.due("t2", t0));
  // Nothing left (or less: clocks): just after now, never in the past.
  retries.failed("t3", -3ms, t0);
  CHECK_FALSE(retries.due("t3", t0));
  CHECK(retries.due("t3", t0 + TakeRetries::kAfterLeaseEnd));
}

TEST_CASE("take retries: a tenant refused for a live lease is tried just after it ends") {
  TakeRetries retries;
  const auto t0 = TakeRetries::Clock::now();
  retries.failed("t3", 691ms, t0);
  const auto end = t0 + 691ms + TakeRetries::kAfterLeaseEnd;

  // Not at the heartbeats before: the lease is live, the try would only fail.
  CHECK_FALSE(retries.due("t3", t0 + 500ms));
  CHECK_FALSE(retries.due("t3", end - 1ms));
  // The node wakes then, rather than at its next heartbeat (t0 + 1000 ms).
  REQUIRE(retries.next(t0 + 500ms) == end);
  CHECK(retries.due("t3", end));
  // Others are not held back by it.
  CHECK(retries.due("t4", t0));

  SECTION("the earliest of several ends wakes the node first") {
    retries.failed("t1", 120ms, t0);
    CHECK(retries.next(t0) == t0 + 120ms + TakeRetries::kAfterLeaseEnd);
  }
  SECTION("an end that passed while the node was busy (another take) wakes it at once") {
    CHECK(retries.next(end + 300ms) == end + 300ms);
  }
  SECTION("a tenant no longer placed here, or gone, waits for nothing") {
    retries.keep_only({"t1"});
    CHECK_FALSE(retries.next(t0));
    CHECK(retries.due("t3", t0));
  }
  SECTION("a failure that says no end is tried again at once (the next pass)") {
    retries.failed("t3", std::nullopt, t0 + 100ms);
    CHECK(retries.due("t3", t0 + 100ms));
    CHECK_FALSE(retries.next(t0));
  }
  SECTION("taken or placed elsewhere: forgotten") {
    retries.forget("t3");
    CHECK(retries.due("t3", t0));
  }
  SECTION("the live nodes changed: everything is tried now") {
    retries.clear();
    CHECK(retries.due("t3", t0));
    CHECK_FALSE(retries.next(t0));
  }
  SECTION("refused again (the holder renewed it): the new end counts") {
    retries.failed("t3", 2990ms, end);
    CHECK_FALSE(retries.due("t3", end + 2000ms));
    CHECK(retries.due("t3", end + 2990ms + TakeRetries::kAfterLeaseEnd));
  }
}
