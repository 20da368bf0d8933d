// Retention at a chosen clock: closed conversations past the period go with their
// messages and files, those closed more recently and open ones stay, a run past
// many pages reaches the oldest, audit entries past theirs are pruned; and a
// visitor's erasure leaves an anonymous record that keeps the counts.
#include "privacy/retention.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "privacy/visitor_data.hpp"

using namespace sb;
namespace json = boost::json;

namespace {

constexpr int64_t kDay = 86'400'000;
constexpr int64_t kNow = 1'000 * kDay;

// An in-memory storage answering at once, with the filters retention uses.
class MemoryStore : public engine::Store {
 public:
  std::map<std::string, json::object> records;
  std::map<std::string, std::vector<json::object>> messages;
  std::set<std::string> blobs;
  std::vector<int64_t> audit_ts;
  std::vector<int64_t> unanswered_ts;  // the bot's unanswered questions (log bot.unanswered)

  void add(const std::string& id, const std::string& status, int64_t created, int64_t closed,
           const std::string& visitor = "v", std::vector<std::string> files = {}) {
    json::object r{{"id", id},
                   {"status", status},
                   {"created_at", created},
                   {"visitor_id", visitor},
                   {"visitor_name", "Name of " + visitor},
                   {"csat", json::object{{"score", 4}, {"comment", "kind words"}, {"ts", closed}}}};
    if (closed) r["closed_at"] = closed;
    records[id] = r;
    json::array attached;
    for (const auto& f : files) {
      attached.push_back(json::object{{"id", f}});
      blobs.insert(f);
    }
    messages[id].push_back(json::object{{"seq", 1}, {"text", "hi"}, {"attachments", attached}});
  }

  void append_message(const engine::StoredMessage&, engine::StoreCallback done) override {
    done({});
  }
  void load_messages(const std::string& id, uint64_t after, uint64_t, uint32_t,
                     engine::StoreCallback done) override {
    json::array out;
    if (after == 0)
      for (const auto& m : messages[id]) out.push_back(m);
    done({0, json::serialize(json::object{{"messages", out}}), ""});
  }
  void put_conversation(std::string doc, engine::StoreCallback done) override {
    auto o = json::parse(doc).as_object();
    records[std::string(o.at("id").as_string())] = o;
    done({});
  }
  void list_conversations(std::string filter, engine::StoreCallback done) override {
    auto f = json::parse(filter).as_object();
    std::vector<json::object> hits;
    for (const auto& [id, r] : records) {
      if (auto* s = f.if_contains("status"); s && s->as_array()[0] != r.at("status")) continue;
      if (auto* v = f.if_contains("visitor_id");
          v && (!r.contains("visitor_id") || *v != r.at("visitor_id")))
        continue;
      if (auto* until = f.if_contains("created_until");
          until && r.at("created_at").as_int64() >= until->as_int64())
        continue;
      hits.push_back(r);
    }
    std::sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) {
      return a.at("created_at").as_int64() > b.at("created_at").as_int64();
    });
    if (hits.size() > static_cast<size_t>(f.at("limit").as_int64()))
      hits.resize(f.at("limit").as_int64());
    json::array out(hits.begin(), hits.end());
    done({0, json::serialize(json::object{{"conversations", out}}), ""});
  }
  void set_read(const std::string&, const std::string&, uint64_t,
                engine::StoreCallback done) override {
    done({});
  }
  // Keeps no read positions, so it has none to give back.
  void load_reads(std::vector<std::string>, engine::StoreCallback done) override {
    done({engine::kStoreNotSupported, {}, "this store keeps no read positions"});
  }
  void kv_put(const std::string&, const std::string&, std::string,
              engine::StoreCallback done) override {
    done({});
  }
  void kv_list(const std::string&, engine::StoreCallback done) override {
    done({0, R"({"items":[]})", ""});
  }
  void blob_delete(const std::string& id, engine::StoreCallback done) override {
    blobs.erase(id);
    done({});
  }
  void delete_conversation(const std::string& id, engine::StoreCallback done) override {
    const size_t n = messages[id].size();
    messages.erase(id);
    records.erase(id);
    done({0, R"({"messages":)" + std::to_string(n) + "}", ""});
  }
  void log_prune(const std::string& log, int64_t before, engine::StoreCallback done) override {
    REQUIRE((log == "audit" || log == "bot.unanswered"));
    auto& kept = log == "audit" ? audit_ts : unanswered_ts;
    const auto before_size = kept.size();
    std::erase_if(kept, [&](int64_t ts) { return ts < before; });
    done({0, R"({"deleted":)" + std::to_string(before_size - kept.size()) + "}", ""});
  }
};

privacy::RetentionCounts run(std::shared_ptr<MemoryStore> store, privacy::RetentionPeriods periods,
                             int64_t now) {
  bool finished = false;
  privacy::RetentionCounts counts;
  privacy::apply_retention(store, periods, now, [&](privacy::Outcome outcome, auto n) {
    INFO(outcome.error);
    CHECK(outcome.ok());
    counts = n;
    finished = true;
  });
  REQUIRE(finished);
  return counts;
}

}  // namespace

