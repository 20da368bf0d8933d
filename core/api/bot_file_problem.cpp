#include "api/bot_file_problem.hpp"

#include <toml++/toml.h>

#include <boost/json.hpp>
#include <optional>
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
    if (!out.field.empty()) look_at_field(root, out);
  } catch (const toml::parse_error& e) {
    out.problem = "syntax";
    out.field.clear();
    out.line = e.source().begin.line;
    out.column = e.source().begin.column;
    out.reason = std::string(e.description());
  }
  return out;
}

hub::HttpResponse bot_file_refusal(std::string_view code, std::string_view message,
                                   const BotFileProblem& problem) {
  boost::json::object e{
      {"code", code}, {"message", utf8_only(message)}, {"file", utf8_only(problem.file)}};
  if (problem.line) e["line"] = problem.line;
  if (problem.column) e["column"] = problem.column;
  if (!problem.field.empty()) e["field"] = utf8_only(problem.field);
  e["reason"] = utf8_only(problem.reason);
  if (!problem.problem.empty()) e["problem"] = problem.problem;
  if (problem.first_line) e["first_line"] = problem.first_line;
  return json_response(422, boost::json::object{{"error", std::move(e)}});
}

}  // namespace sb::api
