// The queue tests' fixture: an engine with fake storage and peers, groups with their
// queues, and readers of the queued frames (queue_test.cpp, queue_presence_test.cpp).
#pragma once

#include <catch2/catch.hpp>

#include "engine/queue_pace.hpp"
#include "engine/tenant_engine.hpp"
#include "fakes.hpp"

using namespace sb::engine;
using namespace sb::engine::test;
using namespace std::chrono_literals;

namespace {

constexpr int64_t kSecond = 1000;

AgentState queue_agent(std::string id, uint32_t max_concurrent, std::vector<std::string> groups) {
  AgentState a;
  a.id = id;
  a.email = id + "@t.test";
  a.name = "Agent " + id;
  a.role = "agent";
  a.max_concurrent = max_concurrent;
  a.groups = std::move(groups);
  return a;
}

Identity queue_visitor(const std::string& id) {
  return Identity{Role::visitor, id, "Visitor " + id, ""};
}
Identity queue_agent_id(std::string id) {
  return Identity{Role::agent, std::move(id), "", "agent"};
}

// "invoice" in the first message: the billing group, routed with `billing_chain`;
// "order": the sales group; anything else: the tenant's default queue.
std::shared_ptr<const sb::routing_graph::Graph> by_keyword(std::vector<std::string> billing_chain) {
  using namespace sb::routing_graph;
  auto rule = [](std::string id, std::string word, std::string group,
                 std::vector<std::string> chain) {
    Condition when;
    when.type = ConditionType::keywords;
    when.values = {std::move(word)};
    Action route;
    route.type = ActionType::route;
    route.group = std::move(group);
    route.chain = std::move(chain);
    return Rule{std::move(id), {}, {}, true, {when}, {route}};
  };
  auto graph = std::make_shared<Graph>();
  graph->rules = {rule("billing", "invoice", "billing", std::move(billing_chain)),
                  rule("sales", "order", "sales", {})};
  return graph;
}

sb::groups::Group group(std::string id, uint32_t max_queue_length, uint32_t max_wait_s,
                        sb::groups::QueueLimitOutcome outcome) {
  sb::groups::Group g;
  g.id = g.name = std::move(id);
  g.max_queue_length = max_queue_length;
  g.max_wait_s = max_wait_s;
  g.on_queue_limit = outcome;
  g.queue_limit_message = g.id + " is busy: leave a message";
  return g;
}

struct QueueFixture {
  boost::asio::io_context ioc;
  boost::asio::any_io_executor strand = boost::asio::make_strand(ioc);
  std::shared_ptr<FakeStore> store = std::make_shared<FakeStore>(strand);
  std::shared_ptr<sb::metrics::TenantMetrics> metrics =
      std::make_shared<sb::metrics::TenantMetrics>();
  std::shared_ptr<LeastLoadedRouter> router = std::make_shared<LeastLoadedRouter>();
  std::shared_ptr<OfferingRouter> offering = std::make_shared<OfferingRouter>();
  std::shared_ptr<TenantEngine> engine;
  sb::groups::GroupMap groups;
  std::vector<std::string> billing_chain;
  uint64_t next_peer = 1;
  // With max_wait_s timers pending the io_context never runs out of work: settle
  // then runs it for a moment instead.
  bool timers = false;
  // The engine's policy from its start on (a restart's visitor grace periods are
  // armed at the start).
  EnginePolicy policy;

  // ann serves billing, bob sales, cid anything; nobody is connected yet.
  explicit QueueFixture(sb::groups::GroupMap limits = {}, std::vector<std::string> chain = {})
      : groups(std::move(limits)), billing_chain(std::move(chain)) {
    for (const auto& [id, g] : groups) timers = timers || g.max_wait_s > 0;
    for (const char* name : {"billing", "sales"})
      if (!groups.count(name)) groups[name] = group(name, 0, 0, {});
    restart();
  }

  // A new engine on the same storage: what a server restart looks like.
  void restart(bool with_ann = true) {
    engine = std::make_shared<TenantEngine>("t1", strand, store, metrics);
    std::vector<AgentState> agents{queue_agent("bob", 1, {"sales"}), queue_agent("cid", 1, {})};
    if (with_ann) agents.push_back(queue_agent("ann", 1, {"billing"}));
    engine->set_policy(policy);
    engine->set_agents(std::move(agents));
    engine->set_routing_chain({router});
    engine->set_groups(groups);
    engine->set_routing_graph(by_keyword(billing_chain), {{"offer", {offering}}});
    // settle() runs until nothing is left to do: no periodic refresh of estimates,
    // but for the test of it.
    engine->set_queue_estimates(0ms, sb::monotonic_ms);
    bool ok = false;
    engine->start([&](bool started, std::string) { ok = started; });
    settle();
    REQUIRE(ok);
  }
  void settle() {
    if (timers) return run_for(50ms);
    settle_soon(ioc);
  }
  void run_for(std::chrono::milliseconds window) {
    ioc.restart();
    ioc.run_for(window);
  }
  std::shared_ptr<FakePeer> peer() { return std::make_shared<FakePeer>(next_peer++); }

