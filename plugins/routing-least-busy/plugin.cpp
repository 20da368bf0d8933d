// routing-least-busy: gives the conversation to the free agent with the fewest open
// conversations; among equals, the one who has waited longest since their last
// assignment (never assigned counts as longest), then the smallest agent id, so the
// choice is deterministic.
//
// Config: none. No candidates: SB_DEFER, so the next strategy of the chain decides.
#include <string_view>
#include <tuple>

#include "switchboard/sb_routing_cpp.hpp"

namespace {

struct LeastBusy {
  static constexpr const char* kName = "routing-least-busy";
  static constexpr const char* kVersion = "1.0.0";

  int32_t choose(const sb_route_request& req, size_t& index, sb_error*) const {
    // Sort key: smaller is a better choice. last_assigned_ms 0 (never) sorts first.
    return sb::routing::choose_smallest(req, index, [](const sb_agent_candidate& c) {
      return std::make_tuple(c.open_conversations, c.last_assigned_ms, sb::view(c.agent_id));
    });
  }
};

}  // namespace

SB_ROUTING_PLUGIN(LeastBusy)
