// Names and payloads of what moves between nodes for client connections
// (docs/cluster.md, "A connection on a node that does not own its tenant").
//
// Commands: the stream "t/<tenant>", one JSON entry per event of a connection:
//   {"op":"open","node":N,"conn":C,"who":{"role","id","name","agent_role","epoch"}}
//   {"op":"frame","node":N,"conn":C,"text":S}   the client's frame as it came
//   {"op":"close","node":N,"conn":C}
// Answers: the channel "n/<node>" of the connection's node, one message each:
//   "f<conn> <frame>"          a frame to send to the client
//   "c<conn> <code> <reason>"  close the client's socket (it reconnects and resumes)
#pragma once

#include <string>
#include <string_view>

namespace sb::cluster {

inline std::string tenant_stream(std::string_view tenant_id) {
  return "t/" + std::string(tenant_id);
}
inline std::string node_channel(std::string_view node_id) {
  return "n/" + std::string(node_id);
}

// WebSocket close code 1012 (service restart): the client reconnects at once and
// resumes from its last seq; used whenever a relayed connection cannot go on.
inline constexpr uint16_t kCloseMoved = 1012;

}  // namespace sb::cluster
