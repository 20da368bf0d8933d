// routing-load-rotation: the free agent who has waited longest since their last
// assignment, whatever their load; ties go to the smallest agent id.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "strategy_host.hpp"

using namespace sb::routing_strategies_test;

namespace {

std::string load_rotation_choose(StrategyHost& host, RoutingClient& router,
                                 const std::vector<AgentCandidate>& candidates) {
  const Decision decision = host.route(router, candidates);
  REQUIRE(decision.status == SB_OK);
  return decision.agent_id;
}

}  // namespace

TEST_CASE("load-rotation: the longest wait gets it, however busy that agent is") {
  StrategyHost host;
  auto router = host.router("routing-load-rotation");
  CHECK(load_rotation_choose(host, router, {free_agent("a", 9, 100), free_agent("b", 0, 500)}) ==
        "a");
  CHECK(load_rotation_choose(
            host, router,
            {free_agent("a", 0, 400), free_agent("b", 7, 200), free_agent("c", 1, 300)}) == "b");
}

TEST_CASE(
    "load-rotation: never assigned counts as the longest wait, and ties go to the smallest id") {
  StrategyHost host;
  auto router = host.router("routing-load-rotation");
  CHECK(load_rotation_choose(host, router, {free_agent("a", 0, 100), free_agent("b", 5, 0)}) ==
        "b");
  CHECK(load_rotation_choose(host, router, {free_agent("zed", 0, 0), free_agent("kim", 3, 0)}) ==
        "kim");
  CHECK(load_rotation_choose(host, router,
                             {free_agent("zed", 1, 250), free_agent("kim", 0, 250)}) == "kim");
}

TEST_CASE("load-rotation: agents take turns by time, even with very different loads") {
  StrategyHost host;
  auto router = host.router("routing-load-rotation");
  std::vector<AgentCandidate> agents = {free_agent("a", 12), free_agent("b", 0), free_agent("c", 5),
                                        free_agent("d", 1)};
  int64_t clock_ms = 1;
  std::vector<std::string> picks;
  for (int i = 0; i < 8; ++i) {
    const std::string chosen = load_rotation_choose(host, router, agents);
    picks.push_back(chosen);
    for (auto& a : agents) {
      if (a.agent_id == chosen) a.last_assigned_ms = clock_ms++;
    }
  }
  CHECK(picks == std::vector<std::string>{"a", "b", "c", "d", "a", "b", "c", "d"});
}

TEST_CASE("load-rotation: an agent who is not offered is skipped, not waited for") {
  StrategyHost host;
  auto router = host.router("routing-load-rotation");
  // "a" waited longest but is full or offline, so the host does not offer them.
  CHECK(load_rotation_choose(host, router, {free_agent("b", 0, 300), free_agent("c", 0, 200)}) ==
        "c");
}

TEST_CASE("load-rotation: defers when nobody is free, and takes no config") {
  StrategyHost host;
  auto router = host.router("routing-load-rotation");
  CHECK(host.route(router, {}).status == SB_DEFER);
  REQUIRE(host.schema("routing-load-rotation") != nullptr);
  CHECK(host.schema("routing-load-rotation")->kind == SB_KIND_ROUTING);
  CHECK(host.schema("routing-load-rotation")->keys.empty());
}
