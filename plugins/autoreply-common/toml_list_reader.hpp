#pragma once
// Reads a tenant file that is one TOML array of tables, such as
//
//   [[entries]]              or   [[intents]]
//   id = "refund-time"            name = "human"
//   ...                           ...
//
// with the strictness both auto-reply files need: any key not expected is an error
// (a typo such as `question =` would otherwise drop data silently), strings must not
// be blank, and every error names file, line and key as "<file>:<line>: <key>:
// <reason>" (e.g. "kb.toml:7: entries[1].id: duplicate id 'a'"), so an admin can go
// straight to the mistake. Start-up and admin path only: errors are thrown.
#include <toml++/toml.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::autoreply {

// "<file>:<line>: <key>: <reason>" (no "<key>: " when key is empty): how every
// auto-reply file mistake is worded, thrown (LoadError) or only warned about.
std::string describe_location(std::string_view file, std::uint32_t line, std::string_view key,
                              std::string_view reason);

// A mistake in a tenant's auto-reply file (FAQ, intents, flows).
class LoadError : public std::runtime_error {
 public:
  LoadError(std::string file, std::uint32_t line, std::string key, const std::string& reason);
  const std::string& file() const { return file_; }
  std::uint32_t line() const { return line_; }  // 1-based; 0 when unknown
  // e.g. "entries[3].answer"; empty for syntax errors and unreadable files
  const std::string& key() const { return key_; }

 private:
  std::string file_;
  std::uint32_t line_;
  std::string key_;
};

bool is_blank(std::string_view s);

// The whole file as text; LoadError "cannot open the file" naming it otherwise.
std::string read_text_file(const std::filesystem::path& path);

// Parses TOML text; a syntax error becomes a LoadError at its line. source_name is
// what errors call the file.
toml::table parse_toml(std::string_view text, std::string_view source_name);

// The array of tables under list_key, or nullptr when the file has none. Any other
// top-level key than other_keys is an error ("unknown key (<what> holds only
// [[<list_key>]])", what being e.g. "a knowledge base"), and so is a list_key that is
// not [[list_key]].
const toml::array* table_list(const toml::table& root, std::string_view file,
                              std::string_view list_key, std::string_view what,
                              std::initializer_list<std::string_view> other_keys = {});

// Reads one table of the list; keys in errors are prefixed "<list_key>[<index>]".
class ItemReader {
 public:
  ItemReader(std::string_view file, const toml::table& table, std::string_view list_key,
             std::size_t index);

  [[noreturn]] void fail(std::uint32_t line, std::string_view key, const std::string& reason) const;

  const toml::table& table() const { return table_; }
  // The line of the table's header, for a key that is missing.
  std::uint32_t table_line() const { return table_.source().begin.line; }
  // The node's line, or the table's when the node has none.
  std::uint32_t line_of(const toml::node& node) const;

  // "unknown key (expected a, b, c)" for the first key not in `allowed`.
  void reject_unknown_keys(std::initializer_list<std::string_view> allowed) const;

  // A required non-blank string.
  std::string string_at(std::string_view key) const;

  // An array of strings, each non-blank; `required`: present and non-empty.
  std::vector<std::string> strings_at(std::string_view key, bool required) const;

  // The element's line in the array under key (which must exist).
  std::uint32_t line_of_element(std::string_view key, std::size_t i) const;

 private:
  std::string_view file_;
  const toml::table& table_;
  std::string prefix_;
};

}  // namespace switchboard::autoreply
