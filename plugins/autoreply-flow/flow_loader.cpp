#include "flow_loader.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "flow_text.hpp"

namespace switchboard::flow {
namespace {

bool is_name(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool is_language(std::string_view tag) {
  if (tag.size() < 2 || tag.size() > 3) return false;
  return std::all_of(tag.begin(), tag.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

std::uint32_t line_of(const toml::node& node, std::uint32_t fallback) {
  return node.source().begin.line ? node.source().begin.line : fallback;
}

// A malformed {param} template's code, and the name when it is a bad one.
autoreply::Problem placeholder_problem(const Placeholders& used) {
  autoreply::Problem problem{used.code, {}};
  if (!used.bad_name.empty()) problem.values.emplace_back("name", used.bad_name);
  return problem;
}

// A reference to check once every file is read: targets may name nodes of flows in
// later files, and {param} names may be captured in another flow.
struct PendingTarget {
  Target* target;  // points into the FlowSet, whose nodes do not move once built
  std::string file;
  std::uint32_t line;
  std::string key;
};
struct PendingParam {
  std::string name;
  std::string file;
  std::uint32_t line;
  std::string key;
};

// Reads one file's tables; knows the file name for errors.
class FileReader {
 public:
  FileReader(std::string file, const std::string& default_language)
      : file_(std::move(file)), default_language_(default_language) {}

  [[noreturn]] void fail(std::uint32_t line, const std::string& key, const std::string& reason,
                         autoreply::Problem problem) const {
    throw FlowLoadError(file_, line, key, reason, std::move(problem));
  }

  void reject_unknown_keys(const toml::table& table, const std::string& prefix,
                           std::initializer_list<std::string_view> known) const {
    for (const auto& [key, node] : table) {
      if (std::find(known.begin(), known.end(), key.str()) != known.end()) continue;
      std::string list;
      for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      fail(key.source().begin.line ? key.source().begin.line : line_of(node, 0),
           join(prefix, key.str()), "unknown key (expected " + list + ")",
           {"unknown_key", {{"expected", list}}});
    }
  }

  static std::string join(const std::string& prefix, std::string_view key) {
    return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
  }

  const toml::table& table_at(const toml::node& node, const std::string& key,
                              std::uint32_t line) const {
    const auto* table = node.as_table();
    if (!table) fail(line_of(node, line), key, "must be a table", {"not_table", {}});
    return *table;
  }

  std::string string_at(const toml::node& node, const std::string& key, std::uint32_t line,
                        bool allow_empty = false) const {
    const auto* value = node.as_string();
    if (!value) fail(line_of(node, line), key, "must be a string", {"not_string", {}});
    if (!allow_empty && value->get().find_first_not_of(" \t\r\n") == std::string::npos)
      fail(line_of(node, line), key, "must not be empty", {"empty", {}});
    return value->get();
  }

  bool bool_at(const toml::node& node, const std::string& key, std::uint32_t line) const {
    const auto* value = node.as_boolean();
    if (!value) fail(line_of(node, line), key, "must be true or false", {"not_boolean", {}});
    return value->get();
  }

  std::int64_t integer_at(const toml::node& node, const std::string& key, std::uint32_t line,
                          std::int64_t min, std::int64_t max) const {
    const auto* value = node.as_integer();
    if (!value) fail(line_of(node, line), key, "must be an integer", {"not_integer", {}});
    if (value->get() < min || value->get() > max)
      fail(line_of(node, line), key,
           "must be between " + std::to_string(min) + " and " + std::to_string(max),
           {"out_of_range", {{"min", std::to_string(min)}, {"max", std::to_string(max)}}});
    return value->get();
  }

  std::vector<std::string> strings_at(const toml::node& node, const std::string& key,
                                      std::uint32_t line) const {
    const auto* array = node.as_array();
    if (!array || array->empty())
      fail(line_of(node, line), key, "must be an array of strings",
           {array ? "empty" : "not_string_list", {}});
    std::vector<std::string> out;
    for (std::size_t i = 0; i < array->size(); ++i)
      out.push_back(string_at(*array->get(i), key + "[" + std::to_string(i) + "]", line));
    return out;
  }

  // "text" (every language) or { en = "...", zh = "..." } with the default language.
  LocalizedText text_at(const toml::node& node, const std::string& key, std::uint32_t line,
                        std::vector<PendingParam>& params) const {
    LocalizedText text;
    if (node.is_string()) {
      text[default_language_] = string_at(node, key, line);
    } else if (const auto* table = node.as_table()) {
      for (const auto& [language, value] : *table) {
        const std::string language_key = join(key, language.str());
        if (!is_language(language.str()))
          fail(line_of(value, line), language_key,
               "is not a language code (two or three lower-case letters, e.g. en, zh)",
               {"bad_language", {{"value", std::string(language.str())}}});
        text[std::string(language.str())] = string_at(value, language_key, line);
      }
      if (!text.contains(default_language_))
        fail(line_of(node, line), key,
             "has no text in the default language '" + default_language_ +
                 "' (used when the visitor's language has none)",
             {"no_default_language", {{"language", default_language_}}});
    } else {
      fail(line_of(node, line), key,
           "must be a string or a table of languages, e.g. { en = \"...\", zh = \"...\" }",
           {"not_text", {}});
    }
    for (const auto& [language, value] : text) {
      const std::string language_key = node.is_table() ? join(key, language) : key;
      auto used = placeholders(value);
      if (!used.error.empty())
        fail(line_of(node, line), language_key, used.error, placeholder_problem(used));
      for (auto& name : used.names)
        params.push_back({std::move(name), file_, line_of(node, line), language_key});
    }
    return text;
  }

  // "node" (in this flow) or "flow/node".
  Target target_at(const toml::node& node, const std::string& key, std::uint32_t line,
                   const std::string& flow) const {
    const std::string text = string_at(node, key, line);
    const auto slash = text.find('/');
    Target target{flow, text};
    if (slash != std::string::npos) target = {text.substr(0, slash), text.substr(slash + 1)};
    if (!is_name(target.flow) || !is_name(target.node))
      fail(line_of(node, line), key,
           "'" + text + "' is not a node name or flow/node ([A-Za-z0-9_-]+)",
           {"bad_target", {{"value", text}}});
    return target;
  }

  const std::string& file() const { return file_; }
  const std::string& default_language() const { return default_language_; }

 private:
  std::string file_;
  const std::string& default_language_;
};

class SetBuilder {
 public:
  explicit SetBuilder(const std::string& default_language) {
    result_.flows.default_language = default_language;
  }

  void read_file(const FlowSource& source) {
    const toml::table root = autoreply::parse_toml(source.text, source.name);
    FileReader reader(source.name, result_.flows.default_language);
    reader.reject_unknown_keys(root, "", {"flows", "tables"});
    if (const auto* tables = root.get("tables")) read_tables(reader, *tables);
    if (const auto* flows = root.get("flows")) {
      const auto& table = reader.table_at(*flows, "flows", 1);
      // In the order written, which decides which flow a shared keyword starts.
      std::vector<std::pair<std::string, const toml::node*>> ordered;
      for (const auto& [name, node] : table) ordered.emplace_back(std::string(name.str()), &node);
      std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
        return a.second->source().begin.line < b.second->source().begin.line;
      });
      for (const auto& [name, node] : ordered) read_flow(reader, name, *node);
    }
  }

  LoadedFlows finish(const std::string& first_file) {
    if (result_.flows.flows.empty())
      throw FlowLoadError(first_file, 0, "flows", "no flow is defined ([flows.NAME])",
                          {"missing", {}});
    check_targets();
    check_params();
    check_forwarding_cycles();
    warn_unreachable();
    return std::move(result_);
  }

 private:
  void read_tables(const FileReader& reader, const toml::node& node) {
    const auto& tables = reader.table_at(node, "tables", 1);
    for (const auto& [name, table_node] : tables) {
      const std::string key = "tables." + std::string(name.str());
      const std::uint32_t line = line_of(table_node, 1);
      if (!is_name(name.str()))
        reader.fail(line, key, "a table name is [A-Za-z0-9_-]+",
                    {"bad_name", {{"name", std::string(name.str())}}});
      if (auto [it, fresh] = table_files_.emplace(name.str(), reader.file()); !fresh)
        reader.fail(line, key, "a table of this name is already defined in " + it->second,
                    {"defined_twice", {{"other_file", it->second}}});
      auto& rows = result_.flows.tables[std::string(name.str())];
      std::vector<PendingParam> no_params;
      for (const auto& [row_key, value] : reader.table_at(table_node, key, line)) {
        const std::string row = key + "." + std::string(row_key.str());
        const std::string normalized = normalize(row_key.str());
        if (normalized.empty())
          reader.fail(line_of(value, line), row, "an empty key", {"empty", {}});
        if (rows.contains(normalized))
          reader.fail(line_of(value, line), row,
                      "the same key as another row (keys are compared ignoring case and spaces)",
                      {"duplicate_row", {}});
        rows[normalized] = reader.text_at(value, row, line, no_params);
        if (!no_params.empty())
          reader.fail(line_of(value, line), row, "a table's text cannot use {parameters}",
                      {"params_not_allowed", {}});
      }
    }
  }

  void read_flow(const FileReader& reader, const std::string& name, const toml::node& node) {
    const std::string prefix = "flows." + name;
    const std::uint32_t line = line_of(node, 1);
    if (!is_name(name))
      reader.fail(line, prefix, "a flow name is [A-Za-z0-9_-]+", {"bad_name", {{"name", name}}});
    if (const Flow* other = result_.flows.flow(name))
      reader.fail(line, prefix, "a flow of this name is already defined in " + other->file,
                  {"defined_twice", {{"other_file", other->file}}});
    const auto& table = reader.table_at(node, prefix, line);
    reader.reject_unknown_keys(table, prefix,
                               {"start", "keywords", "intents", "intent_confidence", "default",
                                "expire_after_s", "max_fallbacks", "nodes"});
    Flow& flow = result_.flows.flows.emplace_back();
    flow.name = name;
    flow.file = reader.file();
    const auto* start = table.get("start");
    if (!start)
      reader.fail(line, prefix + ".start", "missing (the node the flow begins with)",
                  {"missing", {}});
    flow.start = reader.string_at(*start, prefix + ".start", line);
    if (const auto* keywords = table.get("keywords")) {
      for (const auto& keyword : reader.strings_at(*keywords, prefix + ".keywords", line))
        flow.keywords.push_back(normalize(keyword));
    }
    if (const auto* intents = table.get("intents"))
      flow.intents = reader.strings_at(*intents, prefix + ".intents", line);
    if (const auto* confidence = table.get("intent_confidence")) {
      const auto value = confidence->value<double>();
      if (!value || *value < 0 || *value > 1)
        reader.fail(line_of(*confidence, line), prefix + ".intent_confidence",
                    "must be a number from 0 to 1", {"out_of_range", {{"min", "0"}, {"max", "1"}}});
      flow.intent_confidence = *value;
    }
    if (const auto* is_default = table.get("default")) {
      flow.is_default = reader.bool_at(*is_default, prefix + ".default", line);
      if (flow.is_default && default_flow_)
        reader.fail(line_of(*is_default, line), prefix + ".default",
                    "flow '" + *default_flow_ + "' is already the default flow",
                    {"second_default", {{"flow", *default_flow_}}});
      if (flow.is_default) default_flow_ = name;
    }
    if (const auto* expire = table.get("expire_after_s"))
      flow.expire_after_ms =
          1000 * reader.integer_at(*expire, prefix + ".expire_after_s", line, 1, kMaxExpireAfterS);
    if (const auto* fallbacks = table.get("max_fallbacks"))
      flow.max_fallbacks = static_cast<std::uint32_t>(
          reader.integer_at(*fallbacks, prefix + ".max_fallbacks", line, 0, kMaxRetries));
    if (flow.keywords.empty() && flow.intents.empty() && !flow.is_default)
      starters_needed_.push_back({name, reader.file(), line});

    const auto* nodes = table.get("nodes");
    if (!nodes)
      reader.fail(line, prefix + ".nodes", "missing (a flow needs at least one node)",
                  {"missing", {}});
    const auto& node_table = reader.table_at(*nodes, prefix + ".nodes", line);
    if (node_table.empty())
      reader.fail(line, prefix + ".nodes", "a flow needs at least one node", {"empty", {}});
    for (const auto& [node_name, node_value] : node_table)
      read_node(reader, flow, std::string(node_name.str()), node_value);
    if (!flow.node(flow.start))
      reader.fail(line_of(*start, line), prefix + ".start",
                  "'" + flow.start + "' is not a node of this flow",
                  {"unknown_node", {{"flow", name}, {"node", flow.start}}});
  }

  void read_node(const FileReader& reader, Flow& flow, const std::string& name,
                 const toml::node& value) {
    const std::string prefix = "flows." + flow.name + ".nodes." + name;
    const std::uint32_t line = line_of(value, 1);
    if (!is_name(name))
      reader.fail(line, prefix, "a node name is [A-Za-z0-9_-]+", {"bad_name", {{"name", name}}});
    const auto& table = reader.table_at(value, prefix, line);
    reader.reject_unknown_keys(
        table, prefix,
        {"message", "fallback", "options", "on_keyword", "on_intent", "capture", "lookup",
         "set_attributes", "handoff", "close", "ask_llm", "next"});
    Node& node = flow.nodes[name];
    node.name = name;
    node.line = line;
    const auto key = [&](std::string_view k) { return prefix + "." + std::string(k); };
    const auto target = [&](const toml::node& n, const std::string& k, Target& into) {
      into = reader.target_at(n, k, line, flow.name);
      targets_.push_back({&into, reader.file(), line_of(n, line), k});
    };

    if (const auto* n = table.get("message"))
      node.message = reader.text_at(*n, key("message"), line, params_);
    if (const auto* n = table.get("fallback"))
      node.fallback = reader.text_at(*n, key("fallback"), line, params_);
    if (const auto* n = table.get("options")) {
      const auto* array = n->as_array();
      if (!array || array->empty())
        reader.fail(line_of(*n, line), key("options"),
                    "must be an array of tables, e.g. [{ label = \"Yes\", next = \"node\" }]",
                    {array ? "empty" : "not_table_list", {}});
      node.options.resize(array->size());
      for (std::size_t i = 0; i < array->size(); ++i) {
        const std::string k = key("options[" + std::to_string(i) + "]");
        const auto& option = reader.table_at(*array->get(i), k, line);
        reader.reject_unknown_keys(option, k, {"label", "next"});
        const auto* label = option.get("label");
        const auto* next = option.get("next");
        if (!label)
          reader.fail(line_of(*array->get(i), line), k + ".label", "missing", {"missing", {}});
        if (!next)
          reader.fail(line_of(*array->get(i), line), k + ".next", "missing", {"missing", {}});
        std::vector<PendingParam> no_params;
        node.options[i].label = reader.text_at(*label, k + ".label", line, no_params);
        if (!no_params.empty())
          reader.fail(line_of(*label, line), k + ".label", "a label cannot use {parameters}",
                      {"params_not_allowed", {}});
        target(*next, k + ".next", node.options[i].next);
      }
    }
    if (const auto* n = table.get("on_keyword")) {
      const auto* array = n->as_array();
      if (!array || array->empty())
        reader.fail(line_of(*n, line), key("on_keyword"),
                    "must be an array of tables, e.g. [{ keywords = [\"refund\"], next = \"x\" }]",
                    {array ? "empty" : "not_table_list", {}});
      node.on_keyword.resize(array->size());
      for (std::size_t i = 0; i < array->size(); ++i) {
        const std::string k = key("on_keyword[" + std::to_string(i) + "]");
        const auto& entry = reader.table_at(*array->get(i), k, line);
        reader.reject_unknown_keys(entry, k, {"keywords", "next"});
        const auto* keywords = entry.get("keywords");
        const auto* next = entry.get("next");
        if (!keywords)
          reader.fail(line_of(*array->get(i), line), k + ".keywords", "missing", {"missing", {}});
        if (!next)
          reader.fail(line_of(*array->get(i), line), k + ".next", "missing", {"missing", {}});
        for (const auto& keyword : reader.strings_at(*keywords, k + ".keywords", line))
          node.on_keyword[i].keywords.push_back(normalize(keyword));
        target(*next, k + ".next", node.on_keyword[i].next);
      }
    }
    if (const auto* n = table.get("on_intent")) {
      const auto* array = n->as_array();
      if (!array || array->empty())
        reader.fail(line_of(*n, line), key("on_intent"),
                    "must be an array of tables, e.g. [{ intent = \"human\", next = \"x\" }]",
                    {array ? "empty" : "not_table_list", {}});
      node.on_intent.resize(array->size());
      for (std::size_t i = 0; i < array->size(); ++i) {
        const std::string k = key("on_intent[" + std::to_string(i) + "]");
        const auto& entry = reader.table_at(*array->get(i), k, line);
        reader.reject_unknown_keys(entry, k, {"intent", "next"});
        const auto* intent = entry.get("intent");
        const auto* next = entry.get("next");
        if (!intent)
          reader.fail(line_of(*array->get(i), line), k + ".intent", "missing", {"missing", {}});
        if (!next)
          reader.fail(line_of(*array->get(i), line), k + ".next", "missing", {"missing", {}});
        node.on_intent[i].intent = reader.string_at(*intent, k + ".intent", line);
        target(*next, k + ".next", node.on_intent[i].next);
      }
    }
    if (const auto* n = table.get("capture")) read_capture(reader, flow, node, *n, key("capture"));
    if (const auto* n = table.get("lookup")) read_lookup(reader, flow, node, *n, key("lookup"));
    if (const auto* n = table.get("set_attributes")) {
      for (const auto& [attribute, text] : reader.table_at(*n, key("set_attributes"), line)) {
        const std::string k = key("set_attributes." + std::string(attribute.str()));
        std::string templ = reader.string_at(text, k, line, true);
        auto used = placeholders(templ);
        if (!used.error.empty())
          reader.fail(line_of(text, line), k, used.error, placeholder_problem(used));
        for (auto& p : used.names) params_.push_back({std::move(p), reader.file(), line, k});
        node.set_attributes.emplace_back(std::string(attribute.str()), std::move(templ));
      }
    }
    if (const auto* n = table.get("handoff")) {
      if (const auto* group = n->as_string()) {
        node.handoff = Handoff{group->get()};
      } else if (const auto* flag = n->as_boolean(); flag && flag->get()) {
        node.handoff = Handoff{};
      } else {
        reader.fail(line_of(*n, line), key("handoff"),
                    "must be a group name, or true for any agent", {"not_handoff", {}});
      }
    }
    if (const auto* n = table.get("close")) node.close = reader.bool_at(*n, key("close"), line);
    if (const auto* n = table.get("ask_llm"))
      node.ask_llm = reader.bool_at(*n, key("ask_llm"), line);
    if (const auto* n = table.get("next")) {
      node.next.emplace();
      target(*n, key("next"), *node.next);
    }
    check_node_shape(reader, node, prefix, line);
  }

  void read_capture(const FileReader& reader, const Flow& flow, Node& node, const toml::node& n,
                    const std::string& prefix) {
    const std::uint32_t line = line_of(n, 1);
    const auto& table = reader.table_at(n, prefix, line);
    reader.reject_unknown_keys(
        table, prefix, {"param", "pattern", "next", "retry", "max_retries", "on_max_retries"});
    Capture& capture = node.capture.emplace();
    const auto required = [&](std::string_view k) -> const toml::node& {
      const auto* value = table.get(k);
      if (!value) reader.fail(line, prefix + "." + std::string(k), "missing", {"missing", {}});
      return *value;
    };
    capture.param = reader.string_at(required("param"), prefix + ".param", line);
    if (!is_name(capture.param) || capture.param.find('-') != std::string::npos)
      reader.fail(line, prefix + ".param", "a parameter name is [A-Za-z0-9_]+",
                  {"bad_param_name", {{"name", capture.param}}});
    defined_params_.insert(capture.param);
    capture.pattern = reader.string_at(required("pattern"), prefix + ".pattern", line);
    try {
      capture.regex = boost::regex(capture.pattern, boost::regex::perl);
    } catch (const boost::regex_error& e) {
      reader.fail(line_of(required("pattern"), line), prefix + ".pattern",
                  "not a valid regular expression: " + std::string(e.what()),
                  {"bad_pattern", {{"detail", e.what()}}});
    }
    if (boost::regex_search(std::string(), capture.regex))
      reader.fail(line_of(required("pattern"), line), prefix + ".pattern",
                  "matches an empty message, so every answer would be accepted",
                  {"pattern_matches_empty", {}});
    capture.next = reader.target_at(required("next"), prefix + ".next", line, flow.name);
    targets_.push_back({&capture.next, reader.file(), line, prefix + ".next"});
    if (const auto* retry = table.get("retry"))
      capture.retry = reader.text_at(*retry, prefix + ".retry", line, params_);
    if (const auto* max = table.get("max_retries"))
      capture.max_retries = static_cast<std::uint32_t>(
          reader.integer_at(*max, prefix + ".max_retries", line, 0, kMaxRetries));
    if (const auto* on_max = table.get("on_max_retries")) {
      capture.on_max_retries =
          reader.target_at(*on_max, prefix + ".on_max_retries", line, flow.name);
      targets_.push_back(
          {&*capture.on_max_retries, reader.file(), line, prefix + ".on_max_retries"});
    }
  }

  void read_lookup(const FileReader& reader, const Flow& flow, Node& node, const toml::node& n,
                   const std::string& prefix) {
    const std::uint32_t line = line_of(n, 1);
    const auto& table = reader.table_at(n, prefix, line);
    reader.reject_unknown_keys(table, prefix, {"table", "key", "into", "found", "missing"});
    Lookup& lookup = node.lookup.emplace();
    const auto required = [&](std::string_view k) -> const toml::node& {
      const auto* value = table.get(k);
      if (!value) reader.fail(line, prefix + "." + std::string(k), "missing", {"missing", {}});
      return *value;
    };
    lookup.table = reader.string_at(required("table"), prefix + ".table", line);
    tables_used_.push_back({lookup.table, reader.file(), line, prefix + ".table"});
    lookup.key_param = reader.string_at(required("key"), prefix + ".key", line);
    params_.push_back({lookup.key_param, reader.file(), line, prefix + ".key"});
    lookup.into_param = reader.string_at(required("into"), prefix + ".into", line);
    if (!is_name(lookup.into_param) || lookup.into_param.find('-') != std::string::npos)
      reader.fail(line, prefix + ".into", "a parameter name is [A-Za-z0-9_]+",
                  {"bad_param_name", {{"name", lookup.into_param}}});
    defined_params_.insert(lookup.into_param);
    lookup.found = reader.target_at(required("found"), prefix + ".found", line, flow.name);
    targets_.push_back({&lookup.found, reader.file(), line, prefix + ".found"});
    lookup.missing = reader.target_at(required("missing"), prefix + ".missing", line, flow.name);
    targets_.push_back({&lookup.missing, reader.file(), line, prefix + ".missing"});
  }

  // What a node does must be one thing: wait for the visitor, go on at once, look a
  // value up, or end the flow (hand off, close, ask the LLM, or just say its message).
  static void check_node_shape(const FileReader& reader, const Node& node,
                               const std::string& prefix, std::uint32_t line) {
    std::vector<std::string> roles;
    if (node.waits()) roles.push_back("options/on_keyword/on_intent/capture");
    if (node.next) roles.push_back("next");
    if (node.lookup) roles.push_back("lookup");
    if (node.handoff) roles.push_back("handoff");
    if (node.close) roles.push_back("close");
    if (node.ask_llm) roles.push_back("ask_llm");
    if (roles.size() > 1)
      reader.fail(line, prefix,
                  "a node does one of: wait for an answer (options, on_keyword, on_intent, "
                  "capture), next, lookup, handoff, close, ask_llm; this one has " +
                      roles[0] + " and " + roles[1],
                  {"two_actions", {{"first", roles[0]}, {"second", roles[1]}}});
    if (node.message.empty() && (node.waits() || roles.empty()))
      reader.fail(line, prefix + ".message",
                  node.waits() ? "missing (the node waits for an answer, so it must ask)"
                               : "missing (the node ends the flow without an action, so it "
                                 "must say something)",
                  {node.waits() ? "question_missing" : "message_missing", {}});
  }

  void check_targets() const {
    for (const auto& pending : targets_) {
      const Flow* flow = result_.flows.flow(pending.target->flow);
      if (!flow)
        throw FlowLoadError(pending.file, pending.line, pending.key,
                            "no flow named '" + pending.target->flow + "'",
                            {"unknown_flow", {{"flow", pending.target->flow}}});
      if (!flow->node(pending.target->node))
        throw FlowLoadError(
            pending.file, pending.line, pending.key,
            "flow '" + flow->name + "' has no node named '" + pending.target->node + "'",
            {"unknown_node", {{"flow", flow->name}, {"node", pending.target->node}}});
    }
    for (const auto& used : tables_used_) {
      if (!result_.flows.tables.contains(used.name))
        throw FlowLoadError(used.file, used.line, used.key,
                            "no table named '" + used.name + "' ([tables." + used.name + "])",
                            {"unknown_table", {{"table", used.name}}});
    }
  }

  void check_params() const {
    for (const auto& used : params_) {
      if (!defined_params_.contains(used.name))
        throw FlowLoadError(used.file, used.line, used.key,
                            "{" + used.name +
                                "} is not captured anywhere (no capture.param or lookup.into "
                                "of that name)",
                            {"unknown_param", {{"name", used.name}}});
    }
  }

  // Forwarding nodes (next, lookup) run in one turn; a circle of them never waits.
  void check_forwarding_cycles() const {
    const auto forwards = [](const Node& node) {
      std::vector<Target> out;
      if (node.next) out.push_back(*node.next);
      if (node.lookup) {
        out.push_back(node.lookup->found);
        out.push_back(node.lookup->missing);
      }
      return out;
    };
    std::set<std::pair<std::string, std::string>> done;
    std::vector<Target> path;
    std::function<void(const Target&)> visit = [&](const Target& at) {
      if (done.contains({at.flow, at.node})) return;
      if (std::find(path.begin(), path.end(), at) != path.end()) {
        std::string circle;
        auto from = std::find(path.begin(), path.end(), at);
        for (auto it = from; it != path.end(); ++it) circle += it->flow + "/" + it->node + " -> ";
        circle += at.flow + "/" + at.node;
        const Flow& flow = *result_.flows.flow(from->flow);
        throw FlowLoadError(flow.file, flow.node(from->node)->line,
                            "flows." + from->flow + ".nodes." + from->node,
                            "forwards in a circle without waiting for the visitor: " + circle,
                            {"forwarding_cycle", {{"circle", circle}}});
      }
      path.push_back(at);
      for (const auto& next : forwards(*result_.flows.node(at))) visit(next);
      path.pop_back();
      done.insert({at.flow, at.node});
    };
    for (const auto& flow : result_.flows.flows)
      for (const auto& [name, node] : flow.nodes) visit({flow.name, name});
  }

  void warn_unreachable() {
    std::set<std::pair<std::string, std::string>> reached;
    std::vector<Target> todo;
    for (const auto& flow : result_.flows.flows) todo.push_back({flow.name, flow.start});
    while (!todo.empty()) {
      Target at = todo.back();
      todo.pop_back();
      if (!reached.insert({at.flow, at.node}).second) continue;
      const Node& node = *result_.flows.node(at);
      for (const auto& o : node.options) todo.push_back(o.next);
      for (const auto& k : node.on_keyword) todo.push_back(k.next);
      for (const auto& i : node.on_intent) todo.push_back(i.next);
      if (node.capture) {
        todo.push_back(node.capture->next);
        if (node.capture->on_max_retries) todo.push_back(*node.capture->on_max_retries);
      }
      if (node.lookup) {
        todo.push_back(node.lookup->found);
        todo.push_back(node.lookup->missing);
      }
      if (node.next) todo.push_back(*node.next);
    }
    for (const auto& flow : result_.flows.flows) {
      for (const auto& [name, node] : flow.nodes) {
        if (!reached.contains({flow.name, name}))
          result_.warnings.push_back(autoreply::describe_location(
              flow.file, node.line, "flows." + flow.name + ".nodes." + name,
              "unreachable: no transition leads to this node", {"unreachable", {}}));
      }
    }
    // A flow without keywords, intents or default is still entered by a jump from
    // another flow; warn only when nothing at all leads into it.
    for (const auto& needed : starters_needed_) {
      bool jumped_into = false;
      for (const auto& pending : targets_) {
        const bool from_elsewhere = pending.key.rfind("flows." + needed.name + ".", 0) != 0;
        jumped_into = jumped_into || (pending.target->flow == needed.name && from_elsewhere);
      }
      if (!jumped_into)
        result_.warnings.push_back(
            autoreply::describe_location(needed.file, needed.line, "flows." + needed.name,
                                         "nothing starts this flow (no keywords, intents or "
                                         "default, and no other flow leads to it)",
                                         {"not_started", {}}));
    }
  }

  struct NamedUse {
    std::string name;
    std::string file;
    std::uint32_t line;
    std::string key;
  };
  struct StarterNeeded {
    std::string name;
    std::string file;
    std::uint32_t line;
  };

  LoadedFlows result_;
  std::optional<std::string> default_flow_;
  std::vector<PendingTarget> targets_;
  std::vector<PendingParam> params_;
  std::set<std::string> defined_params_;
  std::vector<NamedUse> tables_used_;
  std::map<std::string, std::string, std::less<>> table_files_;  // table -> its file
  std::vector<StarterNeeded> starters_needed_;
};

}  // namespace

LoadedFlows parse_flows(const std::vector<FlowSource>& sources,
                        const std::string& default_language) {
  if (!is_language(default_language))
    throw FlowLoadError("", 0, "default_language",
                        "'" + default_language + "' is not a language code (e.g. en, zh)",
                        {"bad_language", {{"value", default_language}}});
  if (sources.empty())
    throw FlowLoadError("", 0, "files", "no flow file is named", {"missing", {}});
  SetBuilder builder(default_language);
  for (const auto& source : sources) builder.read_file(source);
  return builder.finish(sources.front().name);
}

LoadedFlows load_flow_files(const std::vector<std::filesystem::path>& files,
                            const std::string& default_language) {
  std::vector<FlowSource> sources;
  for (const auto& path : files) {
    sources.push_back({path.string(), autoreply::read_text_file(path)});
  }
  return parse_flows(sources, default_language);
}

}  // namespace switchboard::flow
