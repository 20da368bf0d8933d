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

#include "switchboard/sb_plugin.h"
#include "switchboard/sb_plugin_cpp.hpp"

namespace {

const sb_host_api* g_host = nullptr;  // set once by sb_plugin_entry, read-only after

struct LoadBalancing {
  sb_host_ctx* ctx = nullptr;
};

// Sort key: smaller is a better choice.
auto load_key(const sb_agent_candidate& c) {
  return std::make_tuple(c.open_conversations, c.last_assigned_ms, sb::view(c.agent_id));
}

int32_t instance_new(const sb_instance_args* args, sb_instance** out, sb_error* err) {
  return sb::guarded(err, [&] {
    auto* state = new LoadBalancing();
    state->ctx = args->ctx;
    *out = reinterpret_cast<sb_instance*>(state);
    sb::log(g_host, state->ctx, SB_LOG_DEBUG, "instance ready");
    return static_cast<int32_t>(SB_OK);
  });
}

void instance_free(sb_instance* inst) {
  delete reinterpret_cast<LoadBalancing*>(inst);
}

int32_t route(sb_instance*, const sb_route_request* req, size_t* out_index, sb_op*, sb_error* err) {
  return sb::guarded(err, [&] {
    if (req->candidate_count == 0) return static_cast<int32_t>(SB_DEFER);
    size_t best = 0;
    for (size_t i = 1; i < req->candidate_count; ++i) {
      if (load_key(*req->candidates[i]) < load_key(*req->candidates[best])) best = i;
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
    "routing-load-balancing",
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
