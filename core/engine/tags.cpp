// Tags on conversations: labels agents put on a chat ("refund", "vip", "bug") to find
// it again. They live in the conversation record, so storage filters on them and
// they survive restarts. A closed conversation can still be tagged (the wrap-up
// after the chat): its stored record is read, changed and written back.
#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include "engine/frames.hpp"
#include "engine/internal.hpp"
#include "records/conversation_record.hpp"

namespace sb::engine {

namespace json = boost::json;

namespace {

constexpr size_t kMaxTags = 32;
constexpr size_t kMaxTagBytes = 64;

bool tag_fits(const std::string& tag) {
  return !tag.empty() && tag.size() <= kMaxTagBytes;
}

// A tag is a label, not text: no line breaks or other control characters (a
// sentence pasted into the tag field, or a client's hostile input, is refused).
bool tag_is_label(const std::string& tag) {
  return tag_fits(tag) && std::none_of(tag.begin(), tag.end(), [](char c) {
           const auto byte = static_cast<unsigned char>(c);
           return byte < 0x20 || byte == 0x7f;
         });
}

// What is set or added must be a label; what is removed only has to be a tag that
// could have been stored before this rule.
bool valid(const TenantEngine::TagChange& change) {
  auto labels = [](const std::vector<std::string>& tags) {
    return std::all_of(tags.begin(), tags.end(), tag_is_label);
  };
  return (!change.set || labels(*change.set)) && labels(change.add) &&
         std::all_of(change.remove.begin(), change.remove.end(), tag_fits);
}

// The tags after the change: sorted, each once.
std::vector<std::string> applied(std::vector<std::string> tags,
                                 const TenantEngine::TagChange& change) {
  if (change.set) tags = *change.set;
  tags.insert(tags.end(), change.add.begin(), change.add.end());
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  std::erase_if(tags, [&](const std::string& t) {
    return std::find(change.remove.begin(), change.remove.end(), t) != change.remove.end();
  });
  return tags;
}

}  // namespace

void TenantEngine::tag_conversation(PeerPtr peer, Identity who, std::string conversation_id,
                                    TagChange change, std::string ref) {
  on_strand([this, peer = std::move(peer), who = std::move(who), id = std::move(conversation_id),
             change = std::move(change), ref = std::move(ref)]() mutable {
    change_tags(id, std::move(change), [this, peer, who, id, ref](TagOutcome outcome) {
      if (outcome.error) return send_error(peer, *outcome.error, outcome.message, ref);
      announce_tags(id, outcome.tags, who.id, peer);
    });
  });
}

void TenantEngine::tag_conversation(Identity who, std::string conversation_id, TagChange change,
                                    std::function<void(Answer)> done) {
  // A storage answer the engine drops as it stops still answers the caller (503).
  done = refused_if_dropped(std::move(done), store_);
  auto stopped = refusal(done);
  on_strand_or(std::move(stopped), [this, by = std::move(who.id), id = std::move(conversation_id),
                                    change = std::move(change), done = std::move(done)]() mutable {
    change_tags(id, std::move(change), [this, id, by, done = std::move(done)](TagOutcome outcome) {
      if (outcome.error) return done(Answer::refused(*outcome.error, std::move(outcome.message)));
      announce_tags(id, outcome.tags, by, nullptr);
      done(Answer::json(json::serialize(
          json::object{{"conversation_id", id}, {"tags", json::value_from(outcome.tags)}})));
    });
  });
}

// Every tab of the conversation's agent sees the change, and so does the socket
// that asked for it.
void TenantEngine::announce_tags(const std::string& conversation_id,
                                 const std::vector<std::string>& tags, const std::string& by,
                                 const PeerPtr& requester) {
  const auto frame = frames::make_frame(json::object{{"type", "conversation.tags"},
                                                     {"conversation_id", conversation_id},
                                                     {"tags", json::value_from(tags)},
                                                     {"by", by}});
  bool requester_told = false;
  if (Conversation* c = find_conversation(conversation_id); c && !c->assignee.empty()) {
    send_to_assignee(*c, frame);
    requester_told = c->assignee == by;
  }
  if (requester && !requester_told) requester->send(frame);
}

void TenantEngine::change_tags(const std::string& conversation_id, TagChange change,
                               TagResult done) {
  if (!valid(change))
    return done({metrics::ErrorCode::bad_field,
                 "each tag must be a non-empty string of at most " + std::to_string(kMaxTagBytes) +
                     " bytes, without line breaks or other control characters",
                 {}});
  Conversation* c = find_conversation(conversation_id);
  if (!c || c->status == ConversationStatus::closed)
    return change_stored_tags(conversation_id, std::move(change), std::move(done));
  auto tags = applied(c->tags, change);
  if (tags.size() > kMaxTags)
    return done({metrics::ErrorCode::bad_field,
                 "a conversation has at most " + std::to_string(kMaxTags) + " tags",
                 {}});
  c->tags = tags;
  persist_conversation(*c);
  done({std::nullopt, {}, std::move(tags)});
}

void TenantEngine::change_stored_tags(const std::string& conversation_id, TagChange change,
                                      TagResult done) {
  edit_stored_record(conversation_id, [this, id = conversation_id, change = std::move(change),
                                       done = std::move(done)](std::function<void()> next) mutable {
    read_and_tag(id, std::move(change),
                 [done = std::move(done), next = std::move(next)](TagOutcome outcome) {
                   done(std::move(outcome));
                   next();
                 });
  });
}

void TenantEngine::edit_stored_record(const std::string& conversation_id, RecordEdit edit) {
  auto& waiting = stored_edits_[conversation_id];
  waiting.push_back(std::move(edit));
  if (waiting.size() == 1) next_stored_edit(conversation_id);
}

// One read-change-write of a stored record at a time per conversation; the next
// starts when the one before has answered.
void TenantEngine::next_stored_edit(const std::string& conversation_id) {
  // Read once the close (or any change) written a moment ago is stored: writing a
  // stale record back would undo it.
  after_records_stored([this, id = conversation_id] {
    auto edit = std::move(stored_edits_.at(id).front());
    edit([this, id] {
      auto it = stored_edits_.find(id);
      it->second.pop_front();
      if (it->second.empty())
        stored_edits_.erase(it);
      else
        next_stored_edit(id);
    });
  });
}

void TenantEngine::read_and_tag(const std::string& conversation_id, TagChange change,
                                TagResult done) {
  const json::object filter{{"id", conversation_id}, {"limit", 1}};
  store_->list_conversations(json::serialize(filter), [this, self = shared_from_this(),
                                                       id = conversation_id,
                                                       change = std::move(change),
                                                       done =
                                                           std::move(done)](StoreResult r) mutable {
    // Reopened while storage answered: the live conversation is the one to change.
    if (Conversation* c = find_conversation(id); c && c->status != ConversationStatus::closed)
      return change_tags(id, std::move(change), std::move(done));
    auto list = r.ok() ? records::parse_conversation_list(r.body) : std::nullopt;
    if (!list)
      return done({metrics::ErrorCode::unavailable, "storage did not answer: " + r.error, {}});
    if (list->empty()) return done({metrics::ErrorCode::not_found, "no such conversation", {}});
    records::ConversationRecord record = std::move(list->front());
    auto tags = applied(record.tags, change);
    if (tags.size() > kMaxTags)
      return done({metrics::ErrorCode::bad_field,
                   "a conversation has at most " + std::to_string(kMaxTags) + " tags",
                   {}});
    record.tags = tags;
    store_->put_conversation(
        json::serialize(records::to_json(record)),
        [done = std::move(done), tags](StoreResult stored) mutable {
          if (!stored.ok())
            return done({metrics::ErrorCode::unavailable, "storage failed: " + stored.error, {}});
          done({std::nullopt, {}, std::move(tags)});
        });
  });
}

}  // namespace sb::engine
