// Reads a TOML table against a fixed schema and records every problem instead of
// stopping at the first, so one run of `check-config` shows the user all of them,
// each with file, line, column and dotted key.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/config_error.hpp"
#include "common/localized_text.hpp"

namespace sb::config {

// Where problems of one file go. Counts them, so a loader can tell whether its file
// was clean without comparing vector sizes.
class ErrorSink {
 public:
  ErrorSink(std::string file, ConfigErrors& errors) : file_(std::move(file)), errors_(errors) {}

  void add(const toml::source_region& at, std::string key, std::string message);
  void add(uint32_t line, uint32_t column, std::string key, std::string message);

  // Orders this sink's errors by line and column, so they read top to bottom.
  void sort_by_position();

  const std::string& file() const { return file_; }
  std::size_t count() const { return count_; }

 private:
  std::string file_;
  ConfigErrors& errors_;
  std::size_t count_ = 0;
};

// "string", "integer", ... as a user would name the TOML type.
std::string_view type_name(toml::node_type type);
// The same with its article: "a string", "an integer".
std::string a_type_name(toml::node_type type);

// Joins a table path and a key: ("limits", "max_connections") -> "limits.max_connections".
std::string join_key(std::string_view path, std::string_view key);

// Reads the keys of one table. Every accessor marks its key as part of the schema;
// reject_unknown() then reports each key of the table no accessor asked for (with a
// "did you mean" hint for typos). Values keep their defaults when absent or invalid.
class TableReader {
 public:
  // path: the table's dotted key ("" for the file's root), used in messages.
  TableReader(const toml::table& table, std::string path, ErrorSink& sink);

  enum class Presence { optional, required };

  bool string(std::string_view key, std::string& out, Presence presence = Presence::optional);
  bool boolean(std::string_view key, bool& out, Presence presence = Presence::optional);
  // Accepts integers only (1.0 is a float in TOML and is reported as such).
  template <class Int>
  bool integer(std::string_view key, Int& out, int64_t min, int64_t max,
               Presence presence = Presence::optional) {
    auto value = integer_value(key, min, max, presence);
    if (!value) return false;
    out = static_cast<Int>(*value);
    return true;
  }
  // A number between min and max: a float, or an integer read as one (0 and 1 are
  // fine where 0.0 and 1.0 are meant).
  bool number(std::string_view key, double& out, double min, double max,
              Presence presence = Presence::optional);
  // An array whose elements are all non-empty strings.
  bool string_array(std::string_view key, std::vector<std::string>& out,
                    Presence presence = Presence::optional);
  // A plain string, or a table of non-empty strings by language code
  // ({ en = "...", zh = "..." }).
  bool localized_text(std::string_view key, LocalizedText& out,
                      Presence presence = Presence::optional);
  // A sub-table, or nullptr when absent (or of another type, which is reported).
  const toml::table* table(std::string_view key, Presence presence = Presence::optional);
  // An array, or nullptr when absent (or of another type, which is reported).
  const toml::array* array(std::string_view key, Presence presence = Presence::optional);

  // Reports every key that no accessor above asked for.
  void reject_unknown();

  // The dotted key of one of this table's keys, for messages.
  std::string key_path(std::string_view key) const { return join_key(path_, key); }
  // The location of a key of this table (its key token), or of the table itself.
  toml::source_region where(std::string_view key) const;
  const toml::table& toml_table() const { return table_; }
  ErrorSink& sink() { return sink_; }

 private:
  const toml::node* find(std::string_view key, Presence presence);
  std::optional<int64_t> integer_value(std::string_view key, int64_t min, int64_t max,
                                       Presence presence);
  void wrong_type(std::string_view key, const toml::node& node, std::string_view expected);

  const toml::table& table_;
  std::string path_;
  ErrorSink& sink_;
  std::set<std::string, std::less<>> known_;
};

// Parses TOML text; a syntax error is recorded in sink with its position.
std::optional<toml::table> parse_toml(std::string_view text, ErrorSink& sink);

// Reads a whole file into text; an I/O problem is recorded in sink (line 0).
std::optional<std::string> read_file_text(const std::filesystem::path& file, ErrorSink& sink);

}  // namespace sb::config
