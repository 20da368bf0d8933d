// POST /v1/tenants/ID/routing/dry-run changes nothing: round-robin's turn stays
// where it is, the visitor's attributes reach the strategies as they would for a
// real visitor (skills), and routing-external asks its endpoint nothing.
#include <catch2/catch.hpp>
#include <thread>

#include "harness/deployment.hpp"
#include "support/fake_openai.hpp"

using namespace sb::it;
using sb::test::bearer;
using sb::test::http_post_json;

namespace {

TenantSpec desk(std::vector<std::string> chain, std::string extra_toml = {}) {
  TenantSpec tenant;
  tenant.id = "acme";
  tenant.name = "Acme Dry Run";
  tenant.routing_chain = std::move(chain);
  tenant.agents = {{"ann", "Ann", "agent", 3, {}, {{"german", 2}}},
                   {"ben", "Ben", "agent", 3, {}, {{"german", 5}}},
                   {"root", "Admin", "admin", 1, {}, {}}};
  tenant.extra_toml = std::move(extra_toml);
  return tenant;
}

json::object dry_run(Deployment& deployment, const std::string& admin, json::object body = {}) {
  auto answer =
      http_post_json(deployment.port(), "/v1/tenants/acme/routing/dry-run", body, bearer(admin));
  INFO(answer.body);
  REQUIRE(answer.status == 200);
  return answer.json().as_object();
}

std::string agent_of(const json::object& answer) {
  const json::value& agent = answer.at("agent");
  return agent.is_object() ? str(agent.as_object(), "id") : "";
}

std::string assigned_to_next_visitor(Deployment& deployment) {
  auto visitor = deployment.connect_visitor("acme");
  visitor.send_message("hello");
  return str(obj(visitor.ws.next_of_type("conversation.assigned"), "agent"), "id");
}

}  // namespace

TEST_CASE("a dry run names whose turn it is in round-robin and leaves the turn there",
          "[routing][dry-run]") {
  Deployment deployment({desk({"routing-round-robin"})});
  const std::string admin = deployment.login("acme", "root");
  auto ann = deployment.connect_agent("acme", "ann");
  auto ben = deployment.connect_agent("acme", "ben");
  CHECK(assigned_to_next_visitor(deployment) == "ann");
  // ben's turn, however often the admin asks.
  CHECK(agent_of(dry_run(deployment, admin)) == "ben");
  CHECK(agent_of(dry_run(deployment, admin)) == "ben");
  CHECK(agent_of(dry_run(deployment, admin)) == "ben");
  CHECK(assigned_to_next_visitor(deployment) == "ben");
  CHECK(agent_of(dry_run(deployment, admin)) == "ann");
}

TEST_CASE("a dry run routes on the attributes asked about, and asks no external endpoint",
          "[routing][dry-run]") {
  sb::test::FakeOpenAiServer endpoint("/route");
  Deployment deployment({desk({"routing-external", "routing-skills", "routing-least-busy"},
                              "[plugins.routing-external]\nurl = \"" + endpoint.url() + "\"\n")});
  const std::string admin = deployment.login("acme", "root");
  auto ann = deployment.connect_agent("acme", "ann");
  auto ben = deployment.connect_agent("acme", "ben");
  const auto answer = dry_run(deployment, admin, {{"attributes", {{"skill.german", 1}}}});
  CHECK(answer.at("agent").is_null());
  CHECK_THAT(str(answer, "note"), Catch::Contains("routing-external decides later"));
  CHECK(endpoint.requests().empty());

  // Without the endpoint in the chain, skills answers from the attributes.
  auto skills_first = desk({"routing-skills", "routing-least-busy"});
  deployment.write_tenant(skills_first);
  // The reload is live; ask until the new chain answers.
  std::string chosen;
  for (int i = 0; i < 50 && chosen.empty(); ++i) {
    const auto again = dry_run(deployment, admin, {{"attributes", {{"skill.german", 1}}}});
    chosen = agent_of(again);
    if (chosen.empty()) std::this_thread::sleep_for(100ms);
  }
  CHECK(chosen == "ben");
}
