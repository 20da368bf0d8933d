// Per-group queues. The engine keeps one line of waiting conversations, oldest
// first (drain_queue serves it in that order), and each conversation waits for its
// group: the one the routing graph, a transfer or a bot hand-off chose, or "" (the
// tenant's default queue, any agent). A visitor's position counts only those ahead
// of them in the same group, and comes with an estimated wait (queue_pace.hpp);
// both are sent again when they change. An estimate measured up to now drifts while
// a queue stands still, so one timer per engine (no thread, none per conversation)
// looks again every 15 s while anyone waits in a group with pace history, and stops
// when nobody does.
//
// A group's [groups.NAME] limits apply: a conversation that joins the queue without
// having had an agent yet and finds max_queue_length already waiting, or one that
// waits longer than max_wait_s, reaches the limit. The visitor is told (the group's
// queue_limit_message, a system message, as the graph's offline action does) and
// then, per on_queue_limit, the conversation stays queued (the visitor may leave a
// message; the next free agent of the group gets it) or is closed once that message
// is out. Waits are timed on the strand (a timer per queued conversation, no thread).
//
// Across a kill -9, every step is stored before it is carried out: "over
// max_queue_length" with the enqueue, the limit's message seq (and the close) before
// the message. A start finishes what a stop interrupted, telling nobody twice
// (finish_queue_limit).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <unordered_map>
#include <utility>

#include "common/clock.hpp"
#include "engine/frames.hpp"
#include "engine/internal.hpp"

