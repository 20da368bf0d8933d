// The tenant's unanswered questions: every visitor question the bot handed to a
// human, answered with low confidence, or whose answer the visitor said did not help.
//
// Kept in the tenant's storage as the append-only log "bot.unanswered" (ABI 1.4),
// one entry per event, never changed:
//   kind "asked"     one occurrence: {"item","question","language","conversation_id",
//                    "reason","candidates","source","score"} (the engine appends it)
//   kind "resolved"  an admin's decision on an item: {"item","status" (attached |
//                    new_entry | dismissed | reopened),"entry_id","file","by":{"id","name"}}
// Both carry the item's id as the entry's actor, so one item's history is one
// indexed listing. The list an admin sees is folded from the two (fold below): the
// questions are grouped by their normalised text (same words, case, spacing and
// closing punctuation aside), counted, and given the status of their newest
// resolution. An append-only log keeps every occurrence even while an admin acts,
// so no count is lost to a race and the history stays as it happened.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "records/log_entry.hpp"

namespace sb::unanswered {

inline constexpr const char* kLog = "bot.unanswered";
inline constexpr const char* kAskedKind = "asked";
inline constexpr const char* kResolvedKind = "resolved";

// The text questions are grouped by: ASCII letters lower-cased, runs of white space
// one space, no leading or trailing space or closing punctuation (?!.。？！~ …).
std::string question_key(std::string_view text);
// The item's id: 16 hex digits of a BLAKE2b hash of question_key (stable across
// restarts and servers, URL-safe).
std::string item_id(std::string_view question);

// One question the bot did not answer well.
struct Occurrence {
  std::string question;
  std::string language;  // the widget's, or empty
  std::string conversation_id;
  std::string reason;           // handed_off | low_confidence | not_helpful
  std::string candidates_json;  // [{"id","score"}...] best first, or empty
  std::string source;           // what the bot answered from, if it answered
  double score = -1;            // its score, negative when none
};
records::LogEntry asked_entry(const Occurrence& occurrence, int64_t ts_ms);

struct Resolution {
  std::string item;
  std::string status;  // attached | new_entry | dismissed | reopened (a dismissal undone)
  std::string entry_id;
  std::string file;
  std::string by_id;
  std::string by_name;
};
records::LogEntry resolved_entry(const Resolution& resolution, int64_t ts_ms);

// An item as the admin API answers it:
// {"id","question" (as first asked),"language","count","reasons":{"handed_off":N,...},"reason" (the
// newest),"first_at","last_at","conversations":[newest first, at most 5],
// "candidates","status","resolution":{"status","entry_id","file","at","by"}|null}.
// status is the newest resolution's, except that a question attached or made an
// entry and then asked again (and missed again) is open again; a dismissed one
// stays dismissed until an admin reopens it (status open, resolution "reopened").
using Item = boost::json::object;

// Folds log entries ({"seq","ts","kind","actor","data"}, as log_list gives them)
// into items, the most recently asked first.
std::vector<Item> fold(const boost::json::array& asked, const boost::json::array& resolved);

}  // namespace sb::unanswered
