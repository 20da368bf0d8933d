// Conversation records and read positions.
#include <sqlite3.h>

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
    CHECK(c.status == SB_ERROR);
    CHECK_FALSE(c.error.empty());
  }
  Call unknown = s.list_conversations(R"({"grup":"support"})");
  CHECK(unknown.status == SB_ERROR);
  CHECK_THAT(unknown.error, Catch::Contains("grup"));
  CHECK(s.list_conversations(R"({"limit":"ten"})").status == SB_ERROR);
  CHECK(s.list_conversations(R"({"tag":["vip"]})").status == SB_ERROR);
  CHECK(s.list_conversations(R"({"created_since":"yesterday"})").status == SB_ERROR);
  Call bad_tags = s.put_conversation(R"({"id":"a","status":"queued","tags":"vip"})");
  CHECK(bad_tags.status == SB_ERROR);
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
  // No hook reads positions back; the file is the witness.
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
