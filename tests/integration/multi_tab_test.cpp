// A person with two tabs open sees the whole conversation in both.
#include <catch2/catch.hpp>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;

TEST_CASE("every other connection of each participant gets the message, the sender only the ack",
          "[chat][tabs]") {
  Deployment deployment({acme_tenant()});
  auto agent_tab1 = deployment.connect_agent("acme", "alice");
  auto agent_tab2 = deployment.connect_agent_with_token("acme", "alice", agent_tab1.token);

  auto visitor_tab1 = deployment.connect_visitor("acme");
  auto ack = visitor_tab1.send_message("first");
  const auto conversation_id = str(ack, "conversation_id");
  agent_tab1.ws.next_of_type("conversation.assigned");
  agent_tab2.ws.next_of_type("conversation.assigned");

  // A second tab of the same visitor resumes the same conversation.
  auto visitor_tab2 =
      deployment.connect_visitor("acme", {{"visitor_token", visitor_tab1.visitor_token}});
  CHECK(visitor_tab2.visitor_id == visitor_tab1.visitor_id);
  CHECK(str(visitor_tab2.welcome, "conversation_id") == conversation_id);

  ack = visitor_tab1.send_message("from tab one");
  CHECK(num(ack, "seq") == 2);
  for (auto* ws : {&visitor_tab2.ws, &agent_tab1.ws, &agent_tab2.ws}) {
    auto message = ws->next_of_type("message");
    CHECK(num(message, "seq") == 2);
    CHECK(str(message, "text") == "from tab one");
  }
  visitor_tab1.ws.expect_no_frame_of_type("message", 300ms);

  ack = agent_tab2.send_message(conversation_id, "from the agent's second tab");
  CHECK(num(ack, "seq") == 3);
  for (auto* ws : {&visitor_tab1.ws, &visitor_tab2.ws, &agent_tab1.ws}) {
    auto message = ws->next_of_type("message");
    CHECK(num(message, "seq") == 3);
    CHECK(str(obj(message, "from"), "id") == "alice");
  }
  agent_tab2.ws.expect_no_frame_of_type("message", 300ms);
}
