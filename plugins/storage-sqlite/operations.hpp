// The operations the hooks hand to the writer and reader threads: owned copies of
// the borrowed arguments, plus the op to complete.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "message_fields.hpp"
#include "switchboard/sb_plugin.h"

namespace switchboard::sqlite {

// ---- writes (one queue, applied in the order they were issued) ----

// The text fields live in one buffer (message_fields.hpp): one allocation per
// message where eight strings took up to eight.
struct AppendMessage {
  using Field = MessageFields::Field;
  MessageFields fields;
  int64_t seq = 0;
  int64_t ts_ms = 0;
  int64_t flags = 0;

  std::string_view conversation_id() const { return fields.get(Field::kConversationId); }
  std::string_view message_id() const { return fields.get(Field::kMessageId); }
  std::string_view sender_role() const { return fields.get(Field::kSenderRole); }
  std::string_view sender_id() const { return fields.get(Field::kSenderId); }
  std::string_view sender_name() const { return fields.get(Field::kSenderName); }
  std::string_view client_msg_id() const { return fields.get(Field::kClientMsgId); }
  std::string_view text() const { return fields.get(Field::kText); }
  // validated JSON array, or "" for none
  std::string_view attachments() const { return fields.get(Field::kAttachments); }
};

struct PutConversation {
  std::string id;
  std::string status;
  std::optional<std::string> visitor_id;
  std::optional<std::string> assignee;
  std::optional<std::string> group;
  std::optional<int64_t> created_ms;
  std::vector<std::string> tags;
  int64_t updated_ms = 0;
  std::string doc;  // the record as put, validated JSON
};

struct SetRead {
  std::string conversation_id;
  std::string participant_id;
  int64_t seq = 0;
};

struct KvPut {
  std::string ns;
  std::string key;
  std::string value;  // validated JSON; empty = delete
};

// A file already written durably in place (BlobFiles::write_durably): committing its
// row makes it stored. Refused (and the file removed) past max_total_bytes.
struct PutBlob {
  std::string id;
  std::string meta;  // validated JSON object
  int64_t size = 0;
  int64_t created_ms = 0;
  int64_t max_total_bytes = 0;  // 0 = no limit
  std::filesystem::path file;
};

// The row goes in the transaction; the file once it committed.
struct DeleteBlob {
  std::string id;
  std::filesystem::path file;
};

// ABI 1.4: one entry for a log (request_parsing.hpp parse_log_entry); the writer
// gives it the log's next seq.
struct AppendLog {
  std::string log;
  std::string kind;
  std::string actor;
  std::string data;  // validated JSON object
  int64_t ts_ms = 0;
};

// ABI 1.5: the conversation's record, tags, messages (and so their search index
// entries) and read positions.
struct DeleteConversation {
  std::string id;
};

// ABI 1.5: the log's entries older than before_ts_ms; the log's highest seq is
// kept in log_counters so numbering goes on.
struct PruneLog {
  std::string log;
  int64_t before_ts_ms = 0;
};

struct WriteOp {
  std::variant<AppendMessage, PutConversation, SetRead, KvPut, PutBlob, DeleteBlob, AppendLog,
               DeleteConversation, PruneLog>
      command;
  sb_op* op = nullptr;
};

// ---- reads (one queue, answered in order on the reader connection) ----

struct LoadMessages {
  std::string conversation_id;
  int64_t after_seq = 0;
  int64_t before_seq = 0;  // 0 = no upper bound
  int64_t limit = 0;
};

struct ListConversations {
  std::optional<std::vector<std::string>> statuses;
  std::optional<std::string> visitor_id;
  std::optional<std::string> assignee;
  std::optional<std::string> id;
  std::optional<std::string> group;
  std::optional<std::string> tag;
  std::optional<int64_t> created_since;  // created_at >= it
  std::optional<int64_t> created_until;  // created_at < it
  std::optional<int64_t> updated_since;  // updated_at >= it
  int64_t limit = 1000;
};

struct KvGet {
  std::string ns;
  std::string key;
};

struct KvList {
  std::string ns;
};

struct GetBlob {
  std::string id;
  std::filesystem::path file;
};

struct BlobMeta {
  std::string id;
};

struct BlobUsage {};

// ABI 1.3 search (request_parsing.hpp parse_search).
struct Search {
  std::string q;
  int64_t limit = 20;
  std::optional<int64_t> before_rowid;  // the cursor
  std::optional<std::string> conversation_id;
  std::optional<std::string> status;
  std::optional<std::string> assignee;
  std::optional<int64_t> since;  // ts_ms >= it
  std::optional<int64_t> until;  // ts_ms < it
  bool include_private = false;
};

// ABI 1.4 log_list (request_parsing.hpp parse_log_query).
struct ListLog {
  std::string log;
  int64_t limit = 50;
  std::optional<int64_t> before_seq;  // the cursor
  std::optional<std::string> kind;
  std::optional<std::string> actor;
  std::optional<int64_t> seq;
};

// ABI 1.10 load_reads (request_parsing.hpp parse_reads_query): the read positions
// of these conversations.
struct LoadReads {
  std::vector<std::string> conversation_ids;  // 1..kMaxReadsQueryIds
};

struct ReadOp {
  std::variant<LoadMessages, ListConversations, KvGet, KvList, GetBlob, BlobMeta, BlobUsage, Search,
               ListLog, LoadReads>
      command;
  sb_op* op = nullptr;
};

}  // namespace switchboard::sqlite
