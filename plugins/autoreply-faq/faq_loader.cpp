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
  if (by_language->empty()) reader.fail(reader.line_of(*node), "answer", "must not be empty");
  // toml++ keeps a table's keys sorted, not in file order: "first" is by position.
  auto first_position = std::make_pair(~0u, ~0u);
  for (const auto& [language, text] : *by_language) {
    const auto key = "answer." + std::string(language.str());
    const auto line = reader.line_of(text);
    const auto* value = text.as_string();
    if (!value) reader.fail(line, key, "must be a string");
    if (autoreply::is_blank(value->get())) reader.fail(line, key, "must not be empty");
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

std::vector<FaqEntry> read_entries(const toml::table& root, std::string_view file) {
  std::vector<FaqEntry> entries;
  const auto* array = autoreply::table_list(root, file, "entries", "a knowledge base");
  if (!array) return entries;  // an empty knowledge base is valid: it never answers
  std::map<std::string, std::uint32_t> id_lines;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const ItemReader reader(file, *array->get(i)->as_table(), "entries", i);
    reader.reject_unknown_keys({"id", "questions", "answer", "tags"});
    FaqEntry entry;
    entry.id = reader.string_at("id");
    const auto id_line = reader.line_of(*reader.table().get("id"));
    if (auto [it, inserted] = id_lines.emplace(entry.id, id_line); !inserted) {
      reader.fail(id_line, "id",
                  "duplicate id '" + entry.id + "' (first used on line " +
                      std::to_string(it->second) + ")");
    }
    entry.questions = reader.strings_at("questions", true);
    for (std::size_t q = 0; q < entry.questions.size(); ++q) {
      if (tokenize(entry.questions[q]).empty()) {
        reader.fail(reader.line_of_element("questions", q), "questions[" + std::to_string(q) + "]",
                    "has no searchable words");
      }
    }
    read_answer(reader, entry);
    entry.tags = reader.strings_at("tags", false);
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace

std::vector<FaqEntry> parse_faq(std::string_view toml_text, std::string_view source_name) {
  return read_entries(autoreply::parse_toml(toml_text, source_name), source_name);
}

std::vector<FaqEntry> load_faq_file(const std::filesystem::path& path) {
  return parse_faq(autoreply::read_text_file(path), path.string());
}

}  // namespace switchboard::faq
