// The durable log (plugins/storage-sqlite/durable_log.hpp): writes complete once
// logged and reach SQLite later; a crash keeps exactly the whole records of the log;
// reads and backups see every completed write, applied or not.
#include <sqlite3.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "sqlite_file.hpp"
#include "storage_harness.hpp"

using namespace storage_test;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

// Applied only when something asks: what is in the log alone stays there.
const Storage::Config kApplyLate{{"durable_log", "true"}, {"durable_log_apply_ms", "60000"}};

Message durable_log_message(const std::string& conversation, uint64_t seq) {
  Message m;
  m.conversation_id = conversation;
  m.seq = seq;
  m.text = "message " + std::to_string(seq);
  return m;
}

std::vector<fs::path> log_files(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename().string().rfind("switchboard.db-dlog-", 0) == 0)
      out.push_back(entry.path());
  return out;
}

std::vector<int64_t> seqs(Storage& s, const std::string& conversation) {
  const Completion page = Storage::wait(s.load(conversation, 0, 0, 100000));
  INFO(page.error);
  REQUIRE(page.ok());
  std::vector<int64_t> out;
  const json::value parsed = json::parse(page.result);
  for (const auto& m : parsed.at("messages").as_array()) out.push_back(m.at("seq").as_int64());
  return out;
}

int64_t rows_in_file(const fs::path& file, const std::string& conversation) {
  return std::stoll(query_text(
      file, "SELECT count(*) FROM messages WHERE conversation_id = '" + conversation + "'"));
}

// What kill -9 leaves of a live instance: its database, WAL and log files as they
// are on disk now (nothing is being applied: kApplyLate, and no read asked).
void copy_crash_image(const fs::path& from, const fs::path& to) {
  for (const auto& entry : fs::directory_iterator(from)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("switchboard.db", 0) == 0 && name.find("-shm") == std::string::npos)
      fs::copy_file(entry.path(), to / name);
  }
}

}  // namespace

TEST_CASE("with the durable log, a completed append is in the log and not yet in the database",
          "[sqlite]") {
  TempDir dir;
  Storage s(dir.str(), kApplyLate);
  for (uint64_t seq = 1; seq <= 3; ++seq)
    REQUIRE(Storage::wait(s.append(durable_log_message("c1", seq))).ok());
  REQUIRE(log_files(dir.path()).size() == 1);
  CHECK(fs::file_size(log_files(dir.path()).front()) > 0);
  CHECK(rows_in_file(dir.path() / "switchboard.db", "c1") == 0);
  // A read applies them first, and sees them.
  CHECK(seqs(s, "c1") == std::vector<int64_t>{1, 2, 3});
  CHECK(rows_in_file(dir.path() / "switchboard.db", "c1") == 3);
}

TEST_CASE("every read sees the writes completed before it, applied or not", "[sqlite]") {
  TempDir dir;
  Storage s(dir.str(), kApplyLate);
  REQUIRE(Storage::wait(s.append(durable_log_message("c1", 1))).ok());
  CHECK(seqs(s, "c1") == std::vector<int64_t>{1});

  REQUIRE(Storage::wait(s.kv_put("ns", "k", R"({"v":1})")).ok());
  const Completion kv = Storage::wait(s.kv_get("ns", "k"));
  REQUIRE(kv.ok());
  CHECK(json::parse(kv.result) == json::parse(R"({"v":1})"));

  REQUIRE(Storage::wait(
              s.put_conversation(R"({"id":"c1","status":"open","visitor_id":"v1","updated_at":5})"))
              .ok());
  const Completion list = Storage::wait(s.list_conversations(R"({"visitor_id":"v1"})"));
  REQUIRE(list.ok());
  CHECK(json::parse(list.result).at("conversations").as_array().size() == 1);

  REQUIRE(Storage::wait(s.append(durable_log_message("c1", 2))).ok());
  const Completion found = Storage::wait(s.search(R"({"q":"message 2"})"));
  REQUIRE(found.ok());
  CHECK(json::parse(found.result).at("hits").as_array().size() == 1);

  // A duplicate is refused before it is logged, applied or not.
  REQUIRE(Storage::wait(s.append(durable_log_message("c2", 1))).ok());
  const Completion again = Storage::wait(s.append(durable_log_message("c2", 1)));
  CHECK(again.status == SB_ERROR);
  CHECK_THAT(again.error, Catch::Contains("already has a message with seq 1"));
  CHECK(seqs(s, "c2") == std::vector<int64_t>{1});
  const Completion stored_again = Storage::wait(s.append(durable_log_message("c2", 1)));
  CHECK(stored_again.status == SB_ERROR);
}

