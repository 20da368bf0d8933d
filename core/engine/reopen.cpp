// Reopen within a window: a visitor who writes again soon after their conversation
// was closed ("one more thing...") continues the same conversation: the same id, seq
// carrying on, back to the agent who had it when that agent is free, else routed
// like a new one. Past the tenant's reopen window a new conversation opens. What a
// closed conversation needs for that is kept per visitor (bounded) and read back
// from storage at start-up, so a restart does not forget it.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "common/clock.hpp"
#include "engine/internal.hpp"

namespace sb::engine {

namespace json = boost::json;

namespace {
// The reopen window, cut to the retention period: a conversation retention deletes
// (or is about to) is never reopened.
int64_t window_ms(const EnginePolicy& policy) {
  const int64_t window =
      std::chrono::duration_cast<std::chrono::milliseconds>(policy.reopen_window).count();
  const int64_t kept = policy.keep_closed.count();
  return kept > 0 ? std::min(window, kept) : window;
}
}  // namespace

void TenantEngine::remember_closed(const Conversation& c) {
  if (policy_.reopen_window.count() == 0 && !c.abandoned_ms) return;
  ClosedConversation closed{c.id,    wall_clock_ms(), c.next_seq - 1, c.last_agent,
                            c.group, c.created_ms,    c.tags,         c.visitor_name,
                            c.csat,  c.milestones,    c.abandoned_ms};
  recently_closed_.insert_or_assign(c.visitor_id, std::move(closed));
}

Conversation* TenantEngine::reopen(const std::string& visitor_id, VisitorState& visitor) {
  // Taken out whatever follows: it is reopened now or never.
  std::optional<ClosedConversation> taken = recently_closed_.take(visitor_id);
  if (!taken) return nullptr;
  ClosedConversation closed = std::move(*taken);
  if (policy_.reopen_window.count() == 0 || wall_clock_ms() - closed.closed_ms > window_ms(policy_))
    return nullptr;
  Conversation& c = bring_back(visitor_id, visitor, std::move(closed));
  // Routed once the visitor's message is stored (the agent sees it in the history);
  // set here because a cold conversation handles that message on a second pass.
  c.route_when_stored = true;
  persist_conversation(c);
  return &c;
}

// A visitor who left the queue (abandoned, on_visitor_grace_over) and says hello
// again within kComeBackWindow has their conversation back: it is routed again
// (on_visitor_hello), so it waits at the back of its group's line like any
// conversation that joins it now, or goes to a free agent. Later, they start afresh (or reopen it
// by writing within the tenant's reopen window).
Conversation* TenantEngine::come_back(const std::string& visitor_id, VisitorState& visitor) {
  const ClosedConversation* last = recently_closed_.find(visitor_id);
  if (!last || !last->abandoned_ms ||
      wall_clock_ms() - last->closed_ms >
          std::chrono::duration_cast<std::chrono::milliseconds>(kComeBackWindow).count())
    return nullptr;
  std::optional<ClosedConversation> closed = recently_closed_.take(visitor_id);
  Conversation& c = bring_back(visitor_id, visitor, std::move(*closed));
  c.abandoned_ms = 0;  // waiting again: no longer a missed chat
  spdlog::info("tenant {}: the visitor of {} came back; it waits again", tenant_id_, c.id);
  persist_conversation(c);
  return &c;  // routed once the visitor has their welcome
}

// A closed conversation open again (status queued), its visitor's open one.
Conversation& TenantEngine::bring_back(const std::string& visitor_id, VisitorState& visitor,
                                       ClosedConversation closed) {
  // Still in memory while its last messages are written; else rebuilt from the record.
  Conversation* c = find_conversation(closed.id);
  if (!c) {
    Conversation back;
    back.id = closed.id;
    back.visitor_id = visitor_id;
    back.visitor_name = closed.visitor_name;
    back.group = closed.group;
    back.created_ms = closed.created_ms;
    back.tags = std::move(closed.tags);
    back.last_agent = closed.last_agent;
    back.csat = std::move(closed.csat);
    back.milestones = closed.milestones;
    back.next_seq = closed.last_seq + 1;
    back.delivered_seq = closed.last_seq;
    back.warm = false;  // its acks are read back first, like after a restart
    c = &conversations_.emplace(back.id, std::move(back)).first->second;
    // And its read marks, as after a restart: whoever joins meanwhile hears them
    // as they come.
    restore_read_marks({c->id}, 0, [] {});
  }
  c->status = ConversationStatus::queued;
  c->reopen_agent = c->last_agent;
  visitor.open_conversation = c->id;
  publish(bus::event::kConversationOpened, c->id,
          json::serialize(json::object{
              {"conversation_id", c->id}, {"visitor_id", visitor_id}, {"reopened", true}}));
  return *c;
}

void TenantEngine::load_recently_closed(std::function<void()> then) {
  if (policy_.reopen_window.count() == 0) return then();
  const json::object filter{{"status", json::array{"closed"}},
                            {"updated_since", wall_clock_ms() - window_ms(policy_)},
                            {"limit", kRememberedClosed}};
  store_->list_conversations(json::serialize(filter), [this, self = shared_from_this(),
                                                       then = std::move(then)](StoreResult r) {
    const auto list = r.ok() ? records::parse_conversation_list(r.body) : std::nullopt;
    if (!list) {
      // Not fatal: those visitors open new conversations instead.
      spdlog::warn("tenant {}: cannot read recently closed conversations back: {}", tenant_id_,
                   r.ok() ? "malformed answer" : r.error);
      return then();
    }
    for (const records::ConversationRecord& record : *list) {  // newest first: latest wins
      if (record.visitor_id.empty() || recently_closed_.contains(record.visitor_id)) continue;
      ClosedConversation closed{record.id,          record.closed_or_updated_ms(),
                                record.last_seq,    record.last_agent,
                                record.group,       record.created_ms,
                                record.tags,        record.visitor_name,
                                csat_of(record),    milestones_of(record),
                                record.abandoned_ms};
      recently_closed_.insert(record.visitor_id, std::move(closed));
    }
    then();
  });
}

}  // namespace sb::engine
