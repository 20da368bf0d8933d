// Manual routing (a strategy answering SB_OFFER): the conversation is pushed to no
// one; every agent who could take it now sees it offered, and the first `accept`
// takes it. The strand makes "first" exact: accepts are handled one after another,
// the first finds the conversation waiting and takes it, every later one finds it
// taken and gets an error. Offers follow the agents: one who comes online or gets a
// free slot is offered what waits, one who goes away or offline or reaches
// max_concurrent has the offers withdrawn. An offered conversation also waits in
// the queue like any other (its position for the visitor, its place after a
// restart, when the strategy offers it again).
#include <algorithm>

#include "engine/frames.hpp"
#include "engine/internal.hpp"

namespace sb::engine {

void TenantEngine::offer(Conversation& c) {
  c.offered = true;
  enqueue(c);
  update_offer(c);
}

// The agents who may accept c now: online, below capacity, in its group. The agent
// who let it go unanswered only when nobody else can (as route() does).
std::set<std::string> TenantEngine::offer_targets(const Conversation& c) const {
  std::set<std::string> out;
  bool skipped = false;
  for (const auto& [id, agent] : agents_) {
    if (!agent.routable()) continue;
    if (!c.group.empty() &&
        std::find(agent.groups.begin(), agent.groups.end(), c.group) == agent.groups.end())
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
  const bool open = c.offered && c.status == ConversationStatus::queued;
  std::set<std::string> targets = open ? offer_targets(c) : std::set<std::string>{};
  const char* reason = c.status == ConversationStatus::assigned ? "taken"
                       : c.status == ConversationStatus::closed ? "closed"
                                                                : "unavailable";
  const auto withdrawn = frames::offer_withdrawn(c.id, reason);
  for (const auto& id : c.offered_to) {
    if (targets.count(id) || id == c.assignee) continue;  // the winner gets the assignment
    if (const AgentState* agent = find_agent(id))
      for (const auto& peer : agent->peers) peer->send(withdrawn);
  }
  if (!targets.empty()) {
    const auto offered = frames::offered(c);
    for (const auto& id : targets) {
      if (c.offered_to.count(id)) continue;
      if (const AgentState* agent = find_agent(id))
        for (const auto& peer : agent->peers) peer->send(offered);
    }
  }
  c.offered_to = std::move(targets);
  if (!open) c.offered = false;
}

void TenantEngine::refresh_offers() {
  for (const auto& id : queue_)
    if (Conversation* c = find_conversation(id); c && c->offered) update_offer(*c);
}

// A new tab of an agent who is already online sees what that agent is offered.
void TenantEngine::send_offers_to(const AgentState& agent, const PeerPtr& peer) {
  for (const auto& id : queue_)
    if (const Conversation* c = find_conversation(id); c && c->offered_to.count(agent.id))
      peer->send(frames::offered(*c));
}

}  // namespace sb::engine
