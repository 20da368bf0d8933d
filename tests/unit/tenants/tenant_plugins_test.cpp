#include <catch2/catch.hpp>

#include "tenant_test_support.hpp"

using namespace sb::tenants;
using namespace sb::tenants::test;

TEST_CASE("plugins that are not installed are errors at the line naming them") {
  auto loaded = load(R"(name = "Shop"
[storage]
plugin = "storage-mysql"
[routing]
chain = ["routing-least-busy", "routing-foo"]
[plugins.autoreply-magic]
x = 1
)");
  INFO(loaded.all());
  CHECK_FALSE(loaded.config);
  CHECK(loaded.errors.size() == 3);
  auto* storage = loaded.error("storage.plugin");
  REQUIRE(storage);
  CHECK(storage->line == 3);
  CHECK_THAT(storage->message, Catch::Contains("'storage-mysql' is not installed"));
  auto* routing = loaded.error("routing.chain[1]");
  REQUIRE(routing);
  CHECK(routing->line == 5);
  CHECK(routing->column == 32);
  CHECK_THAT(routing->message, Catch::Contains("'routing-foo' is not installed"));
  auto* section = loaded.error("plugins.autoreply-magic");
  REQUIRE(section);
  CHECK(section->line == 6);
}

TEST_CASE("a plugin of the wrong kind is an error") {
  auto loaded = load(R"(name = "Shop"
[storage]
plugin = "routing-least-busy"
[routing]
chain = ["storage-sqlite"]
)");
  INFO(loaded.all());
  CHECK_FALSE(loaded.config);
  CHECK(loaded.errors.size() == 2);
  CHECK(loaded.error("storage.plugin")->line == 3);
  CHECK_THAT(loaded.error("storage.plugin")->message,
             Catch::Contains("is a routing plugin, not a storage plugin"));
  CHECK(loaded.error("routing.chain[0]")->line == 5);
  CHECK_THAT(loaded.error("routing.chain[0]")->message,
             Catch::Contains("is a storage plugin, not a routing plugin"));
}

TEST_CASE("a routing chain must be non-empty and name each plugin once") {
  auto empty = load("name = \"Shop\"\n[routing]\nchain = []\n");
  CHECK_FALSE(empty.config);
  REQUIRE(empty.error("routing.chain"));
  CHECK(empty.error("routing.chain")->line == 3);

  auto twice = load(
      "name = \"Shop\"\n[routing]\nchain = [\"routing-least-busy\", \"routing-least-busy\"]\n");
  CHECK_FALSE(twice.config);
  REQUIRE(twice.error("routing.chain[1]"));
}

TEST_CASE("defaults name plugins too, which must be installed") {
  TempDir dir;
  sb::ConfigErrors errors;
  PluginLookup nothing_installed = [](std::string_view) -> const PluginSchema* { return nullptr; };
  auto config = load_tenant_file(dir.write("shop.toml", "name = \"Shop\"\n"), nothing_installed,
                                 "storage-sqlite", errors);
  CHECK_FALSE(config);
  REQUIRE(errors.size() == 2);
  CHECK_THAT(errors[0].to_string() + errors[1].to_string(),
             Catch::Contains("'storage-sqlite' is not installed") &&
                 Catch::Contains("'routing-least-busy' is not installed"));
  CHECK_THAT(errors[0].to_string() + errors[1].to_string(),
             Catch::Contains("default") && Catch::Contains("this file names none"));
}

TEST_CASE("plugin tables accept only the plugin's declared keys, with their types") {
  auto loaded = load(R"(name = "Shop"
[plugins.storage-sqlite]
path = "var/shop.db"
busy_timeout_ms = "soon"
journal = "wal"
[plugins.autoreply-faq]
threshold = true
[plugins]
routing-least-busy = 5
)");
  INFO(loaded.all());
  CHECK_FALSE(loaded.config);
  CHECK(loaded.errors.size() == 4);
  auto* type = loaded.error("plugins.storage-sqlite.busy_timeout_ms");
  REQUIRE(type);
  CHECK(type->line == 4);
  CHECK_THAT(type->message, Catch::Contains("must be an integer"));
  auto* unknown = loaded.error("plugins.storage-sqlite.journal");
  REQUIRE(unknown);
  CHECK(unknown->line == 5);
  CHECK_THAT(unknown->message, Catch::Contains("path, busy_timeout_ms, wal"));
  CHECK(loaded.error("plugins.autoreply-faq.threshold")->line == 7);
  CHECK(loaded.error("plugins.routing-least-busy"));
}

TEST_CASE("plugin tables reach the plugin as JSON and as text") {
  auto loaded = load(R"(name = "Shop"
[plugins.storage-sqlite]
path = "var/shop.db"
busy_timeout_ms = 250
wal = false
[plugins.autoreply-faq]
threshold = 0.5
answers = ["yes", "no"]
greeting = { text = "Hi", delay_ms = 10 }
)");
  INFO(loaded.all());
  REQUIRE(loaded.config);
  const PluginSection* sqlite = loaded.config->section("storage-sqlite");
  REQUIRE(sqlite);
  CHECK(sqlite->name == "storage-sqlite");
  CHECK(sqlite->line == 2);
  CHECK(sqlite->config_json == R"({"busy_timeout_ms":250,"path":"var/shop.db","wal":false})");
  CHECK(sqlite->values_as_text == std::map<std::string, std::string>{{"path", "var/shop.db"},
                                                                     {"busy_timeout_ms", "250"},
                                                                     {"wal", "false"}});
  const PluginSection* faq = loaded.config->section("autoreply-faq");
  REQUIRE(faq);
  CHECK(faq->values_as_text.at("threshold") == "0.5");
  CHECK(faq->values_as_text.at("answers") == R"(["yes","no"])");
  CHECK(faq->values_as_text.at("greeting") == R"({"delay_ms":10,"text":"Hi"})");
  CHECK(loaded.config->section("routing-least-busy") == nullptr);
}

TEST_CASE("an empty plugin table is an empty JSON object") {
  auto loaded = load("name = \"Shop\"\n[plugins.storage-sqlite]\n");
  REQUIRE(loaded.config);
  REQUIRE(loaded.config->section("storage-sqlite"));
  CHECK(loaded.config->section("storage-sqlite")->config_json == "{}");
}

TEST_CASE("an integer is accepted where a plugin declares a float") {
  auto loaded = load("name = \"Shop\"\n[plugins.autoreply-faq]\nthreshold = 1\n");
  INFO(loaded.all());
  REQUIRE(loaded.config);
  CHECK(loaded.config->section("autoreply-faq")->values_as_text.at("threshold") == "1");
}
