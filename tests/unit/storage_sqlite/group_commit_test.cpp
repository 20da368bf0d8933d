// Group commit: many appends share one fsync; a full queue fails fast instead of
// blocking; reads go on while the writer waits.
#include <sqlite3.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "storage_harness.hpp"

using namespace storage_test;
namespace json = boost::json;

TEST_CASE("10,000 appends issued at once are all durable in far fewer commits than messages") {
  TempDir dir;
  Storage s(dir.str());
  constexpr uint64_t kMessages = 10000;
  std::vector<Call> calls;
  calls.reserve(kMessages);
  for (uint64_t seq = 1; seq <= kMessages; ++seq) {
    Message m;
    m.conversation_id = "c" + std::to_string(seq % 10);
    m.seq = seq;
    calls.push_back(s.append(m));
  }
  size_t ok = 0;
  for (const auto& call : calls) ok += Storage::wait(call).ok();
  CHECK(ok == kMessages);

  // One "commit:" debug line per transaction, logged by the writer itself.
  const auto commits = s.log_lines("commit:");
  INFO("commits: " << commits.size() << ", first: " << (commits.empty() ? "" : commits.front()));
  CHECK(commits.size() >= 5);  // max_batch_messages (2048) caps a transaction
  CHECK(commits.size() < kMessages / 10);

  size_t loaded = 0;
  for (int c = 0; c < 10; ++c) {
    Completion page = Storage::wait(s.load("c" + std::to_string(c), 0, 0, 100000));
    REQUIRE(page.ok());
    loaded += json::parse(page.result).at("messages").as_array().size();
  }
  CHECK(loaded == kMessages);
}

TEST_CASE("max_batch_messages caps the writes of one transaction") {
  TempDir dir;
  Storage s(dir.str(), {{"max_batch_messages", "7"}});
  std::vector<Call> calls;
  for (uint64_t seq = 1; seq <= 100; ++seq) {
    Message m;
    m.seq = seq;
    calls.push_back(s.append(m));
  }
  for (const auto& call : calls) REQUIRE(Storage::wait(call).ok());
  const auto commits = s.log_lines("commit:");
  CHECK(commits.size() >= 100 / 7);
  for (const auto& line : commits) {
    const size_t writes = std::stoul(line.substr(std::string("commit: ").size()));
    CHECK(writes <= 7);
  }
}

