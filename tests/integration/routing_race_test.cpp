// Routing under load, through real sockets: a thousand visitors arriving at once
// are each assigned exactly once, no agent ever holds more than max_concurrent, and
// round-robin shares them out evenly.
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "harness/deployment.hpp"

using namespace sb::it;

TEST_CASE("1,000 visitors at once, 20 agents, round-robin: assigned once each, within capacity",
          "[routing][race]") {
  constexpr int kVisitors = 1000;
  constexpr int kAgents = 20;
  // 20 x 40 = 800 places: 200 visitors wait until agents close some conversations.
  constexpr int kCapacity = 40;
  TenantSpec tenant;
  tenant.id = "race";
  tenant.name = "Race Tenant";
  tenant.max_connections = 2000;
  tenant.messages_per_second = 100000;
  tenant.routing_chain = {"routing-round-robin"};
  for (int i = 0; i < kAgents; ++i) {
    const std::string id = "agent" + std::to_string(100 + i);
    tenant.agents.push_back({id, id, "agent", kCapacity});
  }
  Deployment deployment({tenant});
  std::vector<AgentSession> agents;
  for (const auto& a : tenant.agents) agents.push_back(deployment.connect_agent("race", a.id));

  std::vector<VisitorSession> visitors;
  visitors.reserve(kVisitors);
  for (int i = 0; i < kVisitors; ++i) visitors.push_back(deployment.connect_visitor("race"));
  // Everyone writes before any answer is read: the server sees them all at once.
  for (int i = 0; i < kVisitors; ++i)
    visitors[i].ws.send_json({{"type", "message"},
                              {"client_msg_id", "first-" + std::to_string(i)},
                              {"text", "hello from " + std::to_string(i)},
                              {"ref", "first-" + std::to_string(i)}});
  std::vector<std::string> conversation_of(kVisitors);
  for (int i = 0; i < kVisitors; ++i) {
    auto ack = reply_to(visitors[i].ws, "first-" + std::to_string(i), 30s);
    REQUIRE(str(ack, "type") == "ack");
    conversation_of[i] = str(ack, "conversation_id");
  }
  REQUIRE(std::set<std::string>(conversation_of.begin(), conversation_of.end()).size() ==
          kVisitors);

  // Every assignment frame of every agent, in the order each agent received them.
  std::map<std::string, std::string> owner;           // conversation -> agent
  std::map<std::string, std::set<std::string>> open;  // agent -> its open conversations
  std::map<std::string, int> assigned_count;
  size_t max_open_seen = 0;
  auto read_agents_until = [&](size_t total, std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (owner.size() < total && std::chrono::steady_clock::now() < deadline) {
      for (auto& agent : agents) {
        for (const auto& frame : agent.ws.collect(2ms)) {
          const auto type = str(frame, "type");
          if (type == "conversation.assigned") {
            const auto id = str(obj(frame, "conversation"), "id");
            INFO("conversation " << id << " assigned to " << agent.agent_id);
            CHECK(owner.emplace(id, agent.agent_id).second);  // never assigned twice
            CHECK(str(obj(frame, "conversation"), "assignee") == agent.agent_id);
            auto& mine = open[agent.agent_id];
            mine.insert(id);
            ++assigned_count[agent.agent_id];
            max_open_seen = std::max(max_open_seen, mine.size());
            CHECK(mine.size() <= static_cast<size_t>(kCapacity));
          } else if (type == "conversation.closed") {
            open[agent.agent_id].erase(str(frame, "conversation_id"));
          }
        }
      }
    }
    REQUIRE(owner.size() == total);
  };

  read_agents_until(kAgents * kCapacity, 60s);
  CHECK(max_open_seen == static_cast<size_t>(kCapacity));
  for (auto& agent : agents) agent.ws.expect_no_frame_of_type("conversation.assigned", 0ms);

  // Each agent closes a quarter of its conversations; the 200 waiting take the places.
  for (auto& agent : agents) {
    int closed = 0;
    for (const auto& id : open[agent.agent_id]) {
      if (closed++ == kCapacity / 4) break;
      agent.ws.send_json({{"type", "close"}, {"conversation_id", id}});
    }
  }
  read_agents_until(kVisitors, 60s);
  for (auto& agent : agents) agent.ws.expect_no_frame_of_type("conversation.assigned", 300ms);

  int fewest = kVisitors, most = 0;
  for (const auto& a : tenant.agents) {
    fewest = std::min(fewest, assigned_count[a.id]);
    most = std::max(most, assigned_count[a.id]);
  }
  INFO("assignments per agent range from " << fewest << " to " << most);
  CHECK(most - fewest <= 1);

  // Each visitor was told who took its conversation: the one agent who got it.
  for (int i = 0; i < kVisitors; ++i) {
    auto told = visitors[i].ws.next_of_type("conversation.assigned", 10s);
    CHECK(str(told, "conversation_id") == conversation_of[i]);
    CHECK(str(obj(told, "agent"), "id") == owner[conversation_of[i]]);
  }
}
