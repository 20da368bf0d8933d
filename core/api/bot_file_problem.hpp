// A bot file the plugin refused (PUT …/kb, …/intents, …/flows), said so that a page
// can show it on the entry and field it concerns and in its own language.
//
// The plugin's refusal is English text; the auto-reply plugins word it
// "<file>:<line>: <key>: <reason>" (plugins/autoreply-common/toml_list_reader.hpp),
// after the host's "plugin NAME refused tenant ID: ". That location is read into
// `line` and `field`; the reason stays the plugin's. What the server can tell from
// the uploaded text itself, at that place, is given as a stable `problem` code:
//
//   syntax     the text is not TOML (line and column: where the reader stopped)
//   missing    nothing is written at `field`
//   empty      the value at `field` is blank: a blank string, [] or {}
//   duplicate  the value at `field` is the same as the same key's in an earlier
//              entry of the list (`first_line`: that one's line)
//
// No code: only the plugin's reason says what is wrong (a bad pattern, too few
// examples, an unknown key, ...).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "hub/http_types.hpp"

namespace sb::api {

struct BotFileProblem {
  std::string file;              // as the tenant's config names it ("demo/faq.toml")
  std::uint32_t line = 0;        // 1-based; 0: not known
  std::uint32_t column = 0;      // syntax errors only
  std::string field;             // "entries[3].answer"; empty when none is named
  std::string reason;            // the plugin's words after the location
  std::string problem;           // syntax, missing, empty, duplicate, or empty when unknown
  std::uint32_t first_line = 0;  // duplicate: the earlier entry's line
};

// message: the plugin's refusal; file: the file's name as the config gives it;
// text: the uploaded content.
BotFileProblem read_bot_file_problem(std::string_view message, std::string_view file,
                                     std::string_view text);

// 422 {"error":{"code","message","file","line"?,"column"?,"field"?,"reason","problem"?,
// "first_line"?}}
hub::HttpResponse bot_file_refusal(std::string_view code, std::string_view message,
                                   const BotFileProblem& problem);

}  // namespace sb::api
