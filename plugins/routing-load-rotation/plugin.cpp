// routing-load-rotation: gives the conversation to the free agent who has waited
// longest since their last assignment, whatever their current load. Agents take turns
// by time, so a fast agent who closes chats quickly is not handed more of them.
//
// Tie-breaks: last_assigned_ms smallest first (0 = never assigned = longest wait),
// then the smallest agent id, so the choice never depends on the order offered.
//
// Reads from the request: the candidates only (last_assigned_ms, agent_id). The host
// offers only agents who are online and below max_concurrent and checks the answer
// again, so "ignoring load" never means exceeding capacity.
//
// Config: none. No candidates: SB_DEFER, so the next strategy of the chain decides.
#include <string_view>
#include <tuple>

#include "switchboard/sb_routing_cpp.hpp"

namespace {

struct LoadRotation {
  static constexpr const char* kName = "routing-load-rotation";
  static constexpr const char* kVersion = "1.0.0";

  int32_t choose(const sb_route_request& req, size_t& index, sb_error*) const {
    // Sort key: smaller is a better choice.
    return sb::routing::choose_smallest(req, index, [](const sb_agent_candidate& c) {
      return std::make_tuple(c.last_assigned_ms, sb::view(c.agent_id));
    });
  }
};

}  // namespace

SB_ROUTING_PLUGIN(LoadRotation)
