// Evaluation: a pure function from a graph and what is known about a new
// conversation to the decision the engine then carries out. No clock, no I/O:
// the caller passes the time and who is available, so tests can fake both.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "groups/group.hpp"
#include "routing_graph/graph.hpp"

namespace sb::routing_graph {

struct Context {
  std::string page_url;                      // where the visitor opened the chat
  std::string language;                      // the visitor's language tag ("de-AT")
  boost::json::object attributes;            // set by the website (widget or signed identity)
  std::string first_message;                 // the visitor's first message
  std::string intent;                        // its intent, when a classifier named one; else empty
  int64_t now_wall_ms = 0;                   // wall clock: business hours
  int64_t opened_wall_ms = 0;                // when the conversation opened: time waited
  const groups::GroupMap* groups = nullptr;  // business hours by group id
  // Whether someone in the group is online and under capacity now.
  std::function<bool(const std::string& group)> group_available;
  // False once a bot has handed the conversation over: rules whose actions would
  // give it back to a bot are passed over, so a visitor never loops bot -> bot.
  bool bot_allowed = true;
};

struct Decision {
  int rule_index = -1;          // into graph.rules; -1: the fallback
  std::string rule_id;          // the rule's id, or the fallback's
  std::vector<Action> actions;  // empty: route with the tenant's default chain, as without a graph
};

Decision evaluate(const Graph& graph, const Context& context);

// One condition alone (the editor's "test this condition" and the unit tests).
bool holds(const Condition& condition, const Context& context);

}  // namespace sb::routing_graph