TEST_CASE("retention deletes closed conversations past the period, and only those") {
  auto store = std::make_shared<MemoryStore>();
  store->add("old", "closed", kNow - 40 * kDay, kNow - 35 * kDay, "v1", {"f-old"});
  store->add("recent", "closed", kNow - 40 * kDay, kNow - 5 * kDay, "v2", {"f-recent"});
  store->add("open", "assigned", kNow - 90 * kDay, 0);
  store->audit_ts = {kNow - 100 * kDay, kNow - 10 * kDay, kNow - kDay};
  store->unanswered_ts = {kNow - 45 * kDay, kNow - 31 * kDay, kNow - 29 * kDay};

  const auto n = run(store, {30 * kDay, 60 * kDay}, kNow);
  // The bot's unanswered questions quote visitors: they go with the conversations'
  // period, not the audit log's.
  CHECK(n.unanswered_entries == 2);
  CHECK(store->unanswered_ts == std::vector<int64_t>{kNow - 29 * kDay});
  CHECK(n.conversations == 1);
  CHECK(n.messages == 1);
  CHECK(n.files == 1);
  CHECK(n.audit_entries == 1);
  CHECK_FALSE(store->records.contains("old"));
  CHECK_FALSE(store->messages.contains("old"));
  CHECK_FALSE(store->blobs.contains("f-old"));
  CHECK(store->records.contains("recent"));
  CHECK(store->blobs.contains("f-recent"));
  CHECK(store->records.contains("open"));
  CHECK(store->audit_ts.size() == 2);

  // The same store 30 days later: "recent" is past the period too.
  CHECK(run(store, {30 * kDay, 0}, kNow + 30 * kDay).conversations == 1);
  CHECK_FALSE(store->records.contains("recent"));
  // No period: nothing goes.
  store->add("kept", "closed", 0 + kDay, 2 * kDay);
  CHECK(run(store, {0, 0}, kNow).conversations == 0);
  CHECK(store->records.contains("kept"));
}

TEST_CASE("retention pages back through many conversations, newest first") {
  auto store = std::make_shared<MemoryStore>();
  // 450 past the period, under 10 that are not (created earlier, closed lately).
  for (int i = 0; i < 450; ++i)
    store->add("c" + std::to_string(i), "closed", kNow - 100 * kDay + i, kNow - 50 * kDay);
  for (int i = 0; i < 10; ++i)
    store->add("late" + std::to_string(i), "closed", kNow - 100 * kDay + 500 + i, kNow - kDay);
  CHECK(run(store, {30 * kDay, 0}, kNow).conversations == 450);
  CHECK(store->records.size() == 10);
}

TEST_CASE("retention asks before each deletion and keeps a conversation the engine holds again") {
  auto store = std::make_shared<MemoryStore>();
  store->add("let-go", "closed", kNow - 40 * kDay, kNow - 35 * kDay, "v1");
  store->add("held", "closed", kNow - 40 * kDay, kNow - 34 * kDay, "v2");
  store->add("recent", "closed", kNow - 40 * kDay, kNow - 5 * kDay, "v3");
  // The engine's side (TenantEngine::forget_closed): it reopened "held" meanwhile.
  std::vector<std::string> asked;
  privacy::LetGo let_go = [&](const std::string& id, const std::string& visitor,
                              std::function<void(bool)> answer) {
    // Asked while the record is still there: the engine forgets it first.
    CHECK(store->records.contains(id));
    asked.push_back(id + "/" + visitor);
    answer(id != "held");
  };
  bool finished = false;
  privacy::RetentionCounts n;
  privacy::apply_retention(
      store, {30 * kDay, 0}, kNow,
      [&](privacy::Outcome outcome, privacy::RetentionCounts counts) {
        CHECK(outcome.ok());
        n = counts;
        finished = true;
      },
      let_go);
  REQUIRE(finished);
  std::sort(asked.begin(), asked.end());
  CHECK(asked == std::vector<std::string>{"held/v2", "let-go/v1"});
  CHECK(n.conversations == 1);
  CHECK(n.in_use == 1);
  CHECK_FALSE(store->records.contains("let-go"));
  CHECK(store->records.contains("held"));
  CHECK(store->records.contains("recent"));
}

TEST_CASE("an erased visitor leaves an anonymous record: counts stay, nothing names them") {
  auto store = std::make_shared<MemoryStore>();
  store->add("c1", "closed", kNow - kDay, kNow - 1000, "ada", {"f1"});
  store->add("c2", "assigned", kNow - kDay, 0, "ada");
  store->add("c3", "closed", kNow - kDay, kNow - 1000, "bob", {"f3"});
  bool finished = false;
  privacy::erase_visitor(store, "ada", kNow,
                         [&](privacy::Outcome outcome, privacy::ErasedCounts n) {
                           CHECK(outcome.ok());
                           CHECK(n.conversations == 1);
                           CHECK(n.files == 1);
                           CHECK(n.open == std::vector<std::string>{"c2"});
                           finished = true;
                         });
  REQUIRE(finished);
  const auto& stub = store->records.at("c1");
  CHECK_FALSE(stub.contains("visitor_id"));
  CHECK_FALSE(stub.contains("visitor_name"));
  CHECK(stub.at("status") == "closed");
  CHECK(stub.at("csat").at("score") == 4);
  CHECK_FALSE(stub.at("csat").as_object().contains("comment"));
  CHECK(stub.at("erased_at") == kNow);
  CHECK_FALSE(store->messages.contains("c1"));
  CHECK_FALSE(store->blobs.contains("f1"));
  CHECK(store->blobs.contains("f3"));
  CHECK(store->records.at("c3").at("visitor_id") == "bob");
}
