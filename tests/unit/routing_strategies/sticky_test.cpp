// routing-sticky: a returning visitor goes to attributes "last_agent_id" when that
// agent is offered (online, below capacity); otherwise the next strategy decides.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "strategy_host.hpp"

using namespace sb::routing_strategies_test;

namespace {

const std::vector<AgentCandidate> kFree = {free_agent("ann", 0), free_agent("ben", 7, 9000),
                                           free_agent("cat", 1)};

}  // namespace

TEST_CASE("sticky: the agent who last served the visitor gets them back, however busy") {
  StrategyHost host;
  auto router = host.router("routing-sticky");
  const Decision decision = host.route(router, kFree, {"", R"({"last_agent_id":"ben"})"});
  CHECK(decision.status == SB_OK);
  CHECK(decision.agent_id == "ben");
  // Other attributes do not get in the way.
  CHECK(host.route(router, kFree, {"billing", R"({"vip":true,"last_agent_id":"cat","lang":"zh"})"})
            .agent_id == "cat");
}

TEST_CASE("sticky: defers when the last agent is not offered (offline, away or full)") {
  StrategyHost host;
  auto router = host.router("routing-sticky");
  CHECK(host.route(router, kFree, {"", R"({"last_agent_id":"dora"})"}).status == SB_DEFER);
  CHECK(host.route(router, {}, {"", R"({"last_agent_id":"ann"})"}).status == SB_DEFER);
  // Agent ids match exactly.
  CHECK(host.route(router, kFree, {"", R"({"last_agent_id":"Ann"})"}).status == SB_DEFER);
}

TEST_CASE("sticky: defers for a visitor with no last agent") {
  StrategyHost host;
  auto router = host.router("routing-sticky");
  for (const char* attributes :
       {"", "{}", R"({"vip":true})", R"({"last_agent_id":null})", R"({"last_agent_id":""})"}) {
    INFO(attributes);
    CHECK(host.route(router, kFree, {"", attributes}).status == SB_DEFER);
  }
}

TEST_CASE("sticky: malformed attributes are an error that says what is wrong") {
  StrategyHost host;
  struct Case {
    const char* attributes_json;
    const char* says;
  };
  const Case cases[] = {
      {R"({"last_agent_id":"ann")", "not valid JSON"},
      {R"("ann")", "must be a JSON object"},
      {R"({"last_agent_id":42})", "\"last_agent_id\" must be a string"},
  };
  for (const Case& c : cases) {
    auto router = host.router("routing-sticky");
    const Decision decision = host.route(router, kFree, {"", c.attributes_json});
    INFO(c.attributes_json << " -> " << decision.error);
    CHECK(decision.status == SB_ERROR);
    CHECK(decision.error.find(c.says) != std::string::npos);
  }
}

// The website sent attributes the strategy cannot read: refused (SB_REFUSED, ABI
// 1.11), not failed, so no number of such visitors stops it for the tenant.
TEST_CASE("sticky: malformed requests are refused and never stop the strategy") {
  StrategyHost host;
  auto router = host.router("routing-sticky");
  for (uint32_t i = 0; i < 2 * StrategyHost::breaker_failures(); ++i) {
    const Decision bad = host.route(router, kFree, {"", R"({"last_agent_id":42})"});
    CHECK(bad.status == SB_ERROR);
    CHECK(bad.refused);
  }
  const Decision back = host.route(router, kFree, {"", R"({"last_agent_id":"ben"})"});
  CHECK(back.status == SB_OK);
  CHECK(back.agent_id == "ben");
}

TEST_CASE("sticky: takes no config") {
  StrategyHost host;
  REQUIRE(host.schema("routing-sticky") != nullptr);
  CHECK(host.schema("routing-sticky")->kind == SB_KIND_ROUTING);
  CHECK(host.schema("routing-sticky")->keys.empty());
}
