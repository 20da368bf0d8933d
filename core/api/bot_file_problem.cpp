#include "api/bot_file_problem.hpp"

#include <toml++/toml.h>

#include <boost/json.hpp>
#include <charconv>
#include <optional>
#include <utility>
#include <vector>

#include "api/responses.hpp"

namespace sb::api {

namespace {

// One step of a field path: a key of a table, or an index of an array.
struct PathStep {
  std::string key;
  std::optional<std::size_t> index;
};

bool is_key_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.' || c == '[' || c == ']';
}

// "entries[3].answer.en" -> entries, [3], answer, en; nullopt when it is not such a path.
std::optional<std::vector<PathStep>> path_steps(std::string_view field) {
  std::vector<PathStep> steps;
  std::size_t at = 0;
  while (at < field.size()) {
    std::size_t end = at;
    while (end < field.size() && field[end] != '.' && field[end] != '[') ++end;
    if (end == at) return std::nullopt;
    steps.push_back({std::string(field.substr(at, end - at)), std::nullopt});
    at = end;
    while (at < field.size() && field[at] == '[') {
      const auto close = field.find(']', at);
      if (close == std::string_view::npos || close == at + 1) return std::nullopt;
      std::size_t index = 0;
      for (std::size_t i = at + 1; i < close; ++i) {
        if (field[i] < '0' || field[i] > '9' || index > 1'000'000) return std::nullopt;
        index = index * 10 + static_cast<std::size_t>(field[i] - '0');
      }
      steps.push_back({{}, index});
      at = close + 1;
    }
    if (at < field.size()) {
      if (field[at] != '.') return std::nullopt;
      ++at;
      if (at == field.size()) return std::nullopt;
    }
  }
  if (steps.empty()) return std::nullopt;
  return steps;
}

const toml::node* step_into(const toml::node* node, const PathStep& step) {
  if (!node) return nullptr;
  if (step.index) {
    const auto* array = node->as_array();
    return array ? array->get(*step.index) : nullptr;
  }
  const auto* table = node->as_table();
  return table ? table->get(step.key) : nullptr;
}

bool is_blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

bool is_code(std::string_view word) {
  if (word.empty() || word.size() > 64) return false;
  for (const char c : word)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// A value of the tag, %XX decoded; nullopt when an escape is malformed.
std::optional<std::string> tag_value(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = hex_digit(text[i + 1]);
    const int low = hex_digit(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

// The plugin's "[code name=value ...] " just before `at` (where its "<file>:<line>: "
// begins), read into out.problem and out.values; nothing when there is none or it is
// not such a tag.
void read_plugin_tag(std::string_view message, std::size_t at, BotFileProblem& out) {
  if (at < 3 || message.substr(at - 2, 2) != "] ") return;
  const auto open = message.rfind('[', at - 3);
  if (open == std::string_view::npos) return;
  const std::string_view inside = message.substr(open + 1, at - 2 - (open + 1));
  std::string code;
  std::vector<std::pair<std::string, std::string>> values;
  std::size_t start = 0;
  while (start <= inside.size()) {
    auto end = inside.find(' ', start);
    if (end == std::string_view::npos) end = inside.size();
    const std::string_view word = inside.substr(start, end - start);
    if (code.empty()) {
      if (!is_code(word)) return;
      code = std::string(word);
    } else {
      const auto equals = word.find('=');
      if (equals == std::string_view::npos || !is_code(word.substr(0, equals))) return;
      auto value = tag_value(word.substr(equals + 1));
      if (!value) return;
      values.emplace_back(std::string(word.substr(0, equals)), std::move(*value));
    }
    start = end + 1;
  }
  out.problem = std::move(code);
  out.values = std::move(values);
  out.tag = std::string(message.substr(open, at - open));
}

// What the text holds at the field the plugin named: missing, empty or duplicate.
void look_at_field(const toml::table& root, BotFileProblem& out) {
  const auto steps = path_steps(out.field);
  if (!steps) return;
  const toml::node* parent = &root;
  for (std::size_t i = 0; i + 1 < steps->size(); ++i) parent = step_into(parent, (*steps)[i]);
  if (!parent) return;
  const PathStep& last = steps->back();
  // "missing" only where the place itself exists: the table (or list) it belongs in.
  if (last.index ? !parent->is_array() : !parent->is_table()) return;
  const toml::node* value = step_into(parent, last);
  if (!value) {
    out.problem = "missing";
    return;
  }
  if (const auto* text = value->as_string(); text && is_blank(text->get())) {
    out.problem = "empty";
    return;
  }
  if ((value->is_array() && value->as_array()->empty()) ||
      (value->is_table() && value->as_table()->empty())) {
    out.problem = "empty";
    return;
  }
  // LIST[i].KEY holding a string that LIST[j].KEY, j < i, holds too.
  const auto* text = value->as_string();
  const std::size_t n = steps->size();
  if (!text || n < 3 || last.index || !(*steps)[n - 2].index || (*steps)[n - 3].index) return;
  const toml::node* list_node = &root;
  for (std::size_t i = 0; i + 2 < n; ++i) list_node = step_into(list_node, (*steps)[i]);
  const auto* list = list_node ? list_node->as_array() : nullptr;
  if (!list) return;
  for (std::size_t j = 0; j < *(*steps)[n - 2].index && j < list->size(); ++j) {
    const auto* item = list->get(j)->as_table();
    const auto* other = item ? item->get_as<std::string>(last.key) : nullptr;
    if (other && other->get() == text->get()) {
      out.problem = "duplicate";
      out.first_line = other->source().begin.line;
      return;
    }
  }
}

}  // namespace

BotFileProblem read_bot_file_problem(std::string_view message, std::string_view file,
                                     std::string_view text) {
  BotFileProblem out;
  out.file = std::string(file);
  out.reason = std::string(message);
  // "<file>:<line>: " somewhere after the host's prefix.
  const std::string marker = std::string(file) + ":";
  for (auto at = message.find(marker); !file.empty() && at != std::string_view::npos;
       at = message.find(marker, at + 1)) {
    std::size_t i = at + marker.size();
    std::uint32_t line = 0;
    const std::size_t digits = i;
    while (i < message.size() && message[i] >= '0' && message[i] <= '9' && line < 100'000'000)
      line = line * 10 + static_cast<std::uint32_t>(message[i++] - '0');
    if (i == digits || message.substr(i, 2) != ": ") continue;
    read_plugin_tag(message, at, out);
    out.line = line;
    std::string_view rest = message.substr(i + 2);
    std::size_t key_end = 0;
    while (key_end < rest.size() && is_key_char(rest[key_end])) ++key_end;
    if (key_end > 0 && rest.substr(key_end, 2) == ": ") {
      out.field = std::string(rest.substr(0, key_end));
      rest = rest.substr(key_end + 2);
    }
    out.reason = std::string(rest);
    break;
  }

  try {
    const toml::table root = toml::parse(text);
    // The plugin's own code says what it judged; the server's reading of the text
    // at that place stands in when it gives none (and adds the earlier line).
    BotFileProblem seen;
    seen.field = out.field;
    if (!out.field.empty()) look_at_field(root, seen);
    if (out.problem.empty()) out.problem = seen.problem;
    if (out.problem == "duplicate") {
      out.first_line = seen.first_line;
      for (const auto& [name, value] : out.values) {
        std::uint32_t line = 0;
        const auto end = value.data() + value.size();
        if (name == "first_line" && !out.first_line &&
            std::from_chars(value.data(), end, line).ptr == end)
          out.first_line = line;
      }
    }
  } catch (const toml::parse_error& e) {
    out.problem = "syntax";
    out.values.clear();
    out.field.clear();
    out.line = e.source().begin.line;
    out.column = e.source().begin.column;
    out.reason = std::string(e.description());
  }
  return out;
}

hub::HttpResponse bot_file_refusal(std::string_view code, std::string_view message,
                                   const BotFileProblem& problem) {
  // The message as the plugin words it, without the tag read into problem and values.
  std::string words(message);
  if (const auto at = problem.tag.empty() ? std::string::npos : words.find(problem.tag);
      at != std::string::npos)
    words.erase(at, problem.tag.size());
  boost::json::object e{
      {"code", code}, {"message", utf8_only(words)}, {"file", utf8_only(problem.file)}};
  if (problem.line) e["line"] = problem.line;
  if (problem.column) e["column"] = problem.column;
  if (!problem.field.empty()) e["field"] = utf8_only(problem.field);
  e["reason"] = utf8_only(problem.reason);
  if (!problem.problem.empty()) e["problem"] = problem.problem;
  if (!problem.values.empty()) {
    boost::json::object values;
    for (const auto& [name, value] : problem.values) values[name] = utf8_only(value);
    e["values"] = std::move(values);
  }
  if (problem.first_line) e["first_line"] = problem.first_line;
  return json_response(422, boost::json::object{{"error", std::move(e)}});
}

}  // namespace sb::api
