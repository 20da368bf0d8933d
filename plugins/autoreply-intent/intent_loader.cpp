#include "intent_loader.hpp"

#include <toml++/toml.h>

#include <fstream>
#include <map>
#include <sstream>

namespace switchboard::intent {
namespace {

std::string describe(std::string_view file, std::uint32_t line, std::string_view key,
                     std::string_view reason) {
  std::string out(file);
  out += ':' + std::to_string(line) + ": ";
  if (!key.empty()) out += std::string(key) + ": ";
  out += reason;
  return out;
}

bool is_blank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

class IntentReader {
 public:
  IntentReader(std::string_view file, const toml::table& table, std::size_t index)
      : file_(file), table_(table), prefix_("intents[" + std::to_string(index) + "]") {}

  [[noreturn]] void fail(std::uint32_t line, std::string_view key,
                         const std::string& reason) const {
    throw IntentLoadError(std::string(file_), line,
                          key.empty() ? prefix_ : prefix_ + "." + std::string(key), reason);
  }

  std::uint32_t table_line() const { return table_.source().begin.line; }

  std::uint32_t line_of(const toml::node& node) const {
    return node.source().begin.line ? node.source().begin.line : table_line();
  }

  void reject_unknown_keys() const {
    for (const auto& [key, node] : table_) {
      const auto name = key.str();
      if (name != "name" && name != "examples" && name != "action") {
        fail(key.source().begin.line ? key.source().begin.line : line_of(node), name,
             "unknown key (expected name, examples, action)");
      }
    }
  }

  std::string name() const {
    const auto* node = table_.get("name");
    if (!node) fail(table_line(), "name", "missing");
    const auto* value = node->as_string();
    if (!value) fail(line_of(*node), "name", "must be a string");
    if (is_blank(value->get())) fail(line_of(*node), "name", "must not be empty");
    return value->get();
  }

  std::vector<std::string> examples() const {
    const auto* node = table_.get("examples");
    if (!node) fail(table_line(), "examples", "missing");
    const auto* array = node->as_array();
    if (!array) fail(line_of(*node), "examples", "must be an array of strings");
    if (array->size() < 3) {
      fail(line_of(*node), "examples",
           "needs at least 3 examples (has " + std::to_string(array->size()) + ")");
    }
    if (array->size() > kMaxExamplesPerIntent) {
      fail(line_of(*node), "examples",
           "has more than " + std::to_string(kMaxExamplesPerIntent) + " examples");
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < array->size(); ++i) {
      const auto& element = *array->get(i);
      const auto key = "examples[" + std::to_string(i) + "]";
      const auto* value = element.as_string();
      if (!value) fail(line_of(element), key, "must be a string");
      if (extract_features(value->get(), FeatureOptions{}).empty()) {
        fail(line_of(element), key, "has no words");
      }
      out.push_back(value->get());
    }
    return out;
  }

  // `action = { handoff = true }`, `{ flow_node = "x" }` or `{ faq_tag = "x" }`.
  IntentAction action(std::string_view intent_name) const {
    const auto* node = table_.get("action");
    const bool is_human = intent_name == "human";
    if (!node) return is_human ? IntentAction{IntentAction::Kind::handoff, {}} : IntentAction{};
    const auto* table = node->as_table();
    if (!table) fail(line_of(*node), "action", "must be a table, e.g. { handoff = true }");
    if (table->size() != 1) {
      fail(line_of(*node), "action", "must have exactly one of handoff, flow_node, faq_tag");
    }
    // The table iterator yields a proxy pair by value; keep it alive while we read it.
    const auto only = *table->begin();
    const auto& key = only.first;
    const auto& value = only.second;
    const auto key_name = std::string(key.str());
    const auto full_key = "action." + key_name;
    const auto line = key.source().begin.line ? key.source().begin.line : line_of(*node);
    IntentAction action;
    if (key_name == "handoff") {
      const auto* flag = value.as_boolean();
      if (!flag || !flag->get()) fail(line, full_key, "must be true (omit action to not hand off)");
      action.kind = IntentAction::Kind::handoff;
    } else if (key_name == "flow_node" || key_name == "faq_tag") {
      const auto* target = value.as_string();
      if (!target || is_blank(target->get())) fail(line, full_key, "must be a non-empty string");
      action.kind =
          key_name == "flow_node" ? IntentAction::Kind::flow_node : IntentAction::Kind::faq_tag;
      action.target = target->get();
    } else {
      fail(line, full_key, "unknown action (expected handoff, flow_node, faq_tag)");
    }
    if (is_human && action.kind != IntentAction::Kind::handoff) {
      fail(line, full_key, "the intent 'human' always hands off");
    }
    return action;
  }

 private:
  std::string_view file_;
  const toml::table& table_;
  std::string prefix_;
};

std::vector<IntentDefinition> read_intents(const toml::table& root, std::string_view file) {
  for (const auto& [key, node] : root) {
    if (key.str() != "intents") {
      throw IntentLoadError(std::string(file), key.source().begin.line, std::string(key.str()),
                            "unknown key (an intents file holds only [[intents]])");
    }
  }
  const auto* node = root.get("intents");
  if (!node) throw IntentLoadError(std::string(file), 0, "intents", "missing");
  const auto* array = node->as_array();
  if (!array || !array->is_array_of_tables()) {
    throw IntentLoadError(std::string(file), node->source().begin.line, "intents",
                          "must be an array of tables ([[intents]])");
  }
  if (array->size() < 2 || array->size() > kMaxIntents) {
    throw IntentLoadError(std::string(file), node->source().begin.line, "intents",
                          "needs 2 to " + std::to_string(kMaxIntents) + " intents (has " +
                              std::to_string(array->size()) + ")");
  }
  std::vector<IntentDefinition> intents;
  std::map<std::string, std::uint32_t> name_lines;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto& table = *array->get(i)->as_table();
    IntentReader reader(file, table, i);
    reader.reject_unknown_keys();
    IntentDefinition intent;
    intent.name = reader.name();
    const auto name_line = reader.line_of(*table.get("name"));
    if (auto [it, inserted] = name_lines.emplace(intent.name, name_line); !inserted) {
      reader.fail(name_line, "name",
                  "duplicate intent '" + intent.name + "' (first defined on line " +
                      std::to_string(it->second) + ")");
    }
    intent.examples = reader.examples();
    intent.action = reader.action(intent.name);
    intents.push_back(std::move(intent));
  }
  return intents;
}

}  // namespace

IntentLoadError::IntentLoadError(std::string file, std::uint32_t line, std::string key,
                                 const std::string& reason)
    : std::runtime_error(describe(file, line, key, reason)),
      file_(std::move(file)),
      line_(line),
      key_(std::move(key)) {}

std::vector<IntentDefinition> parse_intents(std::string_view toml_text,
                                            std::string_view source_name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    throw IntentLoadError(std::string(source_name), e.source().begin.line, "",
                          std::string(e.description()));
  }
  return read_intents(root, source_name);
}

std::vector<IntentDefinition> load_intent_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IntentLoadError(path.string(), 0, "", "cannot open the file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_intents(text.str(), path.string());
}

}  // namespace switchboard::intent
