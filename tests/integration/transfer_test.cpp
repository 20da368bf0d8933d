// An agent hands a conversation to a colleague: the colleague takes over with the
// history, the visitor is told, and the first agent can no longer write into it.
#include <catch2/catch.hpp>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;

TEST_CASE("transfer to another agent moves the conversation with its history", "[chat][transfer]") {
  auto tenant = acme_tenant();
  tenant.agents.push_back({"carol", "Carol", "agent", 2});
  Deployment deployment({tenant});
  auto alice = deployment.connect_agent("acme", "alice");
  auto visitor = deployment.connect_visitor("acme");
  const auto conversation_id = str(visitor.send_message("I need billing"), "conversation_id");
  alice.ws.next_of_type("conversation.assigned");
  visitor.ws.next_of_type("conversation.assigned");
  alice.send_message(conversation_id, "passing you to billing");
  visitor.ws.next_of_type("message");

  auto carol = deployment.connect_agent("acme", "carol");
  alice.ws.send_json({{"type", "transfer"},
                      {"conversation_id", conversation_id},
                      {"to_agent", "carol"},
                      {"ref", "t-1"}});

  auto taken = carol.ws.next_of_type("conversation.assigned");
  CHECK(str(obj(taken, "conversation"), "id") == conversation_id);
  CHECK(str(obj(taken, "conversation"), "assignee") == "carol");
  const auto& history = arr(taken, "history");
  REQUIRE(history.size() == 2);
  CHECK(str(history[1].as_object(), "text") == "passing you to billing");

  auto told = visitor.ws.next_of_type("conversation.assigned");
  CHECK(str(told, "conversation_id") == conversation_id);
  CHECK(str(obj(told, "agent"), "id") == "carol");

  // The conversation is carol's now.
  alice.ws.send_json({{"type", "message"},
                      {"conversation_id", conversation_id},
                      {"client_msg_id", "after-transfer"},
                      {"text", "still me"},
                      {"ref", "after-transfer"}});
  auto refused = reply_to(alice.ws, "after-transfer");
  INFO("alice after the transfer got " << sb::test::describe(refused));
  CHECK(str(refused, "type") == "error");
  CHECK(str(refused, "code") == "forbidden");

  auto ack = carol.send_message(conversation_id, "billing here");
  CHECK(num(ack, "seq") == 3);
  auto message = visitor.ws.next_of_type("message");
  CHECK(num(message, "seq") == 3);
  CHECK(str(obj(message, "from"), "id") == "carol");
  visitor.send_message("thanks carol");
  CHECK(num(carol.ws.next_of_type("message"), "seq") == 4);
  alice.ws.expect_no_frame_of_type("message", 300ms);
}
