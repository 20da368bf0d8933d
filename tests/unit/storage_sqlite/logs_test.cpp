// Logs (ABI 1.4): entries are numbered per log, listed newest first in pages that
// neither skip nor repeat, filtered by kind and actor, durable once completed (seen
// by another connection at once, kept across a reopen), added to a file of schema
// version 4 by the migration, and bad entries or queries fail at once.
#include <sqlite3.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "sqlite_file.hpp"
#include "storage_harness.hpp"

using namespace storage_test;
namespace json = boost::json;

namespace {

int64_t append_ok(Storage& s, const std::string& log, const std::string& kind,
                  const std::string& actor, const std::string& data,
                  int64_t ts_ms = 1700000000000) {
  Completion c = Storage::wait(s.log_append(log, kind, actor, data, ts_ms));
  INFO(c.error);
  REQUIRE(c.ok());
  return json::parse(c.result).at("seq").as_int64();
}

json::object list(Storage& s, const std::string& query_json) {
  Completion c = Storage::wait(s.log_list(query_json));
  INFO(query_json << ": " << c.error);
  REQUIRE(c.ok());
  return json::parse(c.result).as_object();
}

std::vector<int64_t> logs_seqs(const json::object& page) {
  std::vector<int64_t> out;
  for (const auto& e : page.at("entries").as_array()) out.push_back(e.at("seq").as_int64());
  return out;
}

}  // namespace

TEST_CASE("log entries are numbered per log and come back newest first, as appended") {
  TempDir dir;
  Storage s(dir.str());
  CHECK(list(s, R"({"log":"audit"})") == json::parse(R"({"entries":[]})"));

  CHECK(append_ok(s, "audit", "routing.saved", "root", R"({"summary":"2 rules","n":1})",
                  1700000000001) == 1);
  CHECK(append_ok(s, "routing.versions", "routing.saved", "root", R"({"graph":{}})") == 1);
  CHECK(append_ok(s, "audit", "agent.created", "root", R"({"target":"Dana 张"})", 1700000000002) ==
        2);
  CHECK(append_ok(s, "audit", "", "", "{}", 1700000000003) == 3);

  const auto page = list(s, R"({"log":"audit"})");
  CHECK(logs_seqs(page) == std::vector<int64_t>{3, 2, 1});
  CHECK(!page.contains("next_cursor"));
  const auto& oldest = page.at("entries").at(2).as_object();
  CHECK(oldest.at("ts") == 1700000000001);
  CHECK(oldest.at("kind") == "routing.saved");
  CHECK(oldest.at("actor") == "root");
  CHECK(oldest.at("data") == json::parse(R"({"summary":"2 rules","n":1})"));
  CHECK(page.at("entries").at(1).at("data").at("target") == "Dana 张");
  // Another log is another sequence.
  CHECK(logs_seqs(list(s, R"({"log":"routing.versions"})")) == std::vector<int64_t>{1});
  // One entry by its number.
  CHECK(logs_seqs(list(s, R"({"log":"audit","seq":2})")) == std::vector<int64_t>{2});
  CHECK(logs_seqs(list(s, R"({"log":"audit","seq":9})")).empty());
}

TEST_CASE("a log pages newest first by cursor, filtered by kind and actor, without gaps") {
  TempDir dir;
  Storage s(dir.str());
  for (int i = 1; i <= 25; ++i) {
    const std::string kind = i % 3 == 0 ? "agent.created" : "routing.saved";
    const std::string actor = i % 2 == 0 ? "ann" : "bob";
    append_ok(s, "audit", kind, actor, "{\"i\":" + std::to_string(i) + "}");
  }

  // Every entry exactly once, in pages of 10, 10, 5.
  std::vector<int64_t> all;
  std::string cursor;
  std::vector<size_t> page_sizes;
  for (int pages = 0; pages < 10; ++pages) {
    std::string q = R"({"log":"audit","limit":10)";
    if (!cursor.empty()) q += R"(,"cursor":")" + cursor + "\"";
    const auto page = list(s, q + "}");
    const auto got = logs_seqs(page);
    page_sizes.push_back(got.size());
    all.insert(all.end(), got.begin(), got.end());
    if (!page.contains("next_cursor")) break;
    cursor = std::string(page.at("next_cursor").as_string());
  }
  CHECK(page_sizes == std::vector<size_t>{10, 10, 5});
  std::vector<int64_t> expected;
  for (int i = 25; i >= 1; --i) expected.push_back(i);
  CHECK(all == expected);

  // Filters, alone and together, and with a cursor.
  CHECK(logs_seqs(list(s, R"({"log":"audit","kind":"agent.created"})")) ==
        std::vector<int64_t>{24, 21, 18, 15, 12, 9, 6, 3});
  CHECK(logs_seqs(list(s, R"({"log":"audit","kind":"agent.created","actor":"ann"})")) ==
        std::vector<int64_t>{24, 18, 12, 6});
  const auto first = list(s, R"({"log":"audit","actor":"bob","limit":3})");
  CHECK(logs_seqs(first) == std::vector<int64_t>{25, 23, 21});
  REQUIRE(first.contains("next_cursor"));
  const auto second = list(s, R"({"log":"audit","actor":"bob","limit":3,"cursor":")" +
                                  std::string(first.at("next_cursor").as_string()) + "\"}");
  CHECK(logs_seqs(second) == std::vector<int64_t>{19, 17, 15});
  CHECK(logs_seqs(list(s, R"({"log":"audit","actor":"nobody"})")).empty());
}

