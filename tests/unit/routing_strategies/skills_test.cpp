// routing-skills: among free agents of the asked group who have every needed skill at
// the needed level, the highest sum of those levels, then the fewest open
// conversations, then the longest wait, then the smallest id. Nobody qualifies:
// DEFER. A malformed request: ERROR with a message.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "strategy_host.hpp"

using namespace sb::routing_strategies_test;

namespace {

AgentCandidate skilled(std::string id, std::string groups_json, std::string skills_json,
                       uint32_t open_conversations = 0, int64_t last_assigned_ms = 0) {
  return free_agent(std::move(id), open_conversations, last_assigned_ms, std::move(groups_json),
                    std::move(skills_json));
}

std::string skills_choose(StrategyHost& host, RoutingClient& router,
                          const std::vector<AgentCandidate>& candidates, const Visitor& visitor) {
  const Decision decision = host.route(router, candidates, visitor);
  INFO("error: " << decision.error);
  REQUIRE(decision.status == SB_OK);
  return decision.agent_id;
}

// A support desk: two billing agents, one of them speaks Chinese; a sales agent who
// is good at billing but is not in the billing group.
const std::vector<AgentCandidate> kDesk = {
    skilled("ann", R"(["billing","support"])", R"({"billing":2,"chinese":1})"),
    skilled("ben", R"(["billing"])", R"({"billing":3})"),
    skilled("sam", R"(["sales"])", R"({"billing":5,"chinese":5})"),
};

}  // namespace

TEST_CASE("skills: only agents of the asked group are chosen, and no group means any group") {
  StrategyHost host;
  auto router = host.router("routing-skills");
  CHECK(skills_choose(host, router, kDesk, {"support", "{}"}) == "ann");
  CHECK(skills_choose(host, router, kDesk, {"sales", "{}"}) == "sam");
  // No group, no skills: everyone qualifies at score 0; the least loaded, then the
  // longest wait, then the smallest id decides.
  CHECK(skills_choose(host, router, kDesk, {"", "{}"}) == "ann");
  CHECK(skills_choose(host, router, kDesk, {"", ""}) == "ann");
}

TEST_CASE("skills: every needed skill at or above its level, and the best-skilled wins") {
  StrategyHost host;
  auto router = host.router("routing-skills");
  // Both billing agents qualify; ben's level 3 beats ann's 2.
  CHECK(skills_choose(host, router, kDesk, {"billing", R"({"skills":{"billing":2}})"}) == "ben");
  // Only ann speaks Chinese in the billing group.
  CHECK(skills_choose(host, router, kDesk,
                      {"billing", R"({"skills":{"billing":2,"chinese":1}})"}) == "ann");
  // ann's billing 2 is below the needed 3.
  CHECK(skills_choose(host, router, kDesk, {"billing", R"({"skills":{"billing":3}})"}) == "ben");
  // Any group: sam's levels sum highest.
  CHECK(skills_choose(host, router, kDesk, {"", R"({"skills":{"billing":1,"chinese":1}})"}) ==
        "sam");
  // The score counts only the needed skills: ann's Chinese does not help with billing.
  const std::vector<AgentCandidate> pair = {
      skilled("ann", "[]", R"({"billing":2,"chinese":9})"),
      skilled("ben", "[]", R"({"billing":3})"),
  };
  CHECK(skills_choose(host, router, pair, {"", R"({"skills":{"billing":1}})"}) == "ben");
}

TEST_CASE("skills: a level-0 need still needs the skill") {
  StrategyHost host;
  auto router = host.router("routing-skills");
  const std::vector<AgentCandidate> agents = {
      skilled("ann", "[]", R"({"billing":2})"),
      skilled("ben", "[]", R"({"french":0})", 0, 0),
  };
  CHECK(skills_choose(host, router, agents, {"", R"({"skills":{"french":0}})"}) == "ben");
}

TEST_CASE("skills: equal skill goes to fewer open conversations, then longest wait, then id") {
  StrategyHost host;
  auto router = host.router("routing-skills");
  const Visitor billing{"billing", R"({"skills":{"billing":1}})"};
  CHECK(skills_choose(host, router,
                      {skilled("a", R"(["billing"])", R"({"billing":2})", 3, 100),
                       skilled("b", R"(["billing"])", R"({"billing":2})", 1, 900)},
                      billing) == "b");
  CHECK(skills_choose(host, router,
                      {skilled("a", R"(["billing"])", R"({"billing":2})", 1, 900),
                       skilled("b", R"(["billing"])", R"({"billing":2})", 1, 100)},
                      billing) == "b");
  CHECK(skills_choose(host, router,
                      {skilled("a", R"(["billing"])", R"({"billing":2})", 1, 100),
                       skilled("b", R"(["billing"])", R"({"billing":2})", 1, 0)},
                      billing) == "b");
  CHECK(skills_choose(host, router,
                      {skilled("b", R"(["billing"])", R"({"billing":2})", 1, 100),
                       skilled("a", R"(["billing"])", R"({"billing":2})", 1, 100)},
                      billing) == "a");
  // A higher level beats a lighter load.
  CHECK(skills_choose(host, router,
                      {skilled("a", R"(["billing"])", R"({"billing":2})", 0, 0),
                       skilled("b", R"(["billing"])", R"({"billing":4})", 9, 900)},
                      billing) == "b");
}

