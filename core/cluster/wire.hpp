// Names and payloads of what moves between nodes for client connections
// (docs/cluster.md, "A connection on a node that does not own its tenant").
//
// Commands: the stream "t/<tenant>", one JSON entry per event of a connection:
//   {"op":"open","node":N,"conn":C,"n":0,"who":{"role","id","name","agent_role","epoch"}}
//   {"op":"frame","node":N,"conn":C,"n":K,"text":S}   the client's frame as it came
//   {"op":"close","node":N,"conn":C,"n":K}
// "n" numbers a connection's entries 0, 1, 2...: the owner acts on them only in an
// unbroken run, so that an entry another consumer of the stream read (a frozen
// former owner's pending read) is never skipped over (owner_endpoint.hpp).
// Answers: the channel "n/<node>" of the connection's node, one message each:
//   "f<conn>@<epoch> <frame>"          a frame to send to the client
//   "c<conn>@<epoch> <code> <reason>"  close the client's socket (it reconnects and
//                                      resumes)
// where epoch is the owner's lease epoch on the tenant (owner_fence.hpp); an owner
// whose storage does not say leaves "@<epoch>" out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sb::cluster {

inline std::string tenant_stream(std::string_view tenant_id) {
  return "t/" + std::string(tenant_id);
}
inline std::string node_channel(std::string_view node_id) {
  return "n/" + std::string(node_id);
}

// "<conn>@<epoch>", or "<conn>" when the epoch is not known (0).
inline std::string connection_address(uint64_t conn, int64_t lease_epoch) {
  std::string address = std::to_string(conn);
  if (lease_epoch > 0) address += "@" + std::to_string(lease_epoch);
  return address;
}

// WebSocket close code 1012 (service restart): the client reconnects at once and
// resumes from its last seq; used whenever a relayed connection cannot go on.
inline constexpr uint16_t kCloseMoved = 1012;

}  // namespace sb::cluster
