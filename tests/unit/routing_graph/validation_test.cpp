// Validation names the exact field and, in the message, the rule it belongs to.
#include <catch2/catch.hpp>

#include "graph_fixture.hpp"
#include "toml_support.hpp"

using namespace sb::routing_graph;
using namespace sb::routing_graph::test;
namespace json = boost::json;

namespace {

// The rich graph with one change applied to its JSON.
Errors errors_after(const std::function<void(json::object&)>& edit) {
  json::value v = parse_json(kRichGraph);
  edit(v.as_object());
  Errors errors;
  auto graph = from_json(v, fixture_catalog(), errors);
  CHECK_FALSE(graph);
  return errors;
}

json::object& rule(json::object& g, std::size_t i) {
  return g["rules"].as_array()[i].as_object();
}
json::object& condition(json::object& g, std::size_t r, std::size_t c) {
  return rule(g, r)["conditions"].as_array()[c].as_object();
}
json::object& action(json::object& g, std::size_t i) {
  return g["actions"].as_array()[i].as_object();
}

const Error* find(const Errors& errors, const std::string& field) {
  for (const auto& e : errors)
    if (e.field == field) return &e;
  return nullptr;
}

std::string validation_all(const Errors& errors) {
  std::string out;
  for (const auto& e : errors) out += e.code + " " + e.field + ": " + e.message + "\n";
  return out;
}

void expect(const Errors& errors, const std::string& field, const std::string& code,
            const std::string& says) {
  INFO(validation_all(errors));
  const Error* e = find(errors, field);
  REQUIRE(e);
  CHECK(e->code == code);
  CHECK(e->message.find(says) != std::string::npos);
}

}  // namespace

TEST_CASE("a wrong condition value names the rule and the field") {
  auto errors = errors_after([](json::object& g) { condition(g, 1, 0)["state"] = "shut"; });
  expect(errors, "rules[1].conditions[0].state", "invalid_field", "rule 'closed'");
  errors = errors_after([](json::object& g) { condition(g, 0, 0)["value"] = json::object{}; });
  expect(errors, "rules[0].conditions[0].value", "invalid_field",
         "rule 'vip', condition 'vip-flag'");
}

TEST_CASE("unknown groups, strategies and bad globs are errors") {
  expect(errors_after([](json::object& g) { action(g, 1)["group"] = "vipp"; }), "actions[1].group",
         "unknown_group", "rule 'vip', action 'vip-route': group 'vipp' is not a group");
  expect(errors_after([](json::object& g) { condition(g, 4, 0)["group"] = "nobody"; }),
         "rules[4].conditions[0].group", "unknown_group", "rule 'busy'");
  expect(errors_after(
             [](json::object& g) { action(g, 1)["chain"].as_array()[1] = "routing-telepathy"; }),
         "actions[1].chain[1]", "unknown_strategy", "'routing-telepathy' is not an installed");
  expect(
      errors_after([](json::object& g) { action(g, 1)["chain"].as_array()[1] = "routing-sticky"; }),
      "actions[1].chain[1]", "invalid_field", "already in the chain");
  expect(errors_after([](json::object& g) { condition(g, 2, 2)["glob"] = "https://x/[a-"; }),
         "rules[2].conditions[2].glob", "bad_glob", "rule 'refunds'");
}

TEST_CASE("business hours of a group without hours are an error") {
  expect(errors_after([](json::object& g) { condition(g, 1, 0)["group"] = "sales"; }),
         "rules[1].conditions[0].group", "bad_hours", "no business hours");
}

TEST_CASE("edges that point nowhere, loop or fan out are errors") {
  expect(errors_after([](json::object& g) {
           g["edges"].as_array()[1].as_object()["to"] = "vip-route-typo";
         }),
         "edges[1].to", "dangling_edge", "'vip-route-typo' is not an action");
  expect(
      errors_after([](json::object& g) { g["edges"].as_array()[0].as_object()["from"] = "ghost"; }),
      "edges[0].from", "dangling_edge", "'ghost'");
  expect(errors_after([](json::object& g) {
           g["edges"].as_array().push_back(json::object{{"from", "vip"}, {"to", "refund-queue"}});
         }),
         "edges[7].from", "invalid_edge", "already leads to 'vip-hello'");
  expect(errors_after([](json::object& g) {
           g["edges"].as_array().push_back(json::object{{"from", "closed"}, {"to", "vip"}});
         }),
         "edges[7].to", "invalid_edge", "is a rule");
  // Two messages that lead to each other, hanging off no rule.
  auto errors = errors_after([](json::object& g) {
    g["actions"].as_array().push_back(
        json::object{{"id", "a"}, {"type", "message"}, {"text", "x"}});
    g["actions"].as_array().push_back(
        json::object{{"id", "b"}, {"type", "message"}, {"text", "y"}});
    g["edges"].as_array().push_back(json::object{{"from", "a"}, {"to", "b"}});
    g["edges"].as_array().push_back(json::object{{"from", "b"}, {"to", "a"}});
  });
  INFO(validation_all(errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].code == "cycle");
  CHECK(errors[0].message.find("a -> b -> a") != std::string::npos);
  expect(errors_after([](json::object& g) {
           g["actions"].as_array().push_back(json::object{{"id", "loose"}, {"type", "bot"}});
         }),
         "actions[7]", "unconnected", "'loose' is not connected");
}

