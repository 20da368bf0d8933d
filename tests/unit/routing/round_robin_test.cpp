// routing-round-robin: free agents take turns, in agent id order.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>

#include "routing_harness.hpp"

using namespace sb::routing_test;

TEST_CASE("round-robin: 1,000 conversations over 7 agents are spread evenly, in id order") {
  RoutingHarness harness(ROUND_ROBIN_SO, "routing-round-robin");
  auto router = harness.client("acme");
  std::vector<AgentCandidate> candidates;
  for (const char* id : {"a1", "a2", "a3", "a4", "a5", "a6", "a7"}) candidates.push_back(agent(id));

  std::map<std::string, int> assigned;
  std::vector<std::string> first_picks;
  for (int i = 0; i < 1000; ++i) {
    const auto chosen = harness.route(router, candidates);
    if (i < 8) first_picks.push_back(chosen);
    ++assigned[chosen];
  }
  CHECK(first_picks == std::vector<std::string>{"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a1"});
  REQUIRE(assigned.size() == 7);
  const auto [least, most] =
      std::minmax_element(assigned.begin(), assigned.end(),
                          [](const auto& x, const auto& y) { return x.second < y.second; });
  CHECK(most->second - least->second <= 1);
}

TEST_CASE("round-robin: continues after the last agent it chose, skipping those not offered") {
  RoutingHarness harness(ROUND_ROBIN_SO, "routing-round-robin");
  auto router = harness.client("acme");
  const std::vector<AgentCandidate> all = {agent("alice"), agent("bob"), agent("carol")};

  CHECK(harness.route(router, all) == "alice");
  CHECK(harness.route(router, all) == "bob");
  // Carol is full (not offered): the turn wraps to alice.
  CHECK(harness.route(router, {agent("alice"), agent("bob")}) == "alice");
  // Bob is not offered: the next offered id after alice is carol.
  CHECK(harness.route(router, {agent("alice"), agent("carol")}) == "carol");
  // The order is by agent id even if candidates arrive in another order.
  CHECK(harness.route(router, {agent("carol"), agent("bob"), agent("alice")}) == "alice");
  CHECK(harness.route(router, {agent("carol"), agent("bob"), agent("alice")}) == "bob");
}

TEST_CASE("round-robin: each tenant has its own turn") {
  RoutingHarness harness(ROUND_ROBIN_SO, "routing-round-robin");
  auto acme = harness.client("acme");
  auto globex = harness.client("globex");
  const std::vector<AgentCandidate> all = {agent("a"), agent("b")};
  CHECK(harness.route(acme, all) == "a");
  CHECK(harness.route(acme, all) == "b");
  CHECK(harness.route(globex, all) == "a");
}

TEST_CASE("round-robin: defers when nobody is free, and takes no config") {
  RoutingHarness harness(ROUND_ROBIN_SO, "routing-round-robin");
  auto router = harness.client("acme");
  CHECK(harness.route(router, {}) == "");
  REQUIRE(harness.schema() != nullptr);
  CHECK(harness.schema()->keys.empty());
}
