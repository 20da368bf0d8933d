// The whole life of one conversation as a visitor and an agent see it.
#include <catch2/catch.hpp>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;

TEST_CASE("visitor and agent chat: assignment, gapless seq both ways, typing, read, close",
          "[chat]") {
  Deployment deployment({acme_tenant()});

  auto agent = deployment.connect_agent("acme", "alice");
  CHECK(str(obj(agent.welcome, "agent"), "id") == "alice");
  CHECK(str(obj(agent.welcome, "agent"), "role") == "agent");
  CHECK(str(agent.welcome, "status") == "online");
  CHECK(arr(agent.welcome, "conversations").empty());

  auto visitor = deployment.connect_visitor("acme", {{"name", "Vera"}});
  CHECK_FALSE(visitor.visitor_id.empty());
  CHECK_FALSE(visitor.visitor_token.empty());
  CHECK(is_null_or_absent(visitor.welcome, "conversation_id"));

  // The first message opens a conversation; the ack comes once it is durable.
  auto ack1 = visitor.send_message("hello, anyone there?");
  const std::string conversation_id = str(ack1, "conversation_id");
  CHECK(num(ack1, "seq") == 1);
  CHECK_FALSE(str(ack1, "message_id").empty());

  // An online agent under capacity gets it at once, with the history so far.
  auto assigned = agent.ws.next_of_type("conversation.assigned");
  const auto& conversation = obj(assigned, "conversation");
  CHECK(str(conversation, "id") == conversation_id);
  CHECK(str(conversation, "status") == "assigned");
  CHECK(str(conversation, "assignee") == "alice");
  CHECK(str(obj(conversation, "visitor"), "id") == visitor.visitor_id);
  const auto& history = arr(assigned, "history");
  REQUIRE(history.size() == 1);
  CHECK(num(history[0].as_object(), "seq") == 1);
  CHECK(str(history[0].as_object(), "text") == "hello, anyone there?");
  CHECK(str(obj(history[0].as_object(), "from"), "role") == "visitor");

  auto visitor_assigned = visitor.ws.next_of_type("conversation.assigned");
  CHECK(str(visitor_assigned, "conversation_id") == conversation_id);
  CHECK(str(obj(visitor_assigned, "agent"), "id") == "alice");
  CHECK(str(obj(visitor_assigned, "agent"), "name") == "Alice");

  // Alternate senders; both sides must see seq 2, 3, 4, 5 with no gaps.
  struct Turn {
    bool from_visitor;
    std::string text;
  };
  const std::vector<Turn> turns = {{true, "my order is late"},
                                   {false, "let me check"},
                                   {true, "order 42"},
                                   {false, "it ships today"}};
  int64_t expected_seq = 2;
  for (const auto& turn : turns) {
    auto ack = turn.from_visitor ? visitor.send_message(turn.text)
                                 : agent.send_message(conversation_id, turn.text);
    CHECK(str(ack, "conversation_id") == conversation_id);
    CHECK(num(ack, "seq") == expected_seq);
    auto& receiver = turn.from_visitor ? agent.ws : visitor.ws;
    auto message = receiver.next_of_type("message");
    INFO("received " << sb::test::describe(message));
    CHECK(str(message, "conversation_id") == conversation_id);
    CHECK(num(message, "seq") == expected_seq);
    CHECK(str(message, "message_id") == str(ack, "message_id"));
    CHECK(str(message, "text") == turn.text);
    CHECK(str(obj(message, "from"), "role") == (turn.from_visitor ? "visitor" : "agent"));
    CHECK(str(obj(message, "from"), "id") ==
          (turn.from_visitor ? visitor.visitor_id : std::string("alice")));
    CHECK(num(message, "ts") > 0);
    ++expected_seq;
  }
  // The sender's own connection gets the ack, never its own message back.
  visitor.ws.expect_no_frame_of_type("message", 300ms);
  agent.ws.expect_no_frame_of_type("message", 0ms);

  // Typing is relayed to the other side, naming who types.
  visitor.ws.send_json({{"type", "typing"}, {"conversation_id", conversation_id}, {"on", true}});
  auto typing = agent.ws.next_of_type("typing");
  CHECK(str(typing, "conversation_id") == conversation_id);
  CHECK(typing.at("on") == true);
  CHECK(str(obj(typing, "from"), "role") == "visitor");
  CHECK(str(obj(typing, "from"), "id") == visitor.visitor_id);
  agent.ws.send_json({{"type", "typing"}, {"conversation_id", conversation_id}, {"on", false}});
  typing = visitor.ws.next_of_type("typing");
  CHECK(typing.at("on") == false);
  CHECK(str(obj(typing, "from"), "role") == "agent");
  CHECK(str(obj(typing, "from"), "id") == "alice");

  // Read receipts: relayed when they advance, silent when they go backwards.
  agent.ws.send_json({{"type", "read"}, {"conversation_id", conversation_id}, {"seq", 4}});
  auto read = visitor.ws.next_of_type("read");
  CHECK(str(read, "conversation_id") == conversation_id);
  CHECK(num(read, "seq") == 4);
  CHECK(str(obj(read, "from"), "role") == "agent");
  CHECK(str(obj(read, "from"), "id") == "alice");
  agent.ws.send_json({{"type", "read"}, {"conversation_id", conversation_id}, {"seq", 2}});
  visitor.ws.expect_no_frame_of_type("read", 500ms);
  visitor.ws.send_json({{"type", "read"}, {"conversation_id", conversation_id}, {"seq", 5}});
  read = agent.ws.next_of_type("read");
  CHECK(num(read, "seq") == 5);
  CHECK(str(obj(read, "from"), "role") == "visitor");

  // The agent closes: both sides are told, and the visitor's next message starts over.
  agent.ws.send_json({{"type", "close"}, {"conversation_id", conversation_id}});
  auto closed_for_agent = agent.ws.next_of_type("conversation.closed");
  auto closed_for_visitor = visitor.ws.next_of_type("conversation.closed");
  CHECK(str(closed_for_agent, "conversation_id") == conversation_id);
  CHECK(str(closed_for_visitor, "conversation_id") == conversation_id);
  CHECK_FALSE(str(closed_for_visitor, "by").empty());

  auto fresh = visitor.send_message("one more question");
  CHECK(str(fresh, "conversation_id") != conversation_id);
  CHECK(num(fresh, "seq") == 1);

  // Nothing went wrong along the way.
  CHECK(visitor.ws.take_buffered("error").empty());
  CHECK(agent.ws.take_buffered("error").empty());
}

