// The checker itself: each broken promise it exists for is caught, by name, on
// a small history made up here; a whole one passes. No servers.
#include "cluster/checks.hpp"

#include <catch2/catch.hpp>

using namespace sb::cl;

namespace {

StoredMessage row(const std::string& conversation, int64_t seq, const std::string& client_msg_id) {
  return {"t1", conversation, seq, client_msg_id, "visitor", client_msg_id};
}

Acked ack(const std::string& conversation, int64_t seq, const std::string& client_msg_id) {
  return {"t1", conversation, seq, client_msg_id, "node-a", Clock::now()};
}

bool mentions(const std::vector<std::string>& problems, const std::string& words) {
  for (const auto& p : problems)
    if (p.find(words) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("the history checker passes a whole history and names each way one breaks",
          "[cluster][checker]") {
  const std::vector<StoredMessage> whole{row("c1", 1, "ld-t1-v0-0"), row("c1", 2, "ld-t1-a1-0"),
                                         row("c1", 3, "ld-t1-v0-1"), row("c2", 1, "ld-t1-v1-0")};
  const std::vector<Acked> acked{ack("c1", 1, "ld-t1-v0-0"), ack("c1", 3, "ld-t1-v0-1"),
                                 ack("c2", 1, "ld-t1-v1-0")};
  CHECK(check_history(whole, acked).empty());

  SECTION("a gap in a conversation's seqs") {
    auto broken = whole;
    broken[2].seq = 4;
    auto problems = check_history(broken, {});
    INFO(describe(problems));
    CHECK(mentions(problems, "t1/c1: seq 4 at position 3"));
  }
  SECTION("a message stored twice") {
    auto broken = whole;
    broken.push_back(row("c2", 2, "ld-t1-v1-0"));
    auto problems = check_history(broken, {});
    CHECK(mentions(problems, "ld-t1-v1-0 is stored 2 times"));
  }
  SECTION("an acked message that is not stored (a false ack)") {
    auto with_lost = acked;
    with_lost.push_back(ack("c2", 2, "ld-t1-v1-1"));
    auto problems = check_history(whole, with_lost);
    CHECK(mentions(problems, "ld-t1-v1-1 was acked (seq 2 by node-a) but is not stored"));
  }
  SECTION("an ack naming another seq than the stored one") {
    auto wrong = acked;
    wrong[1].seq = 2;
    auto problems = check_history(whole, wrong);
    CHECK(mentions(problems, "was acked as c1 seq 2 but is stored as c1 seq 3"));
  }
  SECTION("one sender's messages stored out of their order") {
    std::vector<StoredMessage> swapped{row("c1", 1, "ld-t1-v0-1"), row("c1", 2, "ld-t1-v0-0")};
    auto problems = check_history(swapped, {});
    CHECK(mentions(problems, "ld-t1-v0-0 stored at seq 2, after message 1 of the same sender"));
  }
}

TEST_CASE(
    "the assignment checker names a conversation given to two agents and an agent over "
    "capacity",
    "[cluster][checker]") {
  sb::it::TenantSpec tenant;
  tenant.id = "t1";
  tenant.agents = {{"a1", "A1", "agent", 1}, {"a2", "A2", "agent", 2}};
  const std::vector<StoredConversation> stored{
      {"t1", "c1", "assigned", "a1"}, {"t1", "c2", "assigned", "a2"}, {"t1", "c3", "closed", "a1"}};
  const auto now = Clock::now();
  std::vector<Assignment> frames{{"t1", "c1", "a1", "node-a", now},
                                 {"t1", "c2", "a2", "node-b", now}};
  CHECK(check_assignments({tenant}, stored, frames).empty());

  frames.push_back({"t1", "c2", "a1", "node-c", now});
  auto twice = check_assignments({tenant}, stored, frames);
  CHECK(mentions(twice, "t1/c2 was assigned to a1 a2"));

  auto over = stored;
  over.push_back({"t1", "c4", "assigned", "a1"});
  auto problems = check_assignments({tenant}, over, {});
  CHECK(mentions(problems,
                 "t1/a1 holds 2 assigned conversations in PostgreSQL, over max_concurrent 1"));
}

TEST_CASE(
    "the stream checker takes an agent tab's catch-up after live frames, and nothing else out "
    "of order",
    "[cluster][checker]") {
  StreamOrder order;
  order.connected();
  for (int64_t seq = 1; seq <= 39; ++seq) REQUIRE(order.frame(seq).empty());

  // A new tab: its welcome listed the conversation at 43, its hello asked after 39,
  // and 44 came live before the replay of 40..43.
  order.connected();
  order.catching_up(39, 43);
  CHECK(order.frame(44).empty());
  for (int64_t seq = 40; seq <= 43; ++seq) CHECK(order.frame(seq).empty());
  CHECK(order.frame(45).empty());

  SECTION("a replay of what the tab already had") {
    CHECK(order.frame(39) == "seq 39 after 45");
  }
  SECTION("the catch-up twice") {
    CHECK(order.frame(41) == "seq 41 a second time on one connection");
  }
  SECTION("the next connection has no catch-up of its own") {
    order.connected();
    CHECK(order.frame(42) == "seq 42 after 45");
  }
  SECTION("a seq past what the welcome listed, after a newer one") {
    order.connected();
    order.catching_up(45, 47);
    CHECK(order.frame(49).empty());
    CHECK(order.frame(48) == "seq 48 after 49");
  }
}

TEST_CASE("the stream checker names a repeat and a step back without a catch-up",
          "[cluster][checker]") {
  StreamOrder order;
  order.connected();
  CHECK(order.frame(1).empty());
  CHECK(order.frame(2).empty());
  CHECK(order.frame(2) == "seq 2 after 2");
  CHECK(order.frame(1) == "seq 1 after 2");
  // A hello that asked after everything it had: nothing may come back.
  order.connected();
  order.catching_up(2, 2);
  CHECK(order.frame(2) == "seq 2 after 2");
}
