#include "privacy/conversation_purge.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "attachments/attachment.hpp"

namespace sb::privacy {

namespace json = boost::json;

namespace {

constexpr uint32_t kPageMessages = 500;

Outcome outcome_of(const engine::StoreResult& r) {
  return {r.status, r.error};
}

// Reads pages until one comes back short.
struct MessageReader : std::enable_shared_from_this<MessageReader> {
  std::shared_ptr<engine::Store> store;
  std::string conversation_id;
  std::function<void(Outcome, json::array)> done;
  json::array messages;

  void next(uint64_t after_seq) {
    store->load_messages(
        conversation_id, after_seq, 0, kPageMessages,
        [self = shared_from_this()](engine::StoreResult r) {
          if (!r.ok()) return self->done(outcome_of(r), {});
          boost::system::error_code ec;
          json::value page = json::parse(r.body, ec);
          const json::value* list =
              !ec && page.is_object() ? page.get_object().if_contains("messages") : nullptr;
          if (!list || !list->is_array())
            return self->done({1, "storage answered load_messages with something else"}, {});
          uint64_t last = 0;
          for (const auto& m : list->get_array()) {
            if (const auto* seq = m.is_object() ? m.get_object().if_contains("seq") : nullptr)
              last = seq->is_uint64() ? seq->get_uint64()
                                      : static_cast<uint64_t>(seq->to_number<int64_t>());
            self->messages.push_back(m);
          }
          if (list->get_array().size() < kPageMessages || last == 0)
            return self->done({}, std::move(self->messages));
          self->next(last);
        });
  }
};

// files, then the conversation, then the replacement.
struct Purge : std::enable_shared_from_this<Purge> {
  std::shared_ptr<engine::Store> store;
  std::string conversation_id;
  std::optional<json::object> replacement;
  std::function<void(Outcome, PurgeCounts)> done;
  std::vector<std::string> blobs;  // files and their thumbnails
  PurgeCounts counts;

  void delete_blob(size_t i) {
    if (i == blobs.size()) return delete_conversation();
    store->blob_delete(blobs[i], [self = shared_from_this(), i](engine::StoreResult r) {
      // A storage that keeps no files has none of this conversation either.
      if (!r.ok() && r.status != engine::kStoreNotSupported)
        return self->done(outcome_of(r), self->counts);
      self->delete_binding(i);
    });
  }

  void delete_binding(size_t i) {
    store->kv_put(std::string(attachments::kBindingNamespace), blobs[i], "",
                  [self = shared_from_this(), i](engine::StoreResult r) {
                    if (!r.ok()) return self->done(outcome_of(r), self->counts);
                    self->delete_blob(i + 1);
                  });
  }

  void delete_conversation() {
    store->delete_conversation(conversation_id, [self = shared_from_this()](engine::StoreResult r) {
      if (!r.ok()) return self->done(outcome_of(r), self->counts);
      boost::system::error_code ec;
      json::value answer = json::parse(r.body, ec);
      if (!ec && answer.is_object())
        if (const auto* n = answer.get_object().if_contains("messages"); n && n->is_number())
          self->counts.messages = n->to_number<uint64_t>();
      if (!self->replacement) return self->done({}, self->counts);
      self->store->put_conversation(
          json::serialize(*self->replacement),
          [self](engine::StoreResult put) { self->done(outcome_of(put), self->counts); });
    });
  }
};

}  // namespace

void load_all_messages(std::shared_ptr<engine::Store> store, std::string conversation_id,
                       std::function<void(Outcome, json::array)> done) {
  auto reader = std::make_shared<MessageReader>();
  reader->store = std::move(store);
  reader->conversation_id = std::move(conversation_id);
  reader->done = std::move(done);
  reader->next(0);
}

std::vector<std::string> attachment_ids(const json::array& messages) {
  std::vector<std::string> ids;
  for (const auto& m : messages) {
    const auto* files = m.is_object() ? m.get_object().if_contains("attachments") : nullptr;
    if (!files || !files->is_array()) continue;
    for (const auto& f : files->get_array())
      if (const auto* id = f.is_object() ? f.get_object().if_contains("id") : nullptr;
          id && id->is_string())
        ids.emplace_back(id->get_string());
  }
  return ids;
}

void purge_conversation(std::shared_ptr<engine::Store> store, std::string conversation_id,
                        std::optional<json::object> replacement,
                        std::function<void(Outcome, PurgeCounts)> done) {
  auto purge = std::make_shared<Purge>();
  purge->store = store;
  purge->conversation_id = conversation_id;
  purge->replacement = std::move(replacement);
  purge->done = std::move(done);
  load_all_messages(std::move(store), std::move(conversation_id),
                    [purge](Outcome read, json::array messages) {
                      if (!read.ok()) return purge->done(read, purge->counts);
                      for (auto& id : attachment_ids(messages)) {
                        purge->blobs.push_back(id + std::string(attachments::kThumbnailSuffix));
                        purge->blobs.push_back(std::move(id));
                        ++purge->counts.files;
                      }
                      purge->delete_blob(0);
                    });
}

json::object anonymous_record(const json::object& record, int64_t now_ms) {
  json::object out;
  for (const char* key :
       {"id", "status", "group", "assignee", "last_agent", "created_at", "updated_at", "closed_at",
        "queued_at", "assigned_at", "first_response_at", "bot_outcome"})
    if (const auto* v = record.if_contains(key)) out[key] = *v;
  if (const auto* csat = record.if_contains("csat"); csat && csat->is_object()) {
    json::object kept;
    for (const char* key : {"score", "ts"})
      if (const auto* v = csat->get_object().if_contains(key)) kept[key] = *v;
    out["csat"] = std::move(kept);
  }
  out["erased_at"] = now_ms;
  return out;
}

}  // namespace sb::privacy
