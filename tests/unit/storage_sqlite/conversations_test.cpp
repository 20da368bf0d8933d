// Conversation records and read positions.
#include <sqlite3.h>

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "storage_harness.hpp"

using namespace storage_test;
namespace json = boost::json;

namespace {

json::array list(Storage& s, const std::string& filter) {
  Completion c = Storage::wait(s.list_conversations(filter));
  INFO(filter << ": " << c.error);
  REQUIRE(c.ok());
  return json::parse(c.result).at("conversations").as_array();
}

std::vector<std::string> ids(const json::array& conversations) {
  std::vector<std::string> out;
  for (const auto& c : conversations) out.emplace_back(c.at("id").as_string());
  return out;
}

void put(Storage& s, const std::string& json_text) {
  Completion c = Storage::wait(s.put_conversation(json_text));
  INFO(json_text << ": " << c.error);
  REQUIRE(c.ok());
}

}  // namespace

TEST_CASE("conversations list newest first, filtered, each with last_seq") {
  TempDir dir;
  Storage s(dir.str());
  put(s,
      R"({"id":"a","status":"queued","visitor_id":"v1","assignee":"","updated_at":1000,"tags":["vip"]})");
  put(s, R"({"id":"b","status":"assigned","visitor_id":"v2","assignee":"dana","updated_at":3000})");
  put(s, R"({"id":"c","status":"closed","visitor_id":"v1","assignee":"dana","updated_at":2000})");
  put(s, R"({"id":"d","status":"bot","visitor_id":"v3"})");  // no updated_at: the time of the put
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    Message m;
    m.conversation_id = "b";
    m.seq = seq;
    REQUIRE(Storage::wait(s.append(m)).ok());
  }

  const auto all = list(s, "{}");
  CHECK(ids(all) == std::vector<std::string>{"d", "b", "c", "a"});
  // The record comes back as it was put, plus last_seq.
  CHECK(
      all[3] ==
      json::parse(
          R"({"id":"a","status":"queued","visitor_id":"v1","assignee":"","updated_at":1000,"tags":["vip"],"last_seq":0})"));
  CHECK(all[1].at("last_seq") == 3);

  CHECK(ids(list(s, "")) == ids(all));
  CHECK(ids(list(s, R"({"status":["queued","assigned"]})")) == std::vector<std::string>{"b", "a"});
  CHECK(ids(list(s, R"({"status":[]})")).empty());
  CHECK(ids(list(s, R"({"visitor_id":"v1"})")) == std::vector<std::string>{"c", "a"});
  CHECK(ids(list(s, R"({"assignee":"dana"})")) == std::vector<std::string>{"b", "c"});
  CHECK(ids(list(s, R"({"assignee":"dana","status":["closed"]})")) ==
        std::vector<std::string>{"c"});
  CHECK(ids(list(s, R"({"id":"c"})")) == std::vector<std::string>{"c"});
  CHECK(ids(list(s, R"({"limit":2})")) == std::vector<std::string>{"d", "b"});
  CHECK(ids(list(s, R"({"id":"nope"})")).empty());
}

