// Messages: what is appended comes back, whole and in order, page by page; a
// duplicate seq fails alone.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "storage_harness.hpp"

using namespace storage_test;
namespace json = boost::json;

namespace {

json::array load_messages(Storage& s, const std::string& cid, uint64_t after, uint64_t before,
                          uint32_t limit) {
  Completion c = Storage::wait(s.load(cid, after, before, limit));
  REQUIRE(c.ok());
  return json::parse(c.result).at("messages").as_array();
}

std::vector<int64_t> seqs(const json::array& messages) {
  std::vector<int64_t> out;
  for (const auto& m : messages) out.push_back(m.at("seq").as_int64());
  return out;
}

void append_ok(Storage& s, const Message& m) {
  Completion c = Storage::wait(s.append(m));
  INFO(c.error);
  REQUIRE(c.ok());
  CHECK(c.result.empty());
}

}  // namespace

TEST_CASE("appended messages load back with every field, oldest first, UTF-8 intact") {
  TempDir dir;
  Storage s(dir.str());
  Message first;
  first.text = "你好，我想查询订单 📦";
  first.sender_name = "王小明";
  first.client_msg_id = "cm-1";
  first.ts_ms = 1700000000123;
  Message second;
  second.seq = 2;
  second.role = "agent";
  second.sender_id = "dana";
  second.sender_name = "Dana";
  second.text = "note: \"quoted\"\nnew line";
  second.flags = SB_MESSAGE_PRIVATE;
  second.message_id = "m-two";
  append_ok(s, first);
  append_ok(s, second);

  Completion c = Storage::wait(s.load("c1", 0, 0, 100));
  REQUIRE(c.ok());
  const json::value expected = json::parse(R"({"messages":[
    {"id":"c1-1","seq":1,"from":{"role":"visitor","id":"v1","name":"王小明"},"client_msg_id":"cm-1",
     "text":"你好，我想查询订单 📦","ts":1700000000123,"flags":0},
    {"id":"m-two","seq":2,"from":{"role":"agent","id":"dana","name":"Dana"},"client_msg_id":"",
     "text":"note: \"quoted\"\nnew line","ts":1700000000000,"flags":1}]})");
  CHECK(json::parse(c.result) == expected);
}

TEST_CASE("pages: after_seq, before_seq and limit select the documented window") {
  TempDir dir;
  Storage s(dir.str());
  // Issued together and out of order: order comes from seq, not arrival.
  std::vector<Call> calls;
  for (uint64_t seq : {3, 1, 2, 10, 9, 8, 7, 6, 5, 4}) {
    Message m;
    m.seq = seq;
    calls.push_back(s.append(m));
  }
  Message other;
  other.conversation_id = "c2";
  calls.push_back(s.append(other));
  for (const auto& call : calls) REQUIRE(Storage::wait(call).ok());

  CHECK(seqs(load_messages(s, "c1", 0, 0, 100)) ==
        std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  CHECK(seqs(load_messages(s, "c1", 0, 0, 3)) == std::vector<int64_t>{1, 2, 3});
  CHECK(seqs(load_messages(s, "c1", 7, 0, 100)) == std::vector<int64_t>{8, 9, 10});
  // With before_seq the page is the `limit` messages just below it, still oldest first.
  CHECK(seqs(load_messages(s, "c1", 0, 6, 3)) == std::vector<int64_t>{3, 4, 5});
  CHECK(seqs(load_messages(s, "c1", 0, 2, 3)) == std::vector<int64_t>{1});
  CHECK(seqs(load_messages(s, "c1", 2, 6, 100)) == std::vector<int64_t>{3, 4, 5});
  CHECK(seqs(load_messages(s, "c1", 2, 9, 2)) == std::vector<int64_t>{7, 8});
  CHECK(seqs(load_messages(s, "c1", 0, 0, 0)).empty());
  CHECK(seqs(load_messages(s, "c2", 0, 0, 100)) == std::vector<int64_t>{1});
  CHECK(load_messages(s, "nobody", 0, 0, 100).empty());
}

TEST_CASE(
    "a duplicate (conversation_id, seq) fails that message alone, the rest of its batch is "
    "stored") {
  TempDir dir;
  Storage s(dir.str());
  Message original;
  original.text = "original";
  append_ok(s, original);

  // All issued before any completes, so they share commits.
  std::vector<Message> batch(5);
  for (size_t i = 0; i < batch.size(); ++i) {
    batch[i].seq = i + 1;  // seq 1 already exists
    batch[i].message_id = "b" + std::to_string(i);
    batch[i].text = "batch " + std::to_string(i);
  }
  Message twin = batch[3];  // the same seq twice inside one batch
  twin.text = "twin";
  std::vector<Call> calls;
  for (const auto& m : batch) calls.push_back(s.append(m));
  calls.push_back(s.append(twin));

  std::vector<Completion> done;
  for (const auto& call : calls) done.push_back(Storage::wait(call));
  CHECK_FALSE(done[0].ok());
  CHECK_THAT(done[0].error, Catch::Contains("seq 1"));
  CHECK(done[1].ok());
  CHECK(done[2].ok());
  CHECK(done[3].ok());
  CHECK(done[4].ok());
  CHECK_FALSE(done[5].ok());
  CHECK_THAT(done[5].error, Catch::Contains("already has a message with seq 4"));

  auto messages = load_messages(s, "c1", 0, 0, 100);
  REQUIRE(seqs(messages) == std::vector<int64_t>{1, 2, 3, 4, 5});
  CHECK(messages[0].at("text") == "original");
  CHECK(messages[3].at("text") == "batch 3");
  CHECK(double_completions() == 0);
}

TEST_CASE("malformed messages fail at once") {
  TempDir dir;
  Storage s(dir.str());
  Message zero;
  zero.seq = 0;
  Call c = s.append(zero);
  CHECK(c.status == SB_REFUSED);
  CHECK_THAT(c.error, Catch::Contains("seq"));
  Message nameless;
  nameless.conversation_id = "";
  CHECK(s.append(nameless).status == SB_REFUSED);
}
