// Deleting one stored conversation with everything of it: its files (and their
// thumbnails and bindings), its messages with their search entries, its tags and
// read positions, and its record, which may be replaced by an anonymous one.
//
// The order makes a retry after a failure (or a crash) safe: files first, then the
// conversation (one storage transaction), then the anonymous record. Until the
// second step the conversation is still found, so doing it all again finishes it.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/ports.hpp"

namespace sb::privacy {

// How a step ended: ok, or the storage's status and why not.
struct Outcome {
  int32_t status = 0;  // sb_status: 0 ok, engine::kStoreNotSupported, else failed
  std::string error;
  bool refused = false;  // failed: the plugin refused the request as bad (ABI 1.11)
  bool ok() const { return status == 0; }
};

// Every message of a conversation, oldest first, read in pages; done runs on the
// store's strand with the messages as load_messages gives them.
void load_all_messages(std::shared_ptr<engine::Store> store, std::string conversation_id,
                       std::function<void(Outcome, boost::json::array messages)> done);

// The ids of the files the messages carry (from their "attachments").
std::vector<std::string> attachment_ids(const boost::json::array& messages);

struct PurgeCounts {
  uint64_t messages = 0;
  uint64_t files = 0;
};

// Deletes conversation_id as described at the top; with replacement, puts it
// afterwards. done runs once on the store's strand.
void purge_conversation(std::shared_ptr<engine::Store> store, std::string conversation_id,
                        std::optional<boost::json::object> replacement,
                        std::function<void(Outcome, PurgeCounts)> done);

// What may stay of an erased visitor's conversation: the numbers the dashboard
// counts (status, group, agent, the times, the bot's outcome, the CSAT score), and
// nothing that names or describes the visitor (no visitor id or name, email, page,
// attributes, tags, CSAT comment, bot state). erased_at marks it.
boost::json::object anonymous_record(const boost::json::object& record, int64_t now_ms);

}  // namespace sb::privacy