TEST_CASE("a duplicate (conversation_id, seq) is refused whether logged, applied or in its batch",
          "[sqlite]") {
  TempDir dir;
  Storage s(dir.str(), kApplyLate);
  REQUIRE(Storage::wait(s.append(durable_log_message("c1", 5))).ok());
  // Below the highest seq yet new: stored. Issued together: one batch.
  const Call three = s.append(durable_log_message("c1", 3));
  const Call three_again = s.append(durable_log_message("c1", 3));
  CHECK(Storage::wait(three).ok());
  CHECK(Storage::wait(three_again).status == SB_ERROR);
  CHECK(Storage::wait(s.append(durable_log_message("c1", 5))).status ==
        SB_ERROR);                                     // logged, not applied
  CHECK(seqs(s, "c1") == std::vector<int64_t>{3, 5});  // applied now
  CHECK(Storage::wait(s.append(durable_log_message("c1", 3))).status ==
        SB_ERROR);  // in the database
  CHECK(Storage::wait(s.append(durable_log_message("c1", 4))).ok());
  // After a delete the numbers are free again.
  REQUIRE(Storage::wait(s.delete_conversation("c1")).ok());
  CHECK(Storage::wait(s.append(durable_log_message("c1", 1))).ok());
  CHECK(seqs(s, "c1") == std::vector<int64_t>{1});
}

TEST_CASE("the applier puts many logged batches into one transaction, behind the acks",
          "[sqlite]") {
  TempDir dir;
  Storage s(dir.str(), {{"durable_log", "true"}, {"durable_log_apply_ms", "1000"}});
  // One at a time: each append is a record of its own, acknowledged from the log.
  const auto started = std::chrono::steady_clock::now();
  for (uint64_t seq = 1; seq <= 40; ++seq)
    REQUIRE(Storage::wait(s.append(durable_log_message("c" + std::to_string(seq % 4), seq))).ok());
  CHECK(s.log_lines("commit:").size() == 40);
  // All forty were acknowledged well before the first of them was due to be applied.
  if (std::chrono::steady_clock::now() - started < std::chrono::milliseconds(800))
    CHECK(rows_in_file(dir.path() / "switchboard.db", "c1") == 0);
  // Once due, they go to SQLite together, without a read asking.
  std::vector<std::string> applies;
  for (int i = 0; i < 100 && applies.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    applies = s.log_lines("apply:");
  }
  REQUIRE(!applies.empty());
  CHECK(applies.size() <= 2);
  size_t applied = 0;
  for (const auto& line : applies)
    applied += std::stoul(line.substr(std::string("apply: ").size()));
  CHECK(applied == 40);
  CHECK(rows_in_file(dir.path() / "switchboard.db", "c1") == 10);
  CHECK(seqs(s, "c0").size() == 10);
}

