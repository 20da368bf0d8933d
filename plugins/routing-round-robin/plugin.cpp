// routing-round-robin: hands conversations to the free agents in turn, in agent id
// order, starting after the agent it chose last for this tenant. Agents who are not
// offered (offline, full) are skipped; one who comes back gets its turn in order.
//
// A dry run (sb::routing::is_dry_run) names the agent whose turn it is and leaves
// the turn where it is.
//
// Config: none. No candidates: SB_DEFER, so the next strategy of the chain decides.
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

#include "switchboard/sb_routing_cpp.hpp"

namespace {

struct RoundRobin {
  static constexpr const char* kName = "routing-round-robin";
  static constexpr const char* kVersion = "1.0.0";

  std::mutex mutex;         // route() runs on one engine thread; the lock is cheap insurance
  std::string last_chosen;  // agent id; empty before the first choice

  int32_t choose(const sb_route_request& req, size_t& index, sb_error*) {
    std::lock_guard lock(mutex);
    // The smallest id above the last chosen one, else (wrapping) the smallest id: ids
    // above it sort first (false < true), then by id.
    const int32_t status =
        sb::routing::choose_smallest(req, index, [this](const sb_agent_candidate& c) {
          const std::string_view id = sb::view(c.agent_id);
          return std::make_tuple(id <= std::string_view(last_chosen), id);
        });
    if (status == SB_OK && !sb::routing::is_dry_run(req))
      last_chosen.assign(sb::view(req.candidates[index]->agent_id));
    return status;
  }
};

}  // namespace

SB_ROUTING_PLUGIN(RoundRobin)