TEST_CASE("conversations filter by group, tag and creation time, tags follow the record") {
  TempDir dir;
  Storage s(dir.str());
  put(s,
      R"({"id":"a","status":"closed","group":"sales","created_at":100,"updated_at":900,"tags":["vip","refund"]})");
  put(s,
      R"({"id":"b","status":"queued","group":"support","created_at":200,"updated_at":800,"tags":["vip"]})");
  put(s, R"({"id":"c","status":"assigned","group":"sales","created_at":300,"updated_at":700})");
  put(s, R"({"id":"d","status":"queued","updated_at":600})");  // no group, no time, no tags

  CHECK(ids(list(s, R"({"group":"sales"})")) == std::vector<std::string>{"a", "c"});
  CHECK(ids(list(s, R"({"tag":"vip"})")) == std::vector<std::string>{"a", "b"});
  CHECK(ids(list(s, R"({"tag":"refund","group":"sales"})")) == std::vector<std::string>{"a"});
  CHECK(ids(list(s, R"({"tag":"nobody"})")).empty());
  CHECK(ids(list(s, R"({"created_since":200})")) == std::vector<std::string>{"b", "c"});
  CHECK(ids(list(s, R"({"created_until":300})")) == std::vector<std::string>{"a", "b"});
  CHECK(ids(list(s, R"({"created_since":150,"created_until":250})")) ==
        std::vector<std::string>{"b"});
  CHECK(ids(list(s, R"({"updated_since":700})")) == std::vector<std::string>{"a", "b", "c"});
  CHECK(ids(list(s, R"({"status":"queued","tag":"vip"})")) == std::vector<std::string>{"b"});

  // Putting the record again replaces its tags: removed ones no longer match.
  put(s,
      R"({"id":"a","status":"closed","group":"sales","created_at":100,"updated_at":950,"tags":["refund"]})");
  CHECK(ids(list(s, R"({"tag":"vip"})")) == std::vector<std::string>{"b"});
  CHECK(ids(list(s, R"({"tag":"refund"})")) == std::vector<std::string>{"a"});
  put(s, R"({"id":"a","status":"closed","group":"sales","created_at":100,"updated_at":960})");
  CHECK(ids(list(s, R"({"tag":"refund"})")).empty());
}

TEST_CASE("put_conversation replaces the record with the same id") {
  TempDir dir;
  Storage s(dir.str());
  put(s, R"({"id":"a","status":"queued","visitor_id":"v1","updated_at":1})");
  put(s, R"({"id":"a","status":"assigned","visitor_id":"v1","assignee":"dana","updated_at":2})");
  const auto all = list(s, "{}");
  REQUIRE(all.size() == 1);
  CHECK(all[0].at("status") == "assigned");
  CHECK(ids(list(s, R"({"status":["queued"]})")).empty());
  CHECK(ids(list(s, R"({"assignee":"dana"})")) == std::vector<std::string>{"a"});
}

TEST_CASE("malformed records and filters fail at once with a reason") {
  TempDir dir;
  Storage s(dir.str());
  for (const char* bad : {"", "not json", "[1]", R"({"status":"queued"})", R"({"id":"a"})",
                          R"({"id":"a","status":"queued","assignee":5})"}) {
    Call c = s.put_conversation(bad);
    INFO(bad);
    CHECK(c.status == SB_REFUSED);
    CHECK_FALSE(c.error.empty());
  }
  Call unknown = s.list_conversations(R"({"grup":"support"})");
  CHECK(unknown.status == SB_REFUSED);
  CHECK_THAT(unknown.error, Catch::Contains("grup"));
  CHECK(s.list_conversations(R"({"limit":"ten"})").status == SB_REFUSED);
  CHECK(s.list_conversations(R"({"tag":["vip"]})").status == SB_REFUSED);
  CHECK(s.list_conversations(R"({"created_since":"yesterday"})").status == SB_REFUSED);
  Call bad_tags = s.put_conversation(R"({"id":"a","status":"queued","tags":"vip"})");
  CHECK(bad_tags.status == SB_REFUSED);
  CHECK_THAT(bad_tags.error, Catch::Contains("tags"));
}

TEST_CASE("set_read keeps the highest position per participant", "[sqlite]") {
  TempDir dir;
  {
    Storage s(dir.str());
    for (uint64_t seq : {5, 3, 7, 6}) REQUIRE(Storage::wait(s.set_read("c1", "dana", seq)).ok());
    REQUIRE(Storage::wait(s.set_read("c1", "v1", 2)).ok());
    REQUIRE(Storage::wait(s.set_read("c2", "dana", 1)).ok());
  }
  // The file is the witness (load_reads, below, is the hook that reads them back).
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((dir.path() / "switchboard.db").c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  REQUIRE(sqlite3_prepare_v2(
              db,
              "SELECT conversation_id || '/' || participant_id || '=' || seq FROM read_cursors "
              "ORDER BY 1",
              -1, &q, nullptr) == SQLITE_OK);
  std::vector<std::string> rows;
  while (sqlite3_step(q) == SQLITE_ROW)
    rows.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)));
  sqlite3_finalize(q);
  sqlite3_close(db);
  CHECK(rows == std::vector<std::string>{"c1/dana=7", "c1/v1=2", "c2/dana=1"});
}

