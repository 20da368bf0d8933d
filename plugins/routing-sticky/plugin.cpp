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
// away or full). SB_REFUSED (ABI 1.11) when attributes_json is not a JSON object or
// the key is not a string: the website sent something it should not, the chain goes
// on, and the host's circuit breaker does not count it (a failure would: a few such
// visitors made the strategy unavailable for the whole tenant).
//
// Config: none.
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "switchboard/sb_routing_cpp.hpp"

namespace {

namespace json = boost::json;
using sb::routing::refuse;

constexpr std::string_view kLastAgentKey = "last_agent_id";

struct Sticky {
  static constexpr const char* kName = "routing-sticky";
  static constexpr const char* kVersion = "1.1.0";
  static constexpr uint16_t kAbiMinor = 11;  // refuses with SB_REFUSED

  int32_t choose(const sb_route_request& req, size_t& index, sb_error* err) const {
    const std::string_view attributes = sb::view(req.attributes_json);
    if (attributes.empty()) return SB_DEFER;

    boost::system::error_code ec;
    const json::value parsed = json::parse(attributes, ec);
    if (ec) return refuse(err, "attributes_json is not valid JSON: " + ec.message());
    const json::object* object = parsed.if_object();
    if (!object) return refuse(err, "attributes_json must be a JSON object");

    const json::value* last_agent = object->if_contains(kLastAgentKey);
    if (!last_agent || last_agent->is_null()) return SB_DEFER;
    const json::string* last_agent_id = last_agent->if_string();
    if (!last_agent_id) return refuse(err, "attributes_json \"last_agent_id\" must be a string");
    if (last_agent_id->empty()) return SB_DEFER;

    const std::string_view wanted(last_agent_id->data(), last_agent_id->size());
    for (size_t i = 0; i < req.candidate_count; ++i) {
      if (sb::view(req.candidates[i]->agent_id) == wanted) {
        index = i;
        return SB_OK;
      }
    }
    return SB_DEFER;
  }
};

}  // namespace

SB_ROUTING_PLUGIN(Sticky)
