// Data protection (ABI 1.5): delete_conversation removes a conversation's record,
// messages (also from search), tags and read positions and nothing of any other;
// log_prune removes old entries while numbering goes on; backup copies the
// database and files while writes go on, and an instance opened on the copy reads
// every write completed before the backup began.
#include <atomic>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <thread>

#include "storage_harness.hpp"

using namespace storage_test;
namespace json = boost::json;

namespace {

Completion ok(const Call& call) {
  Completion c = Storage::wait(call);
  INFO(c.error);
  REQUIRE(c.ok());
  return c;
}

size_t count_of(const Completion& c, const char* list) {
  return json::parse(c.result).at(list).as_array().size();
}

Message data_protection_message(const std::string& conversation, uint64_t seq,
                                const std::string& text) {
  Message m;
  m.conversation_id = conversation;
  m.seq = seq;
  m.text = text;
  return m;
}

}  // namespace

TEST_CASE("delete_conversation removes one conversation entirely and nothing else") {
  TempDir dir;
  Storage s(dir.str());
  ok(s.put_conversation(R"({"id":"c1","status":"closed","visitor_id":"v1","tags":["vip"]})"));
  ok(s.put_conversation(R"({"id":"c2","status":"closed","visitor_id":"v2","tags":["vip"]})"));
  ok(s.append(data_protection_message("c1", 1, "my secret address is Elm street")));
  ok(s.append(data_protection_message("c1", 2, "and my phone is 555")));
  ok(s.append(data_protection_message("c2", 1, "Elm street is where I live too")));
  ok(s.set_read("c1", "a1", 2));

  const Completion deleted = ok(s.delete_conversation("c1"));
  CHECK(json::parse(deleted.result).at("messages").as_int64() == 2);

  CHECK(count_of(ok(s.load("c1", 0, 0, 100)), "messages") == 0);
  CHECK(count_of(ok(s.list_conversations(R"({"id":"c1"})")), "conversations") == 0);
  CHECK(count_of(ok(s.list_conversations(R"({"tag":"vip"})")), "conversations") == 1);
  // The search index forgot c1's messages and still finds c2's.
  const auto hits = json::parse(ok(s.search(R"({"q":"Elm street"})")).result).at("hits");
  REQUIRE(hits.as_array().size() == 1);
  CHECK(hits.as_array()[0].at("conversation_id").as_string() == "c2");
  CHECK(count_of(ok(s.search(R"({"q":"555"})")), "hits") == 0);
  CHECK(count_of(ok(s.load("c2", 0, 0, 100)), "messages") == 1);

  // A record put after the delete is stored fresh (the host's anonymous record).
  ok(s.put_conversation(R"({"id":"c1","status":"closed","erased_at":1})"));
  CHECK(count_of(ok(s.list_conversations(R"({"id":"c1"})")), "conversations") == 1);
  CHECK(count_of(ok(s.list_conversations(R"({"visitor_id":"v1"})")), "conversations") == 0);

  CHECK(Storage::wait(s.delete_conversation("")).status == SB_REFUSED);
}

TEST_CASE("log_prune removes entries older than the cut and numbering goes on") {
  TempDir dir;
  Storage s(dir.str());
  ok(s.log_append("audit", "a", "x", "{}", 1000));
  ok(s.log_append("audit", "a", "x", "{}", 2000));
  ok(s.log_append("audit", "a", "x", "{}", 3000));
  ok(s.log_append("other", "a", "x", "{}", 1000));

  CHECK(json::parse(ok(s.log_prune("audit", 2500)).result).at("deleted").as_int64() == 2);
  const auto left = json::parse(ok(s.log_list(R"({"log":"audit"})")).result).at("entries");
  REQUIRE(left.as_array().size() == 1);
  CHECK(left.as_array()[0].at("seq").as_int64() == 3);
  CHECK(count_of(ok(s.log_list(R"({"log":"other"})")), "entries") == 1);

  // Everything gone: the next entry is still number 4, never a reused 1.
  ok(s.log_prune("audit", 10000));
  CHECK(count_of(ok(s.log_list(R"({"log":"audit"})")), "entries") == 0);
  const auto next = json::parse(ok(s.log_append("audit", "a", "x", "{}", 11000)).result);
  CHECK(next.at("seq").as_int64() == 4);

  CHECK(Storage::wait(s.log_prune("Bad Name!", 1)).status == SB_REFUSED);
}

TEST_CASE("backup under a steady write load holds every write completed before it", "[sqlite]") {
  TempDir dir;
  TempDir copy;
  {
    Storage s(dir.str());
    ok(s.blob_put("f1", "file one bytes"));
    ok(s.blob_put("f2", "file two"));
    ok(s.blob_delete("f2"));

    // A writer keeps appending while the backup runs.
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> acked{0};
    std::thread writer([&] {
      for (uint64_t seq = 1; !stop; ++seq) {
        if (!Storage::wait(
                 s.append(data_protection_message("load", seq, "m" + std::to_string(seq))))
                 .ok())
          break;
        acked = seq;
      }
    });
    while (acked < 50) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const uint64_t acked_before = acked;
    const Completion backup = ok(s.backup(copy.str()));
    stop = true;
    writer.join();
    const auto answer = json::parse(backup.result);
    CHECK(answer.at("files").as_int64() == 2);  // the database and f1
    CHECK(answer.at("bytes").as_int64() > 14);

    // The same directory twice: refused, it is not empty.
    CHECK(Storage::wait(s.backup(copy.str())).status == SB_REFUSED);
    CHECK(Storage::wait(s.backup("relative/dir")).status == SB_REFUSED);

    Storage restored(copy.str());
    const auto page = json::parse(ok(restored.load("load", 0, 0, 100000)).result);
    const auto& messages = page.at("messages").as_array();
    REQUIRE(messages.size() >= acked_before);
    // One moment of the data: no gap in what the copy holds.
    for (size_t i = 0; i < messages.size(); ++i)
      CHECK(messages[i].at("seq").as_int64() == static_cast<int64_t>(i + 1));
    CHECK(ok(restored.blob_get("f1")).result == "file one bytes");
    CHECK(ok(restored.blob_get("f2")).result.empty());
  }
}
