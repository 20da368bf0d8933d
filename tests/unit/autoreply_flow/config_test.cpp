// The [plugins.autoreply-flow] table and the intent read from a request's context.
#include <catch2/catch.hpp>

#include "flow_config.hpp"

using namespace switchboard::flow;

TEST_CASE("flow files are relative to the tenant file's directory", "[config]") {
  const auto config = parse_flow_config(R"({"files":["demo/flows.toml","/abs/x.toml"]})",
                                        "/etc/switchboard/tenants");
  REQUIRE(config.files.size() == 2);
  CHECK(config.files[0] == "/etc/switchboard/tenants/demo/flows.toml");
  CHECK(config.files[1] == "/abs/x.toml");
  CHECK(config.default_language == "en");
  CHECK(
      parse_flow_config(R"({"files":["f.toml"],"default_language":"zh"})", "/t").default_language ==
      "zh");
}

TEST_CASE("a missing or malformed files key is an error naming it", "[config]") {
  CHECK_THROWS_WITH(parse_flow_config("{}", "/t"),
                    Catch::StartsWith("plugins.autoreply-flow.files: missing"));
  CHECK_THROWS_WITH(parse_flow_config(R"({"files":[]})", "/t"),
                    Catch::StartsWith("plugins.autoreply-flow.files: "));
  CHECK_THROWS_WITH(parse_flow_config(R"({"files":["ok.toml",3]})", "/t"),
                    Catch::StartsWith("plugins.autoreply-flow.files[1]: "));
  // A 1.0 host gives no config directory: a relative name would be a guess.
  CHECK_THROWS_WITH(parse_flow_config(R"({"files":["flows.toml"]})", ""),
                    Catch::Contains("is relative"));
}

TEST_CASE("the intent comes from context_json and anything else means none", "[config]") {
  CHECK(intent_from_context(R"({"intent":{"name":"refund","confidence":0.9},"history":[]})") ==
        "refund");
  CHECK(intent_from_context("").empty());
  CHECK(intent_from_context("not json").empty());
  CHECK(intent_from_context(R"({"intent":"refund"})").empty());
  CHECK(intent_from_context(R"({"intent":{"name":7}})").empty());
}

TEST_CASE("the flow node to start at comes from context_json", "[config]") {
  CHECK(flow_node_from_context(R"({"flow_node":"order_status/ask_number"})") ==
        "order_status/ask_number");
  CHECK(flow_node_from_context(R"({"intent":{"name":"x"}})").empty());
  CHECK(flow_node_from_context("[]").empty());
}

TEST_CASE("the intent stage's guesses come from context_json, malformed ones skipped", "[config]") {
  const auto guesses = intent_candidates_from_context(
      R"({"intent_candidates":[{"name":"shipping","confidence":0.33},{"confidence":0.3},)"
      R"({"name":"order_status","confidence":0.27,"flow_node":"order_status"},"x"]})");
  REQUIRE(guesses.size() == 2);
  CHECK(guesses[0].name == "shipping");
  CHECK(guesses[0].confidence == 0.33);
  CHECK(guesses[1].name == "order_status");
  CHECK(guesses[1].confidence == 0.27);
  CHECK(intent_candidates_from_context(R"({"intent_candidates":"shipping"})").empty());
  CHECK(intent_candidates_from_context("").empty());
}
