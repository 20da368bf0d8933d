// The result JSON of the read hooks, exactly as sb_plugin.h writes it.
#pragma once

#include <boost/json/array.hpp>
#include <string>
#include <string_view>

#include "sqlite_handle.hpp"

namespace switchboard::sqlite {

// {"id","seq","from":{"role","id","name"},"client_msg_id","text","ts","flags"} of the
// current row of a statement selecting message_id, seq, sender_role, sender_id,
// sender_name, client_msg_id, text, ts_ms, flags, attachments in that order; with
// "attachments" when the message has some.
boost::json::value message_from_row(const Statement& row);

// {"id","size","created_at","meta"} of a row of id, size, created_ms, meta.
std::string blob_meta_result(const Statement& row);

// {"messages":[...]}
std::string messages_result(boost::json::array messages);

// A stored conversation record with "last_seq" set, as one JSON text.
boost::json::value conversation_with_last_seq(std::string_view doc, int64_t last_seq);

// {"conversations":[...]}
std::string conversations_result(boost::json::array conversations);

// One {"key":S,"value":JSON} item; value is stored JSON text, checked on kv_put.
void append_kv_item(std::string& out, std::string_view key, std::string_view value_json);

}  // namespace switchboard::sqlite
