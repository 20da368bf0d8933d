// A bot file the plugin refused (PUT …/kb, …/intents, …/flows), said so that a page
// can show it on the entry and field it concerns and in its own language.
//
// The plugin's refusal is English text; the auto-reply plugins word it
// "[<code> <name>=<value> ...] <file>:<line>: <key>: <reason>"
// (plugins/autoreply-common/toml_list_reader.hpp), after the host's "plugin NAME
// refused tenant ID: ". That location is read into `line` and `field`; the reason
// stays the plugin's. What is wrong is given as a stable `problem` code with the
// `values` its sentence needs: the plugin's code when it gives one (the tag, values
// %XX-decoded), else what the server can tell from the uploaded text itself at that
// place (syntax, missing, empty, duplicate). Text that is not TOML is always `syntax`,
// with the server's line and column. A plugin without a tag (an older build) still
// has its location read; only the server's four codes can then be given.
//
// The server's own, and the plugins' codes of the same name:
//   syntax      the text is not TOML (line and column: where the reader stopped)
//   missing     nothing is written at `field`
//   empty       the value at `field` is blank: a blank string, [] or {}
//   duplicate   the value at `field` is the same as the same key's in an earlier
//               entry of the list (`first_line`: that one's line; values.first_line)
// The plugins' (values in parentheses):
//   any file    unreadable, unknown_key (expected), not_string, not_string_list,
//               not_table, not_table_list, not_boolean, not_integer,
//               out_of_range (min, max)
//   kb, intents no_words (a question or example with no words to match)
//   kb          defined_twice (other_file: another kb file of the tenant has the id)
//   intents     too_few_examples (min, has), too_many_examples (max, has),
//               too_few_intents (min, has), too_many_intents (max, has),
//               one_action (expected), unknown_action (expected), handoff_not_true,
//               human_hands_off
//   flows       bad_name (name), bad_param_name (name), bad_target (value),
//               bad_language (value), no_default_language (language), not_text,
//               not_handoff, unclosed_brace, stray_brace, params_not_allowed,
//               defined_twice (other_file), duplicate_row, second_default (flow),
//               bad_pattern (detail), pattern_matches_empty, two_actions (first, second),
//               question_missing, message_missing, unknown_flow (flow),
//               unknown_node (flow, node), unknown_table (table),
//               unknown_param (name), forwarding_cycle (circle)
//   synonyms    not_list_of_lists, too_few_words (min), not_one_word
// (The flow plugin's warnings, logged only, carry unreachable and not_started.)
// A client meeting a code it does not know shows `reason`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hub/http_types.hpp"

namespace sb::api {

struct BotFileProblem {
  std::string file;          // as the tenant's config names it ("demo/faq.toml")
  std::uint32_t line = 0;    // 1-based; 0: not known
  std::uint32_t column = 0;  // syntax errors only
  std::string field;         // "entries[3].answer"; empty when none is named
  std::string reason;        // the plugin's words after the location
  std::string problem;       // a code listed above; empty when none is known
  // What the problem's sentence needs, as the plugin gave it ({"min","3"}, {"has","1"}).
  std::vector<std::pair<std::string, std::string>> values;
  std::uint32_t first_line = 0;  // duplicate: the earlier entry's line
  std::string tag;               // the plugin's "[code ...] " as written; not in `message`
};

// message: the plugin's refusal; file: the file's name as the config gives it;
// text: the uploaded content.
BotFileProblem read_bot_file_problem(std::string_view message, std::string_view file,
                                     std::string_view text);

// 422 {"error":{"code","message","file","line"?,"column"?,"field"?,"reason","problem"?,
// "values"?:{name:string},"first_line"?}}; message is the refusal without the tag.
hub::HttpResponse bot_file_refusal(std::string_view code, std::string_view message,
                                   const BotFileProblem& problem);

}  // namespace sb::api
