#include "cluster/checks.hpp"

#include <set>

namespace sb::cl {

namespace {

bool from_load(const std::string& client_msg_id) {
  return client_msg_id.rfind("ld-", 0) == 0;
}

// "ld-acme-v3-17" -> ("ld-acme-v3", 17): the sender and its message's number.
std::pair<std::string, long> sender_and_number(const std::string& client_msg_id) {
  const auto dash = client_msg_id.rfind('-');
  return {client_msg_id.substr(0, dash), std::stol(client_msg_id.substr(dash + 1))};
}

}  // namespace

void StreamOrder::connected() {
  asked_after_ = 0;
  catch_up_until_ = 0;
  here_.clear();
}

void StreamOrder::catching_up(int64_t asked_after, int64_t welcome_last_seq) {
  asked_after_ = asked_after;
  catch_up_until_ = welcome_last_seq > asked_after ? welcome_last_seq : 0;
}

std::string StreamOrder::frame(int64_t seq) {
  const bool in_catch_up = catch_up_until_ > 0 && seq > asked_after_ && seq <= catch_up_until_;
  // Within the catch-up, each seq once on this connection, whether live or replayed.
  if (in_catch_up && !here_.insert(seq).second)
    return "seq " + std::to_string(seq) + " a second time on one connection";
  if (seq > highest_) {
    highest_ = seq;
    return {};
  }
  if (in_catch_up) return {};
  return "seq " + std::to_string(seq) + " after " + std::to_string(highest_);
}

std::vector<std::string> check_history(const std::vector<StoredMessage>& stored,
                                       const std::vector<Acked>& acked) {
  std::vector<std::string> problems;
  // (tenant, client_msg_id) -> the rows holding it
  std::map<std::pair<std::string, std::string>, std::vector<const StoredMessage*>> by_id;
  std::map<std::pair<std::string, std::string>, std::vector<int64_t>> seqs;
  for (const auto& row : stored) {
    seqs[{row.tenant_id, row.conversation_id}].push_back(row.seq);
    if (from_load(row.client_msg_id)) by_id[{row.tenant_id, row.client_msg_id}].push_back(&row);
  }
  for (const auto& [conversation, list] : seqs) {
    // stored_messages() is ordered by seq.
    for (size_t i = 0; i < list.size(); ++i)
      if (list[i] != static_cast<int64_t>(i) + 1) {
        problems.push_back(conversation.first + "/" + conversation.second + ": seq " +
                           std::to_string(list[i]) + " at position " + std::to_string(i + 1) +
                           " (a gap or a repeat)");
        break;
      }
  }
  for (const auto& [id, rows] : by_id)
    if (rows.size() > 1)
      problems.push_back(id.first + ": " + id.second + " is stored " + std::to_string(rows.size()) +
                         " times");
  for (const auto& ack : acked) {
    const auto it = by_id.find({ack.tenant, ack.client_msg_id});
    if (it == by_id.end()) {
      problems.push_back(ack.tenant + ": " + ack.client_msg_id + " was acked (seq " +
                         std::to_string(ack.seq) + " by " + ack.node + ") but is not stored");
      continue;
    }
    const auto& row = *it->second.front();
    if (row.conversation_id != ack.conversation || row.seq != ack.seq)
      problems.push_back(ack.tenant + ": " + ack.client_msg_id + " was acked as " +
                         ack.conversation + " seq " + std::to_string(ack.seq) +
                         " but is stored as " + row.conversation_id + " seq " +
                         std::to_string(row.seq));
  }
  // One sender's messages in one conversation: stored in the order they were sent.
  std::map<std::pair<std::string, std::string>, std::pair<long, int64_t>> last_of_sender;
  for (const auto& row : stored) {
    if (!from_load(row.client_msg_id)) continue;
    const auto [sender, number] = sender_and_number(row.client_msg_id);
    auto [it, fresh] = last_of_sender.try_emplace(
        {row.tenant_id + "/" + row.conversation_id, sender}, number, row.seq);
    if (!fresh) {
      if (number <= it->second.first)
        problems.push_back(row.tenant_id + "/" + row.conversation_id + ": " + row.client_msg_id +
                           " stored at seq " + std::to_string(row.seq) + ", after message " +
                           std::to_string(it->second.first) + " of the same sender (seq " +
                           std::to_string(it->second.second) + ")");
      it->second = {number, row.seq};
    }
  }
  return problems;
}

std::vector<std::string> check_assignments(const std::vector<it::TenantSpec>& tenants,
                                           const std::vector<StoredConversation>& stored,
                                           const std::vector<Assignment>& assignments) {
  std::vector<std::string> problems;
  std::map<std::string, std::set<std::string>> agents_of;  // tenant/conversation -> agents
  for (const auto& a : assignments) agents_of[a.tenant + "/" + a.conversation].insert(a.agent);
  for (const auto& [conversation, agents] : agents_of)
    if (agents.size() > 1) {
      std::string names;
      for (const auto& agent : agents) names += " " + agent;
      problems.push_back(conversation + " was assigned to" + names);
    }
  std::map<std::pair<std::string, std::string>, int> open;  // (tenant, agent) -> assigned
  for (const auto& c : stored)
    if (c.status == "assigned" && !c.assignee.empty()) ++open[{c.tenant_id, c.assignee}];
  for (const auto& [who, count] : open) {
    int capacity = 0;
    for (const auto& tenant : tenants)
      for (const auto& agent : tenant.agents)
        if (tenant.id == who.first && agent.id == who.second) capacity = agent.max_concurrent;
    if (count > capacity)
      problems.push_back(who.first + "/" + who.second + " holds " + std::to_string(count) +
                         " assigned conversations in PostgreSQL, over max_concurrent " +
                         std::to_string(capacity));
  }
  return problems;
}

std::map<std::string, int64_t> last_stored_seqs(const std::vector<StoredMessage>& stored) {
  std::map<std::string, int64_t> last;
  for (const auto& row : stored) {
    auto& seq = last[row.tenant_id + "/" + row.conversation_id];
    seq = std::max(seq, row.seq);
  }
  return last;
}

std::string describe(const std::vector<std::string>& problems, size_t limit) {
  std::string out;
  for (size_t i = 0; i < problems.size() && i < limit; ++i) out += problems[i] + "\n";
  if (problems.size() > limit)
    out += "... and " + std::to_string(problems.size() - limit) + " more\n";
  return out;
}

}  // namespace sb::cl
