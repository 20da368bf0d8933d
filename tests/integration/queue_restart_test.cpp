// The queue is state like any other: a server killed while visitors wait comes back
// with the same visitors waiting in the same order, and nothing they wrote is lost.
#include <catch2/catch.hpp>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;

TEST_CASE("kill -9 with visitors queued: same queue, same order, assigned after restart",
          "[routing][queue][durability]") {
  Deployment deployment({acme_tenant()});  // alice: max_concurrent 2, not connected yet
  constexpr int kWaiting = 5;
  std::vector<std::string> tokens, conversations;
  for (int i = 0; i < kWaiting; ++i) {
    auto visitor = deployment.connect_visitor("acme", {{"name", "v" + std::to_string(i)}});
    conversations.push_back(
        str(visitor.send_message("first " + std::to_string(i)), "conversation_id"));
    visitor.send_message("second " + std::to_string(i));
    CHECK(num(visitor.ws.next_of_type("conversation.queued"), "position") == i + 1);
    tokens.push_back(visitor.visitor_token);
  }

  deployment.server().kill_hard();
  deployment.server().start();

  // Back in line where they were; each writes once more while waiting.
  std::vector<VisitorSession> back;
  for (int i = 0; i < kWaiting; ++i) {
    back.push_back(deployment.connect_visitor("acme", {{"visitor_token", tokens[i]}}));
    CHECK(str(back[i].welcome, "conversation_id") == conversations[i]);
    auto queued = back[i].ws.next_of_type("conversation.queued");
    CHECK(str(queued, "conversation_id") == conversations[i]);
    CHECK(num(queued, "position") == i + 1);
    CHECK(num(back[i].send_message("third " + std::to_string(i)), "seq") == 3);
  }

  // The two who waited longest go first, with everything they wrote.
  auto alice = deployment.connect_agent("acme", "alice");
  for (int i = 0; i < 2; ++i) {
    auto assigned = alice.ws.next_of_type("conversation.assigned");
    CHECK(str(obj(assigned, "conversation"), "id") == conversations[i]);
    const auto& history = arr(assigned, "history");
    REQUIRE(history.size() == 3);
    CHECK(str(history[0].as_object(), "text") == "first " + std::to_string(i));
    CHECK(str(history[2].as_object(), "text") == "third " + std::to_string(i));
    CHECK(str(obj(back[i].ws.next_of_type("conversation.assigned"), "agent"), "id") == "alice");
  }
  // The others moved up.
  for (int i = 2; i < kWaiting; ++i) {
    auto moved = back[i].ws.next_where(
        [&](const json::object& f) {
          return str(f, "type") == "conversation.queued" && num(f, "position") == i - 1;
        },
        "position " + std::to_string(i - 1));
    CHECK(str(moved, "conversation_id") == conversations[i]);
  }
  // Closing one lets the next in line in.
  alice.ws.send_json({{"type", "close"}, {"conversation_id", conversations[0]}});
  auto next = alice.ws.next_of_type("conversation.assigned");
  CHECK(str(obj(next, "conversation"), "id") == conversations[2]);
  CHECK(arr(next, "history").size() == 3);
}
