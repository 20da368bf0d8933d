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
//
// Each mistake also has a stable code and the values a translation of it needs
// (Problem), written in front as "[<code> <name>=<value> ...] ":
//
//   [duplicate first_line=2] kb.toml:7: entries[1].id: duplicate id 'a' (first used on line 2)
//
// The whole text goes through the ABI's error string (sb_error) as before; the host
// reads the tag and the location from it (core/api/bot_file_problem.hpp lists the
// codes), and a reader that knows no tag still finds "<file>:<line>: " in it. The
// tag comes first so that a host that cuts a long message short keeps it. In a
// value, '%', ' ', ':', '=', '[', ']' and control bytes are written %XX (hex).
#include <toml++/toml.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard::autoreply {

// What is wrong, for a reader in another language: a stable code ("too_few_examples")
// and the values its sentence needs ({"min", "3"}, {"has", "1"}), names [a-z_]+.
struct Problem {
  std::string code;
  std::vector<std::pair<std::string, std::string>> values;
};

// "[code name=value ...] ", or "" for a problem without a code.
std::string problem_tag(const Problem& problem);

// "<file>:<line>: <key>: <reason>" (no "<key>: " when key is empty), after the
// problem's tag: how every auto-reply file mistake is worded, thrown (LoadError) or
// only warned about.
std::string describe_location(std::string_view file, std::uint32_t line, std::string_view key,
                              std::string_view reason, const Problem& problem = {});

// A mistake in a tenant's auto-reply file (FAQ, intents, flows).
class LoadError : public std::runtime_error {
 public:
  LoadError(std::string file, std::uint32_t line, std::string key, const std::string& reason,
            Problem problem = {});
  const std::string& file() const { return file_; }
  std::uint32_t line() const { return line_; }  // 1-based; 0 when unknown
  // e.g. "entries[3].answer"; empty for syntax errors and unreadable files
  const std::string& key() const { return key_; }
  // The English words after the location.
  const std::string& reason() const { return reason_; }
  const Problem& problem() const { return problem_; }

 private:
  std::string file_;
  std::uint32_t line_;
  std::string key_;
  std::string reason_;
  Problem problem_;
};

bool is_blank(std::string_view s);

// The whole file as text; LoadError "cannot open the file" (unreadable) naming it otherwise.
std::string read_text_file(const std::filesystem::path& path);

// Parses TOML text; a syntax error becomes a LoadError (syntax) at its line.
// source_name is what errors call the file.
toml::table parse_toml(std::string_view text, std::string_view source_name);

// The array of tables under list_key, or nullptr when the file has none. Any other
// top-level key than other_keys is an error ("unknown key (<what> holds only
// [[<list_key>]])", what being e.g. "a knowledge base"; unknown_key), and so is a
// list_key that is not [[list_key]] (not_table_list).
const toml::array* table_list(const toml::table& root, std::string_view file,
                              std::string_view list_key, std::string_view what,
                              std::initializer_list<std::string_view> other_keys = {});

// Reads one table of the list; keys in errors are prefixed "<list_key>[<index>]".
class ItemReader {
 public:
  ItemReader(std::string_view file, const toml::table& table, std::string_view list_key,
             std::size_t index);

  [[noreturn]] void fail(std::uint32_t line, std::string_view key, const std::string& reason,
                         Problem problem) const;

  const toml::table& table() const { return table_; }
  // The line of the table's header, for a key that is missing.
  std::uint32_t table_line() const { return table_.source().begin.line; }
  // The node's line, or the table's when the node has none.
  std::uint32_t line_of(const toml::node& node) const;

  // "unknown key (expected a, b, c)" (unknown_key) for the first key not in `allowed`.
  void reject_unknown_keys(std::initializer_list<std::string_view> allowed) const;

  // A required non-blank string (missing, not_string, empty).
  std::string string_at(std::string_view key) const;

  // An array of strings, each non-blank; `required`: present and non-empty (missing,
  // not_string_list, empty, not_string).
  std::vector<std::string> strings_at(std::string_view key, bool required) const;

  // The element's line in the array under key (which must exist).
  std::uint32_t line_of_element(std::string_view key, std::size_t i) const;

 private:
  std::string_view file_;
  const toml::table& table_;
  std::string prefix_;
};

}  // namespace switchboard::autoreply
