// Retention: what a tenant keeps only for a while. Closed conversations (their
// messages, files, record) are deleted once closed longer than the tenant's
// period, and the bot's unanswered questions (which quote visitors) once older
// than that period; audit entries once older than theirs. A run deletes at most
// kMaxConversationsPerRun conversations, so its load on the storage stays small;
// the next run goes on where it stopped.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "engine/ports.hpp"
#include "privacy/conversation_purge.hpp"

namespace sb::privacy {

inline constexpr int64_t kMaxConversationsPerRun = 2000;

// 0 = kept for ever.
struct RetentionPeriods {
  int64_t closed_conversations_ms = 0;
  int64_t audit_ms = 0;
  bool any() const { return closed_conversations_ms > 0 || audit_ms > 0; }
};

struct RetentionCounts {
  uint64_t conversations = 0;
  uint64_t messages = 0;
  uint64_t files = 0;
  uint64_t audit_entries = 0;
  uint64_t unanswered_entries = 0;   // the bot's unanswered questions (log bot.unanswered)
  bool audit_not_supported = false;  // the storage cannot prune logs (ABI 1.5)
  // Past the period, but the engine held them (reopened, or closing): kept this run.
  uint64_t in_use = 0;
};

// Asked before a closed conversation past the period is deleted, with its id and
// its visitor's: answer(true) once the engine has let go of it (it no longer
// remembers it for a reopen, TenantEngine::forget_closed), answer(false) to keep
// it (the engine holds it again). Empty: every one is deleted.
using LetGo = std::function<void(const std::string& conversation_id, const std::string& visitor_id,
                                 std::function<void(bool)> answer)>;

// One run at now_ms (wall clock; tests pass their own). done runs once on the
// store's strand; what was deleted before a failure stays deleted.
void apply_retention(std::shared_ptr<engine::Store> store, RetentionPeriods periods, int64_t now_ms,
                     std::function<void(Outcome, RetentionCounts)> done, LetGo let_go = {});

}  // namespace sb::privacy
