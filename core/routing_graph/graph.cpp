#include "routing_graph/graph.hpp"

namespace sb::routing_graph {

const char* to_string(ConditionType type) {
  switch (type) {
    case ConditionType::page:
      return "page";
    case ConditionType::language:
      return "language";
    case ConditionType::attribute:
      return "attribute";
    case ConditionType::business_hours:
      return "business_hours";
    case ConditionType::keywords:
      return "keywords";
    case ConditionType::intent:
      return "intent";
    case ConditionType::group_available:
      return "group_available";
    case ConditionType::waited:
      return "waited";
  }
  return "?";
}

const char* to_string(ActionType type) {
  switch (type) {
    case ActionType::route:
      return "route";
    case ActionType::bot:
      return "bot";
    case ActionType::queue:
      return "queue";
    case ActionType::message:
      return "message";
    case ActionType::offline:
      return "offline";
  }
  return "?";
}

const char* to_string(AttributeOp op) {
  switch (op) {
    case AttributeOp::eq:
      return "eq";
    case AttributeOp::neq:
      return "neq";
    case AttributeOp::exists:
      return "exists";
    case AttributeOp::in:
      return "in";
  }
  return "?";
}

}  // namespace sb::routing_graph
