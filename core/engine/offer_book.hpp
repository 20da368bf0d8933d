// Manual routing's book of offers: which agents each offered conversation is shown
// to now, and which conversations are offered as a transfer (their agent keeps them
// until someone accepts). It answers what changed, so the engine tells exactly the
// agents who newly see an offer and those who lose one; sending is the engine's.
//
// Not thread-safe: it lives on the tenant's strand.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace sb::engine {

class OfferBook {
 public:
  struct Change {
    std::vector<std::string> offered;    // agents who see the offer now and did not before
    std::vector<std::string> withdrawn;  // agents who saw it and no longer may
  };

  // Offers conversation_id to exactly `agents` from now on.
  Change offer(const std::string& conversation_id, std::set<std::string> agents);
  // Ends the offer of conversation_id (taken, closed, moved): the agents who saw it.
  // Its transfer mark goes too.
  std::set<std::string> withdraw(const std::string& conversation_id);
  bool is_offered_to(const std::string& conversation_id, const std::string& agent_id) const;

  // Conversations offered as a transfer, by id.
  void mark_transfer(const std::string& conversation_id) { transfers_.insert(conversation_id); }
  void unmark_transfer(const std::string& conversation_id) { transfers_.erase(conversation_id); }
  const std::set<std::string>& transfers() const { return transfers_; }

 private:
  std::map<std::string, std::set<std::string>> offered_to_;  // only non-empty sets
  std::set<std::string> transfers_;
};

}  // namespace sb::engine