TEST_CASE("after a crash exactly the whole records of the log survive: a torn or damaged tail goes",
          "[sqlite]") {
  TempDir dir;
  Storage s(dir.str(), kApplyLate);
  // One record per append (each waits for the one before): the log's size after
  // each completion is where its record ends.
  std::vector<uintmax_t> ends;
  for (uint64_t seq = 1; seq <= 6; ++seq) {
    REQUIRE(Storage::wait(s.append(durable_log_message("c1", seq))).ok());
    ends.push_back(fs::file_size(log_files(dir.path()).front()));
  }
  const std::string log_name = log_files(dir.path()).front().filename().string();

  SECTION("a clean image: all six come back") {
    TempDir image;
    copy_crash_image(dir.path(), image.path());
    Storage reopened(image.str());
    CHECK(seqs(reopened, "c1") == std::vector<int64_t>{1, 2, 3, 4, 5, 6});
    CHECK(reopened.log_lines("durable log: 6 writes of 6 batches applied").size() == 1);
    // The orphan is applied and gone; the new instance has a log of its own.
    CHECK(!fs::exists(image.path() / log_name));
  }
  SECTION("cut in the middle of the last record: five come back") {
    TempDir image;
    copy_crash_image(dir.path(), image.path());
    fs::resize_file(image.path() / log_name, ends[4] + (ends[5] - ends[4]) / 2);
    Storage reopened(image.str());
    CHECK(seqs(reopened, "c1") == std::vector<int64_t>{1, 2, 3, 4, 5});
    CHECK(!reopened.log_lines("durable log: 5 writes of 5 batches applied").empty());
    // The lost one was never there: storing it again works.
    CHECK(Storage::wait(reopened.append(durable_log_message("c1", 6))).ok());
    CHECK(seqs(reopened, "c1") == std::vector<int64_t>{1, 2, 3, 4, 5, 6});
  }
  SECTION("cut inside a record's header: the records before it come back") {
    TempDir image;
    copy_crash_image(dir.path(), image.path());
    fs::resize_file(image.path() / log_name, ends[2] + 5);
    Storage reopened(image.str());
    CHECK(seqs(reopened, "c1") == std::vector<int64_t>{1, 2, 3});
  }
  SECTION("one byte damaged in the fourth record: the three before it come back") {
    TempDir image;
    copy_crash_image(dir.path(), image.path());
    {
      std::fstream f(image.path() / log_name, std::ios::in | std::ios::out | std::ios::binary);
      f.seekg(static_cast<std::streamoff>(ends[2] + (ends[3] - ends[2]) - 3));
      char c = 0;
      f.read(&c, 1);
      c = static_cast<char>(c ^ 0x20);
      f.seekp(static_cast<std::streamoff>(ends[2] + (ends[3] - ends[2]) - 3));
      f.write(&c, 1);
    }
    Storage reopened(image.str());
    CHECK(seqs(reopened, "c1") == std::vector<int64_t>{1, 2, 3});
  }
}

TEST_CASE("a message recovered from the log after a crash keeps every field", "[sqlite]") {
  TempDir dir;
  Storage s(dir.str(), kApplyLate);
  // Every text field distinct, so a field decoded into another's place shows.
  const Message first{
      .conversation_id = "c_0123456789abcdef0123456789abcdef",
      .seq = 1,
      .message_id = "m_fedcba9876543210fedcba9876543210",
      .role = "visitor",
      .sender_id = "v_visitor-id-longer-than-fifteen",
      .sender_name = "王小明 José 🙂",
      .client_msg_id = "cm-client-message-id-1",
      .text = "你好，我想查询订单 📦 " + std::string(5000, 'x'),
      .ts_ms = 1700000000123,
      .flags = SB_MESSAGE_PRIVATE,
      .attachments_json =
          R"([{"id":"att_1","name":"a.png","content_type":"image/png","size":3,"thumbnail":true}])"};
  // Short and empty fields.
  const Message second{.conversation_id = first.conversation_id,
                       .seq = 2,
                       .message_id = "m2",
                       .role = "agent",
                       .sender_id = "a",
                       .sender_name = "",
                       .client_msg_id = "",
                       .text = "",
                       .ts_ms = 1700000000000,
                       .flags = 0,
                       .attachments_json = ""};
  REQUIRE(Storage::wait(s.append(first)).ok());
  REQUIRE(Storage::wait(s.append(second)).ok());
  REQUIRE(rows_in_file(dir.path() / "switchboard.db", first.conversation_id) == 0);

  TempDir image;
  copy_crash_image(dir.path(), image.path());
  Storage reopened(image.str());
  const Completion page = Storage::wait(reopened.load(first.conversation_id, 0, 0, 10));
  REQUIRE(page.ok());
  const json::value loaded = json::parse(page.result);
  const auto& messages = loaded.at("messages").as_array();
  REQUIRE(messages.size() == 2);
  const json::value want_first = {
      {"id", first.message_id},
      {"seq", 1},
      {"from", {{"role", first.role}, {"id", first.sender_id}, {"name", first.sender_name}}},
      {"client_msg_id", first.client_msg_id},
      {"text", first.text},
      {"ts", first.ts_ms},
      {"flags", 1},
      {"attachments", json::parse(first.attachments_json)}};
  CHECK(messages[0] == want_first);
  const json::value want_second = {
      {"id", "m2"},          {"seq", 2},   {"from", {{"role", "agent"}, {"id", "a"}, {"name", ""}}},
      {"client_msg_id", ""}, {"text", ""}, {"ts", second.ts_ms},
      {"flags", 0}};
  CHECK(messages[1] == want_second);
}

