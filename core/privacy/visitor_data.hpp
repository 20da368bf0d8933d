// One visitor's data, on request (a data subject's access or erasure request):
// exported as JSON, or erased. Both work on the tenant's storage alone, so they
// see exactly what is kept, and never leave the tenant.
//
// An erasure deletes each of the visitor's conversations with its messages (and
// their search entries), files and read positions, and puts back an anonymous
// record in its place (conversation_purge.hpp), so the dashboard's counts for past
// days stay right while nothing names or describes the visitor. Only closed
// conversations are erased: the caller first makes the engine forget the visitor
// and refuses while one of theirs is open.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "engine/ports.hpp"
#include "privacy/conversation_purge.hpp"

namespace sb::privacy {

// Conversations of one visitor considered at most (per request).
inline constexpr int64_t kMaxVisitorConversations = 1000;

// {"visitor_id","exported_at","conversations":[{"record":{...as stored},
//   "messages":[...as stored, agent notes included],"files":[{"id","name",
//   "content_type","size","download"}]}]}; download is files_url + "/" + id.
// done runs once on the store's strand.
void export_visitor(std::shared_ptr<engine::Store> store, std::string visitor_id,
                    std::string files_url, int64_t now_ms,
                    std::function<void(Outcome, boost::json::object)> done);

struct ErasedCounts {
  uint64_t conversations = 0;
  uint64_t messages = 0;
  uint64_t files = 0;
  std::vector<std::string> open;  // conversations not erased: still open
};

// Erases the visitor's closed conversations as described at the top. done runs
// once on the store's strand; on a failure, what was erased so far stays erased,
// and running it again finishes the rest.
void erase_visitor(std::shared_ptr<engine::Store> store, std::string visitor_id, int64_t now_ms,
                   std::function<void(Outcome, ErasedCounts)> done);

}  // namespace sb::privacy
