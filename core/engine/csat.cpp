// CSAT: after a conversation closes, its visitor may rate it (1..5, a comment). The
// rating lives in the conversation's stored record ("csat"), written like a tag edit
// of a closed conversation (read, change, write back, one edit at a time), so it
// survives restarts and shows in agents' conversation objects and the REST list. The
// visitor gets `rated` once it is stored; the agent who had the conversation gets
// `conversation.rated` on every tab; the bus gets conversation.rated.
#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "common/clock.hpp"
#include "engine/frames.hpp"
#include "engine/internal.hpp"
#include "records/conversation_record.hpp"

namespace sb::engine {

namespace json = boost::json;

namespace {
constexpr std::string_view kStillOpen =
    "this conversation is still open; it can be rated once it is closed";
}  // namespace

void TenantEngine::rate_conversation(PeerPtr peer, Identity who, std::string conversation_id,
                                     int score, std::string comment, std::string ref) {
  on_strand([this, peer = std::move(peer), who = std::move(who), id = std::move(conversation_id),
             score, comment = std::move(comment), ref = std::move(ref)]() mutable {
    on_rate(peer, who, id, Csat{score, std::move(comment), wall_clock_ms()}, ref);
  });
}

void TenantEngine::on_rate(const PeerPtr& peer, const Identity& who,
                           const std::string& conversation_id, const Csat& csat,
                           const std::string& ref) {
  if (who.role != Role::visitor)
    return send_error(peer, metrics::ErrorCode::forbidden, "rate is for visitors", ref);
  if (csat.score < 1 || csat.score > 5)
    return send_error(peer, metrics::ErrorCode::bad_field, "score must be an integer from 1 to 5",
                      ref);
  if (csat.comment.size() > kMaxRatingCommentBytes)
    return send_error(peer, metrics::ErrorCode::bad_field,
                      "comment must be a string of at most 1000 bytes", ref);
  // Open in memory: nothing to read from storage to answer.
  if (const Conversation* c = find_conversation(conversation_id);
      c && c->status != ConversationStatus::closed) {
    if (c->visitor_id != who.id)
      return send_error(peer, metrics::ErrorCode::not_found, "no such conversation", ref);
    return send_error(peer, metrics::ErrorCode::forbidden, kStillOpen, ref);
  }
  edit_stored_record(conversation_id, [this, peer, who, id = conversation_id, csat,
                                       ref](std::function<void()> next) {
    const json::object filter{{"id", id}, {"limit", 1}};
    store_->list_conversations(json::serialize(filter), [this, self = shared_from_this(), peer, who,
                                                         id, csat, ref, next](StoreResult r) {
      // One answer per outcome, then the next edit of this record may start.
      auto refuse = [&](metrics::ErrorCode code, std::string_view message) {
        send_error(peer, code, message, ref);
        next();
      };
      const auto list = r.ok() ? records::parse_conversation_list(r.body) : std::nullopt;
      if (!list)
        return refuse(metrics::ErrorCode::unavailable,
                      "the rating could not be stored; send it again");
      // Another visitor's conversation is "not found", as in history: nothing about
      // other visitors' conversation ids is revealed.
      if (list->empty() || list->front().visitor_id != who.id)
        return refuse(metrics::ErrorCode::not_found, "no such conversation");
      records::ConversationRecord record = list->front();
      // Reopened while storage answered: it is open again.
      if (Conversation* c = find_conversation(id); c && c->status != ConversationStatus::closed)
        return refuse(metrics::ErrorCode::forbidden, kStillOpen);
      if (record.status != "closed") return refuse(metrics::ErrorCode::forbidden, kStillOpen);
      const int64_t closed_at = record.closed_or_updated_ms();
      const int64_t window_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(kRatingWindow).count();
      if (closed_at > 0 && csat.ts_ms - closed_at > window_ms)
        return refuse(metrics::ErrorCode::forbidden,
                      "this conversation closed more than 7 days ago; it can no longer be rated");
      record.csat = records::StoredCsat{csat.score, csat.comment, csat.ts_ms};
      // Changed now: the dashboard finds today's ratings among today's updates.
      record.updated_ms = csat.ts_ms;
      const std::string agent_id = record.last_agent;
      store_->put_conversation(json::serialize(records::to_json(record)),
                               [this, self = shared_from_this(), peer, who, id, csat, ref, agent_id,
                                next](StoreResult stored) {
                                 if (!stored.ok()) {
                                   spdlog::error("tenant {}: storing the rating of {} failed: {}",
                                                 tenant_id_, id, stored.error);
                                   send_error(peer, metrics::ErrorCode::unavailable,
                                              "the rating could not be stored; send it again", ref);
                                   return next();
                                 }
                                 rated(id, agent_id, who.id, csat, peer, ref);
                                 next();
                               });
    });
  });
}

// The rating is stored: everyone who shows it hears of it, and the copies kept in
// memory (a closed conversation still in flight, one remembered for a reopen) carry
// it, so a later write of that conversation keeps it.
void TenantEngine::rated(const std::string& conversation_id, const std::string& agent_id,
                         const std::string& visitor_id, const Csat& csat, const PeerPtr& peer,
                         const std::string& ref) {
  if (Conversation* c = find_conversation(conversation_id)) c->csat = csat;
  if (ClosedConversation* closed = recently_closed_.find(visitor_id);
      closed && closed->id == conversation_id)
    closed->csat = csat;

  peer->send(frames::rated(conversation_id, csat.score, ref));
  if (auto v = visitors_.find(visitor_id); v != visitors_.end()) {
    const auto frame = frames::rated(conversation_id, csat.score);
    for (const auto& p : v->second.peers)
      if (p->peer_id() != peer->peer_id()) p->send(frame);
  }
  if (const AgentState* agent = find_agent(agent_id)) {
    const auto frame = frames::conversation_rated(conversation_id, csat);
    for (const auto& p : agent->peers) p->send(frame);
  }
  publish(bus::event::kConversationRated, conversation_id,
          json::serialize(json::object{{"conversation_id", conversation_id},
                                       {"visitor_id", visitor_id},
                                       {"agent_id", agent_id},
                                       {"score", csat.score},
                                       {"comment", csat.comment},
                                       {"ts", csat.ts_ms}}));
}

}  // namespace sb::engine
