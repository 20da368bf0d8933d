// REST history: a page of a conversation's stored messages, for its visitor or an
// agent of the tenant.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <limits>

#include "engine/frames.hpp"
#include "engine/internal.hpp"
#include "records/conversation_record.hpp"

namespace sb::engine {

namespace json = boost::json;

namespace {

// A REST read whose storage call did not succeed. Refused by the plugin (ABI 1.11):
// the request's id or filter is at fault (422 bad_field), the storage is not down.
Answer history_storage_error(const StoreResult& r) {
  if (r.refused)
    return Answer::refused(metrics::ErrorCode::bad_field,
                           "the tenant's storage refused the request: " + r.error);
  return Answer::refused(metrics::ErrorCode::unavailable, "storage did not answer: " + r.error);
}

}  // namespace

void TenantEngine::history(Identity requester, std::string conversation_id, uint64_t before_seq,
                           uint32_t limit, std::function<void(Answer)> done) {
  // A storage answer the engine drops as it stops still answers the caller (503).
  done = refused_if_dropped(std::move(done), store_);
  auto stopped = refusal(done);
  on_strand_or(
      std::move(stopped), [this, who = std::move(requester), id = std::move(conversation_id),
                           before_seq, limit, done = std::move(done)]() mutable {
        if (const Conversation* c = find_conversation(id))
          return answer_history(who, id, c->visitor_id, before_seq, limit, std::move(done));
        // Not open in memory: the stored record says whose it is.
        json::object filter{{"id", id}, {"limit", 1}};
        store_->list_conversations(
            json::serialize(filter), [this, self = shared_from_this(), who, id, before_seq, limit,
                                      done = std::move(done)](StoreResult r) mutable {
              if (!r.ok()) return done(history_storage_error(r));
              const auto list = records::parse_conversation_list(r.body);
              if (!list || list->empty())
                return done(Answer::refused(metrics::ErrorCode::not_found, "no such conversation"));
              answer_history(who, id, list->front().visitor_id, before_seq, limit, std::move(done));
            });
      });
}

void TenantEngine::list_conversations(Identity requester, std::string filter_json,
                                      std::function<void(Answer)> done) {
  // A storage answer the engine drops as it stops still answers the caller (503).
  done = refused_if_dropped(std::move(done), store_);
  auto stopped = refusal(done);
  on_strand_or(std::move(stopped), [this, who = std::move(requester),
                                    filter = std::move(filter_json),
                                    done = std::move(done)]() mutable {
    // What the requester was just told (an assignment, a close) is in the answer.
    after_records_stored([this, who, filter, done = std::move(done)]() mutable {
      store_->list_conversations(filter, [who, done = std::move(done)](StoreResult r) {
        if (!r.ok()) return done(history_storage_error(r));
        const auto list = records::parse_conversation_list(r.body);
        if (!list)
          return done(
              Answer::refused(metrics::ErrorCode::unavailable, "storage answered malformed JSON"));
        json::array visible;
        for (const records::ConversationRecord& c : *list) {
          // An agent's own: open with them, or closed while with them (a close
          // clears the assignee; last_agent says who had it), for the console's
          // "Closed" list.
          const bool mine =
              c.assignee == who.id || (c.status == "closed" && c.last_agent == who.id);
          const bool waiting = c.status == "queued";
          if (who.agent_role != "admin" && !mine && !waiting) continue;
          // The record as stored, with storage's last_seq, and the visitor as agents
          // see them everywhere else (name, email, hello meta).
          json::object record = records::to_json(c);
          record["last_seq"] = c.last_seq;
          const VisitorMeta about =
              c.visitor_meta ? parse_meta_record(*c.visitor_meta) : VisitorMeta{};
          record["visitor"] = frames::visitor_object(c.visitor_id, c.visitor_name, &about);
          visible.push_back(std::move(record));
        }
        done(Answer::json(json::serialize(json::object{{"conversations", std::move(visible)}})));
      });
    });
  });
}

void TenantEngine::answer_history(const Identity& requester, const std::string& conversation_id,
                                  const std::string& visitor_id, uint64_t before_seq,
                                  uint32_t limit, std::function<void(Answer)> done) {
  // A visitor sees only their own conversations; saying "not found" rather than
  // "forbidden" reveals nothing about other visitors' conversation ids.
  if (requester.role == Role::visitor && requester.id != visitor_id)
    return done(Answer::refused(metrics::ErrorCode::not_found, "no such conversation"));
  const bool visitor_view = requester.role == Role::visitor;
  // Without before_seq the newest page: what a console opening a conversation shows.
  // (INT64_MAX, not UINT64_MAX: storage keeps seq as a signed 64-bit integer.)
  if (before_seq == 0) before_seq = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  store_->load_messages(
      conversation_id, 0, before_seq, limit,
      // Needs nothing of the engine: the page is made of what storage answered.
      [conversation_id, visitor_view, done = std::move(done)](StoreResult r) {
        if (!r.ok()) return done(history_storage_error(r));
        auto messages = parse_stored_messages(r.body, conversation_id);
        if (!messages)
          return done(
              Answer::refused(metrics::ErrorCode::unavailable, "storage answered malformed JSON"));
        json::array page;
        for (const auto& m : *messages) {
          if (visitor_view && (m.flags & kPrivateNote)) continue;  // private notes stay with agents
          page.push_back(frames::message_object(m, false));
        }
        const bool more = !messages->empty() && messages->front().seq > 1;
        done(Answer::json(json::serialize(json::object{{"conversation_id", conversation_id},
                                                       {"messages", std::move(page)},
                                                       {"has_more", more}})));
      });
}

}  // namespace sb::engine
