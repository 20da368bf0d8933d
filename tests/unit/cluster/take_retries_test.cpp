// When a node tries again to take a tenant whose lease another node still holds: as
// that lease ends (a dead owner's tenants served again lease_ms after its last
// write, not up to a heartbeat later), and not before (each try builds the
// tenant's storage).
#include "cluster/take_retries.hpp"

#include <catch2/catch.hpp>

using sb::cluster::TakeRetries;
using namespace std::chrono_literals;

namespace {

// storage-postgres's refusal, as the server reports a failed take.
std::string refusal(const std::string& left) {
  return "storage plugin storage-postgres: plugin storage-postgres refused tenant t3: "
         "storage-postgres: the tenant is held by node 'node-a' (epoch 1) for another " +
         left + " ms";
}

}  // namespace

TEST_CASE("take retries: what is left of another node's lease, as the refusal says it") {
  CHECK(TakeRetries::lease_left(refusal("691")) == 691ms);
  CHECK(TakeRetries::lease_left(refusal("0")) == 0ms);
  // Ended between the query and its answer: nothing left.
  CHECK(TakeRetries::lease_left(refusal("-3")) == 0ms);
  // Other failures name no lease: the next heartbeat, as before.
  CHECK_FALSE(TakeRetries::lease_left("storage plugin storage-postgres: connection refused"));
  CHECK_FALSE(TakeRetries::lease_left("waited for another 200 ms"));
  CHECK_FALSE(TakeRetries::lease_left("held by node 'n' for another while"));
}

TEST_CASE("take retries: a tenant refused for a live lease is tried just after it ends") {
  TakeRetries retries;
  const auto t0 = TakeRetries::Clock::now();
  retries.failed("t3", refusal("691"), t0);
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
    retries.failed("t1", refusal("120"), t0);
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
  SECTION("a failure that names no lease is tried again at once (the next pass)") {
    retries.failed("t3", "storage plugin storage-postgres: connection refused", t0 + 100ms);
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
    retries.failed("t3", refusal("2990"), end);
    CHECK_FALSE(retries.due("t3", end + 2000ms));
    CHECK(retries.due("t3", end + 2990ms + TakeRetries::kAfterLeaseEnd));
  }
}
