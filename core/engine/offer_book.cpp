#include "engine/offer_book.hpp"

#include <algorithm>
#include <iterator>

namespace sb::engine {

OfferBook::Change OfferBook::offer(const std::string& conversation_id,
                                   std::set<std::string> agents) {
  Change change;
  auto it = offered_to_.find(conversation_id);
  static const std::set<std::string> kNobody;
  const std::set<std::string>& before = it == offered_to_.end() ? kNobody : it->second;
  std::set_difference(agents.begin(), agents.end(), before.begin(), before.end(),
                      std::back_inserter(change.offered));
  std::set_difference(before.begin(), before.end(), agents.begin(), agents.end(),
                      std::back_inserter(change.withdrawn));
  if (agents.empty()) {
    if (it != offered_to_.end()) offered_to_.erase(it);
  } else {
    offered_to_[conversation_id] = std::move(agents);
  }
  return change;
}

std::set<std::string> OfferBook::withdraw(const std::string& conversation_id) {
  transfers_.erase(conversation_id);
  auto it = offered_to_.find(conversation_id);
  if (it == offered_to_.end()) return {};
  std::set<std::string> agents = std::move(it->second);
  offered_to_.erase(it);
  return agents;
}

bool OfferBook::is_offered_to(const std::string& conversation_id,
                              const std::string& agent_id) const {
  auto it = offered_to_.find(conversation_id);
  return it != offered_to_.end() && it->second.count(agent_id);
}

}  // namespace sb::engine
