#include "privacy/visitor_data.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace sb::privacy {

namespace json = boost::json;

namespace {

// The visitor's conversation records, newest first.
void list_of(const std::shared_ptr<engine::Store>& store, const std::string& visitor_id,
             std::function<void(Outcome, json::array)> done) {
  json::object filter{{"visitor_id", visitor_id}, {"limit", kMaxVisitorConversations}};
  store->list_conversations(
      json::serialize(filter), [done = std::move(done)](engine::StoreResult r) {
        if (!r.ok()) return done({r.status, r.error, r.refused}, {});
        boost::system::error_code ec;
        json::value body = json::parse(r.body, ec);
        const json::value* list =
            !ec && body.is_object() ? body.get_object().if_contains("conversations") : nullptr;
        if (!list || !list->is_array())
          return done({1, "storage answered list_conversations with something else"}, {});
        done({}, list->get_array());
      });
}

struct Export : std::enable_shared_from_this<Export> {
  std::shared_ptr<engine::Store> store;
  std::string files_url;
  json::array records;
  json::array out;
  std::function<void(Outcome, json::object)> done;
  json::object answer;

  void next(size_t i) {
    if (i == records.size()) {
      answer["conversations"] = std::move(out);
      return done({}, std::move(answer));
    }
    json::object record = records[i].is_object() ? records[i].get_object() : json::object{};
    record.erase("last_seq");
    const auto* id = record.if_contains("id");
    if (!id || !id->is_string()) return next(i + 1);
    load_all_messages(
        store, std::string(id->get_string()),
        [self = shared_from_this(), i, record = std::move(record)](Outcome read,
                                                                   json::array messages) mutable {
          if (!read.ok()) return self->done(read, {});
          json::array files;
          for (const auto& m : messages) {
            const auto* list = m.is_object() ? m.get_object().if_contains("attachments") : nullptr;
            if (!list || !list->is_array()) continue;
            for (const auto& f : list->get_array()) {
              if (!f.is_object()) continue;
              json::object file = f.get_object();
              if (const auto* fid = file.if_contains("id"); fid && fid->is_string())
                file["download"] = self->files_url + "/" + std::string(fid->get_string());
              files.push_back(std::move(file));
            }
          }
          self->out.push_back(json::object{{"record", std::move(record)},
                                           {"messages", std::move(messages)},
                                           {"files", std::move(files)}});
          self->next(i + 1);
        });
  }
};

struct Erase : std::enable_shared_from_this<Erase> {
  std::shared_ptr<engine::Store> store;
  int64_t now_ms = 0;
  json::array records;
  ErasedCounts counts;
  std::function<void(Outcome, ErasedCounts)> done;

  void next(size_t i) {
    if (i == records.size()) return done({}, std::move(counts));
    if (!records[i].is_object()) return next(i + 1);
    const json::object& record = records[i].get_object();
    const auto* id = record.if_contains("id");
    const auto* status = record.if_contains("status");
    if (!id || !id->is_string()) return next(i + 1);
    if (!status || !status->is_string() || status->get_string() != "closed") {
      counts.open.emplace_back(id->get_string());
      return next(i + 1);
    }
    purge_conversation(store, std::string(id->get_string()), anonymous_record(record, now_ms),
                       [self = shared_from_this(), i](Outcome purged, PurgeCounts n) {
                         self->counts.messages += n.messages;
                         self->counts.files += n.files;
                         if (!purged.ok()) return self->done(purged, std::move(self->counts));
                         ++self->counts.conversations;
                         self->next(i + 1);
                       });
  }
};

}  // namespace

void export_visitor(std::shared_ptr<engine::Store> store, std::string visitor_id,
                    std::string files_url, int64_t now_ms,
                    std::function<void(Outcome, json::object)> done) {
  auto job = std::make_shared<Export>();
  job->store = store;
  job->files_url = std::move(files_url);
  job->done = std::move(done);
  job->answer = json::object{{"visitor_id", visitor_id}, {"exported_at", now_ms}};
  list_of(store, visitor_id, [job](Outcome listed, json::array records) {
    if (!listed.ok()) return job->done(listed, {});
    job->records = std::move(records);
    job->next(0);
  });
}

void erase_visitor(std::shared_ptr<engine::Store> store, std::string visitor_id, int64_t now_ms,
                   std::function<void(Outcome, ErasedCounts)> done) {
  auto job = std::make_shared<Erase>();
  job->store = store;
  job->now_ms = now_ms;
  job->done = std::move(done);
  list_of(store, visitor_id, [job](Outcome listed, json::array records) {
    if (!listed.ok()) return job->done(listed, {});
    job->records = std::move(records);
    job->next(0);
  });
}

}  // namespace sb::privacy
