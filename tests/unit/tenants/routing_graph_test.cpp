// The routing graph in a tenant file: read with the tenant's groups and plugins,
// its problems reported at their line with the rule named.
#include <catch2/catch.hpp>

#include "tenant_test_support.hpp"

using namespace sb::tenants;
using namespace sb::tenants::test;

TEST_CASE("a tenant file's graph is read, with its groups and the default chain kept") {
  auto loaded = load(R"(name = "Shop"
[routing]
chain = ["routing-sticky", "routing-least-busy"]

[[routing.rules]]
id = "vip"
conditions = [ { type = "attribute", key = "vip", value = true } ]
actions = [ { type = "route", group = "vip", chain = ["routing-round-robin"] } ]

[routing.fallback]
actions = [ { type = "queue", group = "vip" } ]

[groups.vip]
)");
  INFO(loaded.all());
  REQUIRE(loaded.config);
  const auto& graph = loaded.config->routing_graph;
  CHECK(loaded.config->routing_chain ==
        std::vector<std::string>{"routing-sticky", "routing-least-busy"});
  REQUIRE(graph.rules.size() == 1);
  CHECK(graph.rules[0].actions[0].chain == std::vector<std::string>{"routing-round-robin"});
  CHECK(graph.fallback.actions.size() == 1);
}

TEST_CASE("a file without a graph has the default one") {
  auto loaded = load("name = \"Shop\"\n");
  REQUIRE(loaded.config);
  CHECK(loaded.config->routing_graph.is_default());
}

TEST_CASE("graph mistakes name file, line, field and rule") {
  auto loaded = load(R"(name = "Shop"
[groups.vip]

[[routing.rules]]
id = "vip"
conditions = [ { type = "attribute", key = "vip", value = true } ]
actions = [ { type = "route", group = "vipp" } ]

[[routing.rules]]
id = "late"
conditions = [
  { type = "waited", seconds = 60 },
  { type = "page", glob = "https://x/[" },
]
actions = [ { type = "route", chain = ["routing-telepathy"] } ]
)");
  CHECK_FALSE(loaded.config);
  INFO(loaded.all());
  const auto* group = loaded.error("routing.rules[0].actions[0].group");
  REQUIRE(group);
  CHECK(group->line == 7);
  CHECK(group->message.find("rule 'vip'") != std::string::npos);
  CHECK(group->message.find("'vipp'") != std::string::npos);
  const auto* glob = loaded.error("routing.rules[1].conditions[1].glob");
  REQUIRE(glob);
  CHECK(glob->line == 13);
  CHECK(glob->message.find("rule 'late'") != std::string::npos);
  const auto* chain = loaded.error("routing.rules[1].actions[0].chain[0]");
  REQUIRE(chain);
  CHECK(chain->line == 15);
  CHECK(chain->message.find("not an installed routing plugin") != std::string::npos);
}

TEST_CASE("a missing field is reported at its table") {
  auto loaded = load(R"(name = "Shop"
[[routing.rules]]
id = "r"
conditions = []
)");
  CHECK_FALSE(loaded.config);
  INFO(loaded.all());
  const auto* actions = loaded.error("routing.rules[0].actions");
  REQUIRE(actions);
  CHECK(actions->line == 2);
  CHECK(actions->message.find("rule 'r'") != std::string::npos);
}
