#include "tenants/table_file.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "config/toml_json.hpp"
#include "tenants/tenant_text.hpp"

namespace sb::tenants {

namespace {

using Lines = std::vector<std::string_view>;

// Changes by line number (1-based), applied in one pass over the old lines.
struct Edits {
  std::map<uint32_t, std::string> replace;  // the line's new text (whole lines; "" removes it)
  std::map<uint32_t, std::string> after;    // inserted after the line (0: at the top)

  void remove(uint32_t first, uint32_t last) {
    for (uint32_t line = first; line <= last; ++line) replace[line] = "";
  }

  std::string apply(const Lines& lines) const {
    std::string out;
    for (uint32_t line = 0; line <= lines.size(); ++line) {
      if (line > 0) {
        auto replaced = replace.find(line);
        if (replaced != replace.end())
          out += replaced->second;
        else
          out.append(lines[line - 1]).push_back('\n');
      }
      if (auto added = after.find(line); added != after.end()) out += added->second;
    }
    return out;
  }
};

// Written as a person would: double-quoted strings (no literal '...'), no indentation.
std::string formatted(const toml::table& table) {
  std::ostringstream out;
  out << toml::toml_formatter(table, toml::format_flags::allow_unicode_strings);
  std::string text = std::move(out).str();
  if (!text.empty() && text.back() != '\n') text.push_back('\n');
  return text;
}

std::string key_value_line(std::string_view key, const toml::node& value) {
  toml::table one;
  value.visit([&](const auto& v) { one.insert(key, v); });
  return formatted(one);
}

// [path] with content, and its sub-tables as [path.sub].
std::string table_block(const std::vector<std::string>& path, const toml::table& content) {
  toml::table outer = content;
  for (auto it = path.rbegin(); it != path.rend(); ++it) {
    toml::table wrapped;
    wrapped.insert(*it, std::move(outer));
    outer = std::move(wrapped);
  }
  return formatted(outer);
}

// Where column (1-based, counted in characters as toml++ does) starts in line's bytes.
std::size_t byte_offset(std::string_view line, uint32_t column) {
  std::size_t at = 0;
  for (uint32_t characters = 1; at < line.size() && characters < column; ++characters) {
    ++at;
    while (at < line.size() && (static_cast<unsigned char>(line[at]) & 0xC0) == 0x80) ++at;
  }
  return at;
}

bool same(const toml::node& a, const toml::node& b) {
  return config::toml_to_json(a) == config::toml_to_json(b);
}

bool has_header_tables(const toml::node& node) {
  if (const toml::table* table = node.as_table()) return !table->is_inline();
  if (const toml::array* array = node.as_array())
    return std::any_of(array->begin(), array->end(), [](const toml::node& item) {
      return item.is_table() && !item.as_table()->is_inline();
    });
  return false;
}

class Writer {
 public:
  Writer(const Lines& lines, const toml::table& root) : lines_(lines) { collect_headers(root); }

  // The line of table's own header ([a.b]), or 0 when it has none (implicit, or
  // made by dotted keys).
  uint32_t header_of(const toml::table& table) const {
    if (table.is_inline()) return 0;
    const uint32_t line = table.source().begin.line;
    if (!headers_.count(line)) return 0;
    // A table made implicitly by [a.b.c] gets that header's position: the header is c's.
    for (auto&& [key, child] : table)
      if (const toml::table* sub = child.as_table(); sub && sub->source().begin.line == line)
        return 0;
    return line;
  }

  uint32_t region_end(uint32_t header) const { return text::table_end(lines_, headers_, header); }

  // The last line of node and everything under it.
  uint32_t last_line(const toml::node& node) const {
    uint32_t last = node.source().end.line;
    if (const toml::table* table = node.as_table(); table && !table->is_inline()) {
      if (uint32_t header = header_of(*table)) last = std::max(last, region_end(header));
      for (auto&& [key, child] : *table) last = std::max(last, last_line(child));
    } else if (const toml::array* array = node.as_array()) {
      for (const toml::node& item : *array) last = std::max(last, last_line(item));
    }
    return last;
  }

