// Time waited, while the visitor waits: a routing rule such as "waited a while and a
// VIP -> tell them, send them to the overflow group" moves a visitor who is already
// queued once they have waited that long, says its message once, leaves visitors it
// does not match where they are, and neither forgets nor repeats itself across a
// kill -9.
#include <catch2/catch.hpp>
#include <thread>

#include "harness/deployment.hpp"

using namespace sb::it;

namespace {

const std::string kMoved = "Still busy here: an overflow colleague will help you.";

// ann serves support and ola overflow (one chat at a time each). New chats go to
// support; a VIP who has waited `seconds` is told and moved to overflow. An agent
// who disconnects hands their chats back to the queue at once.
TenantSpec help_desk(int seconds) {
  TenantSpec tenant;
  tenant.id = "desk";
  tenant.name = "Help desk";
  tenant.agents = {{"ann", "Ann", "agent", 1, {"support"}},
                   {"ola", "Ola", "agent", 1, {"overflow"}}};
  tenant.extra_toml = R"(
[conversation]
agent_offline_grace_s = 0

[groups.support]
[groups.overflow]

[[routing.rules]]
id = "vip-overflow"
conditions = [ { type = "attribute", key = "vip", value = true },
               { type = "waited", seconds = )" +
                      std::to_string(seconds) + R"( } ]
actions = [ { type = "message", text = ")" +
                      kMoved + R"(" }, { type = "route", group = "overflow" } ]

[[routing.rules]]
id = "support"
actions = [ { type = "route", group = "support" } ]
)";
  return tenant;
}

int count_text(const json::array& history, const std::string& text) {
  int n = 0;
  for (const auto& m : history)
    if (str(m.as_object(), "text") == text) ++n;
  return n;
}

}  // namespace

TEST_CASE("a queued VIP is moved to the overflow group once they have waited long enough",
          "[routing][graph][queue]") {
  Deployment deployment({help_desk(1)});
  auto plain = deployment.connect_visitor("desk");
  const auto plain_id = str(plain.send_message("hello?"), "conversation_id");
  CHECK(num(plain.ws.next_of_type("conversation.queued"), "position") == 1);

  auto vip = deployment.connect_visitor("desk", {{"meta", {{"vip", true}}}});
  const auto vip_id = str(vip.send_message("hello, it is urgent"), "conversation_id");
  // Support's queue at first: behind the plain visitor, and not yet told anything.
  CHECK(num(vip.ws.next_of_type("conversation.queued"), "position") == 2);
  vip.ws.expect_no_frame_of_type("message", 500ms);

  // A second later: the rule's message, then first in overflow's (empty) queue.
  auto told = message_from(vip.ws, "system");
  CHECK(str(told, "text") == kMoved);
  auto moved = vip.ws.next_of_type("conversation.queued");
  CHECK(str(moved, "conversation_id") == vip_id);
  CHECK(num(moved, "position") == 1);

  // The rule acts once; the plain visitor, whom it does not match, stays as they are.
  vip.ws.expect_no_frame_of_type("message", 1500ms);
  plain.ws.expect_no_frame_of_type("message", 0ms);
  plain.ws.expect_no_frame_of_type("conversation.queued", 0ms);

  // Overflow's agent gets the VIP (support's would not); support's gets the other.
  auto ola = deployment.connect_agent("desk", "ola");
  auto assigned = ola.ws.next_of_type("conversation.assigned");
  CHECK(str(obj(assigned, "conversation"), "id") == vip_id);
  CHECK(count_text(arr(assigned, "history"), kMoved) == 1);
  CHECK(str(obj(vip.ws.next_of_type("conversation.assigned"), "agent"), "id") == "ola");
  auto ann = deployment.connect_agent("desk", "ann");
  CHECK(str(obj(ann.ws.next_of_type("conversation.assigned"), "conversation"), "id") == plain_id);
}

TEST_CASE("a VIP served before their wait comes due is not moved", "[routing][graph][queue]") {
  Deployment deployment({help_desk(1)});
  auto ann = deployment.connect_agent("desk", "ann");
  auto vip = deployment.connect_visitor("desk", {{"meta", {{"vip", true}}}});
  const auto vip_id = str(vip.send_message("hi"), "conversation_id");
  CHECK(str(obj(ann.ws.next_of_type("conversation.assigned"), "conversation"), "id") == vip_id);
  vip.ws.expect_no_frame_of_type("message", 1500ms);
  vip.ws.expect_no_frame_of_type("conversation.queued", 0ms);
}

TEST_CASE("a VIP requeued after their wait came due goes straight to overflow",
          "[routing][graph][queue]") {
  Deployment deployment({help_desk(1)});
  auto vip = deployment.connect_visitor("desk", {{"meta", {{"vip", true}}}});
  std::string vip_id;
  {
    auto ann = deployment.connect_agent("desk", "ann");
    vip_id = str(vip.send_message("hi"), "conversation_id");
    CHECK(str(obj(ann.ws.next_of_type("conversation.assigned"), "conversation"), "id") == vip_id);
    std::this_thread::sleep_for(1200ms);
  }  // ann's tab closes: the chat goes back to the queue, open for more than 1 s

  auto told = message_from(vip.ws, "system");
  CHECK(str(told, "text") == kMoved);
  auto ola = deployment.connect_agent("desk", "ola");
  CHECK(str(obj(ola.ws.next_of_type("conversation.assigned"), "conversation"), "id") == vip_id);
}

TEST_CASE("kill -9 around a waiting rule: it fires on restart when it came due, and only once",
          "[routing][graph][queue][durability]") {
  Deployment deployment({help_desk(2)});
  auto vip = deployment.connect_visitor("desk", {{"meta", {{"vip", true}}}});
  const auto vip_id = str(vip.send_message("anyone there?"), "conversation_id");
  CHECK(num(vip.ws.next_of_type("conversation.queued"), "position") == 1);

  // Down before the 2 s came due, back after: the restart catches up at once.
  deployment.server().kill_hard();
  std::this_thread::sleep_for(2500ms);
  deployment.server().start();
  auto back = deployment.connect_visitor("desk", {{"visitor_token", vip.visitor_token}});
  CHECK(str(back.welcome, "conversation_id") == vip_id);

  // Down again after it fired: the rule is remembered and does not act again.
  for (int i = 0; i < 50 && deployment.server().log().find("routing rule vip-overflow fires") ==
                                std::string::npos;
       ++i)
    std::this_thread::sleep_for(100ms);
  deployment.server().kill_hard();
  deployment.server().start();

  auto ola = deployment.connect_agent("desk", "ola");
  auto assigned = ola.ws.next_of_type("conversation.assigned");
  CHECK(str(obj(assigned, "conversation"), "id") == vip_id);
  const auto history = deployment.full_history("desk", vip_id, ola.token);
  CHECK(count_text(history, kMoved) == 1);
  CHECK(count_text(history, "anyone there?") == 1);
}
