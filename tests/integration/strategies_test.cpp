// Each routing strategy through the real server and its own plugin .so, and chains
// in which a strategy that cannot decide (DEFER) passes to the next. Every test
// arranges the agents' load so that the strategy under test and its neighbours
// would choose differently: a strategy that fell back to another rule fails here.
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "harness/deployment.hpp"
#include "harness/served.hpp"

using namespace sb::it;

namespace {

TenantSpec team(std::vector<std::string> chain, std::vector<std::string> agent_ids, int capacity) {
  TenantSpec tenant;
  tenant.id = "acme";
  tenant.name = "Acme Routing";
  tenant.routing_chain = std::move(chain);
  for (const auto& id : agent_ids) tenant.agents.push_back({id, "Agent " + id, "agent", capacity});
  return tenant;
}

void close_as(AgentSession& agent, const std::string& conversation_id) {
  agent.ws.send_json({{"type", "close"}, {"conversation_id", conversation_id}});
  agent.ws.next_of_type("conversation.closed");
}

}  // namespace

TEST_CASE("round-robin deals conversations in turn, counts differ by at most one",
          "[routing][strategy]") {
  Deployment deployment({team({"routing-round-robin"}, {"ann", "ben", "cat"}, 10)});
  std::map<std::string, AgentSession> agents;
  for (const char* id : {"ann", "ben", "cat"})
    agents.emplace(id, deployment.connect_agent("acme", id));

  std::vector<Served> served;
  std::map<std::string, int> counts;
  for (int i = 0; i < 7; ++i) {
    served.push_back(visitor_served(deployment));
    agent_sees(agents.at(served.back().agent_id), served.back().conversation_id);
    ++counts[served.back().agent_id];
  }
  // In turn: each window of three consecutive assignments names three different agents.
  for (size_t i = 0; i + 2 < served.size(); ++i) {
    std::set<std::string> window{served[i].agent_id, served[i + 1].agent_id,
                                 served[i + 2].agent_id};
    CHECK(window.size() == 3);
  }
  REQUIRE(counts.size() == 3);
  for (const auto& [agent, count] : counts) CHECK((count == 2 || count == 3));
}

TEST_CASE("least-busy gives the next conversation to the agent with the fewest open ones",
          "[routing][strategy]") {
  Deployment deployment({team({"routing-least-busy"}, {"ann", "ben"}, 5)});
  auto ann = deployment.connect_agent("acme", "ann");
  // Only ann is online: she gets two.
  auto first = visitor_served(deployment);
  auto second = visitor_served(deployment);
  CHECK(first.agent_id == "ann");
  CHECK(second.agent_id == "ann");
  agent_sees(ann, first.conversation_id);
  agent_sees(ann, second.conversation_id);

  auto ben = deployment.connect_agent("acme", "ben");
  auto third = visitor_served(deployment);
  CHECK(third.agent_id == "ben");  // 0 open beats 2
  auto fourth = visitor_served(deployment);
  CHECK(fourth.agent_id == "ben");  // 1 beats 2
  agent_sees(ben, third.conversation_id);
  agent_sees(ben, fourth.conversation_id);

  close_as(ann, first.conversation_id);
  close_as(ann, second.conversation_id);
  auto fifth = visitor_served(deployment);
  CHECK(fifth.agent_id == "ann");  // 0 beats 2
}

TEST_CASE("load-rotation ignores load and picks whoever waited longest since a chat",
          "[routing][strategy]") {
  Deployment deployment({team({"routing-load-rotation"}, {"ann", "ben"}, 5)});
  auto ann = deployment.connect_agent("acme", "ann");
  auto a1 = visitor_served(deployment);
  auto a2 = visitor_served(deployment);
  agent_sees(ann, a1.conversation_id);
  agent_sees(ann, a2.conversation_id);
  auto ben = deployment.connect_agent("acme", "ben");
  auto b1 = visitor_served(deployment);
  CHECK(b1.agent_id == "ben");  // never assigned: the longest wait
  agent_sees(ben, b1.conversation_id);
  // ann has 2 open, ben 1, but ann's last chat is older than ben's.
  auto next = visitor_served(deployment);
  CHECK(next.agent_id == "ann");
}

TEST_CASE("load-balancing picks the fewest open, then the longest since a chat",
          "[routing][strategy]") {
  Deployment deployment({team({"routing-load-balancing"}, {"ann", "ben"}, 5)});
  auto ann = deployment.connect_agent("acme", "ann");
  auto a1 = visitor_served(deployment);
  auto a2 = visitor_served(deployment);
  agent_sees(ann, a1.conversation_id);
  agent_sees(ann, a2.conversation_id);
  auto ben = deployment.connect_agent("acme", "ben");
  auto b1 = visitor_served(deployment);
  agent_sees(ben, b1.conversation_id);
  // ann 2 open, ben 1: fewest open wins although ann waited longer.
  auto b2 = visitor_served(deployment);
  CHECK(b2.agent_id == "ben");
  agent_sees(ben, b2.conversation_id);
  // 2 each now: ann's last chat is the older one.
  auto tie = visitor_served(deployment);
  CHECK(tie.agent_id == "ann");
}

namespace {

// The sticky scenario: a visitor chats with ann while she is alone, comes back after
// ann took `others` more chats and ben came online with none.
struct Returning {
  std::string first_agent;
  std::string second_agent;
};

Returning returning_visitor(int capacity, int others) {
  Deployment deployment({team({"routing-sticky", "routing-least-busy"}, {"ann", "ben"}, capacity)});
  auto ann = deployment.connect_agent("acme", "ann");
  auto first = visitor_served(deployment);
  agent_sees(ann, first.conversation_id);
  const std::string token = first.visitor.visitor_token;
  close_as(ann, first.conversation_id);
  first.visitor.ws.close();

  std::vector<Served> busy;
  for (int i = 0; i < others; ++i) {
    busy.push_back(visitor_served(deployment));
    REQUIRE(busy.back().agent_id == "ann");
    agent_sees(ann, busy.back().conversation_id);
  }
  auto ben = deployment.connect_agent("acme", "ben");
  auto again = visitor_served(deployment, {{"visitor_token", token}});
  return {first.agent_id, again.agent_id};
}

}  // namespace

TEST_CASE("sticky sends a returning visitor back to their agent while she has room",
          "[routing][strategy][chain]") {
  // ann has 2 of 3 open, ben none: least-busy alone would pick ben.
  auto result = returning_visitor(3, 2);
  CHECK(result.first_agent == "ann");
  CHECK(result.second_agent == "ann");
}

TEST_CASE("sticky defers when the last agent is full, and the next strategy decides",
          "[routing][strategy][chain]") {
  auto result = returning_visitor(2, 2);
  CHECK(result.first_agent == "ann");
  CHECK(result.second_agent == "ben");
}
