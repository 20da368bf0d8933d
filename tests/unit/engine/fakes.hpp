// Test doubles for the engine's ports: an in-memory store that answers
// asynchronously (like a real plugin) and can fail or reorder, peers that record
// frames, and a routing strategy that picks the least-loaded candidate.
#pragma once

#include <algorithm>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/ports.hpp"

namespace sb::engine::test {

namespace json = boost::json;

// Runs the engine until nothing is left to do soon: every handler ready now, and
// timers due within 50 ms (storage retries a test set to 1 ms, doubling). A timer
// further off, such as the grace period of each visitor waiting when the engine
// started (60 s by default), is left armed: tests that want it run_for it.
inline void settle_soon(boost::asio::io_context& ioc) {
  for (;;) {
    ioc.restart();
    if (ioc.poll() > 0) continue;
    ioc.restart();
    if (ioc.run_one_for(std::chrono::milliseconds(50)) == 0) return;
  }
}

class FakeStore : public Store {
 public:
  explicit FakeStore(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}

  std::map<std::string, std::map<uint64_t, StoredMessage>>
      messages;  // conversation -> seq -> message
  std::map<std::string, json::object> conversations;
  int append_calls = 0;
  int writes = 0;  // every call that changes what is stored: appends, records, kv, read, logs
  int fail_next_appends = 0;  // that many appends fail
  bool hold_appends = false;  // appends wait in `held` until release()
  std::vector<std::function<void()>> held;

  void release_reversed() {
    auto h = std::move(held);
    held.clear();
    for (auto it = h.rbegin(); it != h.rend(); ++it) (*it)();
  }

  void append_message(const StoredMessage& m, StoreCallback done) override {
    ++append_calls;
    ++writes;
    auto finish = [this, m, done = std::move(done)]() mutable {
      if (fail_next_appends > 0) {
        --fail_next_appends;
        return later(std::move(done), StoreResult{1, "", "disk full"});
      }
      messages[m.conversation_id][m.seq] = m;
      later(std::move(done), StoreResult{});
    };
    if (hold_appends) {
      held.push_back(std::move(finish));
    } else {
      finish();
    }
  }

  void load_messages(const std::string& id, uint64_t after, uint64_t before, uint32_t limit,
                     StoreCallback done) override {
    std::vector<const StoredMessage*> page;
    for (const auto& [seq, m] : messages[id])
      if (seq > after && (before == 0 || seq < before)) page.push_back(&m);
    if (page.size() > limit) {
      if (before)
        page.erase(page.begin(), page.end() - limit);
      else
        page.resize(limit);
    }
    json::array out;
    for (const auto* m : page)
      out.push_back(json::object{
          {"id", m->message_id},
          {"seq", m->seq},
          {"from",
           json::object{{"role", m->sender_role}, {"id", m->sender_id}, {"name", m->sender_name}}},
          {"client_msg_id", m->client_msg_id},
          {"text", m->text},
          {"ts", m->ts_ms},
          {"flags", m->flags}});
    for (size_t i = 0; i < page.size(); ++i)
      if (!page[i]->attachments_json.empty())
        out[i].as_object()["attachments"] = json::parse(page[i]->attachments_json);
    later(std::move(done), StoreResult{0, json::serialize(json::object{{"messages", out}}), ""});
  }

  void put_conversation(std::string doc, StoreCallback done) override {
    ++writes;
    auto o = json::parse(doc).as_object();
    conversations[std::string(o["id"].as_string())] = o;
    later(std::move(done), StoreResult{});
  }

  void list_conversations(std::string filter, StoreCallback done) override {
    auto f = json::parse(filter).as_object();
    json::array out;
    for (auto [id, c] : conversations) {
      if (auto* st = f.if_contains("status")) {
        const auto& wanted = st->as_array();
        if (std::find(wanted.begin(), wanted.end(), c["status"]) == wanted.end()) continue;
      }
      if (auto* want = f.if_contains("id"); want && *want != c["id"]) continue;
      c["last_seq"] = messages[id].empty() ? 0 : messages[id].rbegin()->first;
      out.push_back(c);
    }
    later(std::move(done),
          StoreResult{0, json::serialize(json::object{{"conversations", out}}), ""});
  }

  // conversation -> participant -> highest seq, as a plugin keeps them (never lowered).
  std::map<std::string, std::map<std::string, uint64_t>> reads;
  bool gives_reads_back = true;  // false: a store older than ABI 1.10
  std::vector<std::vector<std::string>> load_reads_calls;
  void set_read(const std::string& id, const std::string& participant, uint64_t seq,
                StoreCallback done) override {
    ++writes;
    uint64_t& kept = reads[id][participant];
    kept = std::max(kept, seq);
    later(std::move(done), StoreResult{});
  }
  bool hold_load_reads = false;  // answers wait in held_reads until run
  std::vector<std::function<void()>> held_reads;
  void load_reads(std::vector<std::string> ids, StoreCallback done) override {
    load_reads_calls.push_back(ids);
    if (!gives_reads_back)
      return later(std::move(done), StoreResult{kStoreNotSupported, "", "no load_reads"});
    json::array out;
    for (const auto& id : ids)
      for (const auto& [participant, seq] : reads[id])
        out.push_back(
            json::object{{"conversation_id", id}, {"participant_id", participant}, {"seq", seq}});
    StoreResult answer{0, json::serialize(json::object{{"reads", out}}), ""};
    if (!hold_load_reads) return later(std::move(done), std::move(answer));
    held_reads.push_back([this, done = std::move(done), answer = std::move(answer)]() mutable {
      later(std::move(done), std::move(answer));
    });
  }

