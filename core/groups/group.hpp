// One group of a tenant ([groups.NAME] in tenants/<id>.toml): who the routing graph
// can send a conversation to, when it is open, and how long its queue may get.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "groups/business_hours.hpp"

namespace sb::groups {

// What a visitor gets when the group's queue is full or they waited too long.
enum class QueueLimitOutcome : uint8_t {
  offline_message,    // told so; may leave a message; stays queued for the next agent
  message_and_close,  // told so; the conversation is closed
};

// What a visitor is told at a queue limit when the group's file says nothing.
inline constexpr std::string_view kDefaultQueueLimitMessage =
    "All our agents are busy right now. Leave a message and we will get back to you.";

struct Group {
  std::string id;    // the NAME of [groups.NAME]; what agents' `groups` lists name
  std::string name;  // shown to agents and admins; defaults to the id
  BusinessHours hours;
  uint32_t max_queue_length = 0;  // conversations waiting in this group's queue; 0 = no limit
  uint32_t max_wait_s = 0;        // seconds a conversation may wait queued; 0 = no limit
  QueueLimitOutcome on_queue_limit = QueueLimitOutcome::offline_message;
  std::string queue_limit_message;  // sent to the visitor when a limit is reached

  bool operator==(const Group&) const = default;
};

using GroupMap = std::map<std::string, Group>;  // by id

const char* to_string(QueueLimitOutcome outcome);

}  // namespace sb::groups
