// routing-round-robin: hands conversations to the free agents in turn, in agent id
// order, starting after the agent it chose last for this tenant. Agents who are not
// offered (offline, full) are skipped; one who comes back gets its turn in order.
//
// Config: none. No candidates: SB_DEFER, so the next strategy of the chain decides.
#include <mutex>
#include <string>
#include <string_view>

#include "switchboard/sb_plugin.h"
#include "switchboard/sb_plugin_cpp.hpp"

namespace {

const sb_host_api* g_host = nullptr;  // set once by sb_plugin_entry, read-only after

struct RoundRobin {
  sb_host_ctx* ctx = nullptr;
  std::mutex mutex;         // route() runs on one engine thread; the lock is cheap insurance
  std::string last_chosen;  // agent id; empty before the first choice
};

// The candidate with the smallest id above `after`, else (wrapping) the smallest id.
size_t next_after(const sb_route_request& req, std::string_view after) {
  size_t smallest = 0;
  size_t next = req.candidate_count;
  for (size_t i = 0; i < req.candidate_count; ++i) {
    const std::string_view id = sb::view(req.candidates[i]->agent_id);
    if (id < sb::view(req.candidates[smallest]->agent_id)) smallest = i;
    if (id > after &&
        (next == req.candidate_count || id < sb::view(req.candidates[next]->agent_id)))
      next = i;
  }
  return next == req.candidate_count ? smallest : next;
}

int32_t instance_new(const sb_instance_args* args, sb_instance** out, sb_error* err) {
  return sb::guarded(err, [&] {
    auto* state = new RoundRobin();
    state->ctx = args->ctx;
    *out = reinterpret_cast<sb_instance*>(state);
    sb::log(g_host, state->ctx, SB_LOG_DEBUG, "instance ready");
    return static_cast<int32_t>(SB_OK);
  });
}

void instance_free(sb_instance* inst) {
  delete reinterpret_cast<RoundRobin*>(inst);
}

int32_t route(sb_instance* inst, const sb_route_request* req, size_t* out_index, sb_op*,
              sb_error* err) {
  return sb::guarded(err, [&] {
    if (req->candidate_count == 0) return static_cast<int32_t>(SB_DEFER);
    auto* state = reinterpret_cast<RoundRobin*>(inst);
    std::lock_guard lock(state->mutex);
    const size_t chosen = next_after(*req, state->last_chosen);
    state->last_chosen.assign(sb::view(req->candidates[chosen]->agent_id));
    *out_index = chosen;
    return static_cast<int32_t>(SB_OK);
  });
}

const sb_routing_api kRoutingApi = {sizeof(sb_routing_api), route};

const sb_plugin_descriptor kDescriptor = {
    sizeof(sb_plugin_descriptor),
    SB_ABI_VERSION_MAJOR(1, 0),
    SB_ABI_VERSION_MINOR(1, 0),
    SB_KIND_ROUTING,
    "routing-round-robin",
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
