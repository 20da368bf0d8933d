#include "faq_loader.hpp"

#include <map>

namespace switchboard::faq {
namespace {

using autoreply::ItemReader;

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
    entry.answer = reader.string_at("answer");
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
