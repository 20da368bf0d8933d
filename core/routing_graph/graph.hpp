// The tenant's routing graph: ordered rules, each a set of conditions and the
// actions to take when they hold, and a fallback when no rule does. It decides
// what happens to a new conversation: which group and strategy chain routes it,
// whether a bot or a queue takes it first, what the visitor is told.
//
// Two forms carry it (see forms.hpp): the TOML form in the tenant file, written by
// hand, and the JSON form of the admin API, shaped for a visual editor. Both parse
// into this model, and the model writes both back out unchanged.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/localized_text.hpp"

namespace sb::routing_graph {

// Where the editor drew a node. Kept as given; the server never reads it.
struct Position {
  double x = 0;
  double y = 0;
  bool operator==(const Position&) const = default;
};

enum class ConditionType : uint8_t {
  page,             // the page URL the visitor opened the chat on matches a glob
  language,         // the visitor's language is one of a list ("de" matches "de-AT")
  attribute,        // a visitor attribute (set by the website) compares to a value
  business_hours,   // a group is open (or closed) now, in its time zone
  keywords,         // the first message contains any (or all) of some words
  intent,           // the first message's intent (when classified) is one of a list
  group_available,  // someone in a group is online and under capacity (or nobody is)
  waited,           // the conversation has been open at least this many seconds
};

enum class AttributeOp : uint8_t { eq, neq, exists, in };

struct Condition {
  std::string id;
  ConditionType type = ConditionType::page;
  std::string glob;                 // page
  std::vector<std::string> values;  // language, intent, keywords
  bool all = false;                 // keywords: every word, not just one
  std::string key;                  // attribute
  AttributeOp op = AttributeOp::eq;
  boost::json::value value;  // attribute eq/neq: a string, number or boolean; in: an array
  std::string group;         // business_hours, group_available
  bool expect = true;        // business_hours: open; group_available: available
  uint32_t seconds = 0;      // waited

  bool operator==(const Condition&) const = default;
};

enum class ActionType : uint8_t {
  route,    // find an agent (of a group) with a strategy chain; queue when none is free
  bot,      // hand the conversation to the tenant's bot (at a flow node)
  queue,    // wait in a group's queue for its next free agent
  message,  // tell the visitor something, then go on with the next action
  offline,  // tell the visitor nobody is there, let them leave a message; stays queued
};

struct Action {
  std::string id;
  ActionType type = ActionType::route;
  std::optional<Position> position;
  std::string group;               // route (optional), queue, offline (optional)
  std::vector<std::string> chain;  // route; empty = the tenant's [routing].chain
  std::string flow_node;           // bot; empty = the flow's start
  // message, offline: one text for every visitor, or one per language ({"en": ...,
  // "zh": ...}); the visitor gets theirs, else the plain text's, else English's.
  LocalizedText text;

  // route, bot, queue and offline settle the conversation; nothing may follow them.
  bool is_final() const { return type != ActionType::message; }
  bool operator==(const Action&) const = default;
};

struct Rule {
  std::string id;
  std::string name;
  std::optional<Position> position;
  bool match_all = true;  // false: any one condition is enough
  std::vector<Condition> conditions;
  std::vector<Action> actions;  // in order; the last is final

  bool operator==(const Rule&) const = default;
};

// What happens when no rule fires. With no actions: today's behaviour, the
// tenant's default chain over all agents.
struct Fallback {
  std::string id = "fallback";
  std::optional<Position> position;
  std::vector<Action> actions;

  bool operator==(const Fallback&) const = default;
};

struct Graph {
  std::vector<Rule> rules;
  Fallback fallback;

  // No rules and a plain fallback: the graph changes nothing.
  bool is_default() const { return rules.empty() && fallback.actions.empty(); }
  bool operator==(const Graph&) const = default;
};

const char* to_string(ConditionType type);
const char* to_string(ActionType type);
const char* to_string(AttributeOp op);

}  // namespace sb::routing_graph
