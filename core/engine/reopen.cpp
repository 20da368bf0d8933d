// Reopen within a window: a visitor who writes again soon after their conversation
// was closed ("one more thing...") continues the same conversation: the same id, seq
// carrying on, back to the agent who had it when that agent is free, else routed
// like a new one. Past the tenant's reopen window a new conversation opens. What a
// closed conversation needs for that is kept per visitor (bounded) and read back
// from storage at start-up, so a restart does not forget it.
#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "common/clock.hpp"
#include "engine/internal.hpp"

namespace sb::engine {

namespace json = boost::json;

namespace {
int64_t window_ms(const EnginePolicy& policy) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(policy.reopen_window).count();
}
}  // namespace

void TenantEngine::remember_closed(const Conversation& c) {
  if (policy_.reopen_window.count() == 0) return;
  ClosedConversation closed{c.id,    wall_clock_ms(), c.next_seq - 1, c.last_agent,
                            c.group, c.created_ms,    c.tags,         c.visitor_name,
                            c.csat,  c.milestones};
  recently_closed_.insert_or_assign(c.visitor_id, std::move(closed));
}

Conversation* TenantEngine::reopen(const std::string& visitor_id, VisitorState& visitor) {
  // Taken out whatever follows: it is reopened now or never.
  std::optional<ClosedConversation> taken = recently_closed_.take(visitor_id);
  if (!taken) return nullptr;
  ClosedConversation closed = std::move(*taken);
  if (policy_.reopen_window.count() == 0 || wall_clock_ms() - closed.closed_ms > window_ms(policy_))
    return nullptr;

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
  }
  c->status = ConversationStatus::queued;
  c->reopen_agent = c->last_agent;
  // Routed once the visitor's message is stored (the agent sees it in the history);
  // set here because a cold conversation handles that message on a second pass.
  c->route_when_stored = true;
  visitor.open_conversation = c->id;
  persist_conversation(*c);
  publish(bus::event::kConversationOpened, c->id,
          json::serialize(json::object{
              {"conversation_id", c->id}, {"visitor_id", visitor_id}, {"reopened", true}}));
  return c;
}

void TenantEngine::load_recently_closed(std::function<void()> then) {
  if (policy_.reopen_window.count() == 0) return then();
  const json::object filter{{"status", json::array{"closed"}},
                            {"updated_since", wall_clock_ms() - window_ms(policy_)},
                            {"limit", kRememberedClosed}};
  store_->list_conversations(json::serialize(filter), [this, self = shared_from_this(),
                                                       then = std::move(then)](StoreResult r) {
    boost::system::error_code ec;
    const json::value root = r.ok() ? json::parse(r.body, ec) : json::value();
    const json::value* list = (r.ok() && !ec && root.is_object())
                                  ? root.get_object().if_contains("conversations")
                                  : nullptr;
    if (!list || !list->is_array()) {
      // Not fatal: those visitors open new conversations instead.
      spdlog::warn("tenant {}: cannot read recently closed conversations back: {}", tenant_id_,
                   r.ok() ? "malformed answer" : r.error);
      return then();
    }
    for (const auto& item : list->get_array()) {  // newest first: a visitor's latest wins
      const json::object* o = item.if_object();
      if (!o) continue;
      const auto text = [&](std::string_view k) {
        const auto* v = o->if_contains(k);
        return v && v->is_string() ? std::string(v->get_string()) : std::string();
      };
      const auto number = [&](std::string_view k) -> int64_t {
        const auto* v = o->if_contains(k);
        if (v && v->is_int64()) return v->get_int64();
        if (v && v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
        return 0;
      };
      const std::string visitor_id = text("visitor_id");
      if (visitor_id.empty() || text("id").empty() || recently_closed_.contains(visitor_id))
        continue;
      // Records from before closed_at: the last update was the close.
      const int64_t closed_at = number("closed_at") ? number("closed_at") : number("updated_at");
      ClosedConversation closed{text("id"),
                                closed_at,
                                static_cast<uint64_t>(number("last_seq")),
                                text("last_agent"),
                                text("group"),
                                number("created_at"),
                                tags_of(*o),
                                text("visitor_name"),
                                parse_csat_record(*o),
                                parse_milestones(*o)};
      recently_closed_.insert(visitor_id, std::move(closed));
    }
    then();
  });
}

}  // namespace sb::engine
