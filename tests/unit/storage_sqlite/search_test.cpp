// Search (ABI 1.3): the FTS5 trigram index is kept on insert, finds a phrase in the
// middle of a Chinese sentence and an English word in any case, pages newest first,
// keeps notes out unless asked, stays inside the instance (the tenant), indexes the
// messages of a file written before the index existed, and refuses bad queries.
#include <sqlite3.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <set>
#include <thread>

#include "sqlite_file.hpp"
#include "storage_harness.hpp"

using namespace storage_test;
namespace json = boost::json;

namespace {

void search_append_ok(Storage& s, const Message& m) {
  Completion c = Storage::wait(s.append(m));
  INFO(c.error);
  REQUIRE(c.ok());
}

Message message(const std::string& cid, uint64_t seq, const std::string& text) {
  Message m;
  m.conversation_id = cid;
  m.seq = seq;
  m.text = text;
  m.ts_ms = 1700000000000 + static_cast<int64_t>(seq);
  return m;
}

json::object search(Storage& s, const std::string& query_json) {
  Completion c = Storage::wait(s.search(query_json));
  INFO(c.error);
  REQUIRE(c.ok());
  return json::parse(c.result).as_object();
}

std::vector<std::string> hit_ids(const json::object& result) {
  std::vector<std::string> out;
  for (const auto& h : result.at("hits").as_array())
    out.emplace_back(h.at("message_id").as_string());
  return out;
}

}  // namespace

TEST_CASE("search finds a Chinese phrase in the middle of a sentence, as soon as it is stored") {
  TempDir dir;
  Storage s(dir.str());
  search_append_ok(s,
                   message("c1", 1, "您好，我昨天在你们网站买的蓝牙耳机一直连不上手机，怎么办？"));
  search_append_ok(s, message("c1", 2, "请问您的订单号是多少？"));
  search_append_ok(s, message("c2", 1, "The bluetooth headset will not pair with my phone"));

  const auto hits = search(s, R"({"q":"蓝牙耳机"})");
  REQUIRE(hit_ids(hits) == std::vector<std::string>{"c1-1"});
  const auto& hit = hits.at("hits").as_array().at(0).as_object();
  CHECK(hit.at("conversation_id") == "c1");
  CHECK(hit.at("seq") == 1);
  CHECK(hit.at("ts") == 1700000000001);
  CHECK(hit.at("from").at("role") == "visitor");
  CHECK(hit.at("text") == "您好，我昨天在你们网站买的蓝牙耳机一直连不上手机，怎么办？");
  CHECK(!hits.contains("next_cursor"));

  CHECK(hit_ids(search(s, R"({"q":"连不上手"})")) == std::vector<std::string>{"c1-1"});
  CHECK(hit_ids(search(s, R"({"q":"订单号"})")) == std::vector<std::string>{"c1-2"});
  CHECK(hit_ids(search(s, R"({"q":"蓝牙鼠标"})")).empty());
}

