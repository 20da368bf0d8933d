// A client that is unsure whether its message arrived sends it again with the same
// client_msg_id; the conversation must still hold it exactly once.
#include <catch2/catch.hpp>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;

namespace {

void require_same_ack(const json::object& first, const json::object& again) {
  INFO("first ack " << sb::test::describe(first) << ", resend ack " << sb::test::describe(again));
  CHECK(str(again, "client_msg_id") == str(first, "client_msg_id"));
  CHECK(str(again, "message_id") == str(first, "message_id"));
  CHECK(str(again, "conversation_id") == str(first, "conversation_id"));
  CHECK(num(again, "seq") == num(first, "seq"));
}

}  // namespace

TEST_CASE("resending a client_msg_id returns the same ack and stores the message once",
          "[chat][idempotency]") {
  Deployment deployment({acme_tenant()});
  auto agent = deployment.connect_agent("acme", "alice");
  auto visitor = deployment.connect_visitor("acme");

  auto first = visitor.send_message("exactly once, please", "dup-1");
  const auto conversation_id = str(first, "conversation_id");
  auto assigned = agent.ws.next_of_type("conversation.assigned");
  CHECK(arr(assigned, "history").size() == 1);

  // Same connection.
  require_same_ack(first, visitor.send_message("exactly once, please", "dup-1"));

  // A new connection of the same visitor, as after a network drop.
  visitor.ws.close();
  auto again = deployment.connect_visitor("acme", {{"visitor_token", visitor.visitor_token}});
  CHECK(again.visitor_id == visitor.visitor_id);
  require_same_ack(first, again.send_message("exactly once, please", "dup-1"));

  // The agent never sees a copy, and the next message takes the next seq.
  agent.ws.expect_no_frame_of_type("message", 500ms);
  auto next = again.send_message("a different message", "dup-2");
  CHECK(num(next, "seq") == num(first, "seq") + 1);
  auto message = agent.ws.next_of_type("message");
  CHECK(str(message, "text") == "a different message");

  auto history = deployment.full_history("acme", conversation_id, agent.token);
  REQUIRE(history.size() == 2);
  CHECK(num(history[0].as_object(), "seq") == 1);
  CHECK(str(history[0].as_object(), "text") == "exactly once, please");
  CHECK(num(history[1].as_object(), "seq") == 2);
}

TEST_CASE("an agent's resent client_msg_id is acknowledged again without a second copy",
          "[chat][idempotency]") {
  Deployment deployment({acme_tenant()});
  auto agent = deployment.connect_agent("acme", "alice");
  auto visitor = deployment.connect_visitor("acme");
  const auto conversation_id = str(visitor.send_message("hi"), "conversation_id");
  agent.ws.next_of_type("conversation.assigned");

  auto first = agent.send_message(conversation_id, "how can I help?", "agent-dup");
  require_same_ack(first, agent.send_message(conversation_id, "how can I help?", "agent-dup"));
  auto message = visitor.ws.next_of_type("message");
  CHECK(num(message, "seq") == 2);
  visitor.ws.expect_no_frame_of_type("message", 500ms);
}
