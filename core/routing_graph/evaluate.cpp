#include "routing_graph/evaluate.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>

#include "routing_graph/glob.hpp"

namespace sb::routing_graph {

namespace json = boost::json;

namespace {

// ASCII letters folded; other bytes (CJK, accented letters) compared as they are.
std::string fold(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// A value as text, so that the website's "true" and true, or "3" and 3, agree.
std::string as_text(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  return json::serialize(v);
}

// "de" matches "de", "de-AT", "DE_at"; "de-AT" only "de-AT" (any case, - or _).
bool language_matches(std::string_view wanted, std::string_view language) {
  auto normal = [](std::string_view tag) {
    std::string out = fold(tag);
    std::replace(out.begin(), out.end(), '_', '-');
    return out;
  };
  std::string want = normal(wanted), have = normal(language);
  return have == want ||
         (have.size() > want.size() && have.starts_with(want) && have[want.size()] == '-');
}

bool attribute_holds(const Condition& c, const json::object& attributes) {
  const json::value* found = attributes.if_contains(c.key);
  switch (c.op) {
    case AttributeOp::exists:
      return found && !found->is_null();
    case AttributeOp::eq:
      return found && as_text(*found) == as_text(c.value);
    case AttributeOp::neq:
      return !found || as_text(*found) != as_text(c.value);
    case AttributeOp::in:
      if (!found || !c.value.is_array()) return false;
      return std::any_of(c.value.get_array().begin(), c.value.get_array().end(),
                         [&](const json::value& v) { return as_text(v) == as_text(*found); });
  }
  return false;
}

bool uses_bot(const std::vector<Action>& actions) {
  return std::any_of(actions.begin(), actions.end(),
                     [](const Action& a) { return a.type == ActionType::bot; });
}

}  // namespace

bool holds(const Condition& c, const Context& context) {
  switch (c.type) {
    case ConditionType::page:
      return !context.page_url.empty() && glob_matches(c.glob, context.page_url);
    case ConditionType::language:
      return !context.language.empty() &&
             std::any_of(c.values.begin(), c.values.end(), [&](const std::string& tag) {
               return language_matches(tag, context.language);
             });
    case ConditionType::attribute:
      return attribute_holds(c, context.attributes);
    case ConditionType::business_hours: {
      if (!context.groups) return false;
      auto group = context.groups->find(c.group);
      if (group == context.groups->end()) return false;
      return group->second.hours.is_open(context.now_wall_ms) == c.expect;
    }
    case ConditionType::keywords: {
      const std::string text = fold(context.first_message);
      auto found = [&](const std::string& word) {
        return text.find(fold(word)) != std::string::npos;
      };
      return c.all ? std::all_of(c.values.begin(), c.values.end(), found)
                   : std::any_of(c.values.begin(), c.values.end(), found);
    }
    case ConditionType::intent:
      return !context.intent.empty() &&
             std::find(c.values.begin(), c.values.end(), context.intent) != c.values.end();
    case ConditionType::group_available: {
      bool available = context.group_available && context.group_available(c.group);
      return available == c.expect;
    }
    case ConditionType::waited:
      return context.now_wall_ms - context.opened_wall_ms >= int64_t{c.seconds} * 1000;
  }
  return false;
}

Decision evaluate(const Graph& graph, const Context& context) {
  for (std::size_t i = 0; i < graph.rules.size(); ++i) {
    const Rule& rule = graph.rules[i];
    if (!context.bot_allowed && uses_bot(rule.actions)) continue;
    auto check = [&](const Condition& c) { return holds(c, context); };
    // A rule without conditions always fires (a catch-all before the fallback).
    bool fires =
        rule.conditions.empty() ||
        (rule.match_all ? std::all_of(rule.conditions.begin(), rule.conditions.end(), check)
                        : std::any_of(rule.conditions.begin(), rule.conditions.end(), check));
    if (fires) return Decision{static_cast<int>(i), rule.id, rule.actions};
  }
  Decision fallback{-1, graph.fallback.id, graph.fallback.actions};
  if (!context.bot_allowed && uses_bot(fallback.actions)) fallback.actions.clear();
  return fallback;
}

}  // namespace sb::routing_graph
