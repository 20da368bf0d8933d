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

#include "switchboard/sb_plugin.h"
#include "switchboard/sb_plugin_cpp.hpp"

namespace {

const sb_host_api* g_host = nullptr;  // set once by sb_plugin_entry, read-only after

struct LoadRotation {
  sb_host_ctx* ctx = nullptr;
};

// Sort key: smaller is a better choice.
auto rotation_key(const sb_agent_candidate& c) {
  return std::make_tuple(c.last_assigned_ms, sb::view(c.agent_id));
}

int32_t instance_new(const sb_instance_args* args, sb_instance** out, sb_error* err) {
  return sb::guarded(err, [&] {
    auto* state = new LoadRotation();
    state->ctx = args->ctx;
    *out = reinterpret_cast<sb_instance*>(state);
    sb::log(g_host, state->ctx, SB_LOG_DEBUG, "instance ready");
    return static_cast<int32_t>(SB_OK);
  });
}

void instance_free(sb_instance* inst) {
  delete reinterpret_cast<LoadRotation*>(inst);
}

int32_t route(sb_instance*, const sb_route_request* req, size_t* out_index, sb_op*, sb_error* err) {
  return sb::guarded(err, [&] {
    if (req->candidate_count == 0) return static_cast<int32_t>(SB_DEFER);
    size_t best = 0;
    for (size_t i = 1; i < req->candidate_count; ++i) {
      if (rotation_key(*req->candidates[i]) < rotation_key(*req->candidates[best])) best = i;
    }
    *out_index = best;
    return static_cast<int32_t>(SB_OK);
  });
}

const sb_routing_api kRoutingApi = {sizeof(sb_routing_api), route};

const sb_plugin_descriptor kDescriptor = {
    sizeof(sb_plugin_descriptor),
    SB_ABI_VERSION_MAJOR(1, 0),
    SB_ABI_VERSION_MINOR(1, 0),
    SB_KIND_ROUTING,
    "routing-load-rotation",
    "1.0.0",
    nullptr,
    0,
    instance_new,
    instance_free,
    nullptr,
    &kRoutingApi,
};

}  // namespace

extern "C" SB_EXPORT const sb_plugin_descriptor* sb_plugin_entry(const sb_host_api* host) {
  g_host = host;
  return &kDescriptor;
}
