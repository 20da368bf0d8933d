#include "faq_loader.hpp"

#include <toml++/toml.h>

#include <fstream>
#include <map>
#include <sstream>

namespace switchboard::faq {
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

class EntryReader {
 public:
  EntryReader(std::string_view file, const toml::table& table, std::size_t index)
      : file_(file), table_(table), prefix_("entries[" + std::to_string(index) + "]") {}

  [[noreturn]] void fail(std::uint32_t line, std::string_view key,
                         const std::string& reason) const {
    throw FaqLoadError(std::string(file_), line,
                       key.empty() ? prefix_ : prefix_ + "." + std::string(key), reason);
  }

  std::uint32_t table_line() const { return table_.source().begin.line; }

  std::uint32_t line_of(const toml::node& node) const {
    return node.source().begin.line ? node.source().begin.line : table_line();
  }

  void reject_unknown_keys() const {
    for (const auto& [key, node] : table_) {
      const auto name = key.str();
      if (name != "id" && name != "questions" && name != "answer" && name != "tags") {
        fail(key.source().begin.line ? key.source().begin.line : line_of(node), name,
             "unknown key (expected id, questions, answer, tags)");
      }
    }
  }

  // A required non-blank string.
  std::string string_at(std::string_view key) const {
    const auto* node = table_.get(key);
    if (!node) fail(table_line(), key, "missing");
    const auto* value = node->as_string();
    if (!value) fail(line_of(*node), key, "must be a string");
    if (is_blank(value->get())) fail(line_of(*node), key, "must not be empty");
    return value->get();
  }

  // An array of non-blank strings; `required` means it must exist and be non-empty.
  std::vector<std::string> strings_at(std::string_view key, bool required) const {
    std::vector<std::string> out;
    const auto* node = table_.get(key);
    if (!node) {
      if (required) fail(table_line(), key, "missing");
      return out;
    }
    const auto* array = node->as_array();
    if (!array) fail(line_of(*node), key, "must be an array of strings");
    if (required && array->empty()) fail(line_of(*node), key, "must not be empty");
    for (std::size_t i = 0; i < array->size(); ++i) {
      const auto& element = *array->get(i);
      const auto element_key = std::string(key) + "[" + std::to_string(i) + "]";
      const auto* value = element.as_string();
      if (!value) fail(line_of(element), element_key, "must be a string");
      if (is_blank(value->get())) fail(line_of(element), element_key, "must not be empty");
      out.push_back(value->get());
    }
    return out;
  }

  std::uint32_t line_of_element(std::string_view key, std::size_t i) const {
    return line_of(*table_.get(key)->as_array()->get(i));
  }

 private:
  std::string_view file_;
  const toml::table& table_;
  std::string prefix_;
};

std::vector<FaqEntry> read_entries(const toml::table& root, std::string_view file) {
  for (const auto& [key, node] : root) {
    if (key.str() != "entries") {
      throw FaqLoadError(std::string(file), key.source().begin.line, std::string(key.str()),
                         "unknown key (a knowledge base holds only [[entries]])");
    }
  }
  std::vector<FaqEntry> entries;
  const auto* node = root.get("entries");
  if (!node) return entries;  // an empty knowledge base is valid: it never answers
  const auto* array = node->as_array();
  if (!array || !array->is_array_of_tables()) {
    throw FaqLoadError(std::string(file), node->source().begin.line, "entries",
                       "must be an array of tables ([[entries]])");
  }
  std::map<std::string, std::uint32_t> id_lines;
  for (std::size_t i = 0; i < array->size(); ++i) {
    EntryReader reader(file, *array->get(i)->as_table(), i);
    reader.reject_unknown_keys();
    FaqEntry entry;
    entry.id = reader.string_at("id");
    const auto id_line = reader.line_of(*array->get(i)->as_table()->get("id"));
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

FaqLoadError::FaqLoadError(std::string file, std::uint32_t line, std::string key,
                           const std::string& reason)
    : std::runtime_error(describe(file, line, key, reason)),
      file_(std::move(file)),
      line_(line),
      key_(std::move(key)) {}

std::vector<FaqEntry> parse_faq(std::string_view toml_text, std::string_view source_name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    throw FaqLoadError(std::string(source_name), e.source().begin.line, "",
                       std::string(e.description()));
  }
  return read_entries(root, source_name);
}

std::vector<FaqEntry> load_faq_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FaqLoadError(path.string(), 0, "", "cannot open the file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_faq(text.str(), path.string());
}

}  // namespace switchboard::faq