namespace {

// load_reads' answer as "conversation/participant=seq", sorted (its order is free).
std::vector<std::string> reads_of(Storage& s, const std::string& query_json) {
  Completion c = Storage::wait(s.load_reads(query_json));
  INFO(query_json << ": " << c.error);
  REQUIRE(c.ok());
  const json::value answer = json::parse(c.result);
  std::vector<std::string> out;
  for (const auto& r : answer.at("reads").as_array())
    out.push_back(std::string(r.at("conversation_id").as_string()) + "/" +
                  std::string(r.at("participant_id").as_string()) + "=" +
                  std::to_string(r.at("seq").as_int64()));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("load_reads gives back the highest position set_read kept, across a reopen") {
  TempDir dir;
  const std::string c1_c2 = R"({"conversation_ids":["c1","c2","never-read"]})";
  {
    Storage s(dir.str());
    for (uint64_t seq : {5, 3, 7, 6}) REQUIRE(Storage::wait(s.set_read("c1", "dana", seq)).ok());
    REQUIRE(Storage::wait(s.set_read("c1", "v1", 2)).ok());
    REQUIRE(Storage::wait(s.set_read("c2", "dana", 1)).ok());
    REQUIRE(Storage::wait(s.set_read("c3", "eve", 4)).ok());
    // Issued right after the writes: it sees every one that completed.
    CHECK(reads_of(s, c1_c2) == std::vector<std::string>{"c1/dana=7", "c1/v1=2", "c2/dana=1"});
  }
  // What a restarted server reads: the same, from what is stored.
  Storage s(dir.str());
  CHECK(reads_of(s, c1_c2) == std::vector<std::string>{"c1/dana=7", "c1/v1=2", "c2/dana=1"});
  CHECK(reads_of(s, R"({"conversation_ids":["c3"]})") == std::vector<std::string>{"c3/eve=4"});
  CHECK(reads_of(s, R"({"conversation_ids":["nobody"]})").empty());
  // A lower position changes nothing; a higher one shows.
  REQUIRE(Storage::wait(s.set_read("c1", "dana", 4)).ok());
  REQUIRE(Storage::wait(s.set_read("c1", "v1", 9)).ok());
  CHECK(reads_of(s, R"({"conversation_ids":["c1"]})") ==
        std::vector<std::string>{"c1/dana=7", "c1/v1=9"});

  // Another tenant's instance sees none of them.
  TempDir other;
  Storage neighbour(other.str());
  CHECK(reads_of(neighbour, c1_c2).empty());

  // An erased conversation's positions go with it.
  REQUIRE(Storage::wait(s.delete_conversation("c1")).ok());
  CHECK(reads_of(s, c1_c2) == std::vector<std::string>{"c2/dana=1"});
}

TEST_CASE("load_reads takes up to 1000 conversation ids and refuses anything else at once") {
  TempDir dir;
  Storage s(dir.str());
  REQUIRE(Storage::wait(s.set_read("c_999", "ann", 3)).ok());
  json::array thousand;
  for (int i = 0; i < 1000; ++i) thousand.emplace_back("c_" + std::to_string(i));
  CHECK(reads_of(s, json::serialize(json::object{{"conversation_ids", thousand}})) ==
        std::vector<std::string>{"c_999/ann=3"});

  thousand.emplace_back("c_1000");
  for (const std::string& bad :
       {std::string(), std::string("[]"), std::string("{}"), std::string("not json"),
        std::string(R"({"conversation_ids":[]})"), std::string(R"({"conversation_ids":"c1"})"),
        std::string(R"({"conversation_ids":["c1",2]})"),
        std::string(R"({"conversation_ids":["c1"],"participant":"ann"})"),
        json::serialize(json::object{{"conversation_ids", thousand}})}) {
    INFO(bad);
    const Call c = s.load_reads(bad);
    CHECK(c.status == SB_REFUSED);
    CHECK_THAT(c.error, Catch::StartsWith("load_reads: "));
  }
  CHECK_THAT(s.load_reads(R"({"conversation_ids":["c1"],"participant":"ann"})").error,
             Catch::Contains("participant"));
}