  // Takes node (reached by key) and everything under it out of the file.
  void remove(const toml::key& key, const toml::node& node, Edits& edits) const {
    if (const toml::table* table = node.as_table(); table && !table->is_inline()) {
      const uint32_t header = header_of(*table);
      if (header) edits.remove(header, region_end(header));
      for (auto&& [child_key, child] : *table)
        if (!header || has_header_tables(child)) remove(child_key, child, edits);
      return;
    }
    if (has_header_tables(node)) {
      for (const toml::node& item : *node.as_array()) remove(key, item, edits);
      return;
    }
    edits.remove(key.source().begin.line, node.source().end.line);
  }

  // Edits `existing` (a table with its own header) into `wanted` line by line;
  // false when its form does not allow that.
  bool edit(const toml::table& existing, const toml::table& wanted,
            const std::vector<std::string>& path, Edits& edits) const {
    const uint32_t header = header_of(existing);
    if (!header) {
      // Made implicitly by [a.b.c] headers: only those sub-tables can be edited.
      for (auto&& [key, node] : existing)
        if (!has_header_tables(node)) return false;
      for (auto&& [key, want] : wanted)
        if (!want.is_table()) return false;
    }
    const uint32_t own_end = header ? region_end(header) : 0;
    uint32_t last_value_line = header;
    std::string new_keys, new_tables;
    for (auto&& [key, node] : existing) {
      const toml::node* want = wanted.get(key.str());
      std::vector<std::string> child_path = path;
      child_path.emplace_back(key.str());
      if (has_header_tables(node)) {
        const toml::table* sub = node.as_table();
        if (!sub) return false;  // [[arrays]]
        if (!want) {
          remove(key, node, edits);
        } else if (want->is_table()) {
          if (!edit(*sub, *want->as_table(), child_path, edits)) return false;
        } else {
          remove(key, node, edits);
          new_keys += key_value_line(key.str(), *want);
        }
        continue;
      }
      const uint32_t first = key.source().begin.line, last = node.source().end.line;
      if (first <= header || last > own_end) return false;  // dotted keys of another table
      last_value_line = std::max(last_value_line, last);
      if (!want) {
        edits.remove(first, last);
      } else if (!same(node, *want)) {
        std::string line = key_value_line(key.str(), *want);
        // A comment after the old value stays after the new one.
        const std::string_view old_last = lines_[last - 1];
        const std::size_t value_end = byte_offset(old_last, node.source().end.column);
        if (value_end < old_last.size() && !text::trimmed(old_last.substr(value_end)).empty()) {
          line.pop_back();
          line.append(old_last.substr(value_end)).push_back('\n');
        }
        edits.remove(first, last);
        edits.replace[first] = std::move(line);
      }
    }
    for (auto&& [key, want] : wanted) {
      if (existing.contains(key.str())) continue;
      if (const toml::table* sub = want.as_table()) {
        std::vector<std::string> child_path = path;
        child_path.emplace_back(key.str());
        new_tables += "\n" + table_block(child_path, *sub);
      } else {
        new_keys += key_value_line(key.str(), want);
      }
    }
    if (!new_keys.empty()) edits.after[last_value_line] += new_keys;
    if (!new_tables.empty()) edits.after[last_line(existing)] += new_tables;
    return true;
  }

 private:
  void collect_headers(const toml::node& node) {
    auto mark = [&](const toml::table& table) {
      const uint32_t line = table.source().begin.line;
      if (line >= 1 && line <= lines_.size() && text::trimmed(lines_[line - 1]).starts_with('['))
        headers_.insert(line);
    };
    if (const toml::table* table = node.as_table()) {
      for (auto&& [key, child] : *table) {
        if (const toml::table* sub = child.as_table(); sub && !sub->is_inline()) mark(*sub);
        collect_headers(child);
      }
    } else if (const toml::array* array = node.as_array()) {
      for (const toml::node& item : *array) {
        if (const toml::table* sub = item.as_table(); sub && !sub->is_inline()) mark(*sub);
        collect_headers(item);
      }
    }
  }