TEST_CASE("search finds an English word in any case, and a phrase, newest first") {
  TempDir dir;
  Storage s(dir.str());
  search_append_ok(s, message("c1", 1, "My Bluetooth headset is broken"));
  search_append_ok(s, message("c1", 2, "Which bluetooth model do you have?"));
  search_append_ok(s, message("c2", 1, "Refund please"));
  CHECK(hit_ids(search(s, R"({"q":"BLUETOOTH"})")) == std::vector<std::string>{"c1-2", "c1-1"});
  CHECK(hit_ids(search(s, R"({"q":"headset is"})")) == std::vector<std::string>{"c1-1"});
  // FTS5 syntax in q is plain text.
  CHECK(hit_ids(search(s, R"({"q":"\"refund\" OR x*"})")).empty());
  CHECK(hit_ids(search(s, R"({"q":"fund"})")) == std::vector<std::string>{"c2-1"});
}

TEST_CASE("queries of one or two characters fall back to a bounded scan") {
  TempDir dir;
  Storage s(dir.str());
  search_append_ok(s, message("c1", 1, "我想退货"));
  search_append_ok(s, message("c1", 2, "ok 100% sure"));
  search_append_ok(s, message("c1", 3, "nothing here"));
  CHECK(hit_ids(search(s, R"({"q":"退货"})")) == std::vector<std::string>{"c1-1"});
  CHECK(hit_ids(search(s, R"({"q":"OK"})")) == std::vector<std::string>{"c1-2"});
  CHECK(hit_ids(search(s, R"({"q":"%"})")) == std::vector<std::string>{"c1-2"});
  CHECK(hit_ids(search(s, R"({"q":"_"})")).empty());
}

TEST_CASE("search pages with next_cursor and filters by conversation, time and status") {
  TempDir dir;
  Storage s(dir.str());
  for (uint64_t seq = 1; seq <= 5; ++seq)
    search_append_ok(s, message("c1", seq, "订单 order " + std::to_string(seq)));
  search_append_ok(s, message("c2", 1, "another order"));
  REQUIRE(
      Storage::wait(s.put_conversation(R"({"id":"c2","status":"closed","assignee":"dana"})")).ok());

  auto page1 = search(s, R"({"q":"order","limit":2})");
  CHECK(hit_ids(page1) == std::vector<std::string>{"c2-1", "c1-5"});
  REQUIRE(page1.contains("next_cursor"));
  auto page2 = search(s, R"({"q":"order","limit":2,"cursor":")" +
                             std::string(page1.at("next_cursor").as_string()) + "\"}");
  CHECK(hit_ids(page2) == std::vector<std::string>{"c1-4", "c1-3"});
  auto page3 = search(s, R"({"q":"order","limit":2,"cursor":")" +
                             std::string(page2.at("next_cursor").as_string()) + "\"}");
  CHECK(hit_ids(page3) == std::vector<std::string>{"c1-2", "c1-1"});
  CHECK(!page3.contains("next_cursor"));

  CHECK(hit_ids(search(s, R"({"q":"order","conversation_id":"c2"})")) ==
        std::vector<std::string>{"c2-1"});
  // Within one conversation, short and long queries alike (its messages are scanned).
  CHECK(hit_ids(search(s, R"({"q":"订单","conversation_id":"c1","limit":2})")) ==
        std::vector<std::string>{"c1-5", "c1-4"});
  CHECK(hit_ids(search(s, R"({"q":"ORDER 3","conversation_id":"c1"})")) ==
        std::vector<std::string>{"c1-3"});
  CHECK(hit_ids(search(s, R"({"q":"order","status":"closed","assignee":"dana"})")) ==
        std::vector<std::string>{"c2-1"});
  CHECK(hit_ids(search(s, R"({"q":"order","since":1700000000002,"until":1700000000004})")) ==
        std::vector<std::string>{"c1-3", "c1-2"});
}

TEST_CASE("agent notes are found only with include_private") {
  TempDir dir;
  Storage s(dir.str());
  Message note = message("c1", 1, "内部备注：客户是VIP");
  note.flags = SB_MESSAGE_PRIVATE;
  search_append_ok(s, note);
  CHECK(hit_ids(search(s, R"({"q":"客户是VIP"})")).empty());
  CHECK(hit_ids(search(s, R"({"q":"客户是VIP","include_private":true})")) ==
        std::vector<std::string>{"c1-1"});
}

TEST_CASE("a long message comes back as a snippet around the match") {
  TempDir dir;
  Storage s(dir.str());
  std::string text;
  for (int i = 0; i < 60; ++i) text += "前";
  text += "关键短语";
  for (int i = 0; i < 200; ++i) text += "后";
  search_append_ok(s, message("c1", 1, text));
  const auto hits = search(s, R"({"q":"关键短语"})");
  const std::string snippet(hits.at("hits").as_array().at(0).at("text").as_string());
  CHECK(snippet.find("关键短语") != std::string::npos);
  CHECK(snippet.rfind("…", 0) == 0);
  CHECK(snippet.size() < text.size() / 2);
}

