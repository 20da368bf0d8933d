#pragma once
// One conversation's place in the flows, as the host keeps it between messages: the
// plugin returns it as the result's "state" and gets it back as state_json on the
// next message (after a restart, or on another node, too).
//
//   {"v":1,"flow":"order_status","node":"ask_number","params":{"order_id":"SB-12345"},
//    "retries":1,"fallbacks":0,"lang":"zh","expires_ms":1764410000000}
//
// {"v":1} alone (no "flow") means no flow is running but the conversation has been
// seen, so the default flow is not offered again.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "flow_model.hpp"
#include "flow_text.hpp"

namespace switchboard::flow {

struct ConversationState {
  bool seen = false;            // false only for "" (the conversation's first message)
  std::optional<Target> at;     // the node waiting for the visitor's answer
  Params params;                // captured values and looked-up texts
  std::uint32_t retries = 0;    // invalid answers to the waiting node's capture
  std::uint32_t fallbacks = 0;  // answers the waiting node did not understand
  std::string language;         // of the last turn, for messages that do not tell
  std::int64_t expires_ms = 0;  // wall clock; past it the flow is forgotten
};

// "" gives a fresh state. Anything that is not a state this code wrote (a newer or
// older format, a hand-edited value) gives a seen state with no flow running, so a
// bad value can never wedge a conversation.
ConversationState parse_state(std::string_view state_json);

std::string serialize_state(const ConversationState& state);

}  // namespace switchboard::flow
