// Both forms into the model: the shared reading of rules, conditions and actions,
// then the JSON form's edges or the TOML form's nesting.
#include <algorithm>
#include <map>
#include <set>

#include "routing_graph/forms.hpp"
#include "routing_graph/glob.hpp"
#include "routing_graph/object_reader.hpp"

namespace sb::routing_graph {

namespace json = boost::json;
using Need = ObjectReader::Need;

namespace {

constexpr std::size_t kMaxTextBytes = 4096;
constexpr int64_t kMaxWait_s = 30LL * 86'400;

std::string quoted(std::string_view text) {
  return "'" + std::string(text) + "'";
}

std::string index_path(std::string_view path, std::string_view key, std::size_t i) {
  std::string out(path);
  if (!out.empty()) out += '.';
  return out + std::string(key) + "[" + std::to_string(i) + "]";
}

bool is_language_tag(std::string_view tag) {
  return !tag.empty() && tag.size() <= 35 &&
         std::all_of(tag.begin(), tag.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_'; });
}

bool is_scalar(const json::value& v) {
  return v.is_string() || v.is_number() || v.is_bool();
}

class Parser {
 public:
  Parser(const Catalog& catalog, Errors& errors, bool from_toml)
      : catalog_(catalog), errors_(errors), lenient_(from_toml) {}

  // The id of a node: given, or (TOML only) the default.
  std::string read_id(ObjectReader& r, const std::string& default_id) {
    std::string id = default_id;
    if (r.value("id", Need::optional) || !lenient_) {
      auto given = r.string("id", Need::required);
      if (!given) return {};
      id = *given;
      if (!is_valid_node_id(id)) {
        r.error("invalid_field", "id",
                "must be 1-64 letters, digits, '_', '.', ':' or '-', not " + quoted(id));
        return {};
      }
    }
    if (!ids_.insert(id).second) {
      r.error("duplicate_id", "id", quoted(id) + " is already the id of another node");
      return {};
    }
    return id;
  }

  // A field with a default: required in JSON (so it round-trips as written), optional in TOML.
  Need defaulted() const { return lenient_ ? Need::optional : Need::required; }

  void check_group(ObjectReader& r, const std::string& group) {
    if (catalog_.groups && !catalog_.groups->count(group))
      r.error(
          "unknown_group", "group",
          quoted(group) + " is not a group of this tenant (define it as [groups." + group + "])");
  }

  std::optional<Condition> condition(const json::value& v, const std::string& path,
                                     const std::string& rule_label, const std::string& default_id) {
    ObjectReader r(v, path, rule_label, errors_);
    if (!r.is_object()) return std::nullopt;
    Condition c;
    c.id = read_id(r, default_id);
    if (!c.id.empty()) r.set_label(rule_label + ", condition " + quoted(c.id));
    auto type = r.choice("type",
                         {"page", "language", "attribute", "business_hours", "keywords", "intent",
                          "group_available", "waited"},
                         Need::required);
    if (!type) return std::nullopt;  // its other fields mean nothing without it
    if (*type == "page") {
      c.type = ConditionType::page;
      if (auto glob = r.string("glob", Need::required)) {
        std::string why;
        if (is_valid_glob(*glob, why))
          c.glob = *glob;
        else
          r.error("bad_glob", "glob", quoted(*glob) + " " + why);
      }
    } else if (*type == "language") {
      c.type = ConditionType::language;
      if (auto list = r.strings("languages", Need::required)) {
        for (std::size_t i = 0; i < list->size(); ++i)
          if (!is_language_tag((*list)[i]))
            r.error("invalid_field", "languages[" + std::to_string(i) + "]",
                    quoted((*list)[i]) + " is not a language tag like \"de\" or \"pt-BR\"");
        c.values = *list;
      }
    } else if (*type == "attribute") {
      c.type = ConditionType::attribute;
      if (auto key = r.string("key", Need::required)) c.key = *key;
      auto op = r.choice("op", {"eq", "neq", "exists", "in"}, defaulted()).value_or("eq");
      c.op = op == "neq"      ? AttributeOp::neq
             : op == "exists" ? AttributeOp::exists
             : op == "in"     ? AttributeOp::in
                              : AttributeOp::eq;
      const json::value* value =
          r.value("value", c.op == AttributeOp::exists ? Need::optional : Need::required);
      if (value && c.op == AttributeOp::exists) {
        r.error("invalid_field", "value", "has no meaning with op \"exists\"; leave it out");
      } else if (value && c.op == AttributeOp::in) {
        const json::array* list = value->if_array();
        if (!list || list->empty() || !std::all_of(list->begin(), list->end(), is_scalar))
          r.error("invalid_field", "value",
                  "must be a non-empty array of strings, numbers or booleans with op \"in\"");
        else
          c.value = *value;
      } else if (value) {
        if (!is_scalar(*value))
          r.error("invalid_field", "value",
                  "must be a string, number or boolean, not " + a_json_type(*value));
        else
          c.value = *value;
      }
    } else if (*type == "business_hours") {
      c.type = ConditionType::business_hours;
      if (auto group = r.string("group", Need::required)) {
        c.group = *group;
        check_group(r, c.group);
        if (catalog_.groups && catalog_.groups->count(c.group) &&
            catalog_.groups->at(c.group).hours.always_open())
          r.error("bad_hours", "group",
                  "group " + quoted(c.group) + " has no business hours ([groups." + c.group +
                      ".hours]), so it is always open");
      }
      c.expect = r.choice("state", {"open", "closed"}, defaulted()).value_or("open") == "open";
    } else if (*type == "keywords") {
      c.type = ConditionType::keywords;
      if (auto words = r.strings("words", Need::required)) c.values = *words;
      c.all = r.choice("match", {"any", "all"}, defaulted()).value_or("any") == "all";
    } else if (*type == "intent") {
      c.type = ConditionType::intent;
      if (auto intents = r.strings("intents", Need::required)) c.values = *intents;
    } else if (*type == "group_available") {
      c.type = ConditionType::group_available;
      if (auto group = r.string("group", Need::required)) {
        c.group = *group;
        check_group(r, c.group);
      }
      c.expect = r.boolean("available", defaulted()).value_or(true);
    } else {
      c.type = ConditionType::waited;
      c.seconds =
          static_cast<uint32_t>(r.integer("seconds", 1, kMaxWait_s, Need::required).value_or(0));
    }
    r.reject_unknown();
    if (r.failed()) return std::nullopt;
    return c;
  }

  // An action's own fields. owner_label names its rule, for messages.
  std::optional<Action> action(const json::value& v, const std::string& path,
                               const std::string& owner_label, const std::string& default_id) {
    ObjectReader r(v, path, owner_label, errors_);
    if (!r.is_object()) return std::nullopt;
    Action a;
    a.id = read_id(r, default_id);
    if (!a.id.empty())
      r.set_label(owner_label + (owner_label.empty() ? "action " : ", action ") + quoted(a.id));
    a.position = r.position("position");
    auto type = r.choice("type", {"route", "bot", "queue", "message", "offline"}, Need::required);
    if (!type) return std::nullopt;
    auto group = [&](Need need) {
      if (auto g = r.string("group", need)) {
        a.group = *g;
        check_group(r, a.group);
      }
    };
    auto text = [&] {
      const json::value* v = r.value("text", Need::required);
      if (!v) return;
      auto fits = [&](std::string_view t, std::string_view key) {
        if (t.empty()) {
          r.error("invalid_field", key, "must not be empty");
          return false;
        }
        if (t.size() > kMaxTextBytes) {
          r.error("invalid_field", key, "must be at most 4096 bytes");
          return false;
        }
        return true;
      };
      if (v->is_string()) {
        if (fits(v->get_string(), "text")) a.text = std::string(v->get_string());
        return;
      }
      if (!v->is_object() || v->get_object().empty()) {
        r.error("invalid_field", "text",
                "must be a string, or an object of texts by language ({\"en\": ..., \"zh\": ...})");
        return;
      }
      LocalizedText::ByLanguage texts;
      for (const auto& [language, t] : v->get_object()) {
        const std::string key = "text." + std::string(language);
        if (!is_language_tag(language))
          r.error("invalid_field", key,
                  "must be keyed by a language tag (\"en\", \"zh\", \"zh-TW\")");
        else if (!t.is_string())
          r.error("invalid_field", key, "must be a string");
        else if (fits(t.get_string(), key))
          texts.emplace(std::string(language), std::string(t.get_string()));
      }
      a.text = LocalizedText(std::move(texts));
    };
    if (*type == "route") {
      a.type = ActionType::route;
      group(Need::optional);
      if (auto chain = r.strings("chain", Need::optional)) {
        std::set<std::string> seen;
        for (std::size_t i = 0; i < chain->size(); ++i) {
          const std::string& name = (*chain)[i];
          std::string key = "chain[" + std::to_string(i) + "]";
          if (!seen.insert(name).second)
            r.error("invalid_field", key, quoted(name) + " is already in the chain");
          else if (catalog_.is_routing_plugin && !catalog_.is_routing_plugin(name))
            r.error("unknown_strategy", key, quoted(name) + " is not an installed routing plugin");
        }
        a.chain = *chain;
      }
    } else if (*type == "bot") {
      a.type = ActionType::bot;
      if (auto node = r.string("flow_node", Need::optional)) a.flow_node = *node;
    } else if (*type == "queue") {
      a.type = ActionType::queue;
      group(Need::required);
    } else if (*type == "message") {
      a.type = ActionType::message;
      text();
    } else {
      a.type = ActionType::offline;
      group(Need::optional);
      text();
    }
    r.reject_unknown();
    if (r.failed()) return std::nullopt;
    return a;
  }

  // A rule without its actions. conditions_required: the JSON form always lists them.
  std::optional<Rule> rule(ObjectReader& r, std::size_t index) {
    Rule rule;
    rule.id = read_id(r, "rule-" + std::to_string(index + 1));
    if (rule.id.empty()) return std::nullopt;
    r.set_label("rule " + quoted(rule.id));
    if (auto name = r.string("name", Need::optional)) rule.name = *name;
    rule.position = r.position("position");
    rule.match_all = r.choice("match", {"all", "any"}, defaulted()).value_or("all") == "all";
    if (const json::array* conditions = r.array("conditions", defaulted())) {
      for (std::size_t i = 0; i < conditions->size(); ++i) {
        auto c = condition((*conditions)[i], index_path(r.path(), "conditions", i), r.label(),
                           rule.id + "-if-" + std::to_string(i + 1));
        if (c) rule.conditions.push_back(std::move(*c));
      }
    }
    return rule;
  }

  // Final actions (route, bot, queue, offline) must end the sequence, and only there.
  // paths[i] is where actions[i] was read.
  void check_sequence(const std::vector<Action>& actions, const std::vector<std::string>& paths,
                      const std::string& owner_label, const std::string& owner_path,
                      bool may_be_empty) {
    if (actions.empty()) {
      if (!may_be_empty)
        errors_.push_back({"missing_action", owner_path,
                           owner_label + " leads to no action; give it at least one"});
      return;
    }
    for (std::size_t i = 0; i + 1 < actions.size(); ++i)
      if (actions[i].is_final())
        errors_.push_back({"invalid_sequence", paths[i],
                           owner_label + ", action " + quoted(actions[i].id) + ": a " +
                               to_string(actions[i].type) +
                               " action settles the conversation; nothing may follow it"});
    if (!actions.back().is_final())
      errors_.push_back({"invalid_sequence", paths.back(),
                         owner_label + " ends with a message; end it with a route, bot, queue "
                                       "or offline action"});
  }

  Errors& errors() { return errors_; }
  std::set<std::string>& ids() { return ids_; }

 private:
  const Catalog& catalog_;
  Errors& errors_;
  bool lenient_;
  std::set<std::string> ids_;  // every node id so far: ids are unique across the graph
};

// The JSON form's edges: from a rule, the fallback or an action to an action.
struct Edges {
  std::map<std::string, std::string> next;       // from -> to
  std::map<std::string, std::size_t> edge_into;  // action id -> index of its edge
};

}  // namespace

std::optional<Graph> from_json(const json::value& root_value, const Catalog& catalog,
                               Errors& errors) {
  const std::size_t errors_before = errors.size();
  Parser parser(catalog, errors, false);
  ObjectReader root(root_value, "", "", errors);
  if (!root.is_object()) return std::nullopt;
  const json::array* rules_json = root.array("rules", Need::required);
  const json::array* actions_json = root.array("actions", Need::required);
  const json::value* fallback_json = root.value("fallback", Need::required);
  const json::array* edges_json = root.array("edges", Need::required);
  root.reject_unknown();
  if (!rules_json || !actions_json || !fallback_json || !edges_json) return std::nullopt;

  Graph graph;
  std::vector<std::string> rule_paths;
  for (std::size_t i = 0; i < rules_json->size(); ++i) {
    ObjectReader r((*rules_json)[i], index_path("", "rules", i), "", errors);
    if (!r.is_object()) continue;
    if (auto rule = parser.rule(r, i)) {
      r.reject_unknown();
      graph.rules.push_back(std::move(*rule));
      rule_paths.push_back(r.path());
    }
  }
  {
    ObjectReader r(*fallback_json, "fallback", "the fallback", errors);
    if (r.is_object()) {
      graph.fallback.id = parser.read_id(r, "");
      graph.fallback.position = r.position("position");
      r.reject_unknown();
    }
  }

  // Which action ids exist, before reading the actions, so edges can be checked
  // and each action read knowing its rule.
  std::map<std::string, std::size_t> action_index;
  for (std::size_t i = 0; i < actions_json->size(); ++i) {
    const json::object* o = (*actions_json)[i].if_object();
    const json::value* id = o ? o->if_contains("id") : nullptr;
    if (id && id->is_string()) action_index.emplace(std::string(id->get_string()), i);
  }
  // Rules and the fallback, including rules with a problem of their own (reported),
  // so that their edges are not reported again.
  std::set<std::string> sources;
  for (const auto& rule : *rules_json) {
    const json::object* o = rule.if_object();
    const json::value* id = o ? o->if_contains("id") : nullptr;
    if (id && id->is_string()) sources.emplace(id->get_string());
  }
  if (!graph.fallback.id.empty()) sources.insert(graph.fallback.id);

  Edges edges;
  for (std::size_t i = 0; i < edges_json->size(); ++i) {
    ObjectReader r((*edges_json)[i], index_path("", "edges", i), "", errors);
    if (!r.is_object()) continue;
    auto from = r.string("from", Need::required);
    auto to = r.string("to", Need::required);
    r.reject_unknown();
    if (!from || !to) continue;
    r.set_label("edge " + quoted(*from) + " -> " + quoted(*to));
    if (!sources.count(*from) && !action_index.count(*from)) {
      r.error("dangling_edge", "from", quoted(*from) + " is not a rule, the fallback or an action");
    } else if (!action_index.count(*to)) {
      r.error(sources.count(*to) ? "invalid_edge" : "dangling_edge", "to",
              sources.count(*to) ? quoted(*to) +
                                       " is a rule or the fallback; edges lead to actions (rules "
                                       "are evaluated in the order of \"rules\")"
                                 : quoted(*to) + " is not an action");
    } else if (*from == *to) {
      r.error("cycle", "to", "leads back to where it starts");
    } else if (edges.next.count(*from)) {
      r.error("invalid_edge", "from",
              quoted(*from) + " already leads to " + quoted(edges.next[*from]) +
                  "; a node leads to one next action");
    } else if (edges.edge_into.count(*to)) {
      r.error("invalid_edge", "to",
              "action " + quoted(*to) +
                  " already follows another node; an action belongs to "
                  "one rule (copy it for another)");
    } else {
      edges.next[*from] = *to;
      edges.edge_into[*to] = i;
    }
  }

  // Walk each rule's chain of actions. Every action may have one edge in, so a
  // walk from a rule can never loop; loops can only hide among unowned actions.
  std::map<std::string, std::string> owner_label;
  std::map<std::string, std::vector<std::string>> sequence;  // source id -> action ids
  for (const auto& source : sources) {
    std::string label = source == graph.fallback.id ? "the fallback" : "rule " + quoted(source);
    for (auto it = edges.next.find(source); it != edges.next.end();
         it = edges.next.find(it->second)) {
      owner_label[it->second] = label;
      sequence[source].push_back(it->second);
    }
  }
  std::set<std::string> reported;
  for (const auto& [id, index] : action_index) {
    if (owner_label.count(id) || reported.count(id)) continue;
    // Follow edges onward: back to id means a cycle, else a loose chain.
    std::string at = id;
    std::vector<std::string> walk{id};
    bool cycle = false;
    for (auto it = edges.next.find(at); it != edges.next.end(); it = edges.next.find(it->second)) {
      if (it->second == id) {
        cycle = true;
        break;
      }
      if (std::find(walk.begin(), walk.end(), it->second) != walk.end()) break;
      walk.push_back(it->second);
    }
    if (cycle) {
      std::string loop;
      for (const auto& step : walk) loop += step + " -> ";
      errors.push_back({"cycle", index_path("", "edges", edges.edge_into.at(id)),
                        "edges form a cycle: " + loop + id});
      reported.insert(walk.begin(), walk.end());
    } else if (!edges.edge_into.count(id)) {
      errors.push_back({"unconnected", index_path("", "actions", index),
                        "action " + quoted(id) +
                            " is not connected: add an edge to it from a rule, the fallback or "
                            "another action, or delete it"});
    }
  }

  std::map<std::string, Action> actions;
  std::map<std::string, std::string> action_path;
  for (std::size_t i = 0; i < actions_json->size(); ++i) {
    std::string path = index_path("", "actions", i);
    const json::object* o = (*actions_json)[i].if_object();
    const json::value* id = o ? o->if_contains("id") : nullptr;
    std::string key = id && id->is_string() ? std::string(id->get_string()) : "";
    auto owner = owner_label.find(key);
    auto a = parser.action((*actions_json)[i], path,
                           owner == owner_label.end() ? "" : owner->second, "");
    if (a) {
      action_path[a->id] = path;
      actions.emplace(a->id, std::move(*a));
    }
  }

  auto assemble = [&](const std::string& source, std::vector<Action>& out, const std::string& label,
                      const std::string& path, bool may_be_empty) {
    std::vector<std::string> paths;
    for (const auto& id : sequence[source]) {
      auto it = actions.find(id);
      if (it == actions.end()) return;  // reported already
      out.push_back(it->second);
      paths.push_back(action_path[id]);
    }
    parser.check_sequence(out, paths, label, path, may_be_empty);
  };
  for (std::size_t i = 0; i < graph.rules.size(); ++i)
    assemble(graph.rules[i].id, graph.rules[i].actions, "rule " + quoted(graph.rules[i].id),
             rule_paths[i], false);
  if (!graph.fallback.id.empty())
    assemble(graph.fallback.id, graph.fallback.actions, "the fallback", "fallback", true);

  if (errors.size() != errors_before) return std::nullopt;
  return graph;
}

std::optional<Graph> from_toml_values(const json::value* rules, const json::value* fallback,
                                      const Catalog& catalog, Errors& errors,
                                      std::string_view prefix) {
  const std::size_t errors_before = errors.size();
  Parser parser(catalog, errors, true);
  Graph graph;

  auto read_actions = [&](ObjectReader& r, const std::string& owner_id, std::vector<Action>& out,
                          bool required) {
    const json::array* list = r.array("actions", required ? Need::required : Need::optional);
    if (!list) return;
    std::vector<std::string> paths;
    for (std::size_t i = 0; i < list->size(); ++i) {
      std::string path = index_path(r.path(), "actions", i);
      auto a =
          parser.action((*list)[i], path, r.label(), owner_id + "-do-" + std::to_string(i + 1));
      if (!a) return;
      out.push_back(std::move(*a));
      paths.push_back(path);
    }
    parser.check_sequence(out, paths, r.label(), r.field("actions"), !required);
  };

  if (rules) {
    const json::array* list = rules->if_array();
    if (!list) {
      errors.push_back({"invalid_field", std::string(prefix) + ".rules",
                        "must be an array of tables ([[routing.rules]])"});
    } else {
      for (std::size_t i = 0; i < list->size(); ++i) {
        ObjectReader r((*list)[i], index_path(prefix, "rules", i), "", errors);
        if (!r.is_object()) continue;
        auto rule = parser.rule(r, i);
        if (!rule) continue;
        read_actions(r, rule->id, rule->actions, true);
        r.reject_unknown();
        graph.rules.push_back(std::move(*rule));
      }
    }
  }
  if (fallback) {
    ObjectReader r(*fallback, std::string(prefix) + ".fallback", "the fallback", errors);
    if (r.is_object()) {
      graph.fallback.id = parser.read_id(r, "fallback");
      graph.fallback.position = r.position("position");
      read_actions(r, graph.fallback.id, graph.fallback.actions, false);
      r.reject_unknown();
    }
  } else if (!parser.ids().insert("fallback").second) {
    errors.push_back({"duplicate_id", std::string(prefix) + ".fallback",
                      "'fallback' is the fallback's id; give the node that uses it another id, "
                      "or set [routing.fallback] id"});
  }
  if (errors.size() != errors_before) return std::nullopt;
  return graph;
}

}  // namespace sb::routing_graph
