#pragma once
// How loadgen carries its timing through the server without keeping a table of
// messages in flight: the scheduled send time (clock.hpp nanoseconds) leads both
// the client_msg_id (echoed in the ack) and the text (delivered to the agent).
//   client_msg_id = "<scheduled_ns>.<visitor>.<n>"
//   text          = "t<scheduled_ns>|xxxx..." padded to --message-bytes

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace loadgen {

// The whole visitor "message" frame. Only digits, dots and 'x' go into the
// strings, so no JSON escaping is needed.
std::string encode_visitor_message(int64_t scheduled_ns, int visitor, uint64_t n,
                                   int message_bytes);

std::optional<int64_t> scheduled_ns_from_client_msg_id(std::string_view client_msg_id);
std::optional<int64_t> scheduled_ns_from_text(std::string_view text);

}  // namespace loadgen
