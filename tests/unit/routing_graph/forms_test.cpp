// The two forms: JSON -> model -> JSON and JSON -> TOML -> JSON are exact, and a
// hand-written TOML graph gets sensible defaults.
#include <catch2/catch.hpp>

#include "graph_fixture.hpp"
#include "toml_support.hpp"

using namespace sb::routing_graph;
using namespace sb::routing_graph::test;
namespace json = boost::json;

namespace {

std::string all(const Errors& errors) {
  std::string out;
  for (const auto& e : errors) out += e.field + ": " + e.message + "\n";
  return out;
}

}  // namespace

TEST_CASE("the JSON form comes back exactly as it was given") {
  const json::value given = parse_json(kRichGraph);
  Errors errors;
  auto graph = from_json(given, fixture_catalog(), errors);
  INFO(all(errors));
  REQUIRE(graph);
  CHECK(graph->rules.size() == 6);
  CHECK(graph->rules[0].actions.size() == 2);
  CHECK(to_json(*graph) == given);
}

TEST_CASE("JSON -> TOML -> JSON round-trips a rich graph exactly") {
  const json::value given = parse_json(kRichGraph);
  const Graph graph = rich_graph();
  const std::string toml_text = to_toml(graph);
  INFO(toml_text);
  Errors errors;
  auto reread = graph_from_toml(toml_text, fixture_catalog(), errors);
  INFO(all(errors));
  REQUIRE(reread);
  CHECK(*reread == graph);
  CHECK(to_json(*reread) == given);
  // And the TOML written from that is the same text.
  CHECK(to_toml(*reread) == toml_text);
}

TEST_CASE("text with quotes, backslashes, newlines and CJK survives the TOML form") {
  Graph graph;
  Action message;
  message.id = "m";
  message.type = ActionType::message;
  message.text = "Say \"hi\"\\ \n\t新年快乐 \x01 end";
  Action route;
  route.id = "r";
  graph.fallback.actions = {message, route};
  Errors errors;
  auto reread = graph_from_toml(to_toml(graph), {}, errors);
  INFO(all(errors));
  REQUIRE(reread);
  CHECK(*reread == graph);
}

TEST_CASE("a text per language survives both forms, and a plain text stays a string") {
  Graph graph;
  Action message;
  message.id = "m";
  message.type = ActionType::message;
  message.text = sb::LocalizedText(
      sb::LocalizedText::ByLanguage{{"en", "Sorry for the wait."}, {"zh", "抱歉久等了。"}});
  Action offline;
  offline.id = "o";
  offline.type = ActionType::offline;
  offline.text = "Closed.";
  graph.fallback.actions = {message, offline};

  const json::value j = to_json(graph);
  const auto& actions = j.at("actions").as_array();
  CHECK(actions[0].at("text") ==
        json::object{{"en", "Sorry for the wait."}, {"zh", "抱歉久等了。"}});
  CHECK(actions[1].at("text") == "Closed.");
  Errors errors;
  auto from_j = from_json(j, {}, errors);
  INFO(all(errors));
  REQUIRE(from_j);
  CHECK(*from_j == graph);

  const std::string toml_text = to_toml(graph);
  INFO(toml_text);
  CHECK(toml_text.find(R"(text = { en = "Sorry for the wait.", zh = "抱歉久等了。" })") !=
        std::string::npos);
  auto from_t = graph_from_toml(toml_text, {}, errors);
  REQUIRE(from_t);
  CHECK(*from_t == graph);
  CHECK(from_t->fallback.actions[0].text.in("zh-CN") == "抱歉久等了。");
  CHECK(from_t->fallback.actions[0].text.in("fr") == "Sorry for the wait.");
}

TEST_CASE("a hand-written TOML graph gets ids and defaults") {
  Errors errors;
  auto graph = graph_from_toml(R"(
[[routing.rules]]
conditions = [ { type = "attribute", key = "vip", value = true },
               { type = "keywords", words = ["Refund"] } ]
actions = [ { type = "route", group = "vip" } ]

[[routing.rules]]
match = "any"
conditions = [ { type = "business_hours", group = "support" } ]
actions = [ { type = "message", text = "Hi" }, { type = "bot" } ]

[routing.fallback]
actions = [ { type = "queue", group = "sales" } ]
)",
                               fixture_catalog(), errors);
  INFO(all(errors));
  REQUIRE(graph);
  REQUIRE(graph->rules.size() == 2);
  const Rule& first = graph->rules[0];
  CHECK(first.id == "rule-1");
  CHECK(first.match_all);
  CHECK(first.conditions[0].id == "rule-1-if-1");
  CHECK(first.conditions[0].op == AttributeOp::eq);
  CHECK(first.conditions[1].all == false);
  CHECK(first.actions[0].id == "rule-1-do-1");
  CHECK(first.actions[0].chain.empty());
  const Rule& second = graph->rules[1];
  CHECK_FALSE(second.match_all);
  CHECK(second.conditions[0].expect);  // state defaults to "open"
  CHECK(second.actions[1].id == "rule-2-do-2");
  CHECK(graph->fallback.id == "fallback");
  CHECK(graph->fallback.actions[0].id == "fallback-do-1");

  // Its JSON form names everything the defaults filled in, and reads back the same.
  Errors again;
  auto from_its_json = from_json(to_json(*graph), fixture_catalog(), again);
  INFO(all(again));
  REQUIRE(from_its_json);
  CHECK(*from_its_json == *graph);
}

TEST_CASE("a graph with nothing in it writes no TOML") {
  CHECK(to_toml(Graph{}).empty());
  CHECK(Graph{}.is_default());
  Errors errors;
  auto empty = graph_from_toml("[routing]\nchain = [\"x\"]\n", {}, errors);
  REQUIRE(empty);
  CHECK(empty->is_default());
}

TEST_CASE("the JSON form lists edges explicitly, in graph order") {
  json::value out = to_json(rich_graph());
  const auto& edges = out.at("edges").as_array();
  REQUIRE(edges.size() == 7);
  CHECK(edges[0] == parse_json(R"({"from":"vip","to":"vip-hello"})"));
  CHECK(edges[1] == parse_json(R"({"from":"vip-hello","to":"vip-route"})"));
  CHECK(out.at("actions").as_array()[1].at("position") == parse_json(R"({"x":520,"y":40})"));
}
