#include "intent_loader.hpp"

#include <map>

namespace switchboard::intent {
namespace {

using autoreply::is_blank;
using autoreply::ItemReader;

constexpr std::string_view kActions = "handoff, flow_node, faq_tag";

std::vector<std::string> read_examples(const ItemReader& reader) {
  const auto* node = reader.table().get("examples");
  if (!node) reader.fail(reader.table_line(), "examples", "missing", {"missing", {}});
  const auto* array = node->as_array();
  if (!array)
    reader.fail(reader.line_of(*node), "examples", "must be an array of strings",
                {"not_string_list", {}});
  const auto has = std::to_string(array->size());
  if (array->size() < kMinExamplesPerIntent) {
    const auto min = std::to_string(kMinExamplesPerIntent);
    reader.fail(reader.line_of(*node), "examples",
                "needs at least " + min + " examples (has " + has + ")",
                {"too_few_examples", {{"min", min}, {"has", has}}});
  }
  if (array->size() > kMaxExamplesPerIntent) {
    const auto max = std::to_string(kMaxExamplesPerIntent);
    reader.fail(reader.line_of(*node), "examples", "has more than " + max + " examples",
                {"too_many_examples", {{"max", max}, {"has", has}}});
  }
  auto examples = reader.strings_at("examples", true);
  for (std::size_t i = 0; i < examples.size(); ++i) {
    if (extract_features(examples[i], FeatureOptions{}).empty()) {
      reader.fail(reader.line_of_element("examples", i), "examples[" + std::to_string(i) + "]",
                  "has no words", {"no_words", {}});
    }
  }
  return examples;
}

// `action = { handoff = true }`, `{ flow_node = "x" }` or `{ faq_tag = "x" }`.
IntentAction read_action(const ItemReader& reader, std::string_view intent_name) {
  const auto* node = reader.table().get("action");
  const bool is_human = intent_name == "human";
  if (!node) return is_human ? IntentAction{IntentAction::Kind::handoff, {}} : IntentAction{};
  const auto* table = node->as_table();
  if (!table)
    reader.fail(reader.line_of(*node), "action", "must be a table, e.g. { handoff = true }",
                {"not_table", {}});
  if (table->size() != 1) {
    reader.fail(reader.line_of(*node), "action",
                "must have exactly one of handoff, flow_node, faq_tag",
                {"one_action", {{"expected", std::string(kActions)}}});
  }
  // The table iterator yields a proxy pair by value; keep it alive while we read it.
  const auto only = *table->begin();
  const auto& key = only.first;
  const auto& value = only.second;
  const auto key_name = std::string(key.str());
  const auto full_key = "action." + key_name;
  const auto line = key.source().begin.line ? key.source().begin.line : reader.line_of(*node);
  IntentAction action;
  if (key_name == "handoff") {
    const auto* flag = value.as_boolean();
    if (!flag || !flag->get()) {
      reader.fail(line, full_key, "must be true (omit action to not hand off)",
                  {"handoff_not_true", {}});
    }
    action.kind = IntentAction::Kind::handoff;
  } else if (key_name == "flow_node" || key_name == "faq_tag") {
    const auto* target = value.as_string();
    if (!target || is_blank(target->get())) {
      reader.fail(line, full_key, "must be a non-empty string",
                  {target ? "empty" : "not_string", {}});
    }
    action.kind =
        key_name == "flow_node" ? IntentAction::Kind::flow_node : IntentAction::Kind::faq_tag;
    action.target = target->get();
  } else {
    reader.fail(line, full_key, "unknown action (expected " + std::string(kActions) + ")",
                {"unknown_action", {{"expected", std::string(kActions)}}});
  }
  if (is_human && action.kind != IntentAction::Kind::handoff) {
    reader.fail(line, full_key, "the intent 'human' always hands off", {"human_hands_off", {}});
  }
  return action;
}

std::vector<IntentDefinition> read_intents(const toml::table& root, std::string_view file) {
  const auto* array = autoreply::table_list(root, file, "intents", "an intents file");
  if (!array) throw IntentLoadError(std::string(file), 0, "intents", "missing", {"missing", {}});
  if (array->size() < kMinIntents || array->size() > kMaxIntents) {
    const auto min = std::to_string(kMinIntents);
    const auto max = std::to_string(kMaxIntents);
    const auto has = std::to_string(array->size());
    throw IntentLoadError(
        std::string(file), root.get("intents")->source().begin.line, "intents",
        "needs " + min + " to " + max + " intents (has " + has + ")",
        array->size() < kMinIntents
            ? autoreply::Problem{"too_few_intents", {{"min", min}, {"has", has}}}
            : autoreply::Problem{"too_many_intents", {{"max", max}, {"has", has}}});
  }
  std::vector<IntentDefinition> intents;
  std::map<std::string, std::uint32_t> name_lines;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const ItemReader reader(file, *array->get(i)->as_table(), "intents", i);
    reader.reject_unknown_keys({"name", "examples", "action"});
    IntentDefinition intent;
    intent.name = reader.string_at("name");
    const auto name_line = reader.line_of(*reader.table().get("name"));
    if (auto [it, inserted] = name_lines.emplace(intent.name, name_line); !inserted) {
      reader.fail(name_line, "name",
                  "duplicate intent '" + intent.name + "' (first defined on line " +
                      std::to_string(it->second) + ")",
                  {"duplicate", {{"first_line", std::to_string(it->second)}}});
    }
    intent.examples = read_examples(reader);
    intent.action = read_action(reader, intent.name);
    intents.push_back(std::move(intent));
  }
  return intents;
}

}  // namespace

std::vector<IntentDefinition> parse_intents(std::string_view toml_text,
                                            std::string_view source_name) {
  return read_intents(autoreply::parse_toml(toml_text, source_name), source_name);
}

std::vector<IntentDefinition> load_intent_file(const std::filesystem::path& path) {
  return parse_intents(autoreply::read_text_file(path), path.string());
}

}  // namespace switchboard::intent
