// The model out to both forms.
#include <cmath>
#include <cstdio>

#include "routing_graph/forms.hpp"

namespace sb::routing_graph {

namespace json = boost::json;

namespace {

// Whole coordinates stay integers, so an editor's 120 comes back as 120.
json::value coordinate(double v) {
  if (std::floor(v) == v && std::fabs(v) < 9e15) return static_cast<int64_t>(v);
  return v;
}

json::array string_array(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& item : items) out.emplace_back(item);
  return out;
}

json::object condition_json(const Condition& c) {
  json::object o{{"id", c.id}, {"type", to_string(c.type)}};
  switch (c.type) {
    case ConditionType::page:
      o["glob"] = c.glob;
      break;
    case ConditionType::language:
      o["languages"] = string_array(c.values);
      break;
    case ConditionType::attribute:
      o["key"] = c.key;
      o["op"] = to_string(c.op);
      if (c.op != AttributeOp::exists) o["value"] = c.value;
      break;
    case ConditionType::business_hours:
      o["group"] = c.group;
      o["state"] = c.expect ? "open" : "closed";
      break;
    case ConditionType::keywords:
      o["words"] = string_array(c.values);
      o["match"] = c.all ? "all" : "any";
      break;
    case ConditionType::intent:
      o["intents"] = string_array(c.values);
      break;
    case ConditionType::group_available:
      o["group"] = c.group;
      o["available"] = c.expect;
      break;
    case ConditionType::waited:
      o["seconds"] = c.seconds;
      break;
  }
  return o;
}

void put_position(json::object& o, const std::optional<Position>& p) {
  if (p) o["position"] = json::object{{"x", coordinate(p->x)}, {"y", coordinate(p->y)}};
}

json::object action_json(const Action& a) {
  json::object o{{"id", a.id}, {"type", to_string(a.type)}};
  put_position(o, a.position);
  if (!a.group.empty()) o["group"] = a.group;
  if (!a.chain.empty()) o["chain"] = string_array(a.chain);
  if (!a.flow_node.empty()) o["flow_node"] = a.flow_node;
  if (const auto& texts = a.text.by_language(); texts.size() == 1 && texts.count("") == 1) {
    o["text"] = texts.begin()->second;  // one text for every language: a plain string
  } else if (!texts.empty()) {
    json::object by_language;
    for (const auto& [language, text] : texts) by_language[language] = text;
    o["text"] = std::move(by_language);
  }
  return o;
}

json::object rule_json(const Rule& r) {
  json::object o{{"id", r.id}, {"match", r.match_all ? "all" : "any"}};
  if (!r.name.empty()) o["name"] = r.name;
  put_position(o, r.position);
  json::array conditions;
  for (const auto& c : r.conditions) conditions.push_back(condition_json(c));
  o["conditions"] = std::move(conditions);
  return o;
}

// TOML text of a JSON value: a basic string, a number, a boolean, an array or an
// inline table (one line, as TOML requires).
void append_toml(std::string& out, const json::value& v);

void append_string(std::string& out, std::string_view text) {
  out += '"';
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04X", c);
          out += escaped;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

void append_key(std::string& out, std::string_view key) {
  bool bare = !key.empty();
  for (char c : key)
    bare = bare && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-');
  if (bare)
    out += key;
  else
    append_string(out, key);
}

void append_toml(std::string& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::string:
      append_string(out, v.get_string());
      break;
    case json::kind::int64:
      out += std::to_string(v.get_int64());
      break;
    case json::kind::uint64:
      out += std::to_string(v.get_uint64());
      break;
    case json::kind::double_: {
      char number[32];
      std::snprintf(number, sizeof number, "%.17g", v.get_double());
      out += number;
      if (std::string_view(number).find_first_of(".eEn") == std::string_view::npos) out += ".0";
      break;
    }
    case json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      break;
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v.get_array()) {
        out += first ? "" : ", ";
        first = false;
        append_toml(out, item);
      }
      out += ']';
      break;
    }
    case json::kind::object: {
      out += "{ ";
      bool first = true;
      for (const auto& [key, item] : v.get_object()) {
        out += first ? "" : ", ";
        first = false;
        append_key(out, key);
        out += " = ";
        append_toml(out, item);
      }
      out += " }";
      break;
    }
    case json::kind::null:
      break;  // the model holds no nulls
  }
}

// key = value lines of a table; arrays of tables one element per line.
void append_table_body(std::string& out, const json::object& o) {
  for (const auto& [key, v] : o) {
    append_key(out, key);
    out += " = ";
    if (v.is_array() && !v.get_array().empty() && v.get_array().front().is_object()) {
      out += "[\n";
      for (const auto& item : v.get_array()) {
        out += "  ";
        append_toml(out, item);
        out += ",\n";
      }
      out += "]";
    } else {
      append_toml(out, v);
    }
    out += '\n';
  }
}

json::array actions_json(const std::vector<Action>& actions) {
  json::array out;
  for (const auto& a : actions) out.push_back(action_json(a));
  return out;
}

}  // namespace

json::object to_json(const Action& action) {
  return action_json(action);
}

json::value to_json(const Graph& graph) {
  json::array rules, actions, edges;
  auto add_sequence = [&](const std::string& source, const std::vector<Action>& sequence) {
    std::string from = source;
    for (const auto& a : sequence) {
      actions.push_back(action_json(a));
      edges.push_back(json::object{{"from", from}, {"to", a.id}});
      from = a.id;
    }
  };
  for (const auto& r : graph.rules) {
    rules.push_back(rule_json(r));
    add_sequence(r.id, r.actions);
  }
  add_sequence(graph.fallback.id, graph.fallback.actions);
  json::object fallback{{"id", graph.fallback.id}};
  put_position(fallback, graph.fallback.position);
  return json::object{{"rules", std::move(rules)},
                      {"actions", std::move(actions)},
                      {"fallback", std::move(fallback)},
                      {"edges", std::move(edges)}};
}

std::string to_toml(const Graph& graph) {
  std::string out;
  for (const auto& r : graph.rules) {
    json::object o = rule_json(r);
    o["actions"] = actions_json(r.actions);
    out += "[[routing.rules]]\n";
    append_table_body(out, o);
    out += '\n';
  }
  const Fallback defaults;
  if (graph.fallback != defaults) {
    json::object o{{"id", graph.fallback.id}};
    put_position(o, graph.fallback.position);
    if (!graph.fallback.actions.empty()) o["actions"] = actions_json(graph.fallback.actions);
    out += "[routing.fallback]\n";
    append_table_body(out, o);
    out += '\n';
  }
  return out;
}

}  // namespace sb::routing_graph
