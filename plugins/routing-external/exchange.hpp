// What routing-external sends its endpoint and how it reads the answer; no host
// involved, so the unit tests check both directly.
//
// The request, POSTed as JSON:
//   {"tenant": S, "conversation_id": S, "visitor_id": S,
//    "group": S | null,                   the group asked for; null = any
//    "page": S | null, "language": S | null,   from the visitor's hello meta
//    "attributes": {...},                 every attribute the host routes on (the
//                                         hello meta's keys, what a bot learned,
//                                         "last_agent_id" of a returning visitor)
//    "candidates": [{"id": S, "name": S, "status": "online",
//                    "open_conversations": N, "max_concurrent": N,
//                    "idle_ms": N | null,  since the agent's last assignment; null
//                                         = none since the server started
//                    "groups": [S...], "skills": {S: N...}}...]}
// Only agents who may take the conversation now are candidates (online, below
// max_concurrent, in the group), in agent id order.
//
// The answer: 2xx with {"agent_id": S} (one of the candidates' ids) chooses that
// agent; {"agent_id": null} (or no key) declines. Anything else is a failure with a
// reason for the log. Both decline and failure defer to the next strategy.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/sb_plugin.h"

namespace switchboard::routing_external {

// The request body for req, asked for tenant_id at monotonic time now_ms.
std::string request_body(std::string_view tenant_id, const sb_route_request& req, int64_t now_ms);

// The candidates' agent ids, which the answer must name one of.
std::vector<std::string> candidate_ids(const sb_route_request& req);

struct Verdict {
  std::optional<std::string> agent_id;  // the endpoint's choice, a candidate
  bool declined = false;                // the endpoint answered that no one should take it
  std::string reason;                   // why there is no choice, for the log
};

// Reads the end of one request: the HTTP status (0 = no response), the body, the
// transport's error ("timeout", "connect: ...") and the request's time limit.
Verdict read_answer(int32_t status, std::string_view body, std::string_view error,
                    const std::vector<std::string>& candidates, uint32_t timeout_ms);

}  // namespace switchboard::routing_external
