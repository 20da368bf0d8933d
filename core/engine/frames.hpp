// Builders for the server -> client frames of the wire protocol (docs/protocol.md).
// Each returns the frame serialized once, shared by every recipient.
#pragma once

#include <boost/json/value.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/conversation.hpp"

namespace sb::engine::frames {

using Frame = std::shared_ptr<const std::string>;

Frame make_frame(const boost::json::value& value);

// What agents see of a visitor: {"id","name","email"?,"meta":{"page"?,"lang"?,...attributes}}.
boost::json::object visitor_object(std::string_view id, std::string_view name,
                                   const VisitorMeta* meta);
boost::json::object csat_object(const Csat& csat);
// The conversation as agents see it; visitor (may be null) adds the visitor's email
// and the hello meta to its "visitor".
boost::json::object conversation_object(const Conversation& c,
                                        const VisitorState* visitor = nullptr);
// The visitor's own open conversation, for their welcome: {"id","status","agent"
// ({"id","name"} or null),"position"?,"eta_s"? (while queued: position > 0; null
// with "nobody_online":true for kNoEstimate), "created_at","last_seq"}.
boost::json::object visitor_conversation(const Conversation& c, const AgentState* agent,
                                         uint32_t position, uint32_t eta_s);
boost::json::object message_object(const StoredMessage& m, bool as_frame);

Frame error(std::string_view code, std::string_view message, std::string_view ref = {});
Frame pong();
// open: visitor_conversation() of their open conversation, or null when none.
Frame visitor_welcome(std::string_view visitor_id, std::string_view visitor_token,
                      const boost::json::object* open);
// max_message_bytes: the largest frame the agent may send (the tenant's limit).
Frame agent_welcome(const AgentState& agent, const boost::json::array& conversations,
                    uint32_t max_message_bytes);
Frame ack(std::string_view client_msg_id, const AckRecord& ack, std::string_view conversation_id,
          std::string_view ref = {});
Frame message(const StoredMessage& m);
// A bot message with the options the visitor may tap (sent live only).
Frame message(const StoredMessage& m, const std::vector<std::string>& quick_replies);
// An estimated wait that is not given: no agent who serves the queue is online.
// The frames then say "eta_s":null and "nobody_online":true.
inline constexpr uint32_t kNoEstimate = UINT32_MAX;
// To every agent: c joined the queue (or waits for another group now), as the
// conversation object with "first_message" (the visitor's first words) when kept.
Frame queue_joined(const Conversation& c, const VisitorState* visitor);
// To every agent: the conversation left the queue, for `status` ("assigned" with
// its assignee, "closed" with abandoned_at when its visitor left the queue, ...).
Frame queue_left(std::string_view conversation_id, std::string_view status,
                 std::string_view assignee, int64_t abandoned_ms);
// position: in the conversation's group's queue; eta_s: the estimated wait in seconds
// (or kNoEstimate).
Frame queued(std::string_view conversation_id, uint32_t position, uint32_t eta_s);
// With "transfer":{"from":{"id","name"}[,"by":{"id","name"}],"at"[,"note"]} when
// c.transferred is set (records::transfer_json, as stored).
Frame assigned_to_agent(const Conversation& c, const VisitorState* visitor,
                        boost::json::array history);
// With the conversation's last seq so far: what came before the agent joined (a
// routing message still being stored arrives after this frame).
Frame assigned_to_visitor(const Conversation& c, const AgentState& agent);
// With "transfer" when c.transfer_offer stands; from is its agent (may be null).
Frame offered(const Conversation& c, const VisitorState* visitor, const AgentState* from = nullptr);
Frame offer_withdrawn(std::string_view conversation_id, std::string_view reason);
Frame closed(std::string_view conversation_id, std::string_view by);
Frame typing(std::string_view conversation_id, bool on, Role from_role, std::string_view from_id);
Frame read(std::string_view conversation_id, uint64_t seq, Role from_role,
           std::string_view from_id);
// The answer to an agent's own `status` frame.
Frame agent_status(AgentStatus status);
// To every tab of the agent when their status changes: {"type":"agent.status","status"}.
Frame agent_status_changed(AgentStatus status);
// CSAT: the visitor's answer, and what the agent who had the conversation is told.
Frame rated(std::string_view conversation_id, int score, std::string_view ref = {});
Frame conversation_rated(std::string_view conversation_id, const Csat& csat);

const char* role_name(Role role);

}  // namespace sb::engine::frames
