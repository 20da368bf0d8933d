#include "plugin_host/routing_client.hpp"

#include <stdexcept>
#include <string_view>

#include "switchboard/sb_plugin_cpp.hpp"

namespace sb::plugin_host {

namespace {

sb_agent_candidate to_abi(const AgentCandidate& c) {
  sb_agent_candidate out{};
  out.struct_size = sizeof(sb_agent_candidate);
  out.open_conversations = c.open_conversations;
  out.max_concurrent = c.max_concurrent;
  out.agent_id = str(c.agent_id);
  out.name = str(c.name);
  out.last_assigned_ms = c.last_assigned_ms;
  out.online_since_ms = c.online_since_ms;
  out.groups_json = str(c.groups_json);
  out.skills_json = str(c.skills_json);
  return out;
}

}  // namespace

RoutingClient::RoutingClient(std::shared_ptr<Instance> instance)
    : instance_(std::move(instance)), api_(instance_ ? instance_->routing_api() : nullptr) {
  // Start-up wiring error, not a message-path one.
  if (!api_) throw std::invalid_argument("RoutingClient needs an instance of a routing plugin");
}

RouteOutcome RoutingClient::route(const RouteQuery& query, boost::asio::any_io_executor executor,
                                  Callback on_pending) {
  static const std::vector<AgentCandidate> kNone;
  const auto& candidates = query.candidates ? *query.candidates : kNone;
  std::vector<sb_agent_candidate> structs;
  structs.reserve(candidates.size());
  for (const auto& c : candidates) structs.push_back(to_abi(c));
  std::vector<const sb_agent_candidate*> pointers;
  pointers.reserve(structs.size());
  for (const auto& s : structs) pointers.push_back(&s);

  sb_route_request request{};
  request.struct_size = sizeof(sb_route_request);
  request.conversation_id = str(query.conversation_id);
  request.visitor_id = str(query.visitor_id);
  request.group = str(query.group);
  request.attributes_json = str(query.attributes_json);
  request.candidates = pointers.data();
  request.candidate_count = pointers.size();

  RouteOutcome outcome;
  outcome.status = instance_->call_maybe_pending(
      [&](sb_instance* inst, sb_op* op, sb_error* err) {
        size_t index = 0;
        const int32_t status = api_->route(inst, &request, &index, op, err);
        if (status == SB_OK && index >= request.candidate_count) {
          sb_error_set(err, "route chose a candidate index out of range");
          return static_cast<int32_t>(SB_ERROR);
        }
        outcome.index = index;
        return status;
      },
      std::move(executor), std::move(on_pending), outcome.error, &outcome.refused);
  return outcome;
}

}  // namespace sb::plugin_host