TEST_CASE("a filtered page of a log is read through an index, never sorted afterwards",
          "[sqlite]") {
  TempDir dir;
  { Storage s(dir.str()); }
  const auto file = dir.path() / "switchboard.db";
  for (const char* where : {"", " AND kind = 'x'", " AND actor = 'x'"}) {
    const std::string plan =
        query_text(file, std::string("EXPLAIN QUERY PLAN SELECT seq, ts_ms, kind, actor, data FROM "
                                     "log_entries WHERE log = 'audit'") +
                             where + " AND seq < 100 ORDER BY seq DESC LIMIT 51");
    INFO(plan);
    CHECK(plan.find("TEMP B-TREE") == std::string::npos);
    CHECK(plan.find("SEARCH") != std::string::npos);
  }
}

TEST_CASE("a completed log entry is committed at once and survives a reopen") {
  TempDir dir;
  const auto file = dir.path() / "switchboard.db";
  {
    Storage s(dir.str());
    for (int i = 1; i <= 5; ++i) {
      append_ok(s, "audit", "routing.saved", "root", "{\"i\":" + std::to_string(i) + "}");
      // Another connection sees it while the instance still runs: completed = committed.
      if (!backend_is_postgres()) {
        CHECK(query_text(file, "SELECT count(*) FROM log_entries WHERE log = 'audit'") ==
              std::to_string(i) + "|\n");
      } else {
        CHECK(tenant_sql(dir.str(), "SELECT count(*) FROM log_entries WHERE log = 'audit'") ==
              std::to_string(i) + "\n");
      }
    }
  }
  Storage reopened(dir.str());
  CHECK(logs_seqs(list(reopened, R"({"log":"audit"})")) == std::vector<int64_t>{5, 4, 3, 2, 1});
  // Numbering goes on where it was.
  CHECK(append_ok(reopened, "audit", "agent.created", "root", "{}") == 6);
}

TEST_CASE("a file of schema version 4 gains the logs by the migration and keeps its data",
          "[sqlite]") {
  TempDir dir;
  {
    Storage s(dir.str());
    REQUIRE(Storage::wait(s.kv_put("agents", "dana", R"({"name":"Dana"})")).ok());
  }
  // Back to schema version 4, as a file written by storage-sqlite 1.3.
  exec(dir.path() / "switchboard.db",
       (std::string(kSqliteBackToSearchOfVersion7) +
        "DROP TABLE log_entries; DROP TABLE log_counters; PRAGMA user_version = 4;")
           .c_str());
  Storage s(dir.str());
  CHECK(query_text(dir.path() / "switchboard.db", "PRAGMA user_version") == "11|\n");
  CHECK(Storage::wait(s.kv_get("agents", "dana")).result == R"({"name":"Dana"})");
  CHECK(append_ok(s, "audit", "agent.created", "root", "{}") == 1);
  CHECK(logs_seqs(list(s, R"({"log":"audit"})")) == std::vector<int64_t>{1});
}

TEST_CASE("bad log entries and queries fail at once with a reason, and store nothing") {
  TempDir dir;
  Storage s(dir.str());
  struct Bad {
    std::string log, kind, actor, data;
  };
  for (const Bad& bad : std::vector<Bad>{{"", "k", "a", "{}"},
                                         {"Audit", "k", "a", "{}"},
                                         {"a/b", "k", "a", "{}"},
                                         {std::string(65, 'a'), "k", "a", "{}"},
                                         {"audit", std::string(129, 'k'), "a", "{}"},
                                         {"audit", "k", std::string(257, 'a'), "{}"},
                                         {"audit", "k", "a", ""},
                                         {"audit", "k", "a", "[1]"},
                                         {"audit", "k", "a", "{\"x\":"}}) {
    INFO(bad.log << " " << bad.kind.size() << " " << bad.actor.size() << " " << bad.data);
    Call call = s.log_append(bad.log, bad.kind, bad.actor, bad.data);
    CHECK(call.status == SB_REFUSED);
    CHECK(!call.error.empty());
  }
  CHECK(logs_seqs(list(s, R"({"log":"audit"})")).empty());

  for (const char* bad : {"", "[]", "{}", R"({"log":""})", R"({"log":1})", R"({"log":"Bad!"})",
                          R"({"log":"audit","limit":0})", R"({"log":"audit","limit":501})",
                          R"({"log":"audit","cursor":"abc"})", R"({"log":"audit","cursor":"0"})",
                          R"({"log":"audit","cursor":5})", R"({"log":"audit","kind":1})",
                          R"({"log":"audit","seq":0})", R"({"log":"audit","typo":1})"}) {
    INFO(bad);
    Call call = s.log_list(bad);
    CHECK(call.status == SB_REFUSED);
    CHECK(!call.error.empty());
  }
}
