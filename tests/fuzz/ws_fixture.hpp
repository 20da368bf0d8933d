// One tenant's engine on in-memory storage (the unit tests' fakes) and the frame
// handler of the connections the WebSocket harnesses play. Each input gets a fresh
// one, so a finding replays from its input alone.
#pragma once

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "../unit/engine/fakes.hpp"
#include "auth/token_signer.hpp"
#include "common/clock.hpp"
#include "hub/client_frames.hpp"

namespace sb::fuzz {

// The agent the agent harness signs in as; the visitor is routed to her.
inline engine::AgentState fuzz_agent() {
  engine::AgentState ann;
  ann.id = "ann";
  ann.email = "ann@shop.example";
  ann.name = "Ann";
  ann.role = "admin";
  ann.max_concurrent = 3;
  ann.groups = {"support"};
  return ann;
}

struct WsFixture {
  boost::asio::io_context ioc;
  boost::asio::any_io_executor strand = boost::asio::make_strand(ioc);
  std::shared_ptr<metrics::TenantMetrics> metrics = std::make_shared<metrics::TenantMetrics>();
  std::shared_ptr<engine::test::FakeStore> store =
      std::make_shared<engine::test::FakeStore>(strand);
  std::shared_ptr<engine::TenantEngine> engine =
      std::make_shared<engine::TenantEngine>("t1", strand, store, metrics);
  std::shared_ptr<hub::TenantGate> gate;
  auth::TokenSigner signer{std::array<unsigned char, 32>{9, 9, 9}};
  int64_t now_us = 1'000'000'000;
  uint64_t next_peer = 1;

  WsFixture() {
    // A line per conversation restored or routed would cost more than the frame.
    spdlog::set_level(spdlog::level::off);
    engine->set_agents({fuzz_agent()});
    engine->set_routing_chain({std::make_shared<engine::test::LeastLoadedRouter>()});
    // No periodic timers: settle() runs until nothing is left to do.
    engine->set_queue_estimates(std::chrono::milliseconds(0), monotonic_ms);
    // Nor a grace period: an agent who disconnects with a conversation open, or a
    // visitor who leaves the queue, would otherwise arm a 60 s timer that settle()
    // waits out (libFuzzer's timeout).
    engine::EnginePolicy policy;
    policy.agent_offline_grace = std::chrono::seconds(0);
    policy.visitor_offline_grace = std::chrono::milliseconds(0);
    engine->set_policy(policy);
    gate = std::make_shared<hub::TenantGate>("t1", engine, metrics, hub::TenantLimits{});
    engine->start([](bool, std::string) {});
    settle();
  }

  struct Connection {
    hub::ConnectionState state;
    std::shared_ptr<engine::test::FakePeer> peer;
  };

  Connection visitor() {
    Connection c;
    c.state.who.role = engine::Role::visitor;
    c.state.gate = gate;
    c.state.signer = &signer;
    c.peer = std::make_shared<engine::test::FakePeer>(next_peer++);
    return c;
  }

  // As ws_session does once an agent's upgrade is authenticated.
  Connection agent() {
    Connection c;
    c.state.who = engine::Identity{engine::Role::agent, "ann", "Ann", "admin"};
    c.state.gate = gate;
    c.state.signer = &signer;
    c.state.registered = true;
    c.peer = std::make_shared<engine::test::FakePeer>(next_peer++);
    engine->agent_connect(c.peer, c.state.who);
    settle();
    return c;
  }

  // One text frame; a connection closed for abuse takes no more.
  bool frame(Connection& c, std::string_view text) {
    if (c.peer->closed_with != 0) return false;
    now_us += 250'000;
    const auto verdict = hub::handle_text_frame(c.state, c.peer, text, now_us);
    settle();
    return verdict == hub::FrameVerdict::ok;
  }

  void disconnect(Connection& c) {
    if (c.state.registered) engine->disconnect(c.peer, c.state.who);
    settle();
  }

  void settle() {
    ioc.restart();
    ioc.run();
  }
};

// text with every "$C" replaced by conversation (ids are random, so the inputs
// name the visitor's conversation this way).
inline std::string with_conversation(std::string_view text, const std::string& conversation) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == 'C') {
      out += conversation;
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace sb::fuzz