TEST_CASE("ping gets pong on both endpoints", "[chat]") {
  Deployment deployment({acme_tenant()});
  auto visitor = deployment.connect_visitor("acme");
  visitor.ws.send_json({{"type", "ping"}});
  CHECK(str(visitor.ws.next_frame(), "type") == "pong");
  auto agent = deployment.connect_agent("acme", "alice");
  agent.ws.send_json({{"type", "ping"}});
  CHECK(str(agent.ws.next_of_type("pong"), "type") == "pong");
}

TEST_CASE("login with a wrong password is 401 with an error object", "[chat][auth]") {
  Deployment deployment({acme_tenant()});
  auto response = deployment.login_raw("acme", "alice@acme.test", "not the password");
  CHECK(response.status == 401);
  CHECK(str(obj(response.json().as_object(), "error"), "code") == "unauthorized");

  auto ok = deployment.login_raw("acme", "alice@acme.test", kAgentPassword);
  REQUIRE(ok.status == 200);
  const auto body = ok.json().as_object();
  CHECK_FALSE(str(body, "token").empty());
  CHECK(body.contains("expires_at"));
  CHECK(str(obj(body, "agent"), "id") == "alice");
  CHECK(str(obj(body, "agent"), "name") == "Alice");
  CHECK(str(obj(body, "agent"), "role") == "agent");
}

TEST_CASE(
    "frames longer than a connection's first read, sent back to back, arrive whole and in order",
    "[chat]") {
  Deployment deployment({acme_tenant()});
  auto agent = deployment.connect_agent("acme", "alice");
  auto visitor = deployment.connect_visitor("acme", {{"name", "Vera"}});
  const std::string conversation_id = str(visitor.send_message("hello"), "conversation_id");
  agent.ws.next_of_type("conversation.assigned");

  // The server reads a frame's first 256 bytes, then the rest: lengths around that
  // split, and multi-byte characters that straddle it, all in one burst.
  std::vector<std::string> texts;
  for (std::size_t length : {100, 200, 240, 250, 300, 2000}) {
    std::string text;
    while (text.size() < length) text += "é漢x";
    texts.push_back(text);
  }
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const std::string id = "burst-" + std::to_string(i);
    visitor.ws.send_json(
        {{"type", "message"}, {"client_msg_id", id}, {"text", texts[i]}, {"ref", id}});
  }
  for (std::size_t i = 0; i < texts.size(); ++i) {
    auto ack = visitor.ws.next_of_type("ack");
    CHECK(str(ack, "ref") == "burst-" + std::to_string(i));
    CHECK(num(ack, "seq") == static_cast<int64_t>(i) + 2);
    auto message = agent.ws.next_of_type("message");
    CHECK(str(message, "conversation_id") == conversation_id);
    CHECK(num(message, "seq") == static_cast<int64_t>(i) + 2);
    CHECK(str(message, "text") == texts[i]);
  }
}
