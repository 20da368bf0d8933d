// Group commit on PostgreSQL: an append completes only after the COMMIT of its
// transaction returned, many appends share one transaction, and a stuck database
// turns into fast "storage overloaded" errors, not a blocked caller.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <thread>

#include "pg_test_support.hpp"

using namespace storage_test;
namespace json = boost::json;

TEST_CASE("appends complete only after their COMMIT, many share one, reads go on meanwhile",
          "[postgres]") {
  TempDir dir;
  Storage s(dir.str(), {{"max_pending_messages", "300"}});
  Message first;
  ok_result(s.append(first));

  // Another session holds the tenant's lease row: the writer's transaction waits on
  // it (every write transaction renews and checks the lease first).
  auto blocker = connect_as_app();
  pqxx::work hold(*blocker);
  hold.exec_params("SELECT set_config('switchboard.tenant_id', $1, true)", tenant_of(dir));
  hold.exec("SELECT * FROM tenant_leases FOR UPDATE");

  std::vector<Call> calls;
  for (uint64_t seq = 2; seq <= 301; ++seq) {
    Message m;
    m.seq = seq;
    calls.push_back(s.append(m));
    REQUIRE(calls.back().status == SB_PENDING);
  }
  Message overflow;
  overflow.seq = 302;
  const auto started = std::chrono::steady_clock::now();
  const Call refused = s.append(overflow);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(50));
  CHECK(refused.status == SB_ERROR);
  CHECK_THAT(refused.error, Catch::StartsWith("storage overloaded"));

  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  // Nothing was acknowledged while its transaction could not commit.
  for (const auto& call : calls)
    CHECK(Storage::wait(call, std::chrono::milliseconds(0)).status == -1);
  // The reader has its own connection and does not wait for the writer.
  const Completion page = Storage::wait(s.load("c1", 0, 0, 1000), std::chrono::seconds(5));
  REQUIRE(page.ok());
  CHECK(json::parse(page.result).at("messages").as_array().size() == 1);

  const size_t commits_before = s.log_lines("commit:").size();
  hold.commit();
  for (const auto& call : calls) CHECK(Storage::wait(call).ok());
  // 300 appends in a handful of transactions, not one each.
  const size_t commits = s.log_lines("commit:").size() - commits_before;
  CHECK(commits >= 1);
  CHECK(commits <= 10);
  CHECK(json::parse(ok_result(s.load("c1", 0, 0, 1000))).at("messages").as_array().size() == 301);
}

TEST_CASE("synchronous_commit stays on for the plugin even where the database turns it off",
          "[postgres]") {
  postgres().psql("ALTER DATABASE switchboard SET synchronous_commit = off", "postgres");
  TempDir dir;
  {
    Storage s(dir.str());
    ok_result(s.append(Message{}));
    // Both connections found it off and turned it on for themselves.
    CHECK(s.log_lines("synchronous_commit is off").size() == 2);
  }
  postgres().psql("ALTER DATABASE switchboard RESET synchronous_commit", "postgres");
}

TEST_CASE(
    "text with quotes, backslashes and control characters comes back exactly as sent, and text "
    "PostgreSQL cannot hold is refused at once",
    "[postgres]") {
  TempDir dir;
  Storage s(dir.str());
  Message m;
  m.text = "tab\there\nnew line\\N back\\slash \r\"quoted\" 你好 \\.";
  m.sender_name = "O'Brien\t\\";
  ok_result(s.append(m));
  const auto page = json::parse(ok_result(s.load("c1", 0, 0, 10)));
  const auto& stored = page.at("messages").at(0);
  CHECK(stored.at("text").as_string() == m.text);
  CHECK(stored.at("from").at("name").as_string() == m.sender_name);

  Message nul = m;
  nul.seq = 2;
  nul.text = std::string("before\0after", 12);
  const Call refused = s.append(nul);
  // Refused as bad input (ABI 1.11), which no circuit breaker counts as a failure.
  CHECK(refused.status == SB_REFUSED);
  CHECK_THAT(refused.error, Catch::Contains("UTF-8"));
  Message broken = m;
  broken.seq = 2;
  broken.text = "\xff\xfe";
  CHECK(s.append(broken).status == SB_REFUSED);
}

// libpq takes a text parameter up to its first NUL byte: a filter "v1\0x" was read
// as "v1" and listed visitor v1's conversations, which a visitor's data export or
// erasure (DELETE /visitors/ID/data, the id from the URL) would then have handed
// out or deleted. Such filters are refused as bad input, as storage-sqlite, which
// compares the whole text, finds nothing for them.
TEST_CASE("filters with text PostgreSQL cannot hold are refused, never cut at the NUL",
          "[postgres]") {
  TempDir dir;
  Storage s(dir.str());
  ok_result(s.put_conversation(R"({"id":"c1","status":"closed","visitor_id":"v1","tags":["t"]})"));
  const auto listed = json::parse(ok_result(s.list_conversations(R"({"visitor_id":"v1"})")));
  CHECK(listed.at("conversations").as_array().size() == 1);
  for (const char* filter : {R"({"visitor_id":"v1\u0000x"})", R"({"id":"c1\u0000"})",
                             R"({"tag":"t\u0000"})", R"({"status":["closed\u0000"]})"}) {
    const Call refused = s.list_conversations(filter);
    INFO(filter << " -> " << refused.status << " " << refused.error);
    CHECK(refused.status == SB_REFUSED);
  }
  CHECK(s.search(R"({"q":"hello\u0000"})").status == SB_REFUSED);
  CHECK(s.search(R"({"q":"hello","conversation_id":"c1\u0000"})").status == SB_REFUSED);
  CHECK(s.log_list(R"({"log":"audit","actor":"a\u0000b"})").status == SB_REFUSED);
}