TEST_CASE(
    "past max_pending_messages an append fails at once, and reads still run while the writer "
    "waits",
    "[sqlite]") {
  TempDir dir;
  // Without the durable log: with it, appends complete from the log while the
  // database is locked (durable_log_test.cpp has that case).
  Storage s(dir.str(), {{"max_pending_messages", "10"}, {"durable_log", "false"}});
  Message stored;
  REQUIRE(Storage::wait(s.append(stored)).ok());

  // Another connection holds the write lock, so the writer cannot commit and the
  // queue fills up (the plugin waits busy_timeout_ms, 5 s by default).
  sqlite3* blocker = nullptr;
  REQUIRE(sqlite3_open((dir.path() / "switchboard.db").c_str(), &blocker) == SQLITE_OK);
  REQUIRE(sqlite3_exec(blocker, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);

  std::vector<Call> accepted;
  for (uint64_t seq = 2; seq <= 11; ++seq) {
    Message m;
    m.seq = seq;
    accepted.push_back(s.append(m));
    REQUIRE(accepted.back().status == SB_PENDING);
  }
  Message overflow;
  overflow.seq = 12;
  const auto started = std::chrono::steady_clock::now();
  Call refused = s.append(overflow);
  const auto took = std::chrono::steady_clock::now() - started;
  CHECK(refused.status == SB_ERROR);
  CHECK_THAT(refused.error, Catch::StartsWith("storage overloaded"));
  CHECK(took < std::chrono::milliseconds(50));

  // WAL: the reader answers from the last commit while the writer is stuck.
  Completion page = Storage::wait(s.load("c1", 0, 0, 100), std::chrono::seconds(2));
  REQUIRE(page.ok());
  CHECK(json::parse(page.result).at("messages").as_array().size() == 1);

  REQUIRE(sqlite3_exec(blocker, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(blocker);
  for (const auto& call : accepted) CHECK(Storage::wait(call).ok());
  // Room again once those committed.
  CHECK(Storage::wait(s.append(overflow)).ok());
}

TEST_CASE("while writes keep coming, commit_delay_us lets more of them share a transaction",
          "[sqlite]") {
  TempDir dir;
  // 50 ms: far longer than the 2 ms between writes below, so each transaction
  // after the first gathers about 25 of them.
  Storage s(dir.str(), {{"commit_delay_us", "50000"}});
  std::vector<Call> calls;
  uint64_t seq = 0;
  // Ten at once: the writer may take the first alone as it arrives, but the rest
  // land while it commits, so it sees writes keep coming. (With two, a busy machine
  // could hand it each alone, and no transaction would ever wait for more.)
  for (int i = 0; i < 10; ++i) {
    Message m;
    m.seq = ++seq;
    calls.push_back(s.append(m));
  }
  for (int i = 0; i < 52; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    Message m;
    m.seq = ++seq;
    calls.push_back(s.append(m));
  }
  for (const auto& call : calls) REQUIRE(Storage::wait(call).ok());
  const auto commits = s.log_lines("commit:");
  INFO("commits: " << commits.size());
  // Without the delay each write waits only for the commit under way: one
  // transaction per write on a fast disk, one per two to five with a 4-10 ms fsync.
  CHECK(commits.size() <= 10);
  // Every write is durable and readable in order.
  Completion page = Storage::wait(s.load("c1", 0, 0, 1000));
  REQUIRE(page.ok());
  CHECK(json::parse(page.result).at("messages").as_array().size() == calls.size());
}

TEST_CASE("a lone write on a quiet instance is committed without the commit delay", "[sqlite]") {
  TempDir dir;
  Storage s(dir.str(), {{"commit_delay_us", "100000"}});  // 100 ms
  Message m;
  const auto started = std::chrono::steady_clock::now();
  REQUIRE(Storage::wait(s.append(m)).ok());
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(100));
}

TEST_CASE("commit_delay_us outside 0..100000 is refused when the instance opens", "[sqlite]") {
  TempDir dir;
  CHECK_THAT(Storage::open_error(dir.str(), {{"commit_delay_us", "-1"}}),
             Catch::Contains("commit_delay_us must be an integer from 0 to 100000"));
  CHECK_THAT(Storage::open_error(dir.str(), {{"cache_mib", "0"}}),
             Catch::Contains("cache_mib must be an integer from 1"));
}

namespace {

// 20,000 messages over 1,000 conversations, issued steadily: each touches its
// conversation's index leaf, so the WAL would pass 20,000 pages (80 MiB) if
// nothing copied it into the database file.
void steady_load_keeps_the_wal_bounded(const Storage::Config& config) {
  TempDir dir;
  Storage s(dir.str(), config);
  std::vector<uint64_t> next_seq(1000, 1);
  std::vector<Call> calls;
  for (int chunk = 0; chunk < 200; ++chunk) {
    for (int i = 0; i < 100; ++i) {
      const size_t c = static_cast<size_t>(chunk * 100 + i) % next_seq.size();
      Message m;
      m.conversation_id = "c" + std::to_string(c);
      m.seq = next_seq[c]++;
      calls.push_back(s.append(m));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  for (const auto& call : calls) REQUIRE(Storage::wait(call).ok());
  // Every message is there, also after the copy into the database file (with the
  // durable log, this read has the applier put the rest into SQLite first).
  Completion page = Storage::wait(s.load("c999", 0, 0, 100));
  REQUIRE(page.ok());
  CHECK(json::parse(page.result).at("messages").as_array().size() == 20);
  CHECK(!s.log_lines("checkpoint:").empty());  // the checkpointer's passes
  const auto wal = std::filesystem::file_size(dir.path() / "switchboard.db-wal");
  INFO("WAL bytes: " << wal);
  // At most 4 x 100 pages past a complete pass, plus the largest transaction.
  CHECK(wal < 16u * 1024 * 1024);
}

}  // namespace

TEST_CASE("checkpoints run beside the writer and keep the WAL file bounded under a steady load",
          "[sqlite]") {
  // Each batch its own transaction: the writer's checkpoints at the cap.
  steady_load_keeps_the_wal_bounded({{"checkpoint_pages", "100"}, {"durable_log", "false"}});
}

TEST_CASE("with the durable log, the applier's transactions keep the WAL file bounded too",
          "[sqlite]") {
  // Applied every 50 ms, so several of the applier's transactions and checkpoints
  // fall within the load.
  steady_load_keeps_the_wal_bounded(
      {{"checkpoint_pages", "100"}, {"durable_log", "true"}, {"durable_log_apply_ms", "50"}});
}
