// A tenant chain "sticky -> skills -> load-balancing": each strategy in turn until
// one does not defer (an error counts as a deferral), as the engine runs it.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "strategy_host.hpp"

using namespace sb::routing_strategies_test;

namespace {

constexpr size_t kSticky = 0;
constexpr size_t kSkills = 1;
constexpr size_t kLoadBalancing = 2;

struct Chain {
  StrategyHost host;
  RoutingClient sticky = host.router("routing-sticky");
  RoutingClient skills = host.router("routing-skills");
  RoutingClient load_balancing = host.router("routing-load-balancing");

  // The chosen agent ("" when every strategy deferred) and which strategy chose.
  std::pair<std::string, size_t> route(const std::vector<AgentCandidate>& candidates,
                                       const Visitor& visitor) {
    size_t decided_by = 0;
    std::string agent =
        host.route_chain({&sticky, &skills, &load_balancing}, candidates, visitor, &decided_by);
    return {std::move(agent), decided_by};
  }
};

// ann is the billing expert but busy; ben knows billing a little; cat is idle and
// knows nothing.
const std::vector<AgentCandidate> kAgents = {
    free_agent("ann", 4, 100, R"(["billing"])", R"({"billing":3})"),
    free_agent("ben", 2, 200, R"(["billing"])", R"({"billing":1})"),
    free_agent("cat", 0, 300, R"(["support"])", R"({})"),
};

}  // namespace

TEST_CASE("chain: a returning visitor goes back to their agent, the first strategy decides") {
  Chain chain;
  const auto [agent, decided_by] =
      chain.route(kAgents, {"billing", R"({"last_agent_id":"ben","skills":{"billing":3}})"});
  CHECK(agent == "ben");
  CHECK(decided_by == kSticky);
}

TEST_CASE("chain: when the last agent is not free, skills picks the best-skilled") {
  Chain chain;
  // The visitor's last agent, dora, is full: the host does not offer her.
  const auto [agent, decided_by] =
      chain.route(kAgents, {"billing", R"({"last_agent_id":"dora","skills":{"billing":1}})"});
  CHECK(agent == "ann");
  CHECK(decided_by == kSkills);
}

TEST_CASE("chain: when nobody has the skills, load-balancing takes anyone free") {
  Chain chain;
  const auto [agent, decided_by] = chain.route(kAgents, {"", R"({"skills":{"german":2}})"});
  CHECK(agent == "cat");
  CHECK(decided_by == kLoadBalancing);
}

TEST_CASE("chain: malformed attributes still get the visitor an agent") {
  Chain chain;
  // sticky and skills both fail on the request; load-balancing does not read it.
  const auto [agent, decided_by] = chain.route(kAgents, {"billing", R"({"skills":)"});
  CHECK(agent == "cat");
  CHECK(decided_by == kLoadBalancing);
}

TEST_CASE("chain: with nobody free every strategy defers and the visitor waits in the queue") {
  Chain chain;
  const auto [agent, decided_by] = chain.route({}, {"billing", R"({"last_agent_id":"ann"})"});
  CHECK(agent.empty());
  CHECK(decided_by == 3);
}
