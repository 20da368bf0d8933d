// Typed calls into a routing plugin instance: builds the sb_route_request from the
// core's candidates and guards the call (see Instance::call_maybe_pending).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "plugin_host/instance.hpp"
#include "plugin_host/plugin_info.hpp"

namespace sb::plugin_host {

// The core's side of sb_agent_candidate: an agent who may take the conversation now.
struct AgentCandidate {
  std::string agent_id;
  std::string name;
  uint32_t open_conversations = 0;
  uint32_t max_concurrent = 0;
  int64_t last_assigned_ms = 0;  // monotonic; 0 = never
  int64_t online_since_ms = 0;
  std::string groups_json = "[]";
  std::string skills_json = "{}";
};

struct RouteQuery {
  std::string conversation_id;
  std::string visitor_id;
  std::string group;
  std::string attributes_json = "{}";
  const std::vector<AgentCandidate>* candidates = nullptr;  // in agent id order
};

// status is SB_OK (index chosen), SB_DEFER, SB_OFFER (manual routing: offer it to
// every candidate), SB_PENDING (the answer comes through the callback) or SB_ERROR
// (error says why; the chain treats it like SB_DEFER). refused: that SB_ERROR was the
// plugin refusing the request as bad (SB_REFUSED, ABI 1.11), which its circuit
// breaker does not count.
struct RouteOutcome {
  int32_t status = 0;
  size_t index = 0;
  std::string error;
  bool refused = false;
};

class RoutingClient {
 public:
  // instance must be a routing plugin's (Instance::routing_api() != nullptr).
  explicit RoutingClient(std::shared_ptr<Instance> instance);

  // Runs route() now. Only for SB_PENDING does on_pending run later, exactly once, on
  // executor: {SB_OK, agent_id}, {SB_DEFER}, or {SB_ERROR, "", why} (timeout,
  // failure). An index out of range counts as the plugin's error.
  RouteOutcome route(const RouteQuery& query, boost::asio::any_io_executor executor,
                     Callback on_pending);

  const std::shared_ptr<Instance>& instance() const { return instance_; }

 private:
  std::shared_ptr<Instance> instance_;
  const sb_routing_api* api_;
};

}  // namespace sb::plugin_host
