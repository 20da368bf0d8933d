// Issue 13's promises without faults, on three nodes: a visitor on one node and
// their agent on another talk with the same protocol as on one node; the
// 1,000-visitor race spread over the nodes; presence across nodes.
#include <catch2/catch.hpp>
#include <set>

#include "cluster/scenario.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::cl;
using sb::it::num;
using sb::it::obj;
using sb::it::str;

TEST_CASE(
    "a visitor on one node and the agent on another: acks, seqs, resend and replay as on "
    "one node, whichever node the client comes back to",
    "[cluster][cross]") {
  ClusterOptions options;
  options.tenants = {sb::it::acme_tenant()};
  Cluster cluster(options);
  auto& a = cluster.node(0);
  auto& b = cluster.node(1);
  auto& c = cluster.node(2);

  auto agent = cluster.connect_agent(b, "acme", "alice");
  auto visitor = cluster.connect_visitor(a, "acme");
  const auto first = visitor.send_message("hello from node a", "x-1");
  const auto conversation = str(first, "conversation_id");
  CHECK(num(first, "seq") == 1);
  const auto assigned = agent.ws.next_of_type("conversation.assigned", 10s);
  CHECK(str(obj(assigned, "conversation"), "id") == conversation);
  CHECK(str(visitor.ws.next_of_type("conversation.assigned", 10s), "conversation_id") ==
        conversation);

  // Both ways, the seqs following on without a gap.
  const auto reply = agent.send_message(conversation, "hello from node b", "y-1");
  const auto reply_seq = num(reply, "seq");
  const auto live = sb::it::message_from(visitor.ws, "agent", 10s);
  CHECK(str(live, "text") == "hello from node b");
  CHECK(num(live, "seq") == reply_seq);
  const auto second = visitor.send_message("and again", "x-2");
  CHECK(num(second, "seq") == reply_seq + 1);
  const auto seen = sb::it::message_from(agent.ws, "visitor", 10s);
  CHECK(num(seen, "seq") == reply_seq + 1);

  // The resend of x-2 from node c gets the original ack, and nothing is stored twice.
  const auto token = visitor.visitor_token;
  visitor.ws.close();
  auto again = cluster.connect_visitor(
      c, "acme", {{"visitor_token", token}, {"last_seq", json::object{{conversation, 1}}}});
  // The replay: what came after seq 1, in order, from PostgreSQL.
  const auto replayed = again.ws.next_of_type("message", 10s);
  CHECK(num(replayed, "seq") == reply_seq);
  CHECK(str(replayed, "text") == "hello from node b");
  const auto resent = again.send_message("and again", "x-2");
  CHECK(num(resent, "seq") == reply_seq + 1);
  CHECK(str(resent, "message_id") == str(second, "message_id"));
  CHECK(cluster.postgres().psql("SELECT count(*) FROM messages WHERE client_msg_id = 'x-2'") ==
        "1\n");

  // And the agent, gone from node b, picks up on node a where it left off.
  const auto agent_token = agent.token;
  agent.ws.close();
  auto back = cluster.connect_agent(a, "acme", "alice", agent_token);
  bool listed = false;
  for (const auto& item : sb::it::arr(back.welcome, "conversations"))
    listed = listed || str(item.as_object(), "id") == conversation;
  CHECK(listed);
  const auto third = again.send_message("still there?", "x-3");
  const auto next = sb::it::message_from(back.ws, "visitor", 10s);
  CHECK(num(next, "seq") == num(third, "seq"));
  CHECK(num(third, "seq") == reply_seq + 2);
}

