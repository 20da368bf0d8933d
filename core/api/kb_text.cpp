#include "api/kb_text.hpp"

#include <toml++/toml.h>

#include <sstream>

namespace sb::api {

namespace {

std::optional<toml::table> parsed(std::string_view text) {
  try {
    return toml::parse(text);
  } catch (const toml::parse_error&) {
    return std::nullopt;
  }
}

const toml::table* entry_table(const toml::table& root, std::string_view id) {
  const auto* entries = root["entries"].as_array();
  if (!entries) return nullptr;
  for (const auto& node : *entries) {
    const auto* entry = node.as_table();
    const auto* entry_id = entry ? entry->get_as<std::string>("id") : nullptr;
    if (entry_id && entry_id->get() == id) return entry;
  }
  return nullptr;
}

// toml++ positions are 1-based lines and columns counted in code points; the byte
// offset in text of such a position.
std::optional<std::size_t> byte_offset(std::string_view text, const toml::source_position& at) {
  std::size_t offset = 0;
  for (uint32_t line = 1; line < at.line; ++line) {
    offset = text.find('\n', offset);
    if (offset == std::string_view::npos) return std::nullopt;
    ++offset;
  }
  for (uint32_t column = 1; column < at.column; ++column) {
    if (offset >= text.size()) return std::nullopt;
    // Past one UTF-8 character: its lead byte and its continuation bytes.
    ++offset;
    while (offset < text.size() && (static_cast<unsigned char>(text[offset]) & 0xC0) == 0x80)
      ++offset;
  }
  return offset;
}

// A TOML string as toml++ writes it (quoted and escaped as needed).
std::string toml_string(std::string_view value) {
  std::ostringstream out;
  out << toml::value<std::string>(std::string(value));
  return std::move(out).str();
}

std::string toml_string_list(const std::vector<std::string>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + toml_string(values[i]);
  return out + "]";
}

}  // namespace

std::optional<std::vector<std::string>> kb_entry_ids(std::string_view text) {
  auto root = parsed(text);
  if (!root) return std::nullopt;
  std::vector<std::string> ids;
  if (const auto* entries = (*root)["entries"].as_array())
    for (const auto& node : *entries)
      if (const auto* entry = node.as_table())
        if (const auto* id = entry->get_as<std::string>("id")) ids.push_back(id->get());
  return ids;
}

std::vector<std::string> kb_entry_questions(std::string_view text, std::string_view entry_id) {
  std::vector<std::string> out;
  auto root = parsed(text);
  const auto* entry = root ? entry_table(*root, entry_id) : nullptr;
  const auto* questions = entry ? entry->get_as<toml::array>("questions") : nullptr;
  if (questions)
    for (const auto& q : *questions)
      if (const auto* s = q.as_string()) out.push_back(s->get());
  return out;
}

std::optional<std::string> kb_with_question(std::string_view text, std::string_view entry_id,
                                            std::string_view question, std::string& why) {
  auto root = parsed(text);
  if (!root) {
    why = "the knowledge base is not valid TOML";
    return std::nullopt;
  }
  const auto* entry = entry_table(*root, entry_id);
  const auto* questions = entry ? entry->get_as<toml::array>("questions") : nullptr;
  if (!questions || questions->empty()) {
    why = "no entry '" + std::string(entry_id) + "' with a questions list";
    return std::nullopt;
  }
  // Right after the last question, so a trailing comma or a comment after it stays
  // valid: ["a", "b",  # note] becomes ["a", "b", "new",  # note].
  const auto end = byte_offset(text, questions->back().source().end);
  if (!end) {
    why = "the position of entry '" + std::string(entry_id) + "' cannot be found";
    return std::nullopt;
  }
  std::string out(text);
  out.insert(*end, ", " + toml_string(question));
  return out;
}

std::string kb_with_entry(std::string_view text, const NewKbEntry& entry) {
  std::string block = "[[entries]]\nid = " + toml_string(entry.id) +
                      "\nquestions = " + toml_string_list(entry.questions) + "\nanswer = ";
  if (entry.answers.size() == 1 && entry.answers.front().first.empty()) {
    block += toml_string(entry.answers.front().second);
  } else {
    block += "{ ";
    for (std::size_t i = 0; i < entry.answers.size(); ++i)
      block +=
          (i ? ", " : "") + entry.answers[i].first + " = " + toml_string(entry.answers[i].second);
    block += " }";
  }
  if (!entry.tags.empty()) block += "\ntags = " + toml_string_list(entry.tags);
  std::string out(text);
  if (!out.empty() && out.back() != '\n') out += '\n';
  if (!out.empty()) out += '\n';
  return out + block + "\n";
}

}  // namespace sb::api