TEST_CASE("a record already applied is not applied again after a crash", "[sqlite]") {
  TempDir dir;
  Storage s(dir.str(), kApplyLate);
  REQUIRE(Storage::wait(s.put_conversation(R"({"id":"c1","status":"open","updated_at":1})")).ok());
  REQUIRE(Storage::wait(s.load("c1", 0, 0, 1)).ok());  // applied now
  REQUIRE(
      Storage::wait(s.put_conversation(R"({"id":"c1","status":"closed","updated_at":2})")).ok());
  REQUIRE(Storage::wait(s.load("c1", 0, 0, 1)).ok());  // applied now
  // Both records are still in the log; the file's mark says both are applied. Were
  // the first applied again, the conversation would go back to "open".
  TempDir image;
  copy_crash_image(dir.path(), image.path());
  Storage reopened(image.str());
  const Completion list = Storage::wait(reopened.list_conversations(R"({"id":"c1"})"));
  REQUIRE(list.ok());
  const json::value parsed = json::parse(list.result);
  const auto& found = parsed.at("conversations").as_array();
  REQUIRE(found.size() == 1);
  CHECK(found[0].at("status").as_string() == "closed");
}

TEST_CASE("appends complete from the log while the database is locked, and reads wait for them",
          "[sqlite]") {
  TempDir dir;
  Storage s(dir.str(), {{"durable_log", "true"}, {"busy_timeout_ms", "20000"}});
  REQUIRE(Storage::wait(s.append(durable_log_message("c1", 1))).ok());
  REQUIRE(seqs(s, "c1").size() == 1);

  sqlite3* blocker = nullptr;
  REQUIRE(sqlite3_open((dir.path() / "switchboard.db").c_str(), &blocker) == SQLITE_OK);
  REQUIRE(sqlite3_exec(blocker, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  for (uint64_t seq = 2; seq <= 11; ++seq)
    CHECK(Storage::wait(s.append(durable_log_message("c1", seq)), std::chrono::seconds(2)).ok());
  // The read cannot be answered before they are applied, and they cannot be yet.
  const Call read = s.load("c1", 0, 0, 100);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  REQUIRE(sqlite3_exec(blocker, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(blocker);
  const Completion page = Storage::wait(read);
  INFO(page.error);
  REQUIRE(page.ok());
  CHECK(json::parse(page.result).at("messages").as_array().size() == 11);
}

TEST_CASE("a clean stop applies the log and removes it, and turning the log off keeps every write",
          "[sqlite]") {
  TempDir dir;
  {
    Storage s(dir.str(), kApplyLate);
    for (uint64_t seq = 1; seq <= 5; ++seq)
      REQUIRE(Storage::wait(s.append(durable_log_message("c1", seq))).ok());
  }
  CHECK(log_files(dir.path()).empty());
  CHECK(rows_in_file(dir.path() / "switchboard.db", "c1") == 5);
  CHECK(query_text(dir.path() / "switchboard.db", "SELECT count(*) FROM durable_logs") == "0|\n");

  // A crash image of a logging instance, opened with the log off: still applied.
  Storage s(dir.str(), kApplyLate);
  REQUIRE(Storage::wait(s.append(durable_log_message("c1", 6))).ok());
  TempDir image;
  copy_crash_image(dir.path(), image.path());
  Storage off(image.str(), {{"durable_log", "false"}});
  CHECK(seqs(off, "c1") == std::vector<int64_t>{1, 2, 3, 4, 5, 6});
  CHECK(log_files(image.path()).empty());
}

TEST_CASE("a backup holds the writes completed before it, applied or not", "[sqlite]") {
  TempDir dir;
  TempDir copy;
  Storage s(dir.str(), kApplyLate);
  for (uint64_t seq = 1; seq <= 4; ++seq)
    REQUIRE(Storage::wait(s.append(durable_log_message("c1", seq))).ok());
  const Completion backup = Storage::wait(s.backup(copy.str()));
  INFO(backup.error);
  REQUIRE(backup.ok());
  Storage restored(copy.str());
  CHECK(seqs(restored, "c1") == std::vector<int64_t>{1, 2, 3, 4});
}

TEST_CASE("durable_log must be a boolean", "[sqlite]") {
  TempDir dir;
  CHECK_THAT(Storage::open_error(dir.str(), {{"durable_log", "yes"}}),
             Catch::Contains("durable_log must be true or false"));
  CHECK_THAT(Storage::open_error(dir.str(), {{"durable_log_apply_ms", "0"}}),
             Catch::Contains("durable_log_apply_ms"));
}