TEST_CASE(
    "1,000 visitors and 20 agents spread over 3 nodes: each conversation assigned once, no "
    "agent over max_concurrent",
    "[cluster][race]") {
  constexpr int kVisitors = 1000;
  constexpr int kAgents = 20;
  constexpr int kCapacity = 40;  // 800 places: 200 visitors wait for closed conversations
  sb::it::TenantSpec tenant;
  tenant.id = "race";
  tenant.name = "Race Tenant";
  tenant.max_connections = 2000;
  tenant.messages_per_second = 100000;
  tenant.routing_chain = {"routing-round-robin"};
  for (int i = 0; i < kAgents; ++i) {
    const std::string id = "agent" + std::to_string(100 + i);
    tenant.agents.push_back({id, id, "agent", kCapacity});
  }
  ClusterOptions options;
  options.tenants = {tenant};
  Cluster cluster(options);
  const auto n = cluster.size();

  std::vector<sb::it::AgentSession> agents;
  // Their tokens are signed, not signed in for: the race is in assignment, and 20
  // password checks on a busy machine would only add a minute of set-up.
  for (int i = 0; i < kAgents; ++i)
    agents.push_back(cluster.connect_agent(cluster.node(i % n), "race", tenant.agents[i].id,
                                           cluster.agent_token("race", tenant.agents[i].id)));
  std::vector<sb::it::VisitorSession> visitors;
  visitors.reserve(kVisitors);
  for (int i = 0; i < kVisitors; ++i)
    visitors.push_back(cluster.connect_visitor(cluster.node(i % n), "race"));
  for (int i = 0; i < kVisitors; ++i)
    visitors[i].ws.send_json({{"type", "message"},
                              {"client_msg_id", "first-" + std::to_string(i)},
                              {"text", "hello from " + std::to_string(i)},
                              {"ref", "first-" + std::to_string(i)}});
  std::vector<std::string> conversation_of(kVisitors);
  for (int i = 0; i < kVisitors; ++i) {
    auto ack = sb::it::reply_to(visitors[i].ws, "first-" + std::to_string(i), 30s);
    REQUIRE(str(ack, "type") == "ack");
    conversation_of[i] = str(ack, "conversation_id");
  }
  REQUIRE(std::set<std::string>(conversation_of.begin(), conversation_of.end()).size() ==
          kVisitors);

  std::map<std::string, std::string> owner;           // conversation -> agent
  std::map<std::string, std::set<std::string>> open;  // agent -> its open conversations
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
            auto& mine = open[agent.agent_id];
            mine.insert(id);
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
  for (auto& agent : agents) {
    int closed = 0;
    for (const auto& id : open[agent.agent_id]) {
      if (closed++ == kCapacity / 4) break;
      agent.ws.send_json({{"type", "close"}, {"conversation_id", id}});
    }
  }
  read_agents_until(kVisitors, 60s);
  for (auto& agent : agents) agent.ws.expect_no_frame_of_type("conversation.assigned", 500ms);

  // PostgreSQL agrees: every conversation has its one assignee, none over capacity.
  const auto problems = check_assignments(options.tenants, cluster.stored_conversations(), {});
  INFO(describe(problems));
  CHECK(problems.empty());
  for (int i = 0; i < kVisitors; ++i) {
    auto told = visitors[i].ws.next_of_type("conversation.assigned", 10s);
    CHECK(str(obj(told, "agent"), "id") == owner[conversation_of[i]]);
  }
}

namespace {

bool agents_online(Node& node, const std::string& tenant) {
  const auto response = sb::test::http_get(node.port(), "/v1/tenants/" + tenant + "/widget");
  if (response.status != 200) throw std::runtime_error("widget settings: " + response.body);
  return response.json().as_object().at("agents_online").as_bool();
}

}  // namespace

TEST_CASE(
    "presence across nodes: tabs on two nodes keep an agent online until the last closes, and a "
    "killed node's agents go offline within the grace period",
    "[cluster][presence]") {
  ClusterOptions options;
  options.tenants = {sb::it::acme_tenant()};
  Cluster cluster(options);
  auto& a = cluster.node(0);
  auto& b = cluster.node(1);
  auto& c = cluster.node(2);
  // Three heartbeats (the entries' TTL) and one more for the owner's next listing.
  const auto grace = std::chrono::milliseconds(4 * options.heartbeat_ms);

  auto tab_a = cluster.connect_agent(a, "acme", "alice");
  auto tab_b = cluster.connect_agent(b, "acme", "alice", tab_a.token);
  REQUIRE(eventually([&] { return agents_online(c, "acme"); }, grace));

  tab_a.ws.close();
  // Well past the TTL of the closed tab's entry: the other tab keeps her online.
  std::this_thread::sleep_for(grace + 1s);
  CHECK(agents_online(c, "acme"));
  CHECK(agents_online(a, "acme"));
  // ...and routable: a visitor on node a goes to her tab on node b.
  auto visitor = cluster.connect_visitor(a, "acme");
  const auto conversation = str(visitor.send_message("anyone?"), "conversation_id");
  CHECK(str(obj(tab_b.ws.next_of_type("conversation.assigned", 10s), "conversation"), "id") ==
        conversation);

  tab_b.ws.close();
  CHECK(eventually([&] { return !agents_online(c, "acme"); }, grace));

  // Her only tab on node b, and node b dies.
  auto tab = cluster.connect_agent(b, "acme", "alice", tab_a.token);
  REQUIRE(eventually([&] { return agents_online(c, "acme"); }, grace));
  const auto killed_at = Clock::now();
  b.kill_hard();
  CHECK(eventually([&] { return !agents_online(c, "acme"); }, grace + 5s));
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - killed_at);
  INFO("offline " << took.count() << " ms after the kill");
  CHECK(took <= grace + 1s);
  // A new visitor waits in the queue rather than going to the ghost.
  auto next = cluster.connect_visitor(c, "acme");
  next.send_message("hello?");
  CHECK(str(next.ws.next_of_type("conversation.queued", 10s), "type") == "conversation.queued");
}