namespace sb::engine {

namespace json = boost::json;

namespace {

// Worth telling a visitor whose place did not change: an estimate that moved by at
// least 10 s and a fifth (a long wait is not announced again for every drift).
bool eta_moved(uint32_t told, uint32_t now) {
  // An estimate given or taken back (an agent of the group came online, or the last left).
  if ((told == frames::kNoEstimate) != (now == frames::kNoEstimate)) return true;
  const int64_t delta = std::llabs(static_cast<int64_t>(now) - static_cast<int64_t>(told));
  return delta >= 10 && delta * 5 >= told;
}

}  // namespace

const groups::Group* TenantEngine::group_of(const Conversation& c) const {
  auto it = groups_.find(c.group);
  return it == groups_.end() ? nullptr : &it->second;
}

uint32_t TenantEngine::queue_position(const Conversation& c) const {
  return queue_.position(c.id, [&](const std::string& id) {
    auto it = conversations_.find(id);
    return it != conversations_.end() && it->second.group == c.group;
  });
}

frames::Frame TenantEngine::queued_frame(const Conversation& c) const {
  const uint32_t position = queue_position(c);
  return frames::queued(c.id, position, queue_eta(c.group, position, queue_clock_()));
}

// Whether an agent who serves `group` ("": the default queue, any agent) is online,
// whether or not they have room now.
bool TenantEngine::anyone_online_for(const std::string& group) const {
  return std::any_of(agents_.begin(), agents_.end(), [&](const auto& entry) {
    const AgentState& a = entry.second;
    return a.status == AgentStatus::online &&
           (group.empty() || std::find(a.groups.begin(), a.groups.end(), group) != a.groups.end());
  });
}

// The estimated wait at `position` of group's queue; kNoEstimate when nobody who
// serves it is online: the queue then does not move at all, and a pace measured up
// to now would only promise a longer wait with every refresh.
uint32_t TenantEngine::queue_eta(const std::string& group, uint32_t position, int64_t now) const {
  return anyone_online_for(group) ? pace_.eta_s(group, position, now) : frames::kNoEstimate;
}

// Takes c out of the line; `served` when an agent got it (that sets the pace).
void TenantEngine::leave_queue(Conversation& c, bool served) {
  if (!queue_.leave(c.id)) return;
  metrics_->conversations_queued.fetch_sub(1, std::memory_order_relaxed);
  if (served) pace_.record(c.group, queue_clock_());
  c.last_notified_position = 0;
  queue_changed(c);
}

// Agents see the queue as it changes (the console's Queue list): c joined it, left
// it, or waits for another group now. Told once the step that changed it is over,
// when c's status says where it went (leave_queue runs before an assignment sets
// it), and once per conversation however often it changed in that step.
void TenantEngine::queue_changed(const Conversation& c) {
  auto it = std::find_if(queue_changes_.begin(), queue_changes_.end(),
                         [&](const QueueChange& change) { return change.id == c.id; });
  if (it != queue_changes_.end()) {
    it->abandoned_ms = c.abandoned_ms;
    return;
  }
  if (queue_changes_.empty()) on_strand([this] { announce_queue_changes(); });
  queue_changes_.push_back({c.id, c.abandoned_ms});
}

void TenantEngine::announce_queue_changes() {
  const std::vector<QueueChange> changed = std::exchange(queue_changes_, {});
  for (const QueueChange& change : changed) {
    const Conversation* c = find_conversation(change.id);
    frames::Frame frame;
    if (c && queue_.contains(c->id))
      frame = frames::queue_joined(*c, visitor_of(*c));
    else if (c)
      frame = frames::queue_left(c->id, to_string(c->status), c->assignee, c->abandoned_ms);
    else  // closed, and already out of memory
      frame = frames::queue_left(change.id, "closed", "", change.abandoned_ms);
    for (const auto& [agent_id, agent] : agents_)
      for (const auto& peer : agent.peers) peer->send(frame);
  }
}

// Tells each waiting visitor their place in their group's queue and the estimated
// wait, when the place changed or the estimate moved; looks again later while an
// estimate may move with time alone.
void TenantEngine::notify_queue_positions() {
  const int64_t now = queue_clock_();
  std::unordered_map<std::string, bool> served;  // per group waited for: anyone online for it
  for (const auto& id : queue_)
    if (const Conversation* c = find_conversation(id); c && !served.count(c->group))
      served.emplace(c->group, anyone_online_for(c->group));
  // The pace counts only the time a queue could move (queue_pace.hpp).
  pace_.set_moving(served, now);
  std::unordered_map<std::string, uint32_t> positions;  // per group
  bool drifting = false;
  for (const auto& id : queue_) {
    Conversation* c = find_conversation(id);
    if (!c) continue;
    const uint32_t position = ++positions[c->group];
    const bool online = served.at(c->group);
    const uint32_t eta = online ? pace_.eta_s(c->group, position, now) : frames::kNoEstimate;
    drifting = drifting || (online && pace_.drifts(c->group, now));
    if (c->last_notified_position == position && !eta_moved(c->last_notified_eta_s, eta)) continue;
    c->last_notified_position = position;
    c->last_notified_eta_s = eta;
    send_to_visitor(*c, frames::queued(id, position, eta));
  }
  if (drifting) refresh_estimates_later();
}

// The engine's one refresh timer: at most one armed, re-armed by the notify it runs
// for as long as something drifts.
void TenantEngine::refresh_estimates_later() {
  if (estimate_refresh_armed_ || estimate_refresh_.count() == 0) return;
  estimate_refresh_armed_ = true;
  after(estimate_refresh_, [this] {
    estimate_refresh_armed_ = false;
    notify_queue_positions();
  });
}

void TenantEngine::set_queue_estimates(std::chrono::milliseconds refresh,
                                       std::function<int64_t()> clock) {
  on_strand([this, refresh, clock = std::move(clock)]() mutable {
    estimate_refresh_ = refresh;
    queue_clock_ = std::move(clock);
  });
}

// c, just put at the back of its group's queue, finds max_queue_length already
// waiting. One that had an agent (requeued) is never turned away.
bool TenantEngine::beyond_queue_limit(const Conversation& c) const {
  const groups::Group* group = group_of(c);
  return group && group->max_queue_length > 0 && c.last_agent.empty() &&
         queue_position(c) > group->max_queue_length;
}

// c just joined the queue, over_queue_limit decided and stored with it. The outcome
// is its own step: enqueue runs inside routing and agent updates, where closing a
// conversation is not safe.
void TenantEngine::watch_queue_limits(const Conversation& c) {
  if (c.over_queue_limit) {
    on_strand([this, id = c.id, order = c.queue_order] {
      Conversation* c = find_conversation(id);
      if (c && c->status == ConversationStatus::queued && c->queue_order == order)
        reach_queue_limit(*c, QueueLimit::max_queue_length);
    });
  }
  watch_wait(c);
}

void TenantEngine::watch_wait(const Conversation& c) {
  const groups::Group* group = group_of(c);
  if (!group || group->max_wait_s == 0 || c.queue_limit_reached) return;
  const int64_t left_ms = int64_t{group->max_wait_s} * 1000 - (wall_clock_ms() - joined_ms(c));
  after(std::chrono::milliseconds(std::max<int64_t>(0, left_ms)),
        [this, id = c.id, order = c.queue_order] { on_wait_deadline(id, order); });
}

void TenantEngine::on_wait_deadline(const std::string& conversation_id, int64_t queue_order) {
  Conversation* c = find_conversation(conversation_id);
  // Assigned or closed meanwhile, or queued again since (a new wait, a new timer).
  if (!c || c->status != ConversationStatus::queued || c->queue_order != queue_order) return;
  const groups::Group* group = group_of(*c);
  if (!group || group->max_wait_s == 0) return;  // the limit went away in a reload
  if (wall_clock_ms() - joined_ms(*c) < int64_t{group->max_wait_s} * 1000)
    return watch_wait(*c);  // the limit was raised in a reload
  reach_queue_limit(*c, QueueLimit::max_wait_s);
}

// Once per wait: the visitor is told; the group says whether the conversation stays.
void TenantEngine::reach_queue_limit(Conversation& c, QueueLimit limit) {
  const groups::Group* group = group_of(c);
  if (!group || c.queue_limit_reached || c.close_after_seq) return;
  c.queue_limit_reached = true;
  (limit == QueueLimit::max_queue_length ? metrics_->queue_full : metrics_->queue_wait_exceeded)
      .fetch_add(1, std::memory_order_relaxed);
  const bool closing = group->on_queue_limit == groups::QueueLimitOutcome::message_and_close;
  spdlog::info("tenant {}: {} reached group {}'s {}; {}", tenant_id_, c.id, c.group,
               limit == QueueLimit::max_queue_length ? "max_queue_length" : "max_wait_s",
               closing ? "closing it" : "it stays queued");
  tell_queue_limit(c, group->queue_limit_message, closing);
}

// The record says which seq the message gets (and that a close follows it) before
// the message is written: storage applies writes in order, so a start that finds
// the message missing knows to post it, and one that finds it stored does not.
void TenantEngine::tell_queue_limit(Conversation& c, const std::string& message, bool closing) {
  c.queue_limit_seq = c.next_seq;
  if (closing) {
    // Nobody may take it now; closed once the message has reached the visitor.
    c.close_after_seq = c.queue_limit_seq;
    leave_queue(c, false);
    if (c.offered) {
      c.offered = false;
      update_offer(c);  // withdrawn
    }
  }
  persist_conversation(c);
  post_system_message(c, message);
  if (closing) notify_queue_positions();
}

// At start, for a queued record that a stop caught between a queue limit and its
// outcome: carries the outcome out, telling the visitor only if they never were.
// Only decisions are carried out: a conversation admitted under max_queue_length
// stays in line even if a reload lowered the limit meanwhile, as it would had the
// server kept running (it was already waiting; limits apply to those who arrive).
void TenantEngine::finish_queue_limit(const std::string& conversation_id) {
  Conversation* c = find_conversation(conversation_id);
  if (!c || c->status != ConversationStatus::queued) return;
  const groups::Group* group = group_of(*c);
  const bool told = c->queue_limit_seq != 0 && c->queue_limit_seq <= c->delivered_seq;
  if (c->close_after_seq) {
    c->close_after_seq = 0;
    if (told) return close(*c, "system");
    if (group) return tell_queue_limit(*c, group->queue_limit_message, true);
    spdlog::warn(
        "tenant {}: {} was closing at its queue limit; group {} is gone, so it closes "
        "without the group's message",
        tenant_id_, c->id, c->group);
    return close(*c, "system");
  }
  if (c->queue_limit_reached) {
    if (c->queue_limit_seq != 0 && !told && group)
      tell_queue_limit(*c, group->queue_limit_message, false);
    return;
  }
  if (c->over_queue_limit) reach_queue_limit(*c, QueueLimit::max_queue_length);
}

// c waits for another group now (a waiting rule, an admin's transfer). It keeps its
// place in time: that group's max_wait_s counts from when its wait began, and its
// max_queue_length does not turn it away.
void TenantEngine::regrouped(Conversation& c) {
  c.over_queue_limit = false;
  queue_changed(c);
  publish(bus::event::kConversationQueued, c.id,
          json::serialize(json::object{
              {"conversation_id", c.id}, {"group", c.group}, {"position", queue_position(c)}}));
  watch_wait(c);
}

// Every queued conversation's wait against the groups' limits of now (a reload).
void TenantEngine::rewatch_waits() {
  for (const auto& id : queue_)
    if (const Conversation* c = find_conversation(id)) watch_wait(*c);
}

}  // namespace sb::engine
