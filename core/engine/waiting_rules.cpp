// Time waited, while it is waited. The routing graph decides a conversation when it
// opens (and when a bot hands it over), but a rule such as "waited 120 s and support
// is busy -> the overflow group" only comes true later. So a queued conversation is
// decided again each time it has been open as long as one of the graph's `waited`
// conditions asks (one timer at a time per conversation, armed for the next such
// moment), and right away when such a moment passed while nothing watched: as it
// joins a queue (one requeued after its agent left may have been open for long),
// after a restart, after a graph change.
//
// Deciding again changes the conversation only when the rule that fires now has a
// `waited` condition and has not acted on this conversation before: the rest of the
// graph already had its say, and a rule that acted once (its message said, its group
// chosen) never acts twice. The conversation keeps its place in time: moved to
// another group's queue, it stands where its wait began, its max_wait_s counts on
// from there, and it is not turned away by that group's max_queue_length.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/clock.hpp"
#include "engine/internal.hpp"
#include "routing_graph/evaluate.hpp"

namespace sb::engine {

namespace {

bool has_waited_condition(const routing_graph::Rule& rule) {
  return std::any_of(rule.conditions.begin(), rule.conditions.end(), [](const auto& condition) {
    return condition.type == routing_graph::ConditionType::waited;
  });
}

// A routing-external answer (or a check now) is awaited: look again shortly.
constexpr std::chrono::milliseconds kBusyRetry{1000};

}  // namespace

void TenantEngine::watch_rules(Conversation& c, bool catch_up) {
  const uint64_t watch = ++c.rule_watch;  // any timer armed before is void
  if (waited_thresholds_.empty()) return;
  auto arm = [&](int64_t delay_ms) {
    after(std::chrono::milliseconds(std::max<int64_t>(0, delay_ms)),
          [this, id = c.id, watch] { on_rule_deadline(id, watch); });
  };
  const int64_t waited_ms = wall_clock_ms() - c.created_ms;
  // A moment that passed unchecked (a requeue, a stop, another graph) is checked
  // now; a conversation that passed none yet, like one just decided, waits for it.
  if (catch_up && int64_t{waited_thresholds_.front()} * 1000 <= waited_ms) return arm(0);
  for (const uint32_t seconds : waited_thresholds_)
    if (int64_t{seconds} * 1000 > waited_ms) return arm(int64_t{seconds} * 1000 - waited_ms);
}

void TenantEngine::on_rule_deadline(const std::string& conversation_id, uint64_t watch) {
  Conversation* c = find_conversation(conversation_id);
  if (!c || c->rule_watch != watch || c->status != ConversationStatus::queued) return;
  if (!queue_.contains(c->id)) return;  // not waiting
  if (c->close_after_seq) return;       // its queue limit is closing it
  if (c->awaiting_strategy) {
    // A strategy is still choosing; deciding now could give it to two.
    ++c->rule_watch;
    return after(kBusyRetry,
                 [this, id = c->id, watch = c->rule_watch] { on_rule_deadline(id, watch); });
  }
  decide_again(*c);
  c = find_conversation(conversation_id);
  if (c && c->status == ConversationStatus::queued) watch_rules(*c, false);
}

void TenantEngine::decide_again(Conversation& c) {
  if (!routing_graph_) return;
  const routing_graph::Decision decision =
      routing_graph::evaluate(*routing_graph_, decision_context(c));
  if (decision.rule_index < 0) return;  // the fallback has no conditions: it had its say
  const routing_graph::Rule& rule = routing_graph_->rules[static_cast<size_t>(decision.rule_index)];
  if (!has_waited_condition(rule) || decision.actions.empty()) return;
  if (std::find(c.rules.begin(), c.rules.end(), rule.id) != c.rules.end()) return;

  spdlog::info("tenant {}: {} has waited {} s: routing rule {} fires", tenant_id_, c.id,
               (wall_clock_ms() - c.created_ms) / 1000, rule.id);
  c.rules.push_back(rule.id);
  publish_decision(c, decision, true);
  if (c.offered) {
    // Offered in its old group: withdrawn; the rule's route may offer it anew.
    c.offered = false;
    update_offer(c);
  }
  const std::string id = c.id;
  const std::string group_before = c.group;
  carry_out(c, decision.actions);  // it stays in line unless an agent or the bot takes it

  Conversation* now = find_conversation(id);
  if (!now || now->status != ConversationStatus::queued) return;
  if (now->group != group_before) regrouped(*now);
  persist_conversation(*now);  // its group, chain and rules
  notify_queue_positions();
}

// The graph changed or the server started: every waiting conversation is checked
// against the rules of now, then watched for their next moment.
void TenantEngine::rewatch_rules() {
  for (const auto& id : queue_)
    if (Conversation* c = find_conversation(id)) watch_rules(*c, true);
}

}  // namespace sb::engine