  // A visitor says hello and writes their first message; returns their peer.
  std::shared_ptr<FakePeer> visitor_says(const std::string& id, const std::string& text) {
    auto p = peer();
    engine->visitor_hello(p, queue_visitor(id), "tok-" + id, {});
    writes(p, id, id + "-1", text);
    return p;
  }
  // Visitor `id` writes on peer p, and the engine settles.
  void writes(const std::shared_ptr<FakePeer>& p, const std::string& id, std::string client_msg_id,
              std::string text) {
    MessageCommand m;
    m.client_msg_id = std::move(client_msg_id);
    m.text = std::move(text);
    engine->post_message(p, queue_visitor(id), std::move(m));
    settle();
  }
  std::shared_ptr<FakePeer> agent_connects(const std::string& id) {
    auto p = peer();
    engine->agent_connect(p, queue_agent_id(id));
    settle();
    return p;
  }
};

int64_t num(const boost::json::object& frame, std::string_view key) {
  return frame.at(key).as_int64();
}

// The latest conversation.queued a visitor got.
boost::json::object last_queued(const FakePeer& p) {
  auto frames = p.of_type("conversation.queued");
  REQUIRE(!frames.empty());
  return frames.back();
}

std::vector<std::string> system_texts(const FakePeer& p) {
  std::vector<std::string> out;
  for (const auto& m : p.of_type("message"))
    if (m.at("from").at("role") == "system") out.emplace_back(m.at("text").as_string());
  return out;
}

std::string conversation_of(const FakePeer& p) {
  return std::string(p.of_type("ack").at(0).at("conversation_id").as_string());
}

// A queued billing conversation as an earlier run stored it, with the visitor's
// first message; `extra` is what that run had decided about its queue limit.
void preload(FakeStore& store, const std::string& id, int64_t queue_order,
             boost::json::object extra = {}) {
  boost::json::object record{{"id", id},
                             {"status", "queued"},
                             {"visitor_id", "v-" + id},
                             {"visitor_name", "Visitor " + id},
                             {"assignee", ""},
                             {"group", "billing"},
                             {"chain", ""},
                             {"created_at", queue_order / 1000},
                             {"queue_order", queue_order},
                             {"tags", boost::json::array{}},
                             {"last_agent", ""}};
  for (const auto& [key, value] : extra) record[key] = value;
  store.conversations[id] = std::move(record);
  StoredMessage m;
  m.conversation_id = id;
  m.message_id = "m-" + id;
  m.seq = 1;
  m.sender_role = "visitor";
  m.sender_id = "v-" + id;
  m.sender_name = "Visitor " + id;
  m.client_msg_id = id + "-1";
  m.text = "about my invoice";
  store.messages[id][1] = m;
}

// The group's message, stored as seq 2 (what a run told the visitor before it stopped).
void preload_limit_message(FakeStore& store, const std::string& id) {
  StoredMessage m;
  m.conversation_id = id;
  m.message_id = "m-" + id + "-limit";
  m.seq = 2;
  m.sender_role = m.sender_id = "system";
  m.text = "billing is busy: leave a message";
  store.messages[id][2] = m;
}

// The system messages stored for a conversation, in seq order.
std::vector<std::string> stored_system_texts(FakeStore& store, const std::string& id) {
  std::vector<std::string> out;
  for (const auto& [seq, m] : store.messages[id])
    if (m.sender_role == "system") out.push_back(m.text);
  return out;
}

std::string stored_status(FakeStore& store, const std::string& id) {
  return std::string(store.conversations.at(id).at("status").as_string());
}

// The position a visitor is told when they come back after a restart; 0 = not queued.
int64_t position_on_return(QueueFixture& f, const std::string& id) {
  auto p = f.peer();
  f.engine->visitor_hello(p, queue_visitor("v-" + id), "tok", {});
  f.settle();
  auto queued = p->of_type("conversation.queued");
  return queued.empty() ? 0 : num(queued.back(), "position");
}

}  // namespace
