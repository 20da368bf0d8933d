// The two forms of a routing graph and their validation.
//
// JSON (the admin API, for a visual editor): nodes with stable ids and kept
// positions, and explicit edges.
//   {"rules":    [{"id","name"?,"position"?,"match":"all"|"any","conditions":[...]}],
//    "actions":  [{"id","type","position"?, ...}],
//    "fallback": {"id","position"?},
//    "edges":    [{"from": rule, fallback or action id, "to": action id}]}
// Rules are evaluated in array order; the first whose conditions hold fires. An
// edge from a rule (or the fallback) leads to its first action, an edge from an
// action to the next one. GET answers actions and edges in graph order (rule by
// rule, each rule's actions in sequence, then the fallback's).
//
// TOML (the tenant file, by hand): the same rules with their actions inside.
//   [[routing.rules]]  id, name, position, match, conditions = [...], actions = [...]
//   [routing.fallback] id, position, actions = [...]
// Ids may be left out there; they default to "rule-N", "rule-N-if-M", "rule-N-do-M".
//
// Conditions and actions have the same fields in both forms (tenants/demo.toml
// documents them); a message's text is a string or texts by language in both.
// Every problem names its field ("rules[2].conditions[0].value") and, in the
// message, the rule's id.
#pragma once

#include <boost/json/value.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_fields.hpp"
#include "groups/group.hpp"
#include "routing_graph/graph.hpp"

namespace sb::routing_graph {

// A problem with its field path: the shared field reader's (common/json_fields).
// Codes: "missing_field", "unknown_group", "dangling_edge", ...
using Error = json_fields::FieldError;
using Errors = json_fields::FieldErrors;

// What a graph may refer to. Without it (nullptr / empty function) names go unchecked.
struct Catalog {
  const groups::GroupMap* groups = nullptr;
  std::function<bool(std::string_view)> is_routing_plugin;
};

// The JSON form. nullopt with every problem in errors when invalid.
std::optional<Graph> from_json(const boost::json::value& json, const Catalog& catalog,
                               Errors& errors);
boost::json::value to_json(const Graph& graph);
// One action as the JSON form has it (the dry run answers with them).
boost::json::object to_json(const Action& action);

// The TOML form, as its values read into JSON (rules: the routing.rules array or
// null; fallback: the routing.fallback table or null). Fields are named under
// prefix ("routing").
std::optional<Graph> from_toml_values(const boost::json::value* rules,
                                      const boost::json::value* fallback, const Catalog& catalog,
                                      Errors& errors, std::string_view prefix = "routing");
// [[routing.rules]] and [routing.fallback] as TOML text (nothing for a default graph).
std::string to_toml(const Graph& graph);

}  // namespace sb::routing_graph
