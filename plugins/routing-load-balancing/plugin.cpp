// routing-load-balancing: gives the conversation to the free agent with the fewest
// open conversations.
//
// Tie-breaks, in order: the longest since the last assignment (last_assigned_ms
// smallest; 0 = never assigned = longest), then the smallest agent id, so the choice
// never depends on the order candidates are offered in.
//
// Reads from the request: the candidates only (open_conversations, last_assigned_ms,
// agent_id). The host offers only agents who are online and below max_concurrent and
// checks the answer again, so every candidate may take the conversation.
//
// Issue 3 asks for "fewest open (not on-hold)" conversations. Conversations on hold
// do not exist yet: open_conversations counts every open one. When the ABI grows an
// on-hold count, subtract it here.
//
// Config: none. No candidates: SB_DEFER, so the next strategy of the chain decides.
#include <string_view>
#include <tuple>

#include "switchboard/sb_routing_cpp.hpp"

namespace {

struct LoadBalancing {
  static constexpr const char* kName = "routing-load-balancing";
  static constexpr const char* kVersion = "1.0.0";

  int32_t choose(const sb_route_request& req, size_t& index, sb_error*) const {
    // Sort key: smaller is a better choice.
    return sb::routing::choose_smallest(req, index, [](const sb_agent_candidate& c) {
      return std::make_tuple(c.open_conversations, c.last_assigned_ms, sb::view(c.agent_id));
    });
  }
};

}  // namespace

SB_ROUTING_PLUGIN(LoadBalancing)
