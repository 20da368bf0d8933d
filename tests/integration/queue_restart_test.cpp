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

TEST_CASE("kill -9 with visitors queued: one who never comes back leaves the line after the grace",
          "[routing][queue][durability]") {
  TenantSpec tenant = acme_tenant();  // alice is not connected: both wait
  tenant.extra_toml = "[conversation]\nvisitor_offline_grace_s = 1\n";
  Deployment deployment({tenant});
  std::vector<VisitorSession> waiting;  // connected until the kill
  std::vector<std::string> conversations;
  for (int i = 0; i < 2; ++i) {
    waiting.push_back(deployment.connect_visitor("acme", {{"name", "v" + std::to_string(i)}}));
    conversations.push_back(
        str(waiting[i].send_message("first " + std::to_string(i)), "conversation_id"));
    CHECK(num(waiting[i].ws.next_of_type("conversation.queued"), "position") == i + 1);
  }
  const std::string second_token = waiting[1].visitor_token;

  deployment.server().kill_hard();
  deployment.server().start();

  // The second is back at once, second in line; the first never comes back, and
  // after their grace period (from the restart) the second moves up.
  auto back = deployment.connect_visitor("acme", {{"visitor_token", second_token}});
  CHECK(num(back.ws.next_of_type("conversation.queued"), "position") == 2);
  back.ws.next_where(
      [](const json::object& f) {
        return str(f, "type") == "conversation.queued" && num(f, "position") == 1;
      },
      "position 1");
  const std::string root = deployment.login("acme", "root");
  const auto closed = sb::test::http_get(
      deployment.port(), "/v1/tenants/acme/conversations?status=closed", sb::test::bearer(root));
  REQUIRE(closed.status == 200);
  const json::value body = json::parse(closed.body);
  const auto& listed = arr(body.as_object(), "conversations");
  REQUIRE(listed.size() == 1);
  CHECK(str(listed[0].as_object(), "id") == conversations[0]);
  CHECK(num(listed[0].as_object(), "abandoned_at") > 0);
  const std::string metrics = sb::test::http_get(deployment.port(), "/metrics").body;
  CHECK(metrics.find("switchboard_conversations_abandoned_total{tenant=\"acme\"} 1\n") !=
        std::string::npos);
}
