// routing-least-busy: the free agent with the fewest open conversations; ties go to
// whoever waited longest since their last assignment, then to the smallest id.
#include <catch2/catch.hpp>
#include <map>

#include "routing_harness.hpp"

using namespace sb::routing_test;

TEST_CASE("least-busy: the agent with the fewest open conversations gets it") {
  RoutingHarness harness(LEAST_BUSY_SO, "routing-least-busy");
  auto router = harness.client("acme");
  CHECK(harness.route(router, {agent("a", 3), agent("b", 1), agent("c", 2)}) == "b");
}

TEST_CASE(
    "least-busy: ties go to the longest wait since the last assignment, never assigned first") {
  RoutingHarness harness(LEAST_BUSY_SO, "routing-least-busy");
  auto router = harness.client("acme");
  CHECK(harness.route(router, {agent("a", 1, 5000), agent("b", 1, 2000), agent("c", 1, 9000)}) ==
        "b");
  CHECK(harness.route(router, {agent("a", 1, 5000), agent("b", 1, 2000), agent("c", 1, 0)}) == "c");
  // Fewer open conversations beats a longer wait.
  CHECK(harness.route(router, {agent("a", 2, 0), agent("b", 1, 9000)}) == "b");
}

TEST_CASE("least-busy: a full tie goes to the smallest agent id, whatever the order offered") {
  RoutingHarness harness(LEAST_BUSY_SO, "routing-least-busy");
  auto router = harness.client("acme");
  CHECK(harness.route(router, {agent("mia", 1, 0), agent("ann", 1, 0), agent("zoe", 1, 0)}) ==
        "ann");
}

TEST_CASE("least-busy: 1,000 conversations over 10 agents end up evenly loaded") {
  RoutingHarness harness(LEAST_BUSY_SO, "routing-least-busy");
  auto router = harness.client("acme");
  std::vector<AgentCandidate> agents;
  for (int i = 0; i < 10; ++i) agents.push_back(agent("agent-" + std::to_string(i)));
  int64_t clock_ms = 1;
  for (int i = 0; i < 1000; ++i) {
    const auto chosen = harness.route(router, agents);
    for (auto& a : agents) {
      if (a.agent_id == chosen) {
        ++a.open_conversations;
        a.last_assigned_ms = clock_ms++;
      }
    }
  }
  for (const auto& a : agents) CHECK(a.open_conversations == 100);
}

TEST_CASE("least-busy: defers when nobody is free, and takes no config") {
  RoutingHarness harness(LEAST_BUSY_SO, "routing-least-busy");
  auto router = harness.client("acme");
  CHECK(harness.route(router, {}) == "");
  REQUIRE(harness.schema() != nullptr);
  CHECK(harness.schema()->keys.empty());
}