  const Lines& lines_;
  std::set<uint32_t> headers_;
};

// root without the table at path (and without tables left empty by that), as JSON.
boost::json::value without(toml::table root, const std::vector<std::string>& path) {
  std::vector<toml::table*> chain{&root};
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    toml::table* next = chain.back()->get_as<toml::table>(path[i]);
    if (!next) return config::toml_to_json(root);
    chain.push_back(next);
  }
  chain.back()->erase(path.back());
  for (std::size_t i = chain.size() - 1; i > 0 && chain[i]->empty(); --i)
    chain[i - 1]->erase(path[i - 1]);
  return config::toml_to_json(root);
}

const toml::node* at_path(const toml::table& root, const std::vector<std::string>& path) {
  const toml::node* node = &root;
  for (const auto& part : path) {
    const toml::table* table = node->as_table();
    node = table ? table->get(part) : nullptr;
    if (!node) return nullptr;
  }
  return node;
}

// True when text holds exactly content at path (nothing, for nullptr) and otherwise
// exactly what the file held before.
bool holds(std::string_view text, const std::vector<std::string>& path, const toml::table* content,
           const boost::json::value& rest_before) {
  std::string ignored;
  auto root = text::parse(text, ignored);
  if (!root) return false;
  const toml::node* now = at_path(*root, path);
  if (content ? !now || !now->is_table() || !same(*now, *content) : now != nullptr) return false;
  return without(*root, path) == rest_before;
}

}  // namespace

std::optional<std::string> with_table(std::string_view text, const std::vector<std::string>& path,
                                      const toml::table* content, std::string& why) {
  auto root = text::parse(text, why);
  if (!root) return std::nullopt;
  const Lines lines = text::split_lines(text);
  const Writer writer(lines, *root);
  const auto rest_before = without(*root, path);

  const toml::table* parent = &*root;
  for (std::size_t i = 0; parent && i + 1 < path.size(); ++i) {
    const toml::node* next = parent->get(path[i]);
    if (next && !next->is_table()) {
      why = "the tenant file's " + path[i] + " is not a table";
      return std::nullopt;
    }
    parent = next ? next->as_table() : nullptr;
  }
  auto existing = parent ? parent->find(path.back()) : toml::table::const_iterator{};
  const bool exists = parent && existing != parent->end();
  if (!exists && !content) return std::string(text);

  // First as a person would edit it...
  Edits edits;
  bool edited = false;
  if (!exists) {
    // After the tables under the same parent (the other groups), else at the end.
    uint32_t at = static_cast<uint32_t>(lines.size());
    if (parent && parent != &*root && !parent->empty()) at = writer.last_line(*parent);
    edits.after[at] = (at > 0 ? "\n" : "") + table_block(path, *content);
    edited = true;
  } else if (content && existing->second.is_table()) {
    edited = writer.edit(*existing->second.as_table(), *content, path, edits);
  } else if (!content) {
    writer.remove(existing->first, existing->second, edits);
    edited = true;
  }
  if (edited) {
    std::string out = edits.apply(lines);
    if (holds(out, path, content, rest_before)) return out;
  }
  // ...else the table written anew where it was.
  if (exists) {
    Edits anew;
    writer.remove(existing->first, existing->second, anew);
    if (content && !anew.replace.empty())
      anew.after[anew.replace.begin()->first - 1] = table_block(path, *content);
    std::string out = anew.apply(lines);
    if (holds(out, path, content, rest_before)) return out;
  }
  why = "the tenant file has " + path.front() +
        " in a form this server cannot rewrite; edit the file by hand";
  return std::nullopt;
}

}  // namespace sb::tenants
