// Turns the JSON arguments of put_conversation, list_conversations and kv_put into
// operations, on the caller's thread, so a malformed argument fails at once with
// SB_ERROR and a reason instead of reaching the database.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "operations.hpp"

namespace switchboard::sqlite {

// An object with a non-empty string "id" and a string "status"; "visitor_id" and
// "assignee", when present, are strings or null. The record is ordered by its
// numeric "updated_at" (ms) when it has one, else by now_ms. Returns "" or why not.
std::string parse_conversation(std::string_view json_text, int64_t now_ms, PutConversation& out);

// {"status":[S...]|S?, "visitor_id":S?, "assignee":S?, "id":S?, "limit":N?}; "" means
// {}. Unknown keys are refused so a typo never silently widens the filter.
std::string parse_filter(std::string_view json_text, ListConversations& out);

// The search query of ABI 1.3 (sb_plugin.h): "q" non-empty, at most 1000 bytes;
// "limit" 1..100; "cursor" a next_cursor this plugin gave; unknown keys refused.
std::string parse_search(std::string_view json_text, Search& out);

// A log entry of ABI 1.4 (sb_log_entry): the log's name 1..64 bytes of
// [a-z0-9_.-], kind up to 128 bytes, actor up to 256, data a JSON object of at most
// 1 MiB. Fills out (ts_ms aside) or says why not.
std::string parse_log_entry(std::string_view log, std::string_view kind, std::string_view actor,
                            std::string_view data_json, AppendLog& out);

// The log_list query of ABI 1.4: "log" a valid name, "limit" 1..500, "cursor" a
// next_cursor this plugin gave, "kind"/"actor" strings, "seq" >= 1; unknown keys
// refused.
std::string parse_log_query(std::string_view json_text, ListLog& out);

// The load_reads query of ABI 1.10: {"conversation_ids":[S...]} with 1 to
// kMaxReadsQueryIds strings; unknown keys refused.
inline constexpr size_t kMaxReadsQueryIds = 1000;
std::string parse_reads_query(std::string_view json_text, LoadReads& out);

// "" (delete) or any JSON text, which kv_list later embeds as it is.
std::string check_kv_value(std::string_view json_text);

// sb_message.attachments_json: "" or a JSON array, kept as it is.
std::string check_attachments(std::string_view json_text);

// The append_message hook's borrowed message copied into out (its 8 text fields in
// one buffer: one allocation), its attachments (ABI 1.2, when the caller's struct
// is large enough to have them) checked first. The caller checks the fields up to
// ts_ms are there. Returns "" or why not.
std::string copy_message(const sb_message& msg, AppendMessage& out);

// sb_blob_put.meta_json: a JSON object.
std::string check_blob_meta(std::string_view json_text);

}  // namespace switchboard::sqlite
