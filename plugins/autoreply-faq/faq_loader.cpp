#include "faq_loader.hpp"

#include <map>
#include <utility>

namespace switchboard::faq {
namespace {

using autoreply::ItemReader;

// `answer = "..."`, or one per language: `answer = { en = "...", zh = "..." }`, whose
// default (for a visitor whose language has none) is English, else the first given.
void read_answer(const ItemReader& reader, FaqEntry& entry) {
  const auto* node = reader.table().get("answer");
  const auto* by_language = node ? node->as_table() : nullptr;
  if (!by_language) {
    entry.answer = reader.string_at("answer");
    return;
  }
  if (by_language->empty())
    reader.fail(reader.line_of(*node), "answer", "must not be empty", {"empty", {}});
  // toml++ keeps a table's keys sorted, not in file order: "first" is by position.
  auto first_position = std::make_pair(~0u, ~0u);
  for (const auto& [language, text] : *by_language) {
    const auto key = "answer." + std::string(language.str());
    const auto line = reader.line_of(text);
    const auto* value = text.as_string();
    if (!value) reader.fail(line, key, "must be a string", {"not_string", {}});
    if (autoreply::is_blank(value->get()))
      reader.fail(line, key, "must not be empty", {"empty", {}});
    entry.answers_by_language.emplace(language.str(), value->get());
    const auto position =
        std::make_pair(language.source().begin.line, language.source().begin.column);
    if (position < first_position) {
      first_position = position;
      entry.answer = value->get();
    }
  }
  if (auto english = entry.answers_by_language.find("en");
      english != entry.answers_by_language.end())
    entry.answer = english->second;
}

constexpr std::string_view kNotForBot = "not_for_bot";

std::vector<FaqEntry> read_entries(const toml::table& root, std::string_view file) {
  std::vector<FaqEntry> entries;
  const auto* array =
      autoreply::table_list(root, file, "entries", "a knowledge base", {kNotForBot});
  if (!array) return entries;  // an empty knowledge base is valid: it never answers
  std::map<std::string, std::uint32_t> id_lines;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const ItemReader reader(file, *array->get(i)->as_table(), "entries", i);
    reader.reject_unknown_keys({"id", "questions", "answer", "tags"});
    FaqEntry entry;
    entry.id = reader.string_at("id");
    const auto id_line = reader.line_of(*reader.table().get("id"));
    if (auto [it, inserted] = id_lines.emplace(entry.id, id_line); !inserted) {
      reader.fail(
          id_line, "id",
          "duplicate id '" + entry.id + "' (first used on line " + std::to_string(it->second) + ")",
          {"duplicate", {{"first_line", std::to_string(it->second)}}});
    }
    entry.questions = reader.strings_at("questions", true);
    for (std::size_t q = 0; q < entry.questions.size(); ++q) {
      if (tokenize(entry.questions[q]).empty()) {
        reader.fail(reader.line_of_element("questions", q), "questions[" + std::to_string(q) + "]",
                    "has no searchable words", {"no_words", {}});
      }
    }
    read_answer(reader, entry);
    entry.tags = reader.strings_at("tags", false);
    entries.push_back(std::move(entry));
  }
  return entries;
}

// not_for_bot = [...]: each a question with words to compare (an empty one would
// be like nothing and everything).
std::vector<std::string> read_not_for_bot(const toml::table& root, std::string_view file) {
  std::vector<std::string> out;
  const auto* node = root.get(kNotForBot);
  if (!node) return out;
  const auto* array = node->as_array();
  const auto line = [](const toml::node& n) { return n.source().begin.line; };
  if (!array)
    throw FaqLoadError(std::string(file), line(*node), "not_for_bot", "must be an array of strings",
                       {"not_string_list", {}});
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto& element = *array->get(i);
    const auto key = "not_for_bot[" + std::to_string(i) + "]";
    const auto* value = element.as_string();
    if (!value)
      throw FaqLoadError(std::string(file), line(element), key, "must be a string",
                         {"not_string", {}});
    if (tokenize(value->get()).empty())
      throw FaqLoadError(std::string(file), line(element), key, "has no searchable words",
                         {"no_words", {}});
    out.push_back(value->get());
  }
  return out;
}

}  // namespace

FaqFile parse_faq_file(std::string_view toml_text, std::string_view source_name) {
  const auto root = autoreply::parse_toml(toml_text, source_name);
  FaqFile file;
  file.entries = read_entries(root, source_name);
  file.not_for_bot = read_not_for_bot(root, source_name);
  return file;
}

std::vector<FaqEntry> parse_faq(std::string_view toml_text, std::string_view source_name) {
  return parse_faq_file(toml_text, source_name).entries;
}

FaqFile load_faq(const std::filesystem::path& path) {
  return parse_faq_file(autoreply::read_text_file(path), path.string());
}

std::vector<FaqEntry> load_faq_file(const std::filesystem::path& path) {
  return load_faq(path).entries;
}

}  // namespace switchboard::faq
