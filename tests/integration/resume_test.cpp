// A visitor whose connection dropped comes back and misses nothing, in order.
#include <catch2/catch.hpp>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;

TEST_CASE("a resumed visitor gets exactly the missed messages in order, then live ones",
          "[chat][resume]") {
  Deployment deployment({acme_tenant()});
  auto agent = deployment.connect_agent("acme", "alice");
  auto visitor = deployment.connect_visitor("acme");
  const auto conversation_id = str(visitor.send_message("I'll be right back"), "conversation_id");
  agent.ws.next_of_type("conversation.assigned");
  const auto token = visitor.visitor_token;
  const auto visitor_id = visitor.visitor_id;
  visitor.ws.close();

  for (int i = 1; i <= 3; ++i) {
    auto ack = agent.send_message(conversation_id, "while you were away " + std::to_string(i));
    CHECK(num(ack, "seq") == 1 + i);
  }

  auto back = deployment.connect_visitor(
      "acme", {{"visitor_token", token}, {"last_seq", json::object{{conversation_id, 1}}}});
  CHECK(back.visitor_id == visitor_id);
  CHECK(str(back.welcome, "conversation_id") == conversation_id);
  for (int i = 1; i <= 3; ++i) {
    auto message = back.ws.next_of_type("message");
    INFO("replayed " << sb::test::describe(message));
    CHECK(str(message, "conversation_id") == conversation_id);
    CHECK(num(message, "seq") == 1 + i);
    CHECK(str(message, "text") == "while you were away " + std::to_string(i));
    CHECK(str(obj(message, "from"), "role") == "agent");
  }
  back.ws.expect_no_frame_of_type("message", 300ms);

  // Live traffic continues right after the replay, without repeats.
  agent.send_message(conversation_id, "welcome back");
  auto live = back.ws.next_of_type("message");
  CHECK(num(live, "seq") == 5);
  CHECK(str(live, "text") == "welcome back");
  back.ws.expect_no_frame_of_type("message", 300ms);

  // And the visitor can carry on in the same conversation.
  auto ack = back.send_message("thanks");
  CHECK(str(ack, "conversation_id") == conversation_id);
  CHECK(num(ack, "seq") == 6);
}

TEST_CASE(
    "an agent tab that asks for a replay after its welcome gets what it missed once, not what "
    "already reached it live",
    "[chat][resume]") {
  Deployment deployment({acme_tenant()});
  auto first_tab = deployment.connect_agent("acme", "alice");
  auto visitor = deployment.connect_visitor("acme");
  const auto conversation_id = str(visitor.send_message("hello"), "conversation_id");
  first_tab.ws.next_of_type("conversation.assigned");
  first_tab.ws.close();
  // Missed while no tab was open: seq 2.
  visitor.send_message("are you there?");

  auto tab = deployment.connect_agent_with_token("acme", "alice", first_tab.token);
  // Live before the tab says where it was: seq 3.
  visitor.send_message("hello again");
  auto live = tab.ws.next_of_type("message");
  CHECK(num(live, "seq") == 3);
  // Its hello says it holds seq 1 (what it saw on the first tab).
  tab.ws.send_json({{"type", "hello"}, {"last_seq", json::object{{conversation_id, 1}}}});
  auto replayed = tab.ws.next_of_type("message");
  CHECK(num(replayed, "seq") == 2);
  CHECK(str(replayed, "text") == "are you there?");
  tab.ws.expect_no_frame_of_type("message", 300ms);
}
