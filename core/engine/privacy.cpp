// What the engine holds in memory about a visitor whose data is being erased, or
// about a conversation retention is about to delete.
#include "engine/internal.hpp"

namespace sb::engine {

void TenantEngine::forget_visitor(std::string visitor_id,
                                  std::function<void(std::vector<std::string>)> done) {
  auto stopped = refusal(done);
  on_strand_or(std::move(stopped),
               [this, visitor_id = std::move(visitor_id), done = std::move(done)]() mutable {
                 // Nobody talks with the visitor in a conversation that is with the bot or
                 // waiting in the queue, and none of them ever closes by itself: the erasure
                 // closes it first (the visitor is told, by "system"), else a visitor who only
                 // met the bot could never be erased. One an agent holds stays open: its agent
                 // closes it.
                 std::vector<std::string> unheld;
                 for (const auto& [id, c] : conversations_)
                   if (c.visitor_id == visitor_id && c.status != ConversationStatus::closed &&
                       c.assignee.empty())
                     unheld.push_back(id);
                 for (const auto& id : unheld)
                   if (Conversation* c = find_conversation(id)) close(*c, "system");
                 // Once those closes are stored: what is still open (or closing).
                 after_records_stored([this, self = shared_from_this(),
                                       visitor_id = std::move(visitor_id), done = std::move(done)] {
                   std::vector<std::string> open;
                   for (const auto& [id, c] : conversations_)
                     if (c.visitor_id == visitor_id) open.push_back(id);
                   if (open.empty()) recently_closed_.erase(visitor_id);
                   done(std::move(open));
                 });
               });
}

void TenantEngine::forget_closed(std::string conversation_id, std::string visitor_id,
                                 std::function<void(bool)> done) {
  auto stopped = refusal(done);
  on_strand_or(std::move(stopped), [this, conversation_id = std::move(conversation_id),
                                    visitor_id = std::move(visitor_id), done = std::move(done)] {
    if (find_conversation(conversation_id)) return done(false);
    // Only this conversation: a newer closed one of the same visitor stays.
    if (const ClosedConversation* closed = recently_closed_.find(visitor_id);
        closed && closed->id == conversation_id)
      recently_closed_.erase(visitor_id);
    done(true);
  });
}

}  // namespace sb::engine