TEST_CASE("skills: defers when nobody qualifies, so the chain can fall back") {
  StrategyHost host;
  auto router = host.router("routing-skills");
  CHECK(host.route(router, kDesk, {"legal", "{}"}).status == SB_DEFER);
  CHECK(host.route(router, kDesk, {"billing", R"({"skills":{"billing":4}})"}).status == SB_DEFER);
  CHECK(host.route(router, kDesk, {"", R"({"skills":{"german":1}})"}).status == SB_DEFER);
  CHECK(host.route(router, {}, {"billing", "{}"}).status == SB_DEFER);
  CHECK(host.route(router, {}, {}).status == SB_DEFER);
}

TEST_CASE("skills: a malformed request is an error that says what is wrong") {
  StrategyHost host;
  struct Case {
    const char* attributes_json;
    const char* says;
  };
  const Case cases[] = {
      {R"({"skills":{"billing":2})", "not valid JSON"},
      {R"(["billing"])", "must be a JSON object"},
      {R"({"skills":"billing"})", "\"skills\" must be an object"},
      {R"({"skills":["billing"]})", "\"skills\" must be an object"},
      {R"({"skills":{"billing":"high"}})", "skills.\"billing\" must be a non-negative number"},
      {R"({"skills":{"billing":-1}})", "skills.\"billing\" must be a non-negative number"},
  };
  for (const Case& c : cases) {
    // A fresh instance each time, so each case stands alone.
    auto router = host.router("routing-skills");
    const Decision decision = host.route(router, kDesk, {"billing", c.attributes_json});
    INFO(c.attributes_json << " -> " << decision.error);
    CHECK(decision.status == SB_ERROR);
    CHECK(decision.error.find(c.says) != std::string::npos);
  }
}

// A visitor's website decides the attributes: a malformed one is the request's fault,
// refused (SB_REFUSED, ABI 1.11), not a failure. As SB_ERROR, five such visitors in a
// row opened the strategy's circuit breaker and skills routing stopped for the tenant.
TEST_CASE("skills: malformed requests are refused and never stop the strategy") {
  StrategyHost host;
  auto router = host.router("routing-skills");
  for (uint32_t i = 0; i < 2 * StrategyHost::breaker_failures(); ++i) {
    const Decision bad = host.route(router, kDesk, {"billing", R"({"skills":{"billing":"high"}})"});
    CHECK(bad.status == SB_ERROR);  // the chain goes on to its next strategy
    CHECK(bad.refused);
    CHECK_THAT(bad.error, Catch::Contains("must be a non-negative number"));
  }
  CHECK(skills_choose(host, router, kDesk, {"billing", R"({"skills":{"billing":2}})"}) == "ben");
  CHECK(host.log().find("circuit open") == std::string::npos);
}

TEST_CASE("skills: an agent whose own record is malformed is skipped and logged") {
  StrategyHost host;
  auto router = host.router("routing-skills");
  const std::vector<AgentCandidate> agents = {
      skilled("ann", R"(["billing")", R"({"billing":5})"),
      skilled("ben", R"(["billing"])", R"({"billing":)"),
      skilled("cat", R"(["billing"])", R"({"billing":1})"),
  };
  CHECK(skills_choose(host, router, agents, {"billing", R"({"skills":{"billing":1}})"}) == "cat");
  CHECK(host.log().find("agent ann has malformed groups_json") != std::string::npos);
  CHECK(host.log().find("agent ben has malformed skills_json") != std::string::npos);
}

TEST_CASE("skills: takes no config") {
  StrategyHost host;
  REQUIRE(host.schema("routing-skills") != nullptr);
  CHECK(host.schema("routing-skills")->kind == SB_KIND_ROUTING);
  CHECK(host.schema("routing-skills")->keys.empty());
}

TEST_CASE("skills: flat \"skill.NAME\" attributes, as a website sends them, are needs too") {
  StrategyHost host;
  auto router = host.router("routing-skills");
  CHECK(skills_choose(host, router, kDesk, {"billing", R"({"skill.billing":2,"plan":"gold"})"}) ==
        "ben");
  CHECK(skills_choose(host, router, kDesk,
                      {"billing", R"({"skill.billing":1,"skill.chinese":1})"}) == "ann");
  // Named in both forms: the higher minimum counts, once (ann's 2 is below 3).
  CHECK(skills_choose(host, router, kDesk,
                      {"", R"({"skills":{"billing":3},"skill.billing":1,"skill.chinese":1})"}) ==
        "sam");
  // "skill." alone names no skill.
  CHECK(skills_choose(host, router, kDesk, {"billing", R"({"skill.":9})"}) == "ann");
  const Decision bad = host.route(router, kDesk, {"", R"({"skill.billing":"high"})"});
  CHECK(bad.status == SB_ERROR);
  CHECK_THAT(bad.error, Catch::Contains("\"skill.billing\" must be a non-negative number"));
}
