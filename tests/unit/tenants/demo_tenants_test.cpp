// The shipped tenants/*.toml are how users learn the format and what the quick
// start logs in with: they must validate, and their documented passwords must work.
#include <catch2/catch.hpp>

#include "auth/password.hpp"
#include "tenant_test_support.hpp"

using namespace sb::tenants;
using namespace sb::tenants::test;

namespace {

std::shared_ptr<const TenantConfig> load_shipped(const std::string& name) {
  sb::ConfigErrors errors;
  auto file = std::filesystem::path(SWITCHBOARD_SOURCE_DIR) / "tenants" / (name + ".toml");
  auto config = load_tenant_file(file, fake_plugins(), "storage-sqlite", errors);
  for (const auto& error : errors) UNSCOPED_INFO(error.to_string());
  return config;
}

}  // namespace

TEST_CASE("tenants/demo.toml validates, and its demo credentials work") {
  auto demo = load_shipped("demo");
  REQUIRE(demo);
  CHECK(demo->id == "demo");
  CHECK(demo->routing_chain == std::vector<std::string>{"routing-sticky", "routing-least-busy"});
  CHECK(demo->storage_plugin == "storage-sqlite");
  CHECK(demo->attachments.enabled);
  CHECK(demo->attachments.max_bytes == 10485760);
  // The bot's knowledge base and intents, in the tenant's own directory.
  REQUIRE(demo->section("autoreply-faq"));
  CHECK(demo->section("autoreply-faq")->values_as_text.at("files") == R"(["demo/faq.toml"])");
  REQUIRE(demo->section("autoreply-intent"));
  CHECK(demo->section("autoreply-intent")->values_as_text.at("file") == "demo/intents.toml");
  // The demo's widget works from any page, in both languages.
  CHECK(demo->widget.allowed_origins.empty());
  CHECK(demo->widget.texts.at("en").title == "Demo Shop support");
  CHECK(demo->widget.texts.at("zh").title == "Demo 商城客服");

  const AgentConfig* agent = demo->agent_by_email("agent@demo.local");
  REQUIRE(agent);
  CHECK(agent->role == "agent");
  CHECK(agent->max_concurrent == 5);
  CHECK(sb::auth::verify_password(agent->password_hash, "demo-agent"));
  CHECK_FALSE(sb::auth::verify_password(agent->password_hash, "demo-admin"));

  const AgentConfig* admin = demo->agent_by_email("admin@demo.local");
  REQUIRE(admin);
  CHECK(admin->role == "admin");
  CHECK(admin->max_concurrent == 5);
  CHECK(sb::auth::verify_password(admin->password_hash, "demo-admin"));
}

TEST_CASE("tenants/acme.toml validates, and its demo credentials work") {
  auto acme = load_shipped("acme");
  REQUIRE(acme);
  CHECK(acme->id == "acme");
  CHECK(acme->routing_chain == std::vector<std::string>{"routing-round-robin"});

  const AgentConfig* agent = acme->agent_by_email("agent@acme.local");
  REQUIRE(agent);
  CHECK(agent->role == "agent");
  CHECK(agent->max_concurrent == 5);
  CHECK(sb::auth::verify_password(agent->password_hash, "acme-agent"));

  const AgentConfig* admin = acme->agent_by_email("admin@acme.local");
  REQUIRE(admin);
  CHECK(admin->role == "admin");
  CHECK(admin->max_concurrent == 5);
  CHECK(sb::auth::verify_password(admin->password_hash, "acme-admin"));
  CHECK_FALSE(sb::auth::verify_password(admin->password_hash, "demo-admin"));
}

TEST_CASE("tenants/demo.toml documents groups with hours in a time zone") {
  auto demo = load_shipped("demo");
  REQUIRE(demo);
  REQUIRE(demo->groups.count("support"));
  REQUIRE(demo->groups.count("sales"));
  const auto& support = demo->groups.at("support");
  CHECK(support.hours.timezone() == "Europe/Berlin");
  CHECK_FALSE(support.hours.always_open());
  CHECK(support.max_queue_length == 50);
  CHECK(demo->groups.at("sales").hours.always_open());
}

TEST_CASE(
    "tenants/demo.toml routes to a free support agent, else to the bot, and tells a visitor "
    "waiting five minutes") {
  using namespace sb::routing_graph;
  auto demo = load_shipped("demo");
  REQUIRE(demo);
  const auto& rules = demo->routing_graph.rules;
  REQUIRE(rules.size() == 3);
  CHECK(rules[0].conditions[0].type == ConditionType::group_available);
  CHECK(rules[0].actions[0].type == ActionType::route);
  CHECK(rules[0].actions[0].group == "support");
  // Checked again while the visitor waits (it cannot fire on a new conversation).
  REQUIRE(rules[1].conditions.size() == 2);
  CHECK(rules[1].conditions[0].type == ConditionType::waited);
  CHECK(rules[1].conditions[0].seconds == 300);
  CHECK(rules[1].conditions[1].type == ConditionType::group_available);
  CHECK_FALSE(rules[1].conditions[1].expect);
  REQUIRE(rules[1].actions.size() == 2);
  CHECK(rules[1].actions[0].type == ActionType::message);
  // Said in the visitor's language.
  CHECK(rules[1].actions[0].text.in("en").rfind("Sorry for the wait.", 0) == 0);
  CHECK(rules[1].actions[0].text.in("zh").rfind("抱歉让您久等了。", 0) == 0);
  CHECK(rules[1].actions[1].type == ActionType::queue);
  CHECK(rules[1].actions[1].group == "support");
  CHECK(rules[2].conditions.empty());
  CHECK(rules[2].actions[0].type == ActionType::bot);
}
