// The stored conversation record (sb_storage_api's put_conversation and
// list_conversations): the engine writes one whenever a conversation changes, reads
// them back at start-up, edits closed ones (tags, a rating); the admin API lists
// them and the dashboard's statistics are computed from them. This is the one place
// that knows their JSON fields; everyone else works with ConversationRecord.
//
// Fields storage adds (last_seq) are read but never written back. Absent fields
// read as empty or 0, so records written by older versions still load.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::records {

struct StoredCsat {
  int score = 0;  // 1..5; a record with another score has no rating
  std::string comment;
  int64_t ts_ms = 0;
  bool operator==(const StoredCsat&) const = default;
};

// Who passed the conversation on to its agent, when a transfer did: the agent who
// had it, who asked when that was someone else (an admin; by_id "" otherwise),
// when, and the note they left for the receiving agent ("" = none).
struct StoredTransfer {
  std::string from_id, from_name;
  std::string by_id, by_name;
  int64_t at_ms = 0;
  std::string note;
  bool operator==(const StoredTransfer&) const = default;
};

struct ConversationRecord {
  std::string id;
  std::string status;  // bot | queued | assigned | closed
  std::string visitor_id;
  std::string visitor_name;
  std::string assignee;            // "" when nobody has it
  std::string group;               // "" = the tenant's default queue
  std::string chain;               // the routing rule's strategy chain; "" = the tenant's
  std::vector<std::string> rules;  // routing rules that fired, in order
  std::vector<std::string> tags;
  std::string last_agent;  // who had it last (kept after a close)
  int64_t created_ms = 0;  // wall clock ms, as are the other *_ms
  int64_t updated_ms = 0;
  int64_t closed_ms = 0;  // 0 while open (and in records from before closed_at)
  // Closed because its visitor left while it waited in the queue (every connection
  // gone for the tenant's visitor_offline_grace_s): a missed chat. 0 otherwise.
  int64_t abandoned_ms = 0;
  int64_t queue_order = 0;
  bool queue_limit_reached = false;
  bool over_queue_limit = false;
  uint64_t queue_limit_seq = 0;
  uint64_t close_after_seq = 0;
  // The dashboard's milestones (0 = not yet) and how the bot's part ended
  // ("" = no bot, "bot", "handed_off", "resolved").
  int64_t queued_ms = 0;
  int64_t assigned_ms = 0;
  int64_t first_response_ms = 0;
  std::string bot_outcome;
  std::optional<StoredCsat> csat;
  std::optional<StoredTransfer> transfer;  // set while the last assignment was a transfer
  std::string first_message;               // the visitor's first words ("" = not kept)
  bool undecided = false;                  // the routing graph has not decided it yet
  // The engine's own sub-objects, kept as they are: the bot's session and the
  // visitor's hello meta (see engine/internal.hpp's bot_record and meta_record).
  std::optional<boost::json::object> bot;
  std::optional<boost::json::object> visitor_meta;
  // Set on the stub a visitor's erasure leaves (privacy/conversation_purge.cpp
  // writes that stub: only what the statistics need, no visitor fields).
  int64_t erased_ms = 0;
  uint64_t last_seq = 0;  // added by storage: the conversation's last stored seq

  // When it closed: closed_at, or for records from before it the last update.
  int64_t closed_or_updated_ms() const { return closed_ms ? closed_ms : updated_ms; }
  bool operator==(const ConversationRecord&) const = default;
};

// The record as stored (without last_seq, which storage keeps itself).
boost::json::object to_json(const ConversationRecord& record);
// A record read back; nullopt when it has no id.
std::optional<ConversationRecord> from_json(const boost::json::object& record);

// The "transfer" object, as stored and as agents get it in frames (docs/protocol.md):
// {"from":{"id","name"},"by"?:{"id","name"},"at":MS,"note"?:S}. nullopt without a
// from.id.
boost::json::object transfer_json(const StoredTransfer& transfer);
std::optional<StoredTransfer> transfer_from_json(const boost::json::object& transfer);

// A list_conversations answer ({"conversations":[...]}); nullopt when it is not
// what the storage contract says. Items without an id are skipped.
std::optional<std::vector<ConversationRecord>> parse_conversation_list(std::string_view body);

}  // namespace sb::records
