// Retention and the reopen window: the engine never brings back a conversation
// whose record retention deletes. It lets go of one when retention asks
// (forget_closed) unless it holds it again, and its reopen window is cut to the
// retention period.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "engine_fixture.hpp"

using namespace sb::engine;
using namespace sb::engine::test;

namespace {

constexpr auto kWeek = std::chrono::seconds(7 * 86'400);

// The conversation id of the visitor's latest ack on p.
std::string retention_last_conversation(const FakePeer& p) {
  return str(p.of_type("ack").back().at("conversation_id"));
}

struct RetentionChat {
  std::shared_ptr<FakePeer> visitor;
  std::string id;
};

// With the given reopen window, agent ann takes visitor v1's conversation and closes it.
RetentionChat retention_closed_chat(Fixture& f, std::chrono::seconds reopen_window) {
  EnginePolicy policy;
  policy.reopen_window = reopen_window;
  f.engine->set_policy(policy);
  auto ann = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  RetentionChat chat{f.peer(), {}};
  chat.id = f.visitor_opens(chat.visitor, "a");
  f.engine->close_conversation(ann, agent_id("ann"), chat.id, "");
  f.settle();
  return chat;
}

// forget_closed's answer, once the strand ran it.
std::optional<bool> retention_forget(Fixture& f, const std::string& conversation_id) {
  std::optional<bool> answer;
  f.engine->forget_closed(conversation_id, "v1", [&](bool may_go) { answer = may_go; });
  f.settle();
  return answer;
}

}  // namespace

TEST_CASE("a closed conversation the engine let go of for retention is not reopened") {
  Fixture f({agent("ann", 5)});
  const RetentionChat chat = retention_closed_chat(f, kWeek);
  CHECK(retention_forget(f, chat.id) == true);

  // Retention deleted it: writing again opens a new conversation, not the deleted one.
  f.say(chat.visitor, visitor_id("v1"), "m2", "one more thing");
  f.settle();
  REQUIRE(chat.visitor->of_type("ack").size() == 2);
  CHECK(retention_last_conversation(*chat.visitor) != chat.id);
}

TEST_CASE("forget_closed leaves a newer closed conversation of the visitor to be reopened") {
  Fixture f({agent("ann", 5)});
  const RetentionChat chat = retention_closed_chat(f, kWeek);

  // An older conversation of the same visitor goes: this one is still reopened.
  CHECK(retention_forget(f, "c_older") == true);
  f.say(chat.visitor, visitor_id("v1"), "m2", "one more thing");
  f.settle();
  REQUIRE(chat.visitor->of_type("ack").size() == 2);
  CHECK(retention_last_conversation(*chat.visitor) == chat.id);
  // Reopened: the engine holds it again, so retention must keep it.
  CHECK(retention_forget(f, chat.id) == false);
}

TEST_CASE("the reopen window is cut to the retention period of closed conversations") {
  Fixture f({agent("ann", 5)});
  const std::string cid = retention_closed_chat(f, std::chrono::seconds(0)).id;
  // Closed two days ago, as the stored record says.
  const int64_t two_days_ago = sb::wall_clock_ms() - 2 * 86'400'000LL;
  auto& record = f.store->conversations.at(cid);
  record["closed_at"] = two_days_ago;
  record["updated_at"] = two_days_ago;

  // Restarted with a week's reopen window and a day's retention: what the engine
  // reads back at start-up was due for deletion a day ago.
  EnginePolicy policy;
  policy.reopen_window = kWeek;
  SECTION("retention of one day: a new conversation opens") {
    policy.keep_closed = std::chrono::hours(24);
  }
  SECTION("no retention: the week's window reopens it") {}
  f.engine = std::make_shared<TenantEngine>("t1", f.strand, f.store, f.metrics);
  f.engine->set_agents({agent("ann", 5)});
  f.engine->set_routing_chain({f.router});
  f.engine->set_queue_estimates(std::chrono::milliseconds(0), sb::monotonic_ms);
  f.engine->set_policy(policy);
  bool started = false;
  f.engine->start([&](bool ok, std::string) { started = ok; });
  f.settle();
  REQUIRE(started);

  auto back = f.peer();
  f.engine->visitor_hello(back, visitor_id("v1"), "tok", {});
  f.say(back, visitor_id("v1"), "m2", "one more thing");
  f.settle();
  REQUIRE(back->of_type("ack").size() == 1);
  if (policy.keep_closed.count() > 0)
    CHECK(retention_last_conversation(*back) != cid);
  else
    CHECK(retention_last_conversation(*back) == cid);
}
