// routing-manual: nobody is pushed a conversation; every agent who may take it is
// offered it, the first accept wins and the others see the offer withdrawn.
#include <catch2/catch.hpp>
#include <set>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;

namespace {

TenantSpec manual_tenant(int agents, int max_concurrent) {
  TenantSpec tenant;
  tenant.id = "manual";
  tenant.name = "Manual Routing Tenant";
  tenant.routing_chain = {"routing-manual"};
  for (int i = 0; i < agents; ++i) {
    const std::string id = "agent" + std::to_string(i + 10);
    tenant.agents.push_back({id, "Agent " + id, "agent", max_concurrent});
  }
  return tenant;
}

std::string offered_id(sb::test::WsClient& ws) {
  return str(obj(ws.next_of_type("conversation.offered"), "conversation"), "id");
}

json::object accept_frame(const std::string& conversation_id, const std::string& ref) {
  return {{"type", "accept"}, {"conversation_id", conversation_id}, {"ref", ref}};
}

}  // namespace

TEST_CASE("manual routing: many agents accept at once and exactly one wins", "[routing][manual]") {
  constexpr int kAgents = 12;
  constexpr int kRounds = 15;
  Deployment deployment({manual_tenant(kAgents, kRounds)});
  std::vector<AgentSession> agents;
  for (const auto& a : deployment.tenant("manual").agents)
    agents.push_back(deployment.connect_agent("manual", a.id));

  std::map<std::string, int> wins;
  for (int round = 0; round < kRounds; ++round) {
    auto visitor = deployment.connect_visitor("manual");
    const auto conversation_id =
        str(visitor.send_message("who takes me? " + std::to_string(round)), "conversation_id");
    // Offered to everyone, pushed to no one.
    for (auto& agent : agents) CHECK(offered_id(agent.ws) == conversation_id);
    CHECK(str(visitor.ws.next_of_type("conversation.queued"), "conversation_id") ==
          conversation_id);

    // Everyone accepts before reading anything back.
    const std::string ref = "accept-" + std::to_string(round);
    for (auto& agent : agents) agent.ws.send_json(accept_frame(conversation_id, ref));

    std::string winner;
    for (auto& agent : agents) {
      auto answer = agent.ws.next_where(
          [&](const json::object& f) {
            const auto type = str(f, "type");
            return (type == "conversation.assigned" &&
                    str(obj(f, "conversation"), "id") == conversation_id) ||
                   (type == "error" && f.contains("ref") && str(f, "ref") == ref);
          },
          "the assignment or the error answering the accept");
      if (str(answer, "type") == "conversation.assigned") {
        CHECK(winner.empty());  // exactly one winner
        winner = agent.agent_id;
        CHECK(str(obj(answer, "conversation"), "assignee") == agent.agent_id);
        CHECK(arr(answer, "history").size() == 1);
      } else {
        CHECK(str(answer, "code") == "forbidden");
        CHECK(str(answer, "message") == "this conversation was already taken by another agent");
        auto withdrawn = agent.ws.next_of_type("conversation.offer_withdrawn");
        CHECK(str(withdrawn, "conversation_id") == conversation_id);
        CHECK(str(withdrawn, "reason") == "taken");
      }
    }
    REQUIRE(!winner.empty());
    ++wins[winner];
    auto told = visitor.ws.next_of_type("conversation.assigned");
    CHECK(str(obj(told, "agent"), "id") == winner);
  }
  int total = 0;
  for (const auto& [id, n] : wins) total += n;
  CHECK(total == kRounds);
  // Nobody got a second assignment or a stray offer afterwards.
  for (auto& agent : agents) agent.ws.expect_no_frame_of_type("conversation.assigned", 0ms);
}

TEST_CASE("manual routing: offers follow agents' presence and capacity", "[routing][manual]") {
  Deployment deployment({manual_tenant(2, 1)});  // agent10 and agent11, one chat each
  auto first = deployment.connect_agent("manual", "agent10");
  auto visitor = deployment.connect_visitor("manual");
  const auto c1 = str(visitor.send_message("hello"), "conversation_id");
  CHECK(offered_id(first.ws) == c1);

  // An agent who comes online is offered what waits.
  auto second = deployment.connect_agent("manual", "agent11");
  CHECK(offered_id(second.ws) == c1);
  // A second tab of an agent sees the same offers.
  auto second_tab = deployment.connect_agent("manual", "agent11");
  CHECK(offered_id(second_tab.ws) == c1);

  // Away: the offer is withdrawn; back online: offered again.
  first.ws.send_json({{"type", "status"}, {"status", "away"}});
  auto withdrawn = first.ws.next_of_type("conversation.offer_withdrawn");
  CHECK(str(withdrawn, "conversation_id") == c1);
  CHECK(str(withdrawn, "reason") == "unavailable");
  first.ws.send_json(accept_frame(c1, "while-away"));
  CHECK(str(reply_to(first.ws, "while-away"), "code") == "forbidden");
  first.ws.send_json({{"type", "status"}, {"status", "online"}});
  CHECK(offered_id(first.ws) == c1);

  // agent11 takes it and is full: both tabs hear it, agent10's offer is withdrawn.
  second.ws.send_json(accept_frame(c1, "take-1"));
  CHECK(str(obj(second.ws.next_of_type("conversation.assigned"), "conversation"), "id") == c1);
  CHECK(str(obj(second_tab.ws.next_of_type("conversation.assigned"), "conversation"), "id") == c1);
  CHECK(str(first.ws.next_of_type("conversation.offer_withdrawn"), "reason") == "taken");

  // A full agent is not offered the next one and cannot accept it.
  auto other_visitor = deployment.connect_visitor("manual");
  const auto c2 = str(other_visitor.send_message("me too"), "conversation_id");
  CHECK(offered_id(first.ws) == c2);
  second.ws.expect_no_frame_of_type("conversation.offered", 300ms);
  second.ws.send_json(accept_frame(c2, "too-many"));
  auto refused = reply_to(second.ws, "too-many");
  CHECK(str(refused, "code") == "forbidden");
  CHECK(str(refused, "message") == "you are not online or already at your max_concurrent");

  // The visitor leaves before anyone accepts: the offer goes, a late accept is told.
  other_visitor.ws.send_json({{"type", "close"}, {"conversation_id", c2}});
  auto gone = first.ws.next_of_type("conversation.offer_withdrawn");
  CHECK(str(gone, "conversation_id") == c2);
  CHECK(str(gone, "reason") == "closed");
  first.ws.send_json(accept_frame(c2, "too-late"));
  CHECK(str(reply_to(first.ws, "too-late"), "code") == "not_found");

  // Closing frees agent11's slot: a new conversation is offered to both again.
  second.ws.send_json({{"type", "close"}, {"conversation_id", c1}});
  second.ws.next_of_type("conversation.closed");
  auto third_visitor = deployment.connect_visitor("manual");
  const auto c3 = str(third_visitor.send_message("third"), "conversation_id");
  CHECK(offered_id(first.ws) == c3);
  CHECK(offered_id(second.ws) == c3);
  // Disconnecting withdraws nothing visible, but the one left can still take it.
  second.ws.close();
  second_tab.ws.close();
  first.ws.send_json(accept_frame(c3, "take-3"));
  CHECK(str(obj(first.ws.next_of_type("conversation.assigned"), "conversation"), "id") == c3);
}
