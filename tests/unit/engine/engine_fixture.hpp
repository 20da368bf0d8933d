// The engine tests' fixture: a tenant engine on fake storage and peers, with the
// agents and identities the tests use. Shared by engine_test.cpp and
// transfer_test.cpp.
#pragma once

#include <catch2/catch.hpp>

#include "engine/tenant_engine.hpp"
#include "fakes.hpp"

namespace sb::engine::test {

inline AgentState agent(std::string id, uint32_t max_concurrent) {
  AgentState a;
  a.id = id;
  a.email = id + "@t.test";
  a.name = "Agent " + id;
  a.role = "agent";
  a.max_concurrent = max_concurrent;
  return a;
}

// An agent of one group.
inline AgentState member(std::string id, uint32_t max_concurrent, std::string group) {
  AgentState a = agent(std::move(id), max_concurrent);
  a.groups = {std::move(group)};
  return a;
}

inline Identity visitor_id(std::string id) {
  return Identity{Role::visitor, std::move(id), "Visitor", ""};
}
inline Identity agent_id(std::string id) {
  return Identity{Role::agent, std::move(id), "", "agent"};
}

struct Fixture {
  boost::asio::io_context ioc;
  boost::asio::any_io_executor strand = boost::asio::make_strand(ioc);
  std::shared_ptr<FakeStore> store = std::make_shared<FakeStore>(strand);
  std::shared_ptr<sb::metrics::TenantMetrics> metrics =
      std::make_shared<sb::metrics::TenantMetrics>();
  std::shared_ptr<LeastLoadedRouter> router = std::make_shared<LeastLoadedRouter>();
  std::shared_ptr<TenantEngine> engine;
  uint64_t next_peer = 1;

  explicit Fixture(std::vector<AgentState> agents) { restart(std::move(agents)); }

  // A new engine on the same storage: what a server restart looks like.
  void restart(std::vector<AgentState> agents) {
    engine = std::make_shared<TenantEngine>("t1", strand, store, metrics);
    engine->set_agents(std::move(agents));
    engine->set_routing_chain({router});
    // settle() runs until nothing is left to do: no periodic refresh of estimates
    // (queue_test has its own).
    engine->set_queue_estimates(std::chrono::milliseconds(0), sb::monotonic_ms);
    bool ok = false;
    engine->start([&](bool started, std::string) { ok = started; });
    settle();
    REQUIRE(ok);
  }
  void settle() { settle_soon(ioc); }
  // For tests with timers: runs what is ready within the window, timers included.
  void run_for(std::chrono::milliseconds window) {
    ioc.restart();
    ioc.run_for(window);
  }
  std::shared_ptr<FakePeer> peer() { return std::make_shared<FakePeer>(next_peer++); }

  // Visitor v1 says hello on `vis` and writes `text`; returns the conversation it opened.
  std::string visitor_opens(const std::shared_ptr<FakePeer>& vis, std::string text) {
    engine->visitor_hello(vis, visitor_id("v1"), "tok", {});
    say(vis, visitor_id("v1"), "m1", std::move(text));
    settle();
    return std::string(vis->of_type("ack").at(0).at("conversation_id").as_string());
  }

  void say(const std::shared_ptr<FakePeer>& p, const Identity& who, std::string client_msg_id,
           std::string text, std::string conversation_id = {}) {
    MessageCommand m;
    m.client_msg_id = std::move(client_msg_id);
    m.text = std::move(text);
    m.conversation_id = std::move(conversation_id);
    engine->post_message(p, who, std::move(m));
  }
};

inline std::string str(const boost::json::value& v) {
  return std::string(v.as_string());
}

}  // namespace sb::engine::test
