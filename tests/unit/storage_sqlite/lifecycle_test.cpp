// Files, schema versions, durability across instances, tenant isolation, config.
#include <sqlite3.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "storage_harness.hpp"

using namespace storage_test;
namespace json = boost::json;

namespace {

// The first column of the first row, or "" (sqlite_file.hpp's query_text gives every row).
std::string first_value(const std::filesystem::path& file, const char* sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql, -1, &q, nullptr) == SQLITE_OK);
  std::string out;
  if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
    out = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
  sqlite3_finalize(q);
  sqlite3_close(db);
  return out;
}

size_t message_count(Storage& s, const std::string& cid) {
  Completion c = Storage::wait(s.load(cid, 0, 0, 1000000));
  REQUIRE(c.ok());
  return json::parse(c.result).at("messages").as_array().size();
}

}  // namespace

TEST_CASE("a fresh file is created in data_dir, in WAL mode, at the latest schema version",
          "[sqlite]") {
  TempDir dir;
  { Storage s(dir.str()); }
  const auto file = dir.path() / "switchboard.db";
  REQUIRE(std::filesystem::exists(file));
  CHECK(first_value(file, "PRAGMA journal_mode") == "wal");
  CHECK(first_value(file, "PRAGMA user_version") == "11");
  CHECK(first_value(
            file,
            "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = "
            "'table' ORDER BY name)") ==
        "blobs,conversation_tags,conversations,durable_logs,kv,log_counters,log_entries,messages,"
        "messages_fts,"
        "messages_fts_"
        "config,"
        "messages_fts_data,messages_fts_docsize,messages_fts_idx,read_cursors,search_mark");
  // Opening it again migrates nothing and keeps working.
  Storage again(dir.str());
  CHECK(Storage::wait(again.kv_put("n", "k", "1")).ok());
}

TEST_CASE("a file from a newer schema version is refused with a clear error", "[sqlite]") {
  TempDir dir;
  const auto file = dir.path() / "switchboard.db";
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "CREATE TABLE future (x); PRAGMA user_version = 99", nullptr, nullptr,
                       nullptr) == SQLITE_OK);
  sqlite3_close(db);
  const std::string error = Storage::open_error(dir.str());
  CHECK_THAT(error, Catch::Contains("schema version 99") && Catch::Contains("newer") &&
                        Catch::Contains(file.string()));
  // Left untouched, not even switched to WAL.
  CHECK(first_value(file, "PRAGMA user_version") == "99");
  CHECK(first_value(file, "PRAGMA journal_mode") == "delete");
}

TEST_CASE("everything completed survives instance_free and a new instance on the same file") {
  TempDir dir;
  {
    Storage s(dir.str());
    std::vector<Call> calls;
    for (uint64_t seq = 1; seq <= 100; ++seq) {
      Message m;
      m.seq = seq;
      m.text = "消息 " + std::to_string(seq);
      calls.push_back(s.append(m));
    }
    calls.push_back(s.put_conversation(R"({"id":"c1","status":"assigned","assignee":"dana"})"));
    calls.push_back(s.kv_put("agents", "dana", R"({"name":"Dana"})"));
    for (const auto& call : calls) REQUIRE(Storage::wait(call).ok());
  }
  Storage reopened(dir.str());
  Completion page = Storage::wait(reopened.load("c1", 0, 99, 10));
  REQUIRE(page.ok());
  const auto messages = json::parse(page.result).at("messages").as_array();
  REQUIRE(messages.size() == 10);
  CHECK(messages.back().at("text") == "消息 98");
  CHECK(message_count(reopened, "c1") == 100);
  const auto listed = json::parse(Storage::wait(reopened.list_conversations("{}")).result);
  CHECK(listed.at("conversations").at(0).at("last_seq") == 100);
  CHECK(Storage::wait(reopened.kv_get("agents", "dana")).result == R"({"name":"Dana"})");
}

