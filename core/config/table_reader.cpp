#include "config/table_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <tuple>

namespace sb::config {

namespace {

// Edit distance, to suggest the key a typo probably meant.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

void ErrorSink::add(const toml::source_region& at, std::string key, std::string message) {
  add(at.begin.line, at.begin.column, std::move(key), std::move(message));
}

void ErrorSink::add(uint32_t line, uint32_t column, std::string key, std::string message) {
  errors_.push_back(ConfigError{file_, line, column, std::move(key), std::move(message)});
  ++count_;
}

void ErrorSink::sort_by_position() {
  auto first = errors_.end() - static_cast<std::ptrdiff_t>(count_);
  std::stable_sort(first, errors_.end(), [](const ConfigError& a, const ConfigError& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
}

std::string_view type_name(toml::node_type type) {
  switch (type) {
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::date:
      return "date";
    case toml::node_type::time:
      return "time";
    case toml::node_type::date_time:
      return "date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::string a_type_name(toml::node_type type) {
  std::string_view name = type_name(type);
  bool vowel = name.front() == 'a' || name.front() == 'i';
  return std::string(vowel ? "an " : "a ") + std::string(name);
}

std::string join_key(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  std::string out(path);
  out += '.';
  out += key;
  return out;
}

TableReader::TableReader(const toml::table& table, std::string path, ErrorSink& sink)
    : table_(table), path_(std::move(path)), sink_(sink) {}

toml::source_region TableReader::where(std::string_view key) const {
  // The key token is what the user typed; point there rather than at the value.
  auto it = table_.find(key);
  if (it != table_.end() && it->first.source().begin.line) return it->first.source();
  if (auto* node = table_.get(key)) return node->source();
  return table_.source();
}

const toml::node* TableReader::find(std::string_view key, Presence presence) {
  known_.emplace(key);
  const toml::node* node = table_.get(key);
  if (!node && presence == Presence::required)
    sink_.add(table_.source(), key_path(key), "is required");
  return node;
}

void TableReader::wrong_type(std::string_view key, const toml::node& node,
                             std::string_view expected) {
  sink_.add(node.source(), key_path(key),
            "must be " + std::string(expected) + ", not " + a_type_name(node.type()));
}

bool TableReader::string(std::string_view key, std::string& out, Presence presence) {
  const toml::node* node = find(key, presence);
  if (!node) return false;
  if (auto* value = node->as_string()) {
    out = value->get();
    return true;
  }
  wrong_type(key, *node, "a string");
  return false;
}

bool TableReader::localized_text(std::string_view key, LocalizedText& out, Presence presence) {
  const toml::node* node = find(key, presence);
  if (!node) return false;
  if (auto* value = node->as_string()) {
    out = LocalizedText(value->get());
    return true;
  }
  const toml::table* by_language = node->as_table();
  if (!by_language) {
    wrong_type(key, *node, "a string or a table of strings by language ({ en = \"...\" })");
    return false;
  }
  LocalizedText::ByLanguage texts;
  const std::size_t errors_before = sink_.count();
  for (const auto& [language, value] : *by_language) {
    const std::string language_key = key_path(key) + "." + std::string(language.str());
    const auto* text = value.as_string();
    if (!text) {
      sink_.add(value.source(), language_key, "must be a string, not " + a_type_name(value.type()));
    } else if (text->get().empty()) {
      sink_.add(value.source(), language_key, "must not be empty");
    } else {
      texts.emplace(std::string(language.str()), text->get());
    }
  }
  if (texts.empty() && sink_.count() == errors_before)
    sink_.add(node->source(), key_path(key), "must name a text for at least one language");
  if (sink_.count() != errors_before) return false;
  out = LocalizedText(std::move(texts));
  return true;
}

bool TableReader::boolean(std::string_view key, bool& out, Presence presence) {
  const toml::node* node = find(key, presence);
  if (!node) return false;
  if (auto* value = node->as_boolean()) {
    out = value->get();
    return true;
  }
  wrong_type(key, *node, "true or false");
  return false;
}

std::optional<int64_t> TableReader::integer_value(std::string_view key, int64_t min, int64_t max,
                                                  Presence presence) {
  const toml::node* node = find(key, presence);
  if (!node) return std::nullopt;
  auto* value = node->as_integer();
  if (!value) {
    wrong_type(key, *node, "an integer");
    return std::nullopt;
  }
  int64_t number = value->get();
  if (number < min || number > max) {
    sink_.add(node->source(), key_path(key),
              "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", not " +
                  std::to_string(number));
    return std::nullopt;
  }
  return number;
}

bool TableReader::number(std::string_view key, double& out, double min, double max,
                         Presence presence) {
  const toml::node* node = find(key, presence);
  if (!node) return false;
  std::optional<double> value;
  if (auto* f = node->as_floating_point()) value = f->get();
  if (auto* i = node->as_integer()) value = static_cast<double>(i->get());
  if (!value) {
    wrong_type(key, *node, "a number");
    return false;
  }
  if (!(*value >= min && *value <= max)) {
    std::ostringstream range;
    range << "must be between " << min << " and " << max << ", not " << *value;
    sink_.add(node->source(), key_path(key), range.str());
    return false;
  }
  out = *value;
  return true;
}

bool TableReader::string_array(std::string_view key, std::vector<std::string>& out,
                               Presence presence) {
  const toml::array* items = array(key, presence);
  if (!items) return false;
  std::vector<std::string> values;
  bool ok = true;
  for (std::size_t i = 0; i < items->size(); ++i) {
    const toml::node& item = *items->get(i);
    std::string item_key = key_path(key) + "[" + std::to_string(i) + "]";
    if (auto* text = item.as_string(); text && !text->get().empty()) {
      values.push_back(text->get());
    } else {
      sink_.add(item.source(), item_key,
                text ? "must not be empty" : "must be a string, not " + a_type_name(item.type()));
      ok = false;
    }
  }
  if (ok) out = std::move(values);
  return ok;
}

const toml::table* TableReader::table(std::string_view key, Presence presence) {
  const toml::node* node = find(key, presence);
  if (!node) return nullptr;
  if (auto* value = node->as_table()) return value;
  wrong_type(key, *node, "a table");
  return nullptr;
}

const toml::array* TableReader::array(std::string_view key, Presence presence) {
  const toml::node* node = find(key, presence);
  if (!node) return nullptr;
  if (auto* value = node->as_array()) return value;
  wrong_type(key, *node, "an array");
  return nullptr;
}

void TableReader::reject_unknown() {
  for (auto&& [key, node] : table_) {
    if (known_.count(key.str())) continue;
    bool is_table = node.is_table() || node.is_array_of_tables();
    std::string message =
        std::string(is_table ? "unknown table '" : "unknown key '") + std::string(key.str()) + "'";
    // Suggest the closest known key when it is a likely typo.
    std::string_view best;
    std::size_t best_distance = 3;
    for (const auto& candidate : known_) {
      std::size_t distance = edit_distance(key.str(), candidate);
      if (distance < best_distance) best = candidate, best_distance = distance;
    }
    if (!best.empty()) message += " (did you mean '" + std::string(best) + "'?)";
    auto at = key.source().begin.line ? key.source() : node.source();
    sink_.add(at, key_path(key.str()), std::move(message));
  }
}

std::optional<toml::table> parse_toml(std::string_view text, ErrorSink& sink) {
  try {
    return toml::parse(text, sink.file());
  } catch (const toml::parse_error& error) {
    sink.add(error.source(), "", std::string(error.description()));
    return std::nullopt;
  }
}

std::optional<std::string> read_file_text(const std::filesystem::path& file, ErrorSink& sink) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    sink.add(0, 0, "", "cannot open the file (" + std::string(std::strerror(errno)) + ")");
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    sink.add(0, 0, "", "cannot read the file");
    return std::nullopt;
  }
  return std::move(text).str();
}

}  // namespace sb::config
