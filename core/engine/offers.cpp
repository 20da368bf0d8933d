// Manual routing (a strategy answering SB_OFFER): the conversation is pushed to no
// one; every agent who could take it now sees it offered, and the first `accept`
// takes it. The strand makes "first" exact: accepts are handled one after another,
// the first finds the conversation waiting and takes it, every later one finds it
// taken and gets an error. Offers follow the agents: one who comes online or gets a
// free slot is offered what waits, one who goes away or offline or reaches
// max_concurrent has the offers withdrawn. An offered conversation also waits in
// the queue like any other (its position for the visitor, its place after a
// restart, when the strategy offers it again).
//
// A transfer to a group is offered the same way, but nobody waits: its agent keeps
// the conversation (and keeps chatting) until a member of the group accepts, and
// the accept hands it over in one step. The offer ends with that agent's ownership
// (a close, a requeue) or after the tenant's transfer_offer_s. It lives in memory
// only: after a restart the conversation is simply still its agent's.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "engine/frames.hpp"
#include "engine/internal.hpp"

namespace sb::engine {

void TenantEngine::offer(Conversation& c) {
  c.offered = true;
  enqueue(c);
  update_offer(c);
}

void TenantEngine::offer_transfer(Conversation& c, const std::string& group, const TransferAsk& ask,
                                  const PeerPtr& peer, const std::string& ref) {
  c.transfer_offer = Conversation::TransferOffer{
      group, c.assignee, ask.requester, peer->peer_id(), ref, ask.note, c.assignment_generation};
  offers_.mark_transfer(c.id);
  c.offered = true;
  update_offer(c);
  after(policy_.transfer_offer, [this, id = c.id, generation = c.assignment_generation] {
    on_transfer_offer_expired(id, generation);
  });
}

// The agents who may accept c now: online, below capacity, in its group (for a
// transfer, the group asked for, less the agent who has it). The agent who let it
// go unanswered only when nobody else can (as route() does).
std::set<std::string> TenantEngine::offer_targets(const Conversation& c) const {
  const std::string& group = c.transfer_offer ? c.transfer_offer->group : c.group;
  std::set<std::string> out;
  bool skipped = false;
  for (const auto& [id, agent] : agents_) {
    if (!agent.routable() || id == c.assignee) continue;
    if (!group.empty() &&
        std::find(agent.groups.begin(), agent.groups.end(), group) == agent.groups.end())
      continue;
    if (id == c.skip_agent) {
      skipped = true;
      continue;
    }
    out.insert(id);
  }
  if (out.empty() && skipped) out.insert(c.skip_agent);
  return out;
}

// Offers c to the agents newly able to take it and withdraws it from those who no
// longer can (or from everyone once it is taken or closed).
void TenantEngine::update_offer(Conversation& c) {
  const bool open = c.offered && (c.transfer_offer ? c.status == ConversationStatus::assigned &&
                                                         c.assignee == c.transfer_offer->from
                                                   : c.status == ConversationStatus::queued);
  if (!open)
    return withdraw_offer(c, c.status == ConversationStatus::assigned ? "taken"
                             : c.status == ConversationStatus::closed ? "closed"
                                                                      : "unavailable");
  const OfferBook::Change change = offers_.offer(c.id, offer_targets(c));
  if (!change.withdrawn.empty()) {
    const auto withdrawn = frames::offer_withdrawn(c.id, "unavailable");
    for (const auto& id : change.withdrawn)
      if (const AgentState* agent = find_agent(id))
        for (const auto& peer : agent->peers) peer->send(withdrawn);
  }
  if (!change.offered.empty()) {
    const auto offered = offered_frame(c);
    for (const auto& id : change.offered)
      if (const AgentState* agent = find_agent(id))
        for (const auto& peer : agent->peers) peer->send(offered);
  }
}

// Ends c's offer: everyone it was offered to hears why, but the one who took it
// (who gets the assignment instead).
void TenantEngine::withdraw_offer(Conversation& c, std::string_view reason) {
  const std::set<std::string> saw = offers_.withdraw(c.id);  // the transfer mark goes too
  if (!saw.empty()) {
    const auto withdrawn = frames::offer_withdrawn(c.id, reason);
    for (const auto& id : saw) {
      if (id == c.assignee) continue;
      if (const AgentState* agent = find_agent(id))
        for (const auto& peer : agent->peers) peer->send(withdrawn);
    }
  }
  c.offered = false;
  c.transfer_offer.reset();
}

void TenantEngine::refresh_offers() {
  for (const auto& id : queue_)
    if (Conversation* c = find_conversation(id); c && c->offered) update_offer(*c);
  const std::vector<std::string> transfers(offers_.transfers().begin(), offers_.transfers().end());
  for (const auto& id : transfers)
    if (Conversation* c = find_conversation(id)) update_offer(*c);
}

// A new tab of an agent who is already online sees what that agent is offered.
void TenantEngine::send_offers_to(const AgentState& agent, const PeerPtr& peer) {
  for (const auto& id : queue_)
    if (const Conversation* c = find_conversation(id); c && offers_.is_offered_to(id, agent.id))
      peer->send(offered_frame(*c));
  for (const auto& id : offers_.transfers())
    if (const Conversation* c = find_conversation(id); c && offers_.is_offered_to(id, agent.id))
      peer->send(offered_frame(*c));
}

frames::Frame TenantEngine::offered_frame(const Conversation& c) {
  return frames::offered(c, visitor_of(c),
                         c.transfer_offer ? find_agent(c.transfer_offer->from) : nullptr);
}

// Nobody in the group accepted in time: the conversation stays with its agent, and
// the connection that asked hears so, as when nobody is free at once.
void TenantEngine::on_transfer_offer_expired(const std::string& conversation_id,
                                             uint64_t generation) {
  Conversation* c = find_conversation(conversation_id);
  if (!c || !c->transfer_offer || c->transfer_offer->generation != generation) return;
  const Conversation::TransferOffer expired = *c->transfer_offer;
  withdraw_offer(*c, "expired");
  spdlog::info("tenant {}: nobody in group {} accepted conversation {} in time; it stays with {}",
               tenant_id_, expired.group, c->id, c->assignee);
  if (PeerPtr peer = connection_of(expired.asker, expired.asker_peer))
    send_error(peer, metrics::ErrorCode::unavailable,
               "no one in group " + expired.group + " accepted the transfer in time", expired.ref);
}

}  // namespace sb::engine
