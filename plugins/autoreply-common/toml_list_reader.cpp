#include "toml_list_reader.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace switchboard::autoreply {

namespace {

// A value as the tag writes it: the bytes that would end it or the tag, and '%'
// itself, as %XX; UTF-8 text stays as it is.
std::string tag_value(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F || c == '%' || c == ' ' || c == ':' || c == '=' || c == '[' ||
        c == ']') {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string problem_tag(const Problem& problem) {
  if (problem.code.empty()) return {};
  std::string out = "[" + problem.code;
  for (const auto& [name, value] : problem.values) out += " " + name + "=" + tag_value(value);
  return out + "] ";
}

std::string describe_location(std::string_view file, std::uint32_t line, std::string_view key,
                              std::string_view reason, const Problem& problem) {
  std::string out = problem_tag(problem);
  out += file;
  out += ':' + std::to_string(line) + ": ";
  if (!key.empty()) out += std::string(key) + ": ";
  out += reason;
  return out;
}

LoadError::LoadError(std::string file, std::uint32_t line, std::string key,
                     const std::string& reason, Problem problem)
    : std::runtime_error(describe_location(file, line, key, reason, problem)),
      file_(std::move(file)),
      line_(line),
      key_(std::move(key)),
      reason_(reason),
      problem_(std::move(problem)) {}

bool is_blank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LoadError(path.string(), 0, "", "cannot open the file", {"unreadable", {}});
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

toml::table parse_toml(std::string_view text, std::string_view source_name) {
  try {
    return toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    throw LoadError(std::string(source_name), e.source().begin.line, "",
                    std::string(e.description()), {"syntax", {}});
  }
}

const toml::array* table_list(const toml::table& root, std::string_view file,
                              std::string_view list_key, std::string_view what,
                              std::initializer_list<std::string_view> other_keys) {
  for (const auto& [key, node] : root) {
    if (key.str() == list_key ||
        std::find(other_keys.begin(), other_keys.end(), key.str()) != other_keys.end())
      continue;
    std::string holds = "[[" + std::string(list_key) + "]]";
    for (const auto other : other_keys) holds += ", " + std::string(other);
    throw LoadError(std::string(file), key.source().begin.line, std::string(key.str()),
                    "unknown key (" + std::string(what) + " holds only " + holds + ")",
                    {"unknown_key", {{"expected", holds}}});
  }
  const auto* node = root.get(list_key);
  if (!node) return nullptr;
  const auto* array = node->as_array();
  // `entries = []` is a list of no tables (what the admin page writes once every
  // entry is deleted), not a mistake: toml++ calls no empty array one of tables.
  if (!array || (!array->empty() && !array->is_array_of_tables())) {
    throw LoadError(std::string(file), node->source().begin.line, std::string(list_key),
                    "must be an array of tables ([[" + std::string(list_key) + "]])",
                    {"not_table_list", {}});
  }
  return array;
}

ItemReader::ItemReader(std::string_view file, const toml::table& table, std::string_view list_key,
                       std::size_t index)
    : file_(file),
      table_(table),
      prefix_(std::string(list_key) + "[" + std::to_string(index) + "]") {}

void ItemReader::fail(std::uint32_t line, std::string_view key, const std::string& reason,
                      Problem problem) const {
  throw LoadError(std::string(file_), line,
                  key.empty() ? prefix_ : prefix_ + "." + std::string(key), reason,
                  std::move(problem));
}

std::uint32_t ItemReader::line_of(const toml::node& node) const {
  return node.source().begin.line ? node.source().begin.line : table_line();
}

void ItemReader::reject_unknown_keys(std::initializer_list<std::string_view> allowed) const {
  for (const auto& [key, node] : table_) {
    const auto name = key.str();
    bool known = false;
    std::string expected;
    for (const auto candidate : allowed) {
      known = known || candidate == name;
      if (!expected.empty()) expected += ", ";
      expected += candidate;
    }
    if (!known) {
      fail(key.source().begin.line ? key.source().begin.line : line_of(node), name,
           "unknown key (expected " + expected + ")", {"unknown_key", {{"expected", expected}}});
    }
  }
}

std::string ItemReader::string_at(std::string_view key) const {
  const auto* node = table_.get(key);
  if (!node) fail(table_line(), key, "missing", {"missing", {}});
  const auto* value = node->as_string();
  if (!value) fail(line_of(*node), key, "must be a string", {"not_string", {}});
  if (is_blank(value->get())) fail(line_of(*node), key, "must not be empty", {"empty", {}});
  return value->get();
}

std::vector<std::string> ItemReader::strings_at(std::string_view key, bool required) const {
  std::vector<std::string> out;
  const auto* node = table_.get(key);
  if (!node) {
    if (required) fail(table_line(), key, "missing", {"missing", {}});
    return out;
  }
  const auto* array = node->as_array();
  if (!array) fail(line_of(*node), key, "must be an array of strings", {"not_string_list", {}});
  if (required && array->empty()) fail(line_of(*node), key, "must not be empty", {"empty", {}});
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto& element = *array->get(i);
    const auto element_key = std::string(key) + "[" + std::to_string(i) + "]";
    const auto* value = element.as_string();
    if (!value) fail(line_of(element), element_key, "must be a string", {"not_string", {}});
    if (is_blank(value->get()))
      fail(line_of(element), element_key, "must not be empty", {"empty", {}});
    out.push_back(value->get());
  }
  return out;
}

std::uint32_t ItemReader::line_of_element(std::string_view key, std::size_t i) const {
  return line_of(*table_.get(key)->as_array()->get(i));
}

}  // namespace switchboard::autoreply
