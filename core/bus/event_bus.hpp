// The per-tenant event bus: typed events for every conversation and agent
// transition, delivered in order to in-process subscribers (the engine's own
// observers, metrics, and plugins through the ABI's on_event hook).
//
// One bus per tenant, used only from that tenant's engine strand, so it needs no
// locks: publish() runs every subscriber synchronously, in subscription order.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sb::bus {

// The event names of ABI 1.0 (see sb_event in sdk-headers).
namespace event {
inline constexpr const char* kMessageCreated = "message.created";
inline constexpr const char* kConversationOpened = "conversation.opened";
inline constexpr const char* kConversationQueued = "conversation.queued";
inline constexpr const char* kConversationAssigned = "conversation.assigned";
inline constexpr const char* kConversationTransferred = "conversation.transferred";
inline constexpr const char* kConversationClosed = "conversation.closed";
inline constexpr const char* kAgentStatus = "agent.status";
inline constexpr const char* kTenantReloaded = "tenant.reloaded";
// The bot's part (not listed in sb_plugin.h's 1.0 types; plugins get them too):
// the bot takes a conversation: {conversation_id, flow_node}
inline constexpr const char* kConversationBotStarted = "conversation.bot_started";
// it answered a visitor message: {conversation_id, seq (the visitor's), replies
// (messages it sends; their message.created follow once stored), outcome:
// "interim" (a holding reply, more follows), "answered", "handoff" or "close"; and
// why, when known: stage (the plugin that answered), source (what it answered from,
// e.g. "demo/faq.toml#refund-time", "flow:order_status/ask_number", "clarify"),
// score, candidates [{id, score}...] (the closest knowledge-base entries weighed)}
inline constexpr const char* kBotTurn = "bot.turn";
// it lets go to a human: {conversation_id, reason, group (asked for, or "")}; the
// routing events follow
inline constexpr const char* kConversationBotHandedOff = "conversation.bot_handed_off";
// The routing graph decided: {conversation_id, rule (its id, or the fallback's),
// rule_index (-1: the fallback), actions (their types, in order), while_waiting
// (true: a rule with a `waited` condition came to fire while it was queued)}
inline constexpr const char* kConversationDecided = "conversation.decided";
// The visitor rated their closed conversation (CSAT; a second rating replaces the
// first): {conversation_id, visitor_id, agent_id (who had it, or ""), score (1..5),
// comment, ts}
inline constexpr const char* kConversationRated = "conversation.rated";
}  // namespace event

struct Event {
  std::string type;
  std::string tenant_id;
  std::string conversation_id;  // empty when not about one conversation
  std::string payload_json;     // the event as a JSON object
  int64_t ts_ms = 0;            // wall clock
};

class EventBus {
 public:
  using Subscriber = std::function<void(const Event&)>;
  using SubscriptionId = uint64_t;

  SubscriptionId subscribe(Subscriber subscriber);
  void unsubscribe(SubscriptionId id);

  // Runs every subscriber with the event. A subscriber that throws is a bug in
  // the core; plugin subscribers are wrapped by the plugin host's barrier.
  void publish(const Event& event) const;

  std::size_t subscriber_count() const { return subscribers_.size(); }

 private:
  struct Entry {
    SubscriptionId id;
    Subscriber fn;
  };
  std::vector<Entry> subscribers_;
  SubscriptionId next_id_ = 1;
};

}  // namespace sb::bus
