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

// The strings of a TOML array (none when there is no array).
std::vector<std::string> strings_of(const toml::array* list) {
  std::vector<std::string> out;
  if (list)
    for (const auto& item : *list)
      if (const auto* s = item.as_string()) out.push_back(s->get());
  return out;
}

// The text with `value` added right after the last item of `list` (not empty), so a
// trailing comma or a comment after it stays valid: ["a", "b",  # note] becomes
// ["a", "b", "new",  # note].
std::optional<std::string> with_item_appended(std::string_view text, const toml::array& list,
                                              std::string_view value) {
  const auto end = byte_offset(text, list.back().source().end);
  if (!end) return std::nullopt;
  std::string out(text);
  out.insert(*end, ", " + toml_string(value));
  return out;
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
  auto root = parsed(text);
  const auto* entry = root ? entry_table(*root, entry_id) : nullptr;
  return strings_of(entry ? entry->get_as<toml::array>("questions") : nullptr);
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
  auto out = with_item_appended(text, *questions, question);
  if (!out) why = "the position of entry '" + std::string(entry_id) + "' cannot be found";
  return out;
}

namespace {

constexpr std::string_view kNotForBot = "not_for_bot";

// Where the first table of the file starts (its header's line), for a top-level key
// to go before it; the end of the text when there is none.
std::size_t first_table_offset(std::string_view text, const toml::table& root) {
  uint32_t line = 0;
  auto note = [&](const toml::node& table) {
    const auto at = table.source().begin.line;
    if (at > 0 && (line == 0 || at < line)) line = at;
  };
  for (const auto& [key, node] : root) {
    if (node.is_table()) note(node);
    if (const auto* array = node.as_array(); array && array->is_array_of_tables())
      for (const auto& table : *array) note(table);
  }
  if (line == 0) return text.size();
  return byte_offset(text, toml::source_position{line, 1}).value_or(text.size());
}

}  // namespace

std::vector<std::string> kb_not_for_bot(std::string_view text) {
  auto root = parsed(text);
  return strings_of(root ? root->get_as<toml::array>(kNotForBot) : nullptr);
}

std::optional<std::string> kb_with_not_for_bot(std::string_view text, std::string_view question,
                                               std::string& why) {
  auto root = parsed(text);
  if (!root) {
    why = "the knowledge base is not valid TOML";
    return std::nullopt;
  }
  std::string out(text);
  const auto* node = root->get(kNotForBot);
  if (!node) {
    // Before the first [[entries]]: a key after a table's header would be the table's.
    const auto at = first_table_offset(text, *root);
    std::string block =
        "# Questions an admin dismissed: the bot leaves messages like them alone.\n" +
        std::string(kNotForBot) + " = [" + toml_string(question) + "]\n";
    if (at < out.size()) block += "\n";
    if (at == out.size() && !out.empty() && out.back() != '\n') block = "\n" + block;
    out.insert(at, block);
    return out;
  }
  const auto* list = node->as_array();
  if (!list) {
    why = "not_for_bot is not a list";
    return std::nullopt;
  }
  if (!list->empty()) {
    auto appended = with_item_appended(text, *list, question);
    if (!appended) why = "the position of not_for_bot cannot be found";
    return appended;
  }
  // An empty list: inside its brackets.
  const auto start = byte_offset(text, node->source().begin);
  const auto bracket = start ? out.find('[', *start) : std::string::npos;
  if (bracket == std::string::npos) {
    why = "the position of not_for_bot cannot be found";
    return std::nullopt;
  }
  out.insert(bracket + 1, toml_string(question));
  return out;
}

std::optional<std::string> kb_without_not_for_bot(std::string_view text, std::size_t index,
                                                  std::string& why) {
  auto root = parsed(text);
  const auto* list = root ? root->get_as<toml::array>(kNotForBot) : nullptr;
  if (!list || index >= list->size()) {
    why = "the knowledge base has no such dismissed question";
    return std::nullopt;
  }
  const auto begin = byte_offset(text, (*list)[index].source().begin);
  const auto end = byte_offset(text, (*list)[index].source().end);
  if (!begin || !end) {
    why = "the position of the dismissed question cannot be found";
    return std::nullopt;
  }
  std::size_t from = *begin, to = *end;
  auto blank = [&](std::size_t i) { return text[i] == ' ' || text[i] == '\t'; };
  // Its comma goes with it: the one after it, else (the last) the one before it.
  std::size_t after = to;
  while (after < text.size() && blank(after)) ++after;
  if (after < text.size() && text[after] == ',') {
    to = after + 1;
    while (to < text.size() && blank(to)) ++to;
  } else if (index > 0) {
    const auto before = text.rfind(',', from);
    if (before != std::string_view::npos) from = before;
  }
  std::string out(text);
  out.erase(from, to - from);
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