TEST_CASE("search stays inside its instance: another tenant's messages are not found") {
  TempDir a;
  TempDir b;
  Storage acme(a.str());
  Storage globex(b.str());
  search_append_ok(acme, message("c1", 1, "acme secret 机密文件"));
  CHECK(hit_ids(search(globex, R"({"q":"机密文件"})")).empty());
  CHECK(hit_ids(search(acme, R"({"q":"机密文件"})")) == std::vector<std::string>{"c1-1"});
}

TEST_CASE("messages stored before the index existed are indexed by the migration", "[sqlite]") {
  TempDir dir;
  {
    Storage s(dir.str());
    search_append_ok(s, message("c1", 1, "旧消息：发票抬头写错了"));
    search_append_ok(s, message("c1", 2, "old invoice message"));
  }
  // Back to schema version 3, as a file written by storage-sqlite 1.2 (without the
  // index, and without the logs of version 5; version 6 dropped the insert trigger).
  exec(dir.path() / "switchboard.db",
       "DROP TABLE search_mark; "
       "DROP TRIGGER IF EXISTS messages_fts_insert; DROP TRIGGER messages_fts_delete; "
       "DROP TRIGGER messages_fts_update; DROP TABLE messages_fts; DROP TABLE log_entries; DROP "
       "TABLE log_counters; "
       "PRAGMA user_version = 3;");
  Storage s(dir.str());
  CHECK(hit_ids(search(s, R"({"q":"发票抬头"})")) == std::vector<std::string>{"c1-1"});
  CHECK(hit_ids(search(s, R"({"q":"invoice"})")) == std::vector<std::string>{"c1-2"});
  search_append_ok(s, message("c1", 3, "新的发票抬头"));
  CHECK(hit_ids(search(s, R"({"q":"发票抬头"})")) == std::vector<std::string>{"c1-3", "c1-1"});
}

TEST_CASE("a file from before version 6 indexes each new message once, by the writer", "[sqlite]") {
  TempDir dir;
  {
    Storage s(dir.str());
    search_append_ok(s, message("c1", 1, "早上的订单号"));
  }
  // Back to schema version 5, whose insert trigger indexed every message.
  exec(dir.path() / "switchboard.db",
       (std::string(kSqliteBackToSearchOfVersion7) +
        "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN "
        "INSERT INTO messages_fts (rowid, text) VALUES (new.rowid, new.text); END; "
        "DROP TABLE log_counters; PRAGMA user_version = 5;")
           .c_str());
  {
    Storage s(dir.str());
    search_append_ok(s, message("c1", 2, "晚上的订单号"));
    CHECK(hit_ids(search(s, R"({"q":"订单号"})")) == std::vector<std::string>{"c1-2", "c1-1"});
    CHECK(hit_ids(search(s, R"({"q":"晚上的"})")) == std::vector<std::string>{"c1-2"});
  }
  // Indexed once (the writer indexes what is left when it stops): the index agrees
  // with the table row for row.
  exec(dir.path() / "switchboard.db",
       "INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1);");
}

namespace {

int64_t count_unindexed(const std::filesystem::path& file) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(
              db,
              "SELECT count(*) FROM messages WHERE rowid > (SELECT indexed_upto FROM search_mark)",
              -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  const int64_t n = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return n;
}

// Every page of a search, cursor after cursor.
std::vector<std::string> all_pages(Storage& s, const std::string& q, int limit) {
  std::vector<std::string> out;
  std::string cursor;
  for (int page = 0; page < 50; ++page) {
    std::string query = R"({"q":")" + q + R"(","limit":)" + std::to_string(limit);
    if (!cursor.empty()) query += R"(,"cursor":")" + cursor + '"';
    const auto result = search(s, query + "}");
    for (auto& id : hit_ids(result)) out.push_back(id);
    if (!result.contains("next_cursor")) return out;
    cursor = std::string(result.at("next_cursor").as_string());
  }
  FAIL("search never ran out of pages");
  return out;
}

}  // namespace

