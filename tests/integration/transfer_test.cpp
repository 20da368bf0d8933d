// An agent hands a conversation to a colleague: the colleague takes over with the
// history, the visitor is told, and the first agent can no longer write into it.
#include <catch2/catch.hpp>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;

namespace {
// acme with a second agent to transfer to.
TenantSpec acme_with_carol() {
  auto tenant = acme_tenant();
  tenant.agents.push_back({"carol", "Carol", "agent", 2});
  return tenant;
}

// `by` asks for the conversation to go to carol; carol's conversation.assigned.
json::object transfer_to_carol(AgentSession& by, AgentSession& carol, const std::string& id,
                               const std::string& ref) {
  by.ws.send_json(
      {{"type", "transfer"}, {"conversation_id", id}, {"to_agent", "carol"}, {"ref", ref}});
  return carol.ws.next_of_type("conversation.assigned");
}
}  // namespace

TEST_CASE("transfer to another agent moves the conversation with its history", "[chat][transfer]") {
  Deployment deployment({acme_with_carol()});
  auto alice = deployment.connect_agent("acme", "alice");
  auto visitor = deployment.connect_visitor("acme");
  const auto conversation_id = str(visitor.send_message("I need billing"), "conversation_id");
  alice.ws.next_of_type("conversation.assigned");
  visitor.ws.next_of_type("conversation.assigned");
  alice.send_message(conversation_id, "passing you to billing");
  visitor.ws.next_of_type("message");

  auto carol = deployment.connect_agent("acme", "carol");
  auto taken = transfer_to_carol(alice, carol, conversation_id, "t-1");
  CHECK(str(obj(taken, "conversation"), "id") == conversation_id);
  CHECK(str(obj(taken, "conversation"), "assignee") == "carol");
  // carol is told who passed it on; alice asked herself, so there is no "by".
  const auto& transfer = obj(taken, "transfer");
  CHECK(str(obj(transfer, "from"), "id") == "alice");
  CHECK(str(obj(transfer, "from"), "name") == "Alice");
  CHECK(transfer.if_contains("by") == nullptr);
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

TEST_CASE("an assignment says who transferred the conversation, and only after a transfer",
          "[chat][transfer]") {
  Deployment deployment({acme_with_carol()});
  auto alice = deployment.connect_agent("acme", "alice");
  auto visitor = deployment.connect_visitor("acme");
  const auto conversation_id = str(visitor.send_message("hello"), "conversation_id");
  auto first = alice.ws.next_of_type("conversation.assigned");
  INFO("the first assignment was " << sb::test::describe(first));
  CHECK(first.if_contains("transfer") == nullptr);  // routed, not transferred

  // An admin moves alice's conversation to carol: carol hears both names.
  auto root = deployment.connect_agent("acme", "root");
  auto carol = deployment.connect_agent("acme", "carol");
  auto taken = transfer_to_carol(root, carol, conversation_id, "t-admin");
  INFO("carol got " << sb::test::describe(taken));
  const auto& transfer = obj(taken, "transfer");
  CHECK(str(obj(transfer, "from"), "id") == "alice");
  CHECK(str(obj(transfer, "from"), "name") == "Alice");
  CHECK(str(obj(transfer, "by"), "id") == "root");
  CHECK(str(obj(transfer, "by"), "name") == "Acme Admin");
}
