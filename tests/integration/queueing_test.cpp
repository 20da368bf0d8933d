// Visitors wait in line when nobody can take them, and an agent never gets more
// conversations than its capacity.
#include <catch2/catch.hpp>
#include <set>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;

TEST_CASE("queued visitors get positions, are assigned when an agent comes online, within capacity",
          "[chat][queue]") {
  Deployment deployment({acme_tenant()});  // alice: max_concurrent = 2

  std::vector<VisitorSession> visitors;
  std::vector<std::string> conversation_ids;
  for (int i = 0; i < 3; ++i) {
    visitors.push_back(
        deployment.connect_visitor("acme", {{"name", "visitor " + std::to_string(i + 1)}}));
    auto ack = visitors.back().send_message("anyone? " + std::to_string(i + 1));
    conversation_ids.push_back(str(ack, "conversation_id"));
    auto queued = visitors.back().ws.next_of_type("conversation.queued");
    CHECK(str(queued, "conversation_id") == conversation_ids.back());
    CHECK(num(queued, "position") == i + 1);
  }

  auto agent = deployment.connect_agent("acme", "alice");
  // A conversation counts as given to the agent whether it is announced in the welcome
  // or in a conversation.assigned frame right after.
  std::set<std::string> assigned_to_agent;
  for (const auto& c : arr(agent.welcome, "conversations"))
    if (str(c.as_object(), "status") == "assigned")
      assigned_to_agent.insert(str(c.as_object(), "id"));
  while (assigned_to_agent.size() < 2) {
    auto assigned = agent.ws.next_of_type("conversation.assigned");
    CHECK(str(obj(assigned, "conversation"), "assignee") == "alice");
    CHECK(arr(assigned, "history").size() == 1);
    assigned_to_agent.insert(str(obj(assigned, "conversation"), "id"));
  }
  // First come, first served: the two who waited longest.
  CHECK(assigned_to_agent == std::set<std::string>{conversation_ids[0], conversation_ids[1]});
  for (int i = 0; i < 2; ++i) {
    auto told = visitors[i].ws.next_of_type("conversation.assigned");
    CHECK(str(told, "conversation_id") == conversation_ids[i]);
    CHECK(str(obj(told, "agent"), "id") == "alice");
  }

  // The third must wait: capacity is 2.
  agent.ws.expect_no_frame_of_type("conversation.assigned", 1000ms);
  visitors[2].ws.expect_no_frame_of_type("conversation.assigned", 0ms);

  // Closing one frees a slot, which goes to the one still waiting.
  agent.ws.send_json({{"type", "close"}, {"conversation_id", conversation_ids[0]}});
  agent.ws.next_of_type("conversation.closed");
  auto third = agent.ws.next_of_type("conversation.assigned");
  CHECK(str(obj(third, "conversation"), "id") == conversation_ids[2]);
  auto told = visitors[2].ws.next_of_type("conversation.assigned");
  CHECK(str(told, "conversation_id") == conversation_ids[2]);
  agent.ws.expect_no_frame_of_type("conversation.assigned", 500ms);
}

TEST_CASE("an away agent gets no new conversations, back online it does", "[chat][queue]") {
  Deployment deployment({acme_tenant()});
  auto agent = deployment.connect_agent("acme", "alice");
  agent.ws.send_json({{"type", "status"}, {"status", "away"}});
  agent.ws.expect_no_frame_of_type("error", 300ms);

  auto visitor = deployment.connect_visitor("acme");
  const auto conversation_id = str(visitor.send_message("hello?"), "conversation_id");
  auto queued = visitor.ws.next_of_type("conversation.queued");
  CHECK(num(queued, "position") == 1);
  agent.ws.expect_no_frame_of_type("conversation.assigned", 500ms);

  agent.ws.send_json({{"type", "status"}, {"status", "online"}});
  auto assigned = agent.ws.next_of_type("conversation.assigned");
  CHECK(str(obj(assigned, "conversation"), "id") == conversation_id);
}
