#include "privacy/retention.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "audit/audit_log.hpp"
#include "records/conversation_record.hpp"
#include "unanswered/question_log.hpp"

namespace sb::privacy {

namespace json = boost::json;

namespace {

constexpr int64_t kPageConversations = 200;

int64_t number(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_number() ? v->to_number<int64_t>() : 0;
}

struct Run : std::enable_shared_from_this<Run> {
  std::shared_ptr<engine::Store> store;
  RetentionPeriods periods;
  int64_t now_ms = 0;
  RetentionCounts counts;
  std::function<void(Outcome, RetentionCounts)> done;
  LetGo let_go;
  std::vector<records::ConversationRecord> page;
  int64_t looked_at = 0;

  void start() {
    if (periods.closed_conversations_ms <= 0) return prune_audit();
    list(now_ms - periods.closed_conversations_ms);
  }

  // Closed conversations created before `until` (a conversation closed before the
  // cut was created before it too), newest first.
  void list(int64_t until) {
    json::object filter{
        {"status", json::array{"closed"}}, {"created_until", until}, {"limit", kPageConversations}};
    store->list_conversations(
        json::serialize(filter), [self = shared_from_this()](engine::StoreResult r) {
          if (!r.ok()) return self->done({r.status, r.error}, self->counts);
          auto list = records::parse_conversation_list(r.body);
          if (!list)
            return self->done({1, "storage answered list_conversations with something else"},
                              self->counts);
          self->page = std::move(*list);
          self->purge(0);
        });
  }

  void purge(size_t i) {
    const int64_t cut = now_ms - periods.closed_conversations_ms;
    if (i == page.size()) {
      // A full page may have more below it; the oldest creation time on it is the
      // next page's bound, so every page is further back than the last.
      int64_t oldest = INT64_MAX;
      for (const auto& r : page) oldest = std::min(oldest, r.created_ms);
      if (static_cast<int64_t>(page.size()) < kPageConversations || oldest == INT64_MAX ||
          oldest <= 0 || looked_at >= kMaxConversationsPerRun)
        return prune_unanswered();
      return list(oldest);
    }
    ++looked_at;
    const int64_t closed_at = page[i].closed_or_updated_ms();
    if (closed_at <= 0 || closed_at >= cut) return purge(i + 1);
    if (!let_go) return delete_at(i);
    // The engine first forgets it: a visitor writing again must not reopen a
    // conversation whose record is gone.
    let_go(page[i].id, page[i].visitor_id, [self = shared_from_this(), i](bool may_go) {
      if (may_go) return self->delete_at(i);
      ++self->counts.in_use;
      self->purge(i + 1);
    });
  }

  void delete_at(size_t i) {
    purge_conversation(store, page[i].id, std::nullopt,
                       [self = shared_from_this(), i](Outcome purged, PurgeCounts n) {
                         self->counts.messages += n.messages;
                         self->counts.files += n.files;
                         if (!purged.ok()) return self->done(purged, self->counts);
                         ++self->counts.conversations;
                         self->purge(i + 1);
                       });
  }

  // The bot's unanswered questions quote visitors: kept no longer than their
  // conversations. A storage that cannot prune logs keeps them (the audit step
  // below says so).
  void prune_unanswered() {
    store->log_prune(unanswered::kLog, now_ms - periods.closed_conversations_ms,
                     [self = shared_from_this()](engine::StoreResult r) {
                       if (r.ok()) {
                         boost::system::error_code ec;
                         json::value body = json::parse(r.body, ec);
                         if (!ec && body.is_object())
                           self->counts.unanswered_entries =
                               static_cast<uint64_t>(number(body.get_object(), "deleted"));
                       } else if (r.status != engine::kStoreNotSupported) {
                         return self->done({r.status, r.error}, self->counts);
                       }
                       self->prune_audit();
                     });
  }

  void prune_audit() {
    if (periods.audit_ms <= 0) return done({}, counts);
    store->log_prune(audit::kAuditLog, now_ms - periods.audit_ms,
                     [self = shared_from_this()](engine::StoreResult r) {
                       if (r.status == engine::kStoreNotSupported) {
                         self->counts.audit_not_supported = true;
                         return self->done({}, self->counts);
                       }
                       if (!r.ok()) return self->done({r.status, r.error}, self->counts);
                       boost::system::error_code ec;
                       json::value body = json::parse(r.body, ec);
                       if (!ec && body.is_object())
                         self->counts.audit_entries =
                             static_cast<uint64_t>(number(body.get_object(), "deleted"));
                       self->done({}, self->counts);
                     });
  }
};

}  // namespace

void apply_retention(std::shared_ptr<engine::Store> store, RetentionPeriods periods, int64_t now_ms,
                     std::function<void(Outcome, RetentionCounts)> done, LetGo let_go) {
  auto run = std::make_shared<Run>();
  run->store = std::move(store);
  run->periods = periods;
  run->now_ms = now_ms;
  run->done = std::move(done);
  run->let_go = std::move(let_go);
  run->start();
}

}  // namespace sb::privacy