TEST_CASE("a file of version 9 gets the index without positions and searches the same",
          "[sqlite]") {
  TempDir dir;
  const auto file = dir.path() / "switchboard.db";
  {
    Storage s(dir.str());
    search_append_ok(s, message("c1", 1, "ok 100% sure"));
    search_append_ok(s, message("c1", 2, "100x sure"));
    search_append_ok(s, message("c1", 3, "see file_name.txt"));
    search_append_ok(s, message("c1", 4, "see fileXname.txt"));
    search_append_ok(s, message("c1", 5, R"(saved in C:\temp\out)"));
    search_append_ok(s, message("c1", 6, "您好，我昨天买的蓝牙耳机一直连不上手机"));
    search_append_ok(s, message("c1", 7, "Hello WORLD"));
  }
  // Back to version 9: the trigram index with positions, every message indexed.
  exec(file, kSqliteBackToVersion9);
  REQUIRE(query_text(file,
                     "SELECT sql LIKE '%detail%' FROM sqlite_master WHERE name = "
                     "'messages_fts'") == "0|\n");

  const auto check_every_query = [](Storage& s) {
    CHECK(hit_ids(search(s, R"({"q":"0% s"})")) == std::vector<std::string>{"c1-1"});
    CHECK(hit_ids(search(s, R"({"q":"100%"})")) == std::vector<std::string>{"c1-1"});
    CHECK(hit_ids(search(s, R"({"q":"file_name"})")) == std::vector<std::string>{"c1-3"});
    CHECK(hit_ids(search(s, R"({"q":"e_n"})")) == std::vector<std::string>{"c1-3"});
    CHECK(hit_ids(search(s, R"({"q":"C:\\temp"})")) == std::vector<std::string>{"c1-5"});
    CHECK(hit_ids(search(s, R"({"q":"蓝牙耳机"})")) == std::vector<std::string>{"c1-6"});
    CHECK(hit_ids(search(s, R"({"q":"蓝牙鼠标"})")).empty());
    CHECK(hit_ids(search(s, R"({"q":"hello world"})")) == std::vector<std::string>{"c1-7"});
    CHECK(hit_ids(search(s, R"({"q":"o wor"})")) == std::vector<std::string>{"c1-7"});
    // Every trigram of the query is in message 7, but not in this order.
    CHECK(hit_ids(search(s, R"({"q":"worlello"})")).empty());
    CHECK(hit_ids(search(s, R"({"q":"sure"})")) == std::vector<std::string>{"c1-2", "c1-1"});
  };
  {
    // Answers from the first moment: whatever the writer has indexed again yet,
    // the rest is read by the scan above the mark.
    Storage s(dir.str());
    CHECK(query_text(file, "PRAGMA user_version") == "11|\n");
    check_every_query(s);
    search_append_ok(s, message("c2", 1, "50% off today"));
    CHECK(hit_ids(search(s, R"({"q":"0% "})")) == std::vector<std::string>{"c2-1", "c1-1"});
    CHECK(hit_ids(search(s, R"({"q":"% of"})")) == std::vector<std::string>{"c2-1"});
  }
  // Indexed again, once, without positions; the index agrees with the table.
  CHECK(query_text(file,
                   "SELECT sql LIKE '%detail = none%' FROM sqlite_master WHERE name = "
                   "'messages_fts'") == "1|\n");
  CHECK(query_text(file,
                   "SELECT indexed_upto = (SELECT max(rowid) FROM messages) FROM "
                   "search_mark") == "1|\n");
  exec(file, "INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1);");
  Storage s(dir.str());
  check_every_query(s);
}

