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

// `by` asks for the conversation to go to agent `to`, with a note (null: none).
void ask_transfer(AgentSession& by, const std::string& id, const std::string& to,
                  const std::string& ref, json::value note = nullptr) {
  by.ws.send_json({{"type", "transfer"},
                   {"conversation_id", id},
                   {"to_agent", to},
                   {"note", std::move(note)},
                   {"ref", ref}});
}

// `by` asks for the conversation to go to carol; carol's conversation.assigned.
json::object transfer_to_carol(AgentSession& by, AgentSession& carol, const std::string& id,
                               const std::string& ref) {
  ask_transfer(by, id, "carol", ref);
  return carol.ws.next_of_type("conversation.assigned");
}
// A visitor's conversation with alice (its first words given), and carol online.
struct AliceHasAChat {
  explicit AliceHasAChat(const std::string& first_words)
      : id(str(visitor.send_message(first_words), "conversation_id")) {
    alice.ws.next_of_type("conversation.assigned");
  }
  Deployment deployment{std::vector<TenantSpec>{acme_with_carol()}};
  AgentSession alice = deployment.connect_agent("acme", "alice");
  VisitorSession visitor = deployment.connect_visitor("acme");
  std::string id;
  AgentSession carol = deployment.connect_agent("acme", "carol");
};
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

TEST_CASE("who transferred a conversation, when, and their note outlive a reload and a restart",
          "[chat][transfer][durability]") {
  AliceHasAChat chat("I want my money back");
  auto& deployment = chat.deployment;
  auto& carol = chat.carol;
  const std::string& conversation_id = chat.id;
  const std::string note = "customer wants a refund, already checked <b>order 123</b>\n退款";
  ask_transfer(chat.alice, conversation_id, "carol", "t-note", json::value(note));
  auto taken = carol.ws.next_of_type("conversation.assigned");
  INFO("carol got " << sb::test::describe(taken));
  const auto& live = obj(taken, "transfer");
  CHECK(str(obj(live, "from"), "name") == "Alice");
  CHECK(str(live, "note") == note);  // as written: plain text, never interpreted
  const int64_t at = num(live, "at");
  CHECK(at > 1'700'000'000'000);

  // The conversation as carol's console gets it again: each time the same transfer.
  auto check_kept = [&](const json::object& conversation, const std::string& where) {
    INFO(where << ": " << sb::test::describe(conversation));
    REQUIRE(conversation.if_contains("transfer"));
    const auto& kept = obj(conversation, "transfer");
    CHECK(str(obj(kept, "from"), "id") == "alice");
    CHECK(str(obj(kept, "from"), "name") == "Alice");
    CHECK(kept.if_contains("by") == nullptr);
    CHECK(num(kept, "at") == at);
    CHECK(str(kept, "note") == note);
  };
  auto welcomed = [&](AgentSession& session) -> const json::object& {
    const auto& list = arr(session.welcome, "conversations");
    REQUIRE(list.size() == 1);
    return list[0].as_object();
  };
  // A reload: a new connection's welcome.
  carol.ws.close();
  auto reloaded = deployment.connect_agent_with_token("acme", "carol", carol.token);
  check_kept(welcomed(reloaded), "the welcome after a reload");
  // The REST list (the console's lists, an admin's view) reads the stored record.
  auto listed = sb::test::http_get(deployment.port(), "/v1/tenants/acme/conversations",
                                   sb::test::bearer(carol.token));
  REQUIRE(listed.status == 200);
  const json::value body = json::parse(listed.body);
  const auto& records = body.as_object().at("conversations").as_array();
  REQUIRE(records.size() == 1);
  check_kept(records[0].as_object(), "the REST list");
  // A restart reads the record back.
  deployment.server().kill_hard();
  deployment.server().start();
  auto restarted = deployment.connect_agent_with_token("acme", "carol", carol.token);
  check_kept(welcomed(restarted), "the welcome after a restart");
}

TEST_CASE("a transfer's note is bounded plain text", "[chat][transfer]") {
  AliceHasAChat chat("hello");
  auto& alice = chat.alice;
  auto& carol = chat.carol;
  const std::string& conversation_id = chat.id;

  auto refused = [&](json::value note, const std::string& ref) {
    ask_transfer(alice, conversation_id, "carol", ref, std::move(note));
    auto answer = reply_to(alice.ws, ref);
    INFO(ref << ": " << sb::test::describe(answer));
    CHECK(str(answer, "type") == "error");
    CHECK(str(answer, "code") == "bad_field");
  };
  refused(json::value(std::string(1001, 'x')), "too-long");
  refused("a bell \x07 in it", "control");
  refused(42, "not-text");
  carol.ws.expect_no_frame_of_type("conversation.assigned", 300ms);

  // 1,000 bytes (333 Chinese characters and a letter) is taken; "" is no note.
  std::string longest;
  for (int i = 0; i < 333; ++i) longest += "退";
  longest += "x";
  REQUIRE(longest.size() == 1000);
  ask_transfer(alice, conversation_id, "carol", "longest", json::value(longest));
  CHECK(str(obj(carol.ws.next_of_type("conversation.assigned"), "transfer"), "note") == longest);
  ask_transfer(carol, conversation_id, "alice", "empty", "");
  auto back = alice.ws.next_of_type("conversation.assigned");
  CHECK(obj(back, "transfer").if_contains("note") == nullptr);
}
