// An agent is online while at least one of its connections is open; visitors who
// write while nobody is online wait in the queue instead of going to a ghost.
#include <catch2/catch.hpp>
#include <thread>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;

TEST_CASE("closing one of two agent tabs keeps the agent routable, closing the last does not",
          "[chat][presence]") {
  Deployment deployment({acme_tenant()});
  auto tab1 = deployment.connect_agent("acme", "alice");
  auto tab2 = deployment.connect_agent_with_token("acme", "alice", tab1.token);

  tab1.ws.close();
  auto first = deployment.connect_visitor("acme");
  const auto first_conversation = str(first.send_message("still there?"), "conversation_id");
  auto assigned = tab2.ws.next_of_type("conversation.assigned");
  CHECK(str(obj(assigned, "conversation"), "id") == first_conversation);

  tab2.ws.close();
  // The server notices a closed tab within moments; give it a little time.
  std::this_thread::sleep_for(300ms);
  auto second = deployment.connect_visitor("acme");
  second.send_message("hello?");
  auto queued = second.ws.next_of_type("conversation.queued");
  CHECK(num(queued, "position") == 1);
  second.ws.expect_no_frame_of_type("conversation.assigned", 500ms);

  // Back online, alice gets the waiting visitor; the welcome lists her open conversation.
  auto back = deployment.connect_agent_with_token("acme", "alice", tab1.token);
  bool listed = false;
  for (const auto& c : arr(back.welcome, "conversations"))
    if (str(c.as_object(), "id") == first_conversation) listed = true;
  CHECK(listed);
  CHECK(str(second.ws.next_of_type("conversation.assigned", 5s), "type") ==
        "conversation.assigned");
}