TEST_CASE("a message is found before and after the writer indexes it, once, on every page",
          "[sqlite]") {
  TempDir dir;
  const auto file = dir.path() / "switchboard.db";
  Storage s(dir.str());
  for (uint64_t seq = 1; seq <= 5; ++seq)
    search_append_ok(s, message("c1", seq, "退款订单 refund"));
  // Found already; in the file (the read has the writer apply its durable log) but
  // not indexed yet (the writer indexes in bulk a moment later).
  const std::vector<std::string> five{"c1-5", "c1-4", "c1-3", "c1-2", "c1-1"};
  CHECK(all_pages(s, "退款订单", 2) == five);
  CHECK(count_unindexed(file) > 0);
  CHECK(all_pages(s, "REFUND", 10) == five);

  // Indexed within a second; the same answers, nothing twice.
  for (int i = 0; i < 100 && count_unindexed(file) > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(count_unindexed(file) == 0);
  CHECK(all_pages(s, "退款订单", 2) == five);

  // Newer messages not indexed yet, older ones indexed: one newest-first list,
  // across page boundaries that fall between the two.
  for (uint64_t seq = 6; seq <= 8; ++seq)
    search_append_ok(s, message("c1", seq, "退款订单 refund"));
  CHECK(all_pages(s, "refund", 3) ==
        std::vector<std::string>{"c1-8", "c1-7", "c1-6", "c1-5", "c1-4", "c1-3", "c1-2", "c1-1"});
  CHECK(all_pages(s, "退款订单", 1).size() == 8);
}

TEST_CASE("deleting messages not indexed yet leaves a sound index", "[sqlite]") {
  TempDir dir;
  const auto file = dir.path() / "switchboard.db";
  {
    Storage s(dir.str());
    search_append_ok(s, message("c1", 1, "my invoice address"));
    REQUIRE(Storage::wait(s.load("c1", 0, 0, 10)).ok());  // in the file (the durable log applied)
    for (int i = 0; i < 100 && count_unindexed(file) > 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    REQUIRE(count_unindexed(file) == 0);
    search_append_ok(s, message("c1", 2, "my invoice number"));  // not indexed yet
    search_append_ok(s, message("c2", 1, "another invoice"));
    REQUIRE(Storage::wait(s.delete_conversation("c1")).status == SB_OK);
    CHECK(hit_ids(search(s, R"({"q":"invoice"})")) == std::vector<std::string>{"c2-1"});
  }
  exec(file, "INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1);");
  Storage s(dir.str());
  CHECK(hit_ids(search(s, R"({"q":"invoice"})")) == std::vector<std::string>{"c2-1"});
}

TEST_CASE("bad search queries fail at once with a reason") {
  TempDir dir;
  Storage s(dir.str());
  for (const char* bad :
       {"", "[]", R"({"q":""})", R"({"q":1})", R"({"q":"x","limit":0})", R"({"q":"x","limit":101})",
        R"({"q":"x","cursor":"abc"})", R"({"q":"x","typo":1})", R"({"limit":5})"}) {
    INFO(bad);
    Call call = s.search(bad);
    CHECK(call.status == SB_REFUSED);
    CHECK(!call.error.empty());
  }
}

TEST_CASE("messages a crash left above the search mark are indexed when the file opens again",
          "[sqlite]") {
  TempDir dir;
  TempDir crashed;
  const auto file = dir.path() / "switchboard.db";
  const auto image = crashed.path() / "switchboard.db";
  {
    Storage s(dir.str());
    for (uint64_t seq = 1; seq <= 5; ++seq)
      search_append_ok(s, message("c1", seq, "发票抬头 invoice"));
    // A read has the writer apply its durable log: the appends are in the file.
    REQUIRE(Storage::wait(s.load("c1", 0, 0, 10)).ok());
    // What kill -9 leaves now: the committed appends, not indexed yet (the writer
    // indexes them a moment later). A backup reads exactly the committed state.
    REQUIRE(count_unindexed(file) == 5);
    sqlite3* from = nullptr;
    sqlite3* to = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &from) == SQLITE_OK);
    REQUIRE(sqlite3_open(image.c_str(), &to) == SQLITE_OK);
    sqlite3_backup* backup = sqlite3_backup_init(to, "main", from, "main");
    REQUIRE(backup != nullptr);
    CHECK(sqlite3_backup_step(backup, -1) == SQLITE_DONE);
    CHECK(sqlite3_backup_finish(backup) == SQLITE_OK);
    sqlite3_close(to);
    sqlite3_close(from);
  }
  REQUIRE(count_unindexed(image) == 5);

  Storage s(crashed.str());
  const std::vector<std::string> five{"c1-5", "c1-4", "c1-3", "c1-2", "c1-1"};
  CHECK(hit_ids(search(s, R"({"q":"发票抬头"})")) == five);
  // Indexed at the writer's first chance, without waiting for a new append.
  for (int i = 0; i < 100 && count_unindexed(image) > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(count_unindexed(image) == 0);
  CHECK(hit_ids(search(s, R"({"q":"发票抬头"})")) == five);
  CHECK(hit_ids(search(s, R"({"q":"INVOICE"})")) == five);
  exec(image, "INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1);");
}

TEST_CASE("a rowid given out again after the newest messages were deleted is indexed", "[sqlite]") {
  TempDir dir;
  const auto file = dir.path() / "switchboard.db";
  {
    Storage s(dir.str());
    for (uint64_t seq = 1; seq <= 3; ++seq) search_append_ok(s, message("c1", seq, "old invoice"));
    REQUIRE(Storage::wait(s.load("c1", 0, 0, 10)).ok());  // in the file (the durable log applied)
    for (int i = 0; i < 100 && count_unindexed(file) > 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    REQUIRE(count_unindexed(file) == 0);
    REQUIRE(Storage::wait(s.delete_conversation("c1")).status == SB_OK);
    // The table is empty again: SQLite gives the next message rowid 1, below where
    // the mark stood.
    search_append_ok(s, message("c2", 1, "refund invoice"));
    CHECK(hit_ids(search(s, R"({"q":"refund"})")) == std::vector<std::string>{"c2-1"});
    for (int i = 0; i < 100 && count_unindexed(file) > 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    REQUIRE(count_unindexed(file) == 0);
    CHECK(hit_ids(search(s, R"({"q":"refund"})")) == std::vector<std::string>{"c2-1"});
    CHECK(hit_ids(search(s, R"({"q":"invoice"})")) == std::vector<std::string>{"c2-1"});
  }
  exec(file, "INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1);");
}

TEST_CASE("a backlog of many slices above the search mark is indexed while appends go on",
          "[sqlite]") {
  TempDir dir;
  const auto file = dir.path() / "switchboard.db";
  {
    Storage s(dir.str());
    for (uint64_t seq = 1; seq <= 700; ++seq)
      search_append_ok(s, message("c1", seq, "退货地址 returns"));
  }
  // A file whose index lost everything above an old mark: 700 messages, almost
  // three of the writer's slices.
  exec(file,
       "INSERT INTO messages_fts (messages_fts) VALUES ('delete-all'); "
       "UPDATE search_mark SET indexed_upto = 0;");
  REQUIRE(count_unindexed(file) == 700);

  Storage s(dir.str());
  // Appends complete while the backlog is worked off, each slice at a time.
  for (uint64_t seq = 1; seq <= 20; ++seq)
    search_append_ok(s, message("c2", seq, "退货地址 returns"));
  // A read has the writer apply its durable log: every append is in the file.
  REQUIRE(Storage::wait(s.load("c2", 0, 0, 100)).ok());
  for (int i = 0; i < 200 && count_unindexed(file) > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(count_unindexed(file) == 0);
  const auto hits = all_pages(s, "退货地址", 100);
  CHECK(hits.size() == 720);
  CHECK(std::set<std::string>(hits.begin(), hits.end()).size() == 720);
  exec(file, "INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1);");
}
