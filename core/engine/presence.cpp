// When agents leave or do not answer: a disconnected agent has a grace period to
// come back (a reload, a flaky network) before their conversations are requeued
// (or kept, per tenant); a conversation whose agent has not answered within the
// tenant's limit goes to someone else. Timers run on the strand; a generation
// number tells a timer that the world moved on since it was armed.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/serialize.hpp>

#include "common/clock.hpp"
#include "engine/frames.hpp"
#include "engine/internal.hpp"

namespace sb::engine {

namespace json = boost::json;

// Every timer of the engine: armed on the strand, known to stop() until it runs.
void TenantEngine::after(std::chrono::milliseconds delay, std::function<void()> fn) {
  if (stopped_) return;
  auto timer = std::make_shared<boost::asio::steady_timer>(strand_, delay);
  timers_->armed.insert(timer.get());
  timer->async_wait(
      [self = shared_from_this(), timer, fn = std::move(fn)](const boost::system::error_code& ec) {
        self->timers_->armed.erase(timer.get());
        // Stopped: cancelled, or it had expired already and waited on the strand.
        if (!ec && !self->stopped_) fn();
      });
}

// Someone's last connection closed: `over` runs with the generation armed here once
// `grace` has passed (at once for 0). Their coming back (or leaving again) moves
// `generation`, which `over` compares to know that this timer is stale.
void TenantEngine::start_grace(std::chrono::milliseconds grace, uint64_t& generation,
                               std::function<void(uint64_t)> over) {
  const uint64_t armed = ++generation;
  if (grace.count() == 0) return over(armed);
  after(grace, [over = std::move(over), armed] { over(armed); });
}

void TenantEngine::start_offline_grace(AgentState& agent) {
  if (!policy_.requeue_when_agent_offline || agent.open_conversations.empty()) return;
  start_grace(
      policy_.agent_offline_grace, agent.presence_generation,
      [this, id = agent.id](uint64_t generation) { on_offline_grace_over(id, generation); });
}

// A visitor waiting in the queue closed their last tab (or lost the network): they
// keep their place for the grace period, as an agent keeps their chats.
void TenantEngine::start_visitor_grace(Conversation& c) {
  if (c.status != ConversationStatus::queued || c.close_after_seq) return;
  start_grace(policy_.visitor_offline_grace, c.visitor_presence,
              [this, id = c.id](uint64_t generation) { on_visitor_grace_over(id, generation); });
}

// Still gone: the conversation leaves the queue, kept in history as abandoned (a
// missed chat), and everyone behind moves up (close() tells them). The visitor gets
// it back if they return soon (come_back, reopen.cpp).
void TenantEngine::on_visitor_grace_over(const std::string& conversation_id, uint64_t generation) {
  Conversation* c = find_conversation(conversation_id);
  if (!c || c->visitor_presence != generation || c->status != ConversationStatus::queued ||
      c->close_after_seq)
    return;  // came back, was taken, or is closing anyway
  if (const VisitorState* visitor = visitor_of(*c); visitor && !visitor->peers.empty()) return;
  spdlog::info("tenant {}: the visitor of {} left while waiting in the queue of {}; abandoned",
               tenant_id_, c->id, c->group.empty() ? "(default)" : c->group);
  c->abandoned_ms = wall_clock_ms();
  metrics_->conversations_abandoned.fetch_add(1, std::memory_order_relaxed);
  close(*c, "visitor_left");
}

void TenantEngine::on_offline_grace_over(const std::string& agent_id, uint64_t generation) {
  AgentState* agent = find_agent(agent_id);
  if (!agent || agent->presence_generation != generation || !agent->peers.empty())
    return;  // came back
  const auto open = agent->open_conversations;
  spdlog::info("tenant {}: agent {} stayed away; requeueing {} conversations", tenant_id_, agent_id,
               open.size());
  for (const auto& id : open)
    if (Conversation* c = find_conversation(id)) requeue(*c, "agent_offline");
  drain_queue();
}

void TenantEngine::start_answer_deadline(Conversation& c) {
  if (policy_.reroute_unanswered.count() == 0) return;
  after(policy_.reroute_unanswered, [this, id = c.id, generation = c.assignment_generation] {
    on_answer_deadline(id, generation);
  });
}

void TenantEngine::on_answer_deadline(const std::string& conversation_id, uint64_t generation) {
  Conversation* c = find_conversation(conversation_id);
  if (!c || c->status != ConversationStatus::assigned || c->assignment_generation != generation ||
      c->agent_answered)
    return;
  // Someone else must be free, or taking it away only makes the visitor wait longer.
  const auto free_agents = candidates();
  const bool someone_else =
      std::any_of(free_agents.begin(), free_agents.end(),
                  [&](const Candidate& a) { return a.agent_id != c->assignee; });
  if (!someone_else) {
    start_answer_deadline(*c);  // look again after another period
    return;
  }
  spdlog::info("tenant {}: agent {} did not answer {} in time; rerouting", tenant_id_, c->assignee,
               c->id);
  metrics_->conversations_rerouted.fetch_add(1, std::memory_order_relaxed);
  c->skip_agent = c->assignee;
  requeue(*c, "unanswered");
  route(c->id, 0);
}

// Takes the conversation from its agent (who is told) and puts it back in line.
void TenantEngine::requeue(Conversation& c, const char* reason) {
  const std::string previous = c.assignee;
  send_to_assignee(
      c, frames::make_frame(json::object{
             {"type", "conversation.unassigned"}, {"conversation_id", c.id}, {"reason", reason}}));
  release_from_agent(c);
  if (std::string(reason) == "agent_offline")
    metrics_->conversations_requeued.fetch_add(1, std::memory_order_relaxed);
  publish(bus::event::kConversationQueued, c.id,
          json::serialize(json::object{
              {"conversation_id", c.id}, {"from_agent", previous}, {"reason", reason}}));
  enqueue(c);
}

}  // namespace sb::engine
