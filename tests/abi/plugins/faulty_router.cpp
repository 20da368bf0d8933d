// abi-faulty-router: a routing plugin that misbehaves on request (the route
// request's attributes_json says how), WITHOUT sb::guarded so exceptions reach the
// host:
//   {"do":"throw"}        throws
//   {"do":"error"}        returns SB_ERROR with "no luck"
//   {"do":"pending"}      completes from another thread after 10 ms with the
//                         first candidate's agent id
//   {"do":"out-of-range"} returns SB_OK with an index past the candidates
//   anything else         chooses the first candidate
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "switchboard/sb_plugin.h"
#include "switchboard/sb_plugin_cpp.hpp"

namespace {

const sb_host_api* g_host = nullptr;

struct FaultyRouter {
  std::mutex mutex;
  std::vector<std::thread> threads;
};

bool asks(const sb_route_request* req, std::string_view what) {
  return sb::view(req->attributes_json).find(what) != std::string_view::npos;
}

int32_t instance_new(const sb_instance_args*, sb_instance** out, sb_error*) {
  *out = reinterpret_cast<sb_instance*>(new FaultyRouter());
  return SB_OK;
}

void instance_free(sb_instance* inst) {
  auto* self = reinterpret_cast<FaultyRouter*>(inst);
  for (auto& t : self->threads) t.join();
  delete self;
}

int32_t route(sb_instance* inst, const sb_route_request* req, size_t* out_index, sb_op* op,
              sb_error* err) {
  if (asks(req, "\"throw\"")) throw std::runtime_error("route boom");
  if (asks(req, "\"error\"")) {
    sb_error_set(err, "no luck");
    return SB_ERROR;
  }
  if (asks(req, "\"out-of-range\"")) {
    *out_index = req->candidate_count;
    return SB_OK;
  }
  if (asks(req, "\"pending\"")) {
    // The request is borrowed: copy the id before leaving the hook.
    std::string agent_id(req->candidate_count ? sb::view(req->candidates[0]->agent_id)
                                              : std::string_view());
    auto& self = *reinterpret_cast<FaultyRouter*>(inst);
    std::lock_guard lock(self.mutex);
    self.threads.emplace_back([op, agent_id] {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      g_host->complete(op, SB_OK, sb::str(agent_id), sb_str{});
    });
    return SB_PENDING;
  }
  *out_index = 0;
  return SB_OK;
}

const sb_routing_api kRoutingApi = {sizeof(sb_routing_api), route};

const sb_plugin_descriptor kDescriptor = {sizeof(sb_plugin_descriptor),
                                          SB_ABI_VERSION_MAJOR(1, 0),
                                          SB_ABI_VERSION_MINOR(1, 0),
                                          SB_KIND_ROUTING,
                                          "abi-faulty-router",
                                          "0.1.0",
                                          nullptr,
                                          0,
                                          instance_new,
                                          instance_free,
                                          nullptr,
                                          &kRoutingApi};

}  // namespace

extern "C" SB_EXPORT const sb_plugin_descriptor* sb_plugin_entry(const sb_host_api* host) {
  g_host = host;
  return &kDescriptor;
}