TEST_CASE("action sequences end with exactly one final action") {
  // vip's message -> route; cut the route off: the rule ends with a message.
  expect(errors_after([](json::object& g) {
           g["edges"].as_array().erase(g["edges"].as_array().begin() + 1);
           g["actions"].as_array().erase(g["actions"].as_array().begin() + 1);
         }),
         "actions[0]", "invalid_sequence", "rule 'vip' ends with a message");
  // A route followed by something.
  expect(errors_after([](json::object& g) {
           g["actions"].as_array().push_back(
               json::object{{"id", "after"}, {"type", "message"}, {"text", "x"}});
           g["edges"].as_array().push_back(json::object{{"from", "vip-route"}, {"to", "after"}});
         }),
         "actions[1]", "invalid_sequence", "settles the conversation");
  // A rule with no edge out.
  expect(errors_after([](json::object& g) {
           g["edges"].as_array().erase(g["edges"].as_array().begin() + 3);
           g["actions"].as_array().erase(g["actions"].as_array().begin() + 3);
         }),
         "rules[2]", "missing_action", "rule 'refunds' leads to no action");
}

TEST_CASE("ids are required in JSON, valid and unique across the graph") {
  expect(errors_after([](json::object& g) { rule(g, 2).erase("id"); }), "rules[2].id",
         "missing_field", "is required");
  expect(errors_after([](json::object& g) { condition(g, 0, 1)["id"] = "vip"; }),
         "rules[0].conditions[1].id", "duplicate_id", "'vip' is already");
  expect(errors_after([](json::object& g) { action(g, 3)["id"] = "has space"; }), "actions[3].id",
         "invalid_field", "'has space'");
}

TEST_CASE("unknown and missing fields are named") {
  expect(errors_after([](json::object& g) { rule(g, 0)["priority"] = 1; }), "rules[0].priority",
         "unknown_field", "rule 'vip': priority");
  expect(errors_after([](json::object& g) { condition(g, 4, 1).erase("seconds"); }),
         "rules[4].conditions[1].seconds", "missing_field", "rule 'busy'");
  expect(errors_after([](json::object& g) { rule(g, 3).erase("match"); }), "rules[3].match",
         "missing_field", "rule 'german'");
  expect(errors_after([](json::object& g) { action(g, 2).erase("text"); }), "actions[2].text",
         "missing_field", "rule 'closed', action 'closed-offline'");
  expect(errors_after([](json::object& g) { action(g, 4)["group"] = ""; }), "actions[4].group",
         "invalid_field", "leave it out");
  expect(errors_after([](json::object& g) { condition(g, 3, 1)["value"] = 1; }),
         "rules[3].conditions[1].value", "invalid_field", "op \"exists\"");
  expect(errors_after([](json::object& g) { g.erase("edges"); }), "edges", "missing_field", "");
  expect(errors_after([](json::object& g) {
           rule(g, 0)["position"] = json::object{{"x", 1}};
         }),
         "rules[0].position", "invalid_field", "\"x\": number");
}

TEST_CASE("TOML form errors are named under routing") {
  Errors errors;
  auto graph = graph_from_toml(R"(
[[routing.rules]]
id = "vip"
conditions = [ { type = "attribute", key = "vip", value = true } ]
actions = [ { type = "route", group = "vip" } ]

[[routing.rules]]
id = "late"
conditions = [ { type = "waited", seconds = 0 } ]
actions = [ { type = "queue" } ]
)",
                               fixture_catalog(), errors);
  CHECK_FALSE(graph);
  expect(errors, "routing.rules[1].conditions[0].seconds", "invalid_field", "rule 'late'");
  expect(errors, "routing.rules[1].actions[0].group", "missing_field",
         "rule 'late', action 'late-do-1'");
}

TEST_CASE("a message's texts by language are checked one by one") {
  auto errors = errors_after([](json::object& g) { action(g, 0)["text"] = json::object{}; });
  expect(errors, "actions[0].text", "invalid_field", "by language");
  errors = errors_after([](json::object& g) { action(g, 0)["text"] = 3; });
  expect(errors, "actions[0].text", "invalid_field", "must be a string");
  errors = errors_after([](json::object& g) {
    action(g, 0)["text"] = json::object{{"en", "Hi"}, {"zh", ""}, {"a b", "x"}, {"fr", 1}};
  });
  expect(errors, "actions[0].text.zh", "invalid_field", "must not be empty");
  expect(errors, "actions[0].text.a b", "invalid_field", "language tag");
  expect(errors, "actions[0].text.fr", "invalid_field", "must be a string");
  errors = errors_after([](json::object& g) {
    action(g, 0)["text"] = json::object{{"zh", std::string(4097, 'x')}};
  });
  expect(errors, "actions[0].text.zh", "invalid_field", "4096 bytes");
}
