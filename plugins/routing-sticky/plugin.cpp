// routing-sticky: a returning visitor goes back to the agent who last served them.
//
// Reads from the request: attributes_json key "last_agent_id" (a string, the agent id
// of whoever served this visitor last), and the candidates' agent_id. If that agent
// is among the candidates (the host offers only agents who are online and below
// max_concurrent, and checks the answer again), they are chosen. There is nothing to
// tie-break: agent ids are unique.
//
// SB_DEFER, so the next strategy of the chain decides, when: there are no
// attributes, the key is absent, null or "", or that agent is not offered (offline,
// away or full). SB_ERROR when attributes_json is not a JSON object or the key is
// not a string: the website sent something it should not, and the chain goes on.
//
// Config: none.
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "switchboard/sb_plugin.h"
#include "switchboard/sb_plugin_cpp.hpp"

namespace {

namespace json = boost::json;

const sb_host_api* g_host = nullptr;  // set once by sb_plugin_entry, read-only after

constexpr std::string_view kLastAgentKey = "last_agent_id";

struct Sticky {
  sb_host_ctx* ctx = nullptr;
};

int32_t fail(sb_error* err, const std::string& message) {
  sb_error_set(err, message.c_str());
  return SB_ERROR;
}

int32_t instance_new(const sb_instance_args* args, sb_instance** out, sb_error* err) {
  return sb::guarded(err, [&] {
    auto* state = new Sticky();
    state->ctx = args->ctx;
    *out = reinterpret_cast<sb_instance*>(state);
    sb::log(g_host, state->ctx, SB_LOG_DEBUG, "instance ready");
    return static_cast<int32_t>(SB_OK);
  });
}

void instance_free(sb_instance* inst) {
  delete reinterpret_cast<Sticky*>(inst);
}

int32_t route(sb_instance*, const sb_route_request* req, size_t* out_index, sb_op*, sb_error* err) {
  return sb::guarded(err, [&] {
    const std::string_view attributes = sb::view(req->attributes_json);
    if (attributes.empty()) return static_cast<int32_t>(SB_DEFER);

    boost::system::error_code ec;
    const json::value parsed = json::parse(attributes, ec);
    if (ec) return fail(err, "attributes_json is not valid JSON: " + ec.message());
    const json::object* object = parsed.if_object();
    if (!object) return fail(err, "attributes_json must be a JSON object");

    const json::value* last_agent = object->if_contains(kLastAgentKey);
    if (!last_agent || last_agent->is_null()) return static_cast<int32_t>(SB_DEFER);
    const json::string* last_agent_id = last_agent->if_string();
    if (!last_agent_id) return fail(err, "attributes_json \"last_agent_id\" must be a string");
    if (last_agent_id->empty()) return static_cast<int32_t>(SB_DEFER);

    const std::string_view wanted(last_agent_id->data(), last_agent_id->size());
    for (size_t i = 0; i < req->candidate_count; ++i) {
      if (sb::view(req->candidates[i]->agent_id) == wanted) {
        *out_index = i;
        return static_cast<int32_t>(SB_OK);
      }
    }
    return static_cast<int32_t>(SB_DEFER);
  });
}

const sb_routing_api kRoutingApi = {sizeof(sb_routing_api), route};

const sb_plugin_descriptor kDescriptor = {
    sizeof(sb_plugin_descriptor),
    SB_ABI_VERSION_MAJOR(1, 0),
    SB_ABI_VERSION_MINOR(1, 0),
    SB_KIND_ROUTING,
    "routing-sticky",
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