TEST_CASE("instance_free completes every queued op before it returns") {
  TempDir dir;
  std::vector<Call> calls;
  {
    Storage s(dir.str());
    for (uint64_t seq = 1; seq <= 2000; ++seq) {
      Message m;
      m.seq = seq;
      calls.push_back(s.append(m));
    }
    calls.push_back(s.kv_get("n", "absent"));
  }  // freed without waiting
  for (const auto& call : calls) CHECK(Storage::wait(call, std::chrono::milliseconds(0)).ok());
  Storage reopened(dir.str());
  CHECK(message_count(reopened, "c1") == 2000);
}

TEST_CASE("two tenants' instances in different directories see only their own data") {
  TempDir dir_a, dir_b;
  Storage a(dir_a.str());
  Storage b(dir_b.str());
  Message from_a;
  from_a.text = "tenant A";
  Message from_b;
  from_b.text = "tenant B";
  REQUIRE(Storage::wait(a.append(from_a)).ok());
  REQUIRE(Storage::wait(b.append(from_b)).ok());  // same conversation id and seq: no clash
  REQUIRE(Storage::wait(a.kv_put("agents", "x", R"("a")")).ok());
  REQUIRE(Storage::wait(a.put_conversation(R"({"id":"c1","status":"queued"})")).ok());

  const auto page_a =
      json::parse(Storage::wait(a.load("c1", 0, 0, 10)).result).at("messages").as_array();
  const auto page_b =
      json::parse(Storage::wait(b.load("c1", 0, 0, 10)).result).at("messages").as_array();
  REQUIRE(page_a.size() == 1);
  REQUIRE(page_b.size() == 1);
  CHECK(page_a[0].at("text") == "tenant A");
  CHECK(page_b[0].at("text") == "tenant B");
  CHECK(Storage::wait(b.kv_get("agents", "x")).result.empty());
  CHECK(json::parse(Storage::wait(b.list_conversations("{}")).result)
            .at("conversations")
            .as_array()
            .empty());
}

TEST_CASE(
    "config: file names the database inside data_dir, and bad values are refused naming the key",
    "[sqlite]") {
  TempDir dir;
  {
    Storage s(dir.str(), {{"file", "tenant.sqlite"}});
    REQUIRE(Storage::wait(s.kv_put("n", "k", "1")).ok());
  }
  CHECK(std::filesystem::exists(dir.path() / "tenant.sqlite"));
  CHECK_FALSE(std::filesystem::exists(dir.path() / "switchboard.db"));

  CHECK_THAT(Storage::open_error(dir.str(), {{"file", "../other-tenant.db"}}),
             Catch::Contains("file"));
  CHECK_THAT(Storage::open_error(dir.str(), {{"file", "/tmp/x.db"}}), Catch::Contains("file"));
  CHECK_THAT(Storage::open_error(dir.str(), {{"max_batch_messages", "0"}}),
             Catch::Contains("max_batch_messages"));
  CHECK_THAT(Storage::open_error(dir.str(), {{"max_pending_messages", "lots"}}),
             Catch::Contains("max_pending_messages"));
}

TEST_CASE("two instances on the same file (a tenant reload) both write, neither loses anything") {
  TempDir dir;
  Storage old_instance(dir.str());
  Storage new_instance(dir.str());
  std::vector<Call> calls;
  for (uint64_t seq = 1; seq <= 200; ++seq) {
    Message from_old;
    from_old.conversation_id = "old";
    from_old.seq = seq;
    calls.push_back(old_instance.append(from_old));
    Message from_new;
    from_new.conversation_id = "new";
    from_new.seq = seq;
    calls.push_back(new_instance.append(from_new));
  }
  for (const auto& call : calls) {
    Completion c = Storage::wait(call);
    INFO(c.error);
    CHECK(c.ok());
  }
  CHECK(message_count(new_instance, "old") == 200);
  CHECK(message_count(old_instance, "new") == 200);
}