  std::map<std::string, std::map<std::string, std::string>> kv;  // ns -> key -> JSON
  void kv_put(const std::string& ns, const std::string& key, std::string value,
              StoreCallback done) override {
    ++writes;
    if (value.empty()) {
      kv[ns].erase(key);
    } else {
      kv[ns][key] = std::move(value);
    }
    later(std::move(done), StoreResult{});
  }
  void kv_get(const std::string& ns, const std::string& key, StoreCallback done) override {
    auto it = kv[ns].find(key);
    later(std::move(done), StoreResult{0, it == kv[ns].end() ? "" : it->second, ""});
  }

  // Uploaded files as blob_meta answers them (id -> {"id","size","meta"}).
  std::map<std::string, std::string> files;
  void add_file(const std::string& id, const std::string& role, const std::string& uploader) {
    files[id] = json::serialize(json::object{
        {"id", id},
        {"size", 3},
        {"meta", json::object{{"name", id + ".png"},
                              {"content_type", "image/png"},
                              {"size", 3},
                              {"thumbnail", false},
                              {"uploader", json::object{{"role", role}, {"id", uploader}}}}}});
  }
  void blob_meta(const std::string& id, StoreCallback done) override {
    auto it = files.find(id);
    later(std::move(done), StoreResult{0, it == files.end() ? "" : it->second, ""});
  }

  void kv_list(const std::string& ns, StoreCallback done) override {
    json::array items;
    for (const auto& [key, value] : kv[ns])
      items.push_back(json::object{{"key", key}, {"value", json::parse(value)}});
    later(std::move(done), StoreResult{0, json::serialize(json::object{{"items", items}}), ""});
  }

  // The logs: appended entries kept in order (listing is not needed by these tests).
  std::vector<LogEntry> log_entries;
  void log_append(const LogEntry& entry, StoreCallback done) override {
    ++writes;
    log_entries.push_back(entry);
    later(std::move(done),
          StoreResult{0, json::serialize(json::object{{"seq", log_entries.size()}}), ""});
  }

 private:
  void later(StoreCallback done, StoreResult r) {
    boost::asio::post(executor_,
                      [done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
  }
  boost::asio::any_io_executor executor_;
};

class FakePeer : public Peer {
 public:
  explicit FakePeer(uint64_t id) : id_(id) {}
  void send(std::shared_ptr<const std::string> frame) override {
    frames.push_back(json::parse(*frame).as_object());
    sent.push_back(std::move(frame));
  }
  void close(uint16_t code, std::string reason) override {
    closed_with = code;
    closed_reason = std::move(reason);
  }
  uint64_t peer_id() const override { return id_; }

  std::vector<json::object> of_type(std::string_view type) const {
    std::vector<json::object> out;
    for (const auto& f : frames)
      if (f.at("type").as_string() == type) out.push_back(f);
    return out;
  }

  std::vector<json::object> frames;
  std::vector<std::shared_ptr<const std::string>> sent;  // the frames as given, in order
  uint16_t closed_with = 0;
  std::string closed_reason;

 private:
  uint64_t id_;
};

// Least open conversations, then agent id: deterministic.
class LeastLoadedRouter : public Router {
 public:
  const std::string& name() const override { return name_; }
  RouteDecision route(const RouteInput& in,
                      std::function<void(std::optional<std::string>)>) override {
    ++calls;
    const auto& c = *in.candidates;
    if (c.empty()) return {RouteDecision::Kind::deferred, 0};
    size_t best = 0;
    for (size_t i = 1; i < c.size(); ++i)
      if (c[i].open_conversations < c[best].open_conversations) best = i;
    return {RouteDecision::Kind::chosen, best};
  }
  int calls = 0;

 private:
  std::string name_ = "least-loaded";
};

class DeferringRouter : public Router {
 public:
  const std::string& name() const override { return name_; }
  RouteDecision route(const RouteInput&, std::function<void(std::optional<std::string>)>) override {
    ++calls;
    return {RouteDecision::Kind::deferred, 0};
  }
  int calls = 0;

 private:
  std::string name_ = "defer";
};

// Manual routing: offers every conversation, chooses nobody.
class OfferingRouter : public Router {
 public:
  const std::string& name() const override { return name_; }
  RouteDecision route(const RouteInput& in,
                      std::function<void(std::optional<std::string>)>) override {
    if (in.candidates->empty()) return {RouteDecision::Kind::deferred, 0};
    return {RouteDecision::Kind::offer, 0};
  }

 private:
  std::string name_ = "offer";
};

// Answers later, like routing-external: while `pend` is set each question waits
// until the test calls answer(); otherwise it defers at once.
class PendingRouter : public Router {
 public:
  const std::string& name() const override { return name_; }
  RouteDecision route(const RouteInput&,
                      std::function<void(std::optional<std::string>)> on_pending) override {
    if (!pend) return {RouteDecision::Kind::deferred, 0};
    waiting.push_back(std::move(on_pending));
    return {RouteDecision::Kind::pending, 0};
  }
  // The oldest question's answer: an agent id, or nullopt to defer.
  void answer(std::optional<std::string> agent_id) {
    auto on_pending = std::move(waiting.front());
    waiting.pop_front();
    on_pending(std::move(agent_id));
  }
  bool pend = false;
  std::deque<std::function<void(std::optional<std::string>)>> waiting;

 private:
  std::string name_ = "pending";
};

}  // namespace sb::engine::test
