// The stored conversation record: what is written reads back the same, older
// records (fewer fields) still read, and a storage answer that is not the contract's
// is refused rather than half-read.
#include "records/conversation_record.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

using namespace sb::records;
namespace json = boost::json;

namespace {

ConversationRecord full_record() {
  ConversationRecord r;
  r.id = "c1";
  r.status = "closed";
  r.visitor_id = "v1";
  r.visitor_name = "Visitor 1";
  r.assignee = "";
  r.group = "billing";
  r.chain = "routing-skills,routing-least-busy";
  r.rules = {"vip", "waited-long"};
  r.tags = {"refund", "urgent"};
  r.last_agent = "a1";
  r.created_ms = 1'700'000'000'000;
  r.updated_ms = 1'700'000'100'000;
  r.closed_ms = 1'700'000'090'000;
  r.abandoned_ms = 1'700'000'090'000;
  r.queue_order = 1'700'000'000'001'000;
  r.queue_limit_reached = true;
  r.over_queue_limit = true;
  r.queue_limit_seq = 7;
  r.close_after_seq = 8;
  r.queued_ms = 1'700'000'000'500;
  r.assigned_ms = 1'700'000'001'000;
  r.first_response_ms = 1'700'000'002'000;
  r.bot_outcome = "handed_off";
  r.csat = StoredCsat{4, "quick, thanks", 1'700'000'095'000};
  r.transfer = StoredTransfer{
      "a0", "Dana", "root", "Lee", 1'700'000'050'000, "wants a refund\n<b>order</b> 123 checked"};
  r.first_message = "where is my invoice?";
  r.undecided = true;
  r.bot = json::object{{"flow_node", "start"}, {"answered_seq", 3}};
  r.visitor_meta = json::object{{"page", "/pricing"}, {"lang", "zh"}};
  r.erased_ms = 1'700'000'200'000;
  return r;
}

// As storage answers a list: the records as put, each with its last_seq.
std::string answer_with(const std::vector<ConversationRecord>& records, uint64_t last_seq) {
  json::array list;
  for (const auto& r : records) {
    json::object o = to_json(r);
    o["last_seq"] = last_seq;
    list.push_back(std::move(o));
  }
  return json::serialize(json::object{{"conversations", std::move(list)}});
}

}  // namespace

TEST_CASE("a record written and listed back is the same record") {
  ConversationRecord written = full_record();
  const auto read = parse_conversation_list(answer_with({written}, 12));
  REQUIRE(read);
  REQUIRE(read->size() == 1);
  written.last_seq = 12;  // storage's own field
  CHECK(read->front() == written);
}

TEST_CASE("an open conversation's record round-trips with its empty fields") {
  ConversationRecord open;
  open.id = "c2";
  open.status = "queued";
  open.visitor_id = "v2";
  const auto read = parse_conversation_list(answer_with({open}, 0));
  REQUIRE(read);
  REQUIRE(read->size() == 1);
  CHECK(read->front() == open);
  // Nothing a reader would take for a value: no close, rating, bot or meta.
  const json::object stored = to_json(open);
  CHECK_FALSE(stored.contains("closed_at"));
  CHECK_FALSE(stored.contains("csat"));
  CHECK_FALSE(stored.contains("bot"));
  CHECK_FALSE(stored.contains("visitor_meta"));
  CHECK_FALSE(stored.contains("transfer"));
  CHECK_FALSE(stored.contains("last_seq"));  // storage keeps that itself
}

TEST_CASE("a record from before closed_at and the milestones still reads") {
  const auto read =
      parse_conversation_list(R"({"conversations":[{"id":"c3","status":"closed","visitor_id":"v3",)"
                              R"("updated_at":1700000000000,"last_seq":5,"tags":["a",1,"b"]}]})");
  REQUIRE(read);
  REQUIRE(read->size() == 1);
  const ConversationRecord& r = read->front();
  CHECK(r.closed_ms == 0);
  CHECK(r.closed_or_updated_ms() == 1'700'000'000'000);  // the last update was the close
  CHECK(r.last_seq == 5);
  CHECK(r.tags == std::vector<std::string>{"a", "b"});  // non-strings are skipped
  CHECK(r.queued_ms == 0);
  CHECK(r.bot_outcome.empty());
}

TEST_CASE("a rating outside 1..5 is no rating") {
  const auto read = parse_conversation_list(
      R"({"conversations":[{"id":"c4","csat":{"score":9,"comment":"x","ts":1}}]})");
  REQUIRE(read);
  CHECK_FALSE(read->front().csat);
}

TEST_CASE("who transferred a conversation is stored as agents get it, note and admin optional") {
  // An agent passed it on without a note: no "by", no "note".
  const StoredTransfer plain{"a0", "Dana", "", "", 1'700'000'050'000, ""};
  CHECK(json::serialize(transfer_json(plain)) ==
        R"({"from":{"id":"a0","name":"Dana"},"at":1700000050000})");
  const auto read = parse_conversation_list(
      R"({"conversations":[{"id":"c5","transfer":{"from":{"id":"a0","name":"Dana"},)"
      R"("by":{"id":"root","name":"Lee"},"at":1700000050000,"note":"refund 中文"}},)"
      R"({"id":"c6","transfer":{"from":{"name":"nobody"},"at":5}},{"id":"c7","transfer":"x"}]})");
  REQUIRE(read);
  REQUIRE(read->size() == 3);
  REQUIRE(read->at(0).transfer);
  CHECK(*read->at(0).transfer ==
        StoredTransfer{"a0", "Dana", "root", "Lee", 1'700'000'050'000, "refund 中文"});
  CHECK_FALSE(read->at(1).transfer);  // no agent it came from: none
  CHECK_FALSE(read->at(2).transfer);
}

TEST_CASE("an answer that is not a list of records is refused, records without an id are skipped") {
  CHECK_FALSE(parse_conversation_list("not json"));
  CHECK_FALSE(parse_conversation_list(R"({"items":[]})"));
  CHECK_FALSE(parse_conversation_list(R"({"conversations":{}})"));
  const auto read =
      parse_conversation_list(R"({"conversations":[{"status":"queued"},3,{"id":"c5"}]})");
  REQUIRE(read);
  REQUIRE(read->size() == 1);
  CHECK(read->front().id == "c5");
}
