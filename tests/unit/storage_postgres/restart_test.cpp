// PostgreSQL restarted under appends: nothing acknowledged is lost, appends while it
// is down fail at once with "storage unavailable" (never a false ack), and the
// service is back as soon as the database is.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <thread>

#include "pg_test_support.hpp"

using namespace storage_test;
namespace json = boost::json;

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<int64_t> stored_seqs(Storage& s, const std::string& conversation) {
  std::vector<int64_t> seqs;
  const json::value page = json::parse(ok_result(s.load(conversation, 0, 0, 100000)));
  for (const auto& m : page.at("messages").as_array()) seqs.push_back(m.at("seq").as_int64());
  return seqs;
}

}  // namespace

TEST_CASE(
    "pg_ctl restart under appends: every ack survives, failures say unavailable, service "
    "resumes",
    "[postgres][restart]") {
  TempDir dir;
  Storage s(dir.str());
  constexpr int kConversations = 8;
  // What a sender does: the next seq of each conversation, resent after a failure.
  std::map<std::string, uint64_t> next_seq;
  std::map<std::string, std::vector<uint64_t>> acked;
  for (int c = 0; c < kConversations; ++c) next_seq["c" + std::to_string(c)] = 1;
  std::vector<std::string> failures;
  size_t acked_after_restart = 0;

  std::atomic<bool> restarted{false};
  std::thread restarter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    postgres().restart();
    restarted = true;
  });
  const auto until_after_restart = [&] { return restarted.load() && acked_after_restart >= 200; };
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!until_after_restart() && std::chrono::steady_clock::now() < give_up) {
    // One round: an append to every conversation at once, then their answers.
    std::vector<std::pair<std::string, Call>> round;
    for (auto& [conversation, seq] : next_seq) {
      Message m;
      m.conversation_id = conversation;
      m.seq = seq;
      m.ts_ms = now_ms();
      m.text = "message " + std::to_string(seq);
      round.emplace_back(conversation, s.append(m));
    }
    const bool after = restarted.load();
    for (auto& [conversation, call] : round) {
      const Completion c = Storage::wait(call);
      if (c.ok()) {
        acked[conversation].push_back(next_seq[conversation]++);
        if (after) ++acked_after_restart;
      } else {
        failures.push_back(c.error);
      }
    }
  }
  restarter.join();
  INFO("failures: " << failures.size());
  CHECK(acked_after_restart >= 200);
  for (const auto& why : failures) {
    INFO(why);
    CHECK_THAT(why, Catch::StartsWith("storage unavailable"));
  }
  // Every acknowledged message is stored, once, in order, without a gap.
  for (const auto& [conversation, seqs] : acked) {
    INFO(conversation);
    const auto stored = stored_seqs(s, conversation);
    CHECK(std::vector<int64_t>(seqs.begin(), seqs.end()) == stored);
  }
}

TEST_CASE("while PostgreSQL is down appends and reads fail at once, both work once it is back",
          "[postgres][restart]") {
  TempDir dir;
  Storage s(dir.str());
  Message first;
  first.ts_ms = now_ms();
  ok_result(s.append(first));

  postgres().stop();
  Message second = first;
  second.seq = 2;
  const auto started = std::chrono::steady_clock::now();
  const Completion down = Storage::wait(s.append(second));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
  CHECK(down.status == SB_ERROR);
  CHECK_THAT(down.error, Catch::StartsWith("storage unavailable"));
  const Completion read_down = Storage::wait(s.load("c1", 0, 0, 10));
  CHECK(read_down.status == SB_ERROR);
  CHECK_THAT(read_down.error, Catch::StartsWith("storage unavailable"));

  postgres().start();
  // The resend of the refused message goes through: it was never stored.
  ok_result(s.append(second));
  CHECK(stored_seqs(s, "c1") == std::vector<int64_t>{1, 2});
}
