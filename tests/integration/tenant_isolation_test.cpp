// Two tenants on one server share nothing a user could see.
#include <catch2/catch.hpp>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;

TEST_CASE("a visitor of one tenant is never routed to, or seen by, another tenant's agent",
          "[isolation]") {
  Deployment deployment({acme_tenant(), globex_tenant()});
  // Only globex has an agent online; the acme visitor must wait rather than go to bob.
  auto bob = deployment.connect_agent("globex", "bob");
  auto acme_visitor = deployment.connect_visitor("acme");
  const auto acme_conversation = str(acme_visitor.send_message("acme only"), "conversation_id");
  CHECK(num(acme_visitor.ws.next_of_type("conversation.queued"), "position") == 1);
  bob.ws.expect_no_frame(1000ms);

  // Alice of acme comes online and gets it; bob still sees nothing.
  auto alice = deployment.connect_agent("acme", "alice");
  std::string assigned_id;
  if (!arr(alice.welcome, "conversations").empty())
    assigned_id = str(arr(alice.welcome, "conversations")[0].as_object(), "id");
  else
    assigned_id = str(obj(alice.ws.next_of_type("conversation.assigned"), "conversation"), "id");
  CHECK(assigned_id == acme_conversation);
  alice.send_message(acme_conversation, "acme answer");
  acme_visitor.send_message("acme follow-up");
  bob.ws.expect_no_frame(500ms);

  // Bob cannot write into acme's conversation, and acme's visitor never hears from him.
  bob.ws.send_json({{"type", "message"},
                    {"conversation_id", acme_conversation},
                    {"client_msg_id", "cross-1"},
                    {"text", "hello from globex"},
                    {"ref", "cross-1"}});
  auto error = bob.ws.next_of_type("error");
  INFO("got " << sb::test::describe(error));
  const auto code = str(error, "code");
  CHECK((code == "not_found" || code == "forbidden"));
  // Of everything the acme visitor received, the only message is alice's answer.
  std::vector<json::object> messages;
  for (auto& frame : acme_visitor.ws.collect(300ms))
    if (str(frame, "type") == "message") messages.push_back(frame);
  REQUIRE(messages.size() == 1);
  CHECK(str(messages[0], "text") == "acme answer");

  // Bob's history request through his own tenant does not find acme's conversation.
  auto through_globex = deployment.history("globex", acme_conversation, bob.token);
  INFO("globex history of an acme conversation: HTTP " << through_globex.status << " "
                                                       << through_globex.body);
  CHECK((through_globex.status == 404 || through_globex.status == 403));
  CHECK(through_globex.body.find("acme only") == std::string::npos);

  // A globex visitor goes to bob, not to alice.
  auto globex_visitor = deployment.connect_visitor("globex");
  const auto globex_conversation =
      str(globex_visitor.send_message("globex question"), "conversation_id");
  auto to_bob = bob.ws.next_of_type("conversation.assigned");
  CHECK(str(obj(to_bob, "conversation"), "id") == globex_conversation);
  alice.ws.expect_no_frame_of_type("conversation.assigned", 500ms);
  for (const auto& frame : alice.ws.take_buffered("message"))
    CHECK(str(frame, "conversation_id") == acme_conversation);
}
