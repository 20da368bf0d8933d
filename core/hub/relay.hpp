// A tenant served by another node of the cluster (docs/cluster.md): its client
// connections on this node are relayed to the owner, frame by frame, and what the
// owner sends them comes back the same way. The hub calls a Relay instead of the
// engine for every connection of a gate that has one.
#pragma once

#include <string_view>

#include "engine/ports.hpp"

namespace sb::hub {

class Relay {
 public:
  virtual ~Relay() = default;
  // A connection was accepted (agents: already authenticated as who).
  virtual void open(const engine::PeerPtr& peer, const engine::Identity& who) = 0;
  // One text frame from the client, as it came.
  virtual void frame(const engine::PeerPtr& peer, std::string_view text) = 0;
  // The connection ended (from its destructor too: only its id is left then).
  virtual void close(uint64_t peer_id) = 0;
};

}  // namespace sb::hub
