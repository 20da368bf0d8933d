// Who handles a conversation: routing through the tenant's strategy chain, the
// queue, accept, transfer and close. Everything runs on the tenant's strand, which
// is what makes an assignment atomic: no conversation is ever given to two agents,
// and no agent is ever given more than max_concurrent, however many arrive at once.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include "common/clock.hpp"
#include "engine/frames.hpp"
#include "engine/internal.hpp"

namespace sb::engine {

namespace json = boost::json;

void TenantEngine::close_conversation(PeerPtr peer, Identity who, std::string conversation_id,
                                      std::string ref) {
  on_strand([this, peer = std::move(peer), who = std::move(who), id = std::move(conversation_id),
             ref = std::move(ref)] { on_close(peer, who, id, ref); });
}

void TenantEngine::accept_conversation(PeerPtr peer, Identity who, std::string conversation_id,
                                       std::string ref) {
  on_strand([this, peer = std::move(peer), who = std::move(who), id = std::move(conversation_id),
             ref = std::move(ref)] { on_accept(peer, who, id, ref); });
}

void TenantEngine::transfer_conversation(PeerPtr peer, Identity who, std::string conversation_id,
                                         std::string to_agent, std::string to_group,
                                         std::string ref, std::string note) {
  on_strand([this, peer = std::move(peer), who = std::move(who), id = std::move(conversation_id),
             to = std::move(to_agent), group = std::move(to_group), ref = std::move(ref),
             note = std::move(note)] { on_transfer(peer, who, id, to, group, ref, note); });
}

std::vector<Candidate> TenantEngine::candidates(const std::string& group) const {
  std::vector<Candidate> out;
  for (const auto& [id, agent] : agents_) {
    if (!agent.routable()) continue;
    if (!group.empty() &&
        std::find(agent.groups.begin(), agent.groups.end(), group) == agent.groups.end())
      continue;
    Candidate c;
    c.agent_id = id;
    c.name = agent.name;
    c.open_conversations = agent.load();
    c.max_concurrent = agent.max_concurrent;
    c.last_assigned_ms = agent.last_assigned_ms;
    c.online_since_ms = agent.online_since_ms;
    json::array groups;
    for (const auto& g : agent.groups) groups.emplace_back(g);
    c.groups_json = json::serialize(groups);
    json::object skills;
    for (const auto& [name, level] : agent.skills) skills[name] = level;
    c.skills_json = json::serialize(skills);
    out.push_back(std::move(c));
  }
  return out;
}

// Asks the chain's strategies in order, starting at chain_index; DEFER (or a
// failing plugin) passes to the next. Nobody chosen = the conversation waits.
void TenantEngine::route(const std::string& conversation_id, size_t chain_index) {
  Conversation* c = find_conversation(conversation_id);
  if (!c || c->status != ConversationStatus::queued || c->close_after_seq || c->awaiting_strategy)
    return;
  std::vector<Candidate> offered = candidates(c->group);
  if (!c->skip_agent.empty() && offered.size() > 1)
    std::erase_if(offered, [&](const Candidate& a) { return a.agent_id == c->skip_agent; });
  // From here on it waits for a human (timed from the first time only).
  if (!c->milestones.queued_ms) c->milestones.queued_ms = wall_clock_ms();
  if (offered.empty()) return enqueue(*c);
  if (!c->reopen_agent.empty()) {
    // Reopened by its visitor: back to the agent who had it, when free.
    AgentState* previous = find_agent(c->reopen_agent);
    c->reopen_agent.clear();
    if (previous && previous->routable()) return assign(*c, *previous);
  }

  const std::vector<RouterPtr>& chain = chain_of(*c);  // the routing rule's, or the tenant's
  const std::string attributes = routing_attributes(*c);
  for (size_t i = chain_index; i < chain.size(); ++i) {
    RouteInput input;
    input.conversation_id = c->id;
    input.visitor_id = c->visitor_id;
    input.group = c->group;
    input.attributes_json = attributes;
    input.candidates = &offered;
    auto on_pending = [this, self = shared_from_this(), id = c->id,
                       i](std::optional<std::string> agent_id) {
      if (stopped_) return;  // the strategy answered a stopped engine
      Conversation* c = find_conversation(id);
      if (c) c->awaiting_strategy = false;
      if (!c || c->status != ConversationStatus::queued) return;
      // The world may have moved while the strategy thought: check again.
      if (agent_id) {
        if (AgentState* agent = find_agent(*agent_id); agent && agent->routable())
          return assign(*c, *agent);
      }
      route(id, i + 1);
    };
    const RouteDecision decision = chain[i]->route(input, std::move(on_pending));
    if (decision.kind == RouteDecision::Kind::pending) {
      c->awaiting_strategy = true;
      return enqueue(*c);
    }
    if (decision.kind == RouteDecision::Kind::offer) return offer(*c);
    if (decision.kind == RouteDecision::Kind::chosen && decision.index < offered.size()) {
      AgentState* agent = find_agent(offered[decision.index].agent_id);
      if (agent && agent->routable()) return assign(*c, *agent);
      spdlog::warn("tenant {}: routing plugin {} chose an agent who cannot take the conversation",
                   tenant_id_, chain[i]->name());
    }
  }
  enqueue(*c);
}

void TenantEngine::assign(Conversation& c, AgentState& agent,
                          std::optional<Conversation::TransferredBy> transferred) {
  leave_queue(c, true);
  c.status = ConversationStatus::assigned;
  c.assignee = agent.id;
  c.last_agent = agent.id;
  if (!c.milestones.assigned_ms) c.milestones.assigned_ms = wall_clock_ms();
  if (c.offered) update_offer(c);  // withdrawn from everyone else
  c.agent_answered = false;
  c.transferred = std::move(transferred);  // read when the agent's frame goes out
  ++c.assignment_generation;
  agent.open_conversations.push_back(c.id);
  agent.last_assigned_ms = monotonic_ms();
  last_agent_by_visitor_.insert_or_assign(c.visitor_id, agent.id);
  metrics_->conversations_assigned.fetch_add(1, std::memory_order_relaxed);
  persist_conversation(c);
  publish(bus::event::kConversationAssigned, c.id,
          json::serialize(json::object{{"conversation_id", c.id}, {"agent_id", agent.id}}));

  for (const auto& peer : agent.peers) catch_up(c, peer, Role::agent, 0, true);
  start_answer_deadline(c);
  send_to_visitor(c, frames::assigned_to_visitor(c, agent));
  notify_queue_positions();
  if (!agent.routable()) refresh_offers();  // now full: what it was offered goes
}

void TenantEngine::enqueue(Conversation& c) {
  // Its agent lost it (requeued): a transfer they had offered is moot.
  if (c.transfer_offer) withdraw_offer(c, "requeued");
  c.status = ConversationStatus::queued;
  if (!c.milestones.queued_ms) c.milestones.queued_ms = wall_clock_ms();
  if (c.close_after_seq) return;  // its queue limit closes it
  const int64_t order = queue_.join(c.id, wall_clock_ms());
  if (order == 0) return;  // already waiting
  c.queue_order = order;
  c.queue_limit_reached = false;  // a new wait
  c.queue_limit_seq = 0;
  c.over_queue_limit = beyond_queue_limit(c);  // stored with the enqueue: a restart sees it
  metrics_->conversations_queued.fetch_add(1, std::memory_order_relaxed);
  persist_conversation(c);
  queue_changed(c);
  publish(bus::event::kConversationQueued, c.id,
          json::serialize(json::object{
              {"conversation_id", c.id}, {"group", c.group}, {"position", queue_position(c)}}));
  notify_queue_positions();
  watch_queue_limits(c);
  watch_rules(c, true);  // a requeued conversation may have been open long enough
}

// Offers waiting conversations, oldest first, while someone can take them.
void TenantEngine::drain_queue() {
  const std::vector<std::string> waiting(queue_.begin(), queue_.end());
  for (const auto& id : waiting) {
    bool anyone_free = false;
    for (const auto& [agent_id, agent] : agents_) anyone_free = anyone_free || agent.routable();
    if (!anyone_free) break;
    route(id, 0);
  }
  refresh_offers();
}

void TenantEngine::release_from_agent(Conversation& c) {
  if (AgentState* agent = find_agent(c.assignee)) std::erase(agent->open_conversations, c.id);
  c.assignee.clear();
}

void TenantEngine::on_close(const PeerPtr& peer, const Identity& who,
                            const std::string& conversation_id, const std::string& ref) {
  Conversation* c = find_conversation(conversation_id);
  if (!c || c->status == ConversationStatus::closed)
    return send_error(peer, metrics::ErrorCode::not_found, "no open conversation with that id",
                      ref);
  if (!is_participant(*c, who))
    return send_error(peer, metrics::ErrorCode::forbidden, "not a participant of this conversation",
                      ref);
  close(*c, who.id);
}

// `by` is who closed it: a participant's id, or "bot".
void TenantEngine::close(Conversation& c, const std::string& by) {
  leave_queue(c, false);
  c.close_after_seq = 0;
  // Both sides learn of the close once it is stored: a crash right after their
  // "closed" must not bring the conversation back. The peers are taken now, as
  // release_from_agent forgets the assignee.
  std::vector<PeerPtr> told;
  if (auto v = visitors_.find(c.visitor_id); v != visitors_.end())
    told.insert(told.end(), v->second.peers.begin(), v->second.peers.end());
  const std::string agent_id = c.assignee;
  if (AgentState* agent = find_agent(agent_id)) {
    told.insert(told.end(), agent->peers.begin(), agent->peers.end());
    ++agent->closing;
  }
  release_from_agent(c);
  c.status = ConversationStatus::closed;
  c.closed_ms = wall_clock_ms();
  if (c.offered) update_offer(c);
  remember_closed(c);
  if (auto v = visitors_.find(c.visitor_id);
      v != visitors_.end() && v->second.open_conversation == c.id)
    v->second.open_conversation.clear();
  metrics_->conversations_closed.fetch_add(1, std::memory_order_relaxed);
  persist_conversation(c);
  after_records_stored([this, self = shared_from_this(), told = std::move(told),
                        frame = frames::closed(c.id, by), agent_id] {
    for (const auto& peer : told) peer->send(frame);
    // A tenant reload in between rebuilt the agent with no place taken.
    if (AgentState* agent = find_agent(agent_id); agent && agent->closing) --agent->closing;
    drain_queue();
    notify_queue_positions();
  });
  publish(bus::event::kConversationClosed, c.id,
          json::serialize(json::object{{"conversation_id", c.id}, {"by", by}}));
  const std::string id = c.id;
  forget_if_done(id);        // c may be gone from here on
  notify_queue_positions();  // it may have been waiting itself
}

void TenantEngine::on_accept(const PeerPtr& peer, const Identity& who,
                             const std::string& conversation_id, const std::string& ref) {
  Conversation* c = find_conversation(conversation_id);
  if (!c || c->status == ConversationStatus::closed)
    return send_error(peer, metrics::ErrorCode::not_found, "no open conversation with that id",
                      ref);
  if (c->close_after_seq)
    return send_error(peer, metrics::ErrorCode::not_found, "this conversation is closing", ref);
  // The strand orders racing accepts: the first finds it waiting (or offered for a
  // transfer), the rest this.
  if (c->status != ConversationStatus::queued && (!c->transfer_offer || c->assignee == who.id))
    return send_error(peer, metrics::ErrorCode::forbidden,
                      c->assignee == who.id
                          ? "you already have this conversation"
                          : "this conversation was already taken by another agent",
                      ref);
  AgentState* agent = find_agent(who.id);
  if (!agent || !agent->routable())
    return send_error(peer, metrics::ErrorCode::forbidden,
                      "you are not online or already at your max_concurrent", ref);
  if (c->offered && !offers_.is_offered_to(c->id, agent->id))
    return send_error(peer, metrics::ErrorCode::forbidden,
                      "this conversation is not offered to you (another group)", ref);
  if (!c->transfer_offer) return assign(*c, *agent);
  // A transfer: from its agent to this one in one step; the others hear "taken".
  c->group = c->transfer_offer->group;
  const TransferAsk ask{std::move(c->transfer_offer->asker), std::move(c->transfer_offer->note)};
  c->transfer_offer.reset();
  offers_.unmark_transfer(c->id);
  hand_over(*c, *agent, ask);
}

void TenantEngine::on_transfer(const PeerPtr& peer, const Identity& who,
                               const std::string& conversation_id, const std::string& to_agent,
                               const std::string& to_group, const std::string& ref,
                               const std::string& note) {
  Conversation* c = find_conversation(conversation_id);
  if (!c || c->status == ConversationStatus::closed)
    return send_error(peer, metrics::ErrorCode::not_found, "no open conversation with that id",
                      ref);
  if (c->assignee != who.id && who.agent_role != "admin")
    return send_error(peer, metrics::ErrorCode::forbidden,
                      "this conversation is not assigned to you", ref);
  if (to_agent.empty() == to_group.empty())
    return send_error(peer, metrics::ErrorCode::bad_field, "give either to_agent or to_group", ref);

  // One question at a time: two strategies racing to move it would both be obeyed,
  // and an accept could race a second transfer.
  if (c->transfer_asked_in == c->assignment_generation)
    return send_error(peer, metrics::ErrorCode::forbidden,
                      "a transfer of this conversation is already waiting for the routing "
                      "strategy's answer",
                      ref);
  if (!to_group.empty()) {
    if (c->transfer_offer)
      return send_error(peer, metrics::ErrorCode::forbidden,
                        "a transfer of this conversation is already offered to group " +
                            c->transfer_offer->group +
                            "; wait until someone accepts it or the offer expires, or "
                            "transfer it to one agent",
                        ref);
    return transfer_to_group(peer, {who.id, note}, *c, to_group, ref, 0);
  }
  AgentState* target = find_agent(to_agent);
  if (!target) return send_error(peer, metrics::ErrorCode::not_found, "no such agent", ref);
  if (target->id == c->assignee) return;
  if (!target->routable())
    return send_error(peer, metrics::ErrorCode::unavailable,
                      "that agent is not online or is at max_concurrent", ref);
  // A group's standing transfer offer gives way: hand_over withdraws it ("taken")
  // from everyone but the new agent.
  hand_over(*c, *target, {who.id, note});
}

// The group member the tenant's strategies pick, from chain_index on, never the
// current assignee. A strategy that answers later (routing-external) is waited for:
// meanwhile the conversation stays with its agent and keeps flowing to them; its
// answer is obeyed only if nobody closed, transferred or requeued the conversation
// in between. A strategy that offers (routing-manual) has it offered to the group's
// free members, who may accept it while it stays with its agent (offers.cpp).
// Nobody free: it stays where it is and the requester hears why.
void TenantEngine::transfer_to_group(const PeerPtr& peer, const TransferAsk& ask, Conversation& c,
                                     const std::string& group, const std::string& ref,
                                     size_t chain_index) {
  const std::string& requester = ask.requester;
  std::vector<Candidate> offered = candidates(group);
  std::erase_if(offered, [&](const Candidate& a) { return a.agent_id == c.assignee; });
  RouteInput input;
  input.conversation_id = c.id;
  input.visitor_id = c.visitor_id;
  input.group = group;
  input.attributes_json = routing_attributes(c);
  input.candidates = &offered;
  for (size_t i = chain_index; i < routing_chain_.size() && !offered.empty(); ++i) {
    auto on_answer = [this, self = shared_from_this(), peer, ask, id = c.id, group, ref, i,
                      strategy = routing_chain_[i]->name(), status = c.status,
                      assignee = c.assignee,
                      generation = c.assignment_generation](std::optional<std::string> agent_id) {
      if (stopped_) return;
      Conversation* c = find_conversation(id);
      if (c && c->transfer_asked_in == generation) c->transfer_asked_in.reset();
      if (!c || c->status != status || c->assignee != assignee ||
          c->assignment_generation != generation) {
        spdlog::info(
            "tenant {}: conversation {} was closed or moved while its transfer to group {} "
            "waited for a routing answer; the answer is ignored",
            tenant_id_, id, group);
        return;
      }
      if (agent_id) {
        if (AgentState* target = transfer_target(*c, group, *agent_id)) {
          c->group = group;
          return hand_over(*c, *target, ask);
        }
        spdlog::warn(
            "tenant {}: routing plugin {} named agent {} for the transfer of {}, who cannot "
            "take it; asking the next strategy",
            tenant_id_, strategy, *agent_id, id);
      }
      transfer_to_group(peer, ask, *c, group, ref, i + 1);
    };
    const RouteDecision d = routing_chain_[i]->route(input, std::move(on_answer));
    if (d.kind == RouteDecision::Kind::pending) {
      c.transfer_asked_in = c.assignment_generation;
      return;
    }
    // Manual routing: the group's free members are offered it while its agent keeps it.
    if (d.kind == RouteDecision::Kind::offer && c.status == ConversationStatus::assigned)
      return offer_transfer(c, group, ask, peer, ref);
    if (d.kind != RouteDecision::Kind::chosen || d.index >= offered.size()) continue;
    if (AgentState* target = transfer_target(c, group, offered[d.index].agent_id)) {
      c.group = group;
      return hand_over(c, *target, ask);
    }
  }

  // Waiting, nobody's: it waits for that group instead (an admin re-sorting the queue).
  if (c.status == ConversationStatus::queued && !c.close_after_seq && queue_position(c) > 0) {
    spdlog::info("tenant {}: {} moved conversation {} from the queue of group {} to {}'s",
                 tenant_id_, requester, c.id, c.group.empty() ? "(none)" : c.group, group);
    if (c.offered) {
      c.offered = false;
      update_offer(c);  // withdrawn in its old group
    }
    c.group = group;
    c.chain.clear();  // the tenant's chain, as for any transfer to a group
    regrouped(c);
    persist_conversation(c);
    notify_queue_positions();
    return route(c.id, 0);  // offered there, when the chain offers
  }
  // Nobody free there: the conversation stays where it is rather than wait unowned.
  if (!connection_of(requester, peer->peer_id())) {
    spdlog::info(
        "tenant {}: no one in group {} can take conversation {}, and the connection of {} "
        "that asked for the transfer has closed",
        tenant_id_, group, c.id, requester);
    return;
  }
  send_error(peer, metrics::ErrorCode::unavailable, "no one in group " + group + " can take it now",
             ref);
}

PeerPtr TenantEngine::connection_of(const std::string& agent_id, uint64_t peer_id) {
  const AgentState* agent = find_agent(agent_id);
  if (!agent) return nullptr;
  auto it = std::find_if(agent->peers.begin(), agent->peers.end(),
                         [&](const PeerPtr& p) { return p->peer_id() == peer_id; });
  return it == agent->peers.end() ? nullptr : *it;
}

// The agent a strategy named, if they may take the conversation now.
AgentState* TenantEngine::transfer_target(const Conversation& c, const std::string& group,
                                          const std::string& agent_id) {
  AgentState* agent = find_agent(agent_id);
  if (!agent || !agent->routable() || agent->id == c.assignee ||
      std::find(agent->groups.begin(), agent->groups.end(), group) == agent->groups.end())
    return nullptr;
  return agent;
}

// One strand step: at no moment is the conversation owned by two agents or none.
// ask: who asked for the transfer (its agent, or an admin), and their note.
void TenantEngine::hand_over(Conversation& c, AgentState& target, const TransferAsk& ask) {
  const std::string previous = c.assignee;
  auto name_of = [this](const std::string& id) {
    const AgentState* agent = find_agent(id);
    return agent ? agent->name : std::string();
  };
  // A waiting conversation nobody had (an admin hands it to an agent) came from them.
  const std::string& from = previous.empty() ? ask.requester : previous;
  Conversation::TransferredBy transferred{from, name_of(from), {}, {}, wall_clock_ms(), ask.note};
  if (ask.requester != from) {
    transferred.by_id = ask.requester;
    transferred.by_name = name_of(ask.requester);
  }
  const auto notice = frames::make_frame(json::object{
      {"type", "conversation.transferred"}, {"conversation_id", c.id}, {"to_agent", target.id}});
  send_to_assignee(c, notice);
  release_from_agent(c);
  c.status = ConversationStatus::queued;  // assign() expects a waiting conversation
  // For plugins as the new agent reads it: who asked when it was not the previous
  // agent (an admin), and the note.
  json::object event{
      {"conversation_id", c.id}, {"from", previous}, {"to", target.id}, {"group", c.group}};
  if (ask.requester != previous) event["by"] = ask.requester;
  if (!ask.note.empty()) event["note"] = ask.note;
  publish(bus::event::kConversationTransferred, c.id, json::serialize(event));
  assign(c, target, std::move(transferred));
  drain_queue();
}

void TenantEngine::persist_conversation(const Conversation& c) {
  const auto v = visitors_.find(c.visitor_id);
  const records::ConversationRecord record =
      record_of(c, v == visitors_.end() ? nullptr : &v->second.meta(), wall_clock_ms());
  ++record_writes_issued_;
  store_->put_conversation(json::serialize(records::to_json(record)),
                           [this, self = shared_from_this(), id = c.id](StoreResult result) {
                             if (!result.ok())
                               spdlog::error("tenant {}: storing conversation {} failed: {}",
                                             tenant_id_, id, result.error);
                             // Storage applies writes in order, so the n-th answer means the first
                             // n are done.
                             ++record_writes_done_;
                             while (!after_record_writes_.empty() &&
                                    after_record_writes_.begin()->first <= record_writes_done_) {
                               auto fn = std::move(after_record_writes_.begin()->second);
                               after_record_writes_.erase(after_record_writes_.begin());
                               fn();
                             }
                           });
}

// Storage answers reads at once but applies writes in order: a read issued now could
// miss a record written a moment ago (a list right after an assignment frame). Reads
// of records wait for the record writes issued before them.
void TenantEngine::after_records_stored(std::function<void()> fn) {
  if (record_writes_done_ >= record_writes_issued_) return fn();
  after_record_writes_.emplace(record_writes_issued_, std::move(fn));
}

// A closed conversation leaves memory once nothing is in flight for it.
void TenantEngine::forget_if_done(const std::string& conversation_id) {
  auto it = conversations_.find(conversation_id);
  if (it == conversations_.end()) return;
  const Conversation& c = it->second;
  if (c.status == ConversationStatus::closed && c.pending.empty() && c.replaying.empty() &&
      !c.checking_attachments) {
    offers_.withdraw(conversation_id);  // its offer's state goes with it
    conversations_.erase(it);
  }
}

}  // namespace sb::engine
