// routing-load-balancing: the free agent with the fewest open conversations; ties go
// to the longest since the last assignment (never assigned first), then to the
// smallest agent id.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "strategy_host.hpp"

using namespace sb::routing_strategies_test;

namespace {

std::string choose(StrategyHost& host, RoutingClient& router,
                   const std::vector<AgentCandidate>& candidates) {
  const Decision decision = host.route(router, candidates);
  REQUIRE(decision.status == SB_OK);
  return decision.agent_id;
}

// Routes `conversations` times, giving the chosen agent one more open conversation
// and stamping its assignment with a fake monotonic clock, as the engine would.
// Returns the largest spread of open counts seen after any assignment.
uint32_t assign_all(StrategyHost& host, RoutingClient& router, std::vector<AgentCandidate>& agents,
                    int conversations) {
  int64_t clock_ms = 1000;
  uint32_t widest_spread = 0;
  for (int i = 0; i < conversations; ++i) {
    const std::string chosen = choose(host, router, agents);
    auto it = std::find_if(agents.begin(), agents.end(),
                           [&](const AgentCandidate& a) { return a.agent_id == chosen; });
    REQUIRE(it != agents.end());
    ++it->open_conversations;
    it->last_assigned_ms = clock_ms++;
    const auto [least, most] = std::minmax_element(
        agents.begin(), agents.end(), [](const AgentCandidate& x, const AgentCandidate& y) {
          return x.open_conversations < y.open_conversations;
        });
    widest_spread = std::max(widest_spread, most->open_conversations - least->open_conversations);
  }
  return widest_spread;
}

}  // namespace

TEST_CASE("load-balancing: the agent with the fewest open conversations gets it") {
  StrategyHost host;
  auto router = host.router("routing-load-balancing");
  CHECK(choose(host, router, {free_agent("a", 4), free_agent("b", 2), free_agent("c", 3)}) == "b");
  // A long wait does not beat a lighter load.
  CHECK(choose(host, router, {free_agent("a", 2, 0), free_agent("b", 1, 9000)}) == "b");
}

TEST_CASE("load-balancing: equal load goes to the longest wait, never assigned first") {
  StrategyHost host;
  auto router = host.router("routing-load-balancing");
  CHECK(choose(host, router,
               {free_agent("a", 1, 7000), free_agent("b", 1, 3000), free_agent("c", 1, 8000)}) ==
        "b");
  CHECK(choose(host, router,
               {free_agent("a", 1, 7000), free_agent("b", 1, 3000), free_agent("c", 1, 0)}) == "c");
}

TEST_CASE("load-balancing: a full tie goes to the smallest agent id, whatever the offer order") {
  StrategyHost host;
  auto router = host.router("routing-load-balancing");
  std::vector<AgentCandidate> agents = {free_agent("noor", 2, 500), free_agent("ada", 2, 500),
                                        free_agent("lin", 2, 500)};
  std::sort(agents.begin(), agents.end(),
            [](const auto& x, const auto& y) { return x.agent_id < y.agent_id; });
  do {
    CHECK(choose(host, router, agents) == "ada");
  } while (std::next_permutation(agents.begin(), agents.end(), [](const auto& x, const auto& y) {
    return x.agent_id < y.agent_id;
  }));
}

TEST_CASE("load-balancing: 1,000 conversations over 20 agents keep open counts within 1") {
  StrategyHost host;
  auto router = host.router("routing-load-balancing");
  std::vector<AgentCandidate> agents;
  for (int i = 0; i < 20; ++i) agents.push_back(free_agent("agent-" + std::to_string(i)));

  CHECK(assign_all(host, router, agents, 1000) <= 1);
  for (const auto& a : agents) CHECK(a.open_conversations == 50);
}

TEST_CASE("load-balancing: agents who start unevenly loaded are evened out first") {
  StrategyHost host;
  auto router = host.router("routing-load-balancing");
  std::vector<AgentCandidate> agents;
  // agent-i starts with i open conversations: 190 in all.
  for (uint32_t i = 0; i < 20; ++i) agents.push_back(free_agent("agent-" + std::to_string(i), i));

  assign_all(host, router, agents, 1000);
  // 1,190 conversations over 20 agents: everyone ends with 59 or 60.
  for (const auto& a : agents) {
    CHECK(a.open_conversations >= 59);
    CHECK(a.open_conversations <= 60);
  }
}

TEST_CASE("load-balancing: defers when nobody is free, and takes no config") {
  StrategyHost host;
  auto router = host.router("routing-load-balancing");
  CHECK(host.route(router, {}).status == SB_DEFER);
  REQUIRE(host.schema("routing-load-balancing") != nullptr);
  CHECK(host.schema("routing-load-balancing")->kind == SB_KIND_ROUTING);
  CHECK(host.schema("routing-load-balancing")->keys.empty());
}
