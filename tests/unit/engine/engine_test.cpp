// The conversation engine with fake storage and peers: what visitors and agents
// would notice (acks, seq, order, queue, capacity, resends, restarts).
#include <catch2/catch.hpp>

#include "engine/tenant_engine.hpp"
#include "fakes.hpp"

using namespace sb::engine;
using namespace sb::engine::test;

namespace {

AgentState agent(std::string id, uint32_t max_concurrent) {
  AgentState a;
  a.id = id;
  a.email = id + "@t.test";
  a.name = "Agent " + id;
  a.role = "agent";
  a.max_concurrent = max_concurrent;
  return a;
}

// An agent of one group.
AgentState member(std::string id, uint32_t max_concurrent, std::string group) {
  AgentState a = agent(std::move(id), max_concurrent);
  a.groups = {std::move(group)};
  return a;
}

Identity visitor_id(std::string id) {
  return Identity{Role::visitor, std::move(id), "Visitor", ""};
}
Identity agent_id(std::string id) {
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
  void settle() {
    ioc.restart();
    ioc.run();
  }
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

std::string str(const boost::json::value& v) {
  return std::string(v.as_string());
}

}  // namespace

TEST_CASE("a visitor's message is acked once stored and reaches the online agent in order") {
  Fixture f({agent("ann", 5)});
  auto ann = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  auto vis = f.peer();
  f.engine->visitor_hello(vis, visitor_id("v1"), "tok", {});
  f.settle();
  REQUIRE(vis->of_type("welcome").size() == 1);
  CHECK(vis->of_type("welcome")[0].at("conversation_id").is_null());

  f.say(vis, visitor_id("v1"), "m1", "hello");
  f.say(vis, visitor_id("v1"), "m2", "anyone?");
  f.settle();

  auto acks = vis->of_type("ack");
  REQUIRE(acks.size() == 2);
  CHECK(acks[0].at("seq").as_int64() == 1);
  CHECK(acks[1].at("seq").as_int64() == 2);
  const std::string cid = str(acks[0].at("conversation_id"));
  CHECK(f.store->messages[cid].size() == 2);  // durable before the ack

  // Routed once the first message is stored: it comes as the assignment's history,
  // what follows comes live.
  auto assigned = ann->of_type("conversation.assigned");
  REQUIRE(assigned.size() == 1);
  const auto& history = assigned[0].at("history").as_array();
  REQUIRE(history.size() == 1);
  CHECK(str(history[0].at("text")) == "hello");
  auto msgs = ann->of_type("message");
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0].at("seq").as_int64() == 2);
  CHECK(vis->of_type("message").empty());  // the sender gets acks, not echoes

  f.say(ann, agent_id("ann"), "a1", "hi there", cid);
  f.settle();
  REQUIRE(ann->of_type("ack").size() == 1);
  CHECK(ann->of_type("ack")[0].at("seq").as_int64() == 3);
  REQUIRE(vis->of_type("message").size() == 1);
  CHECK(str(vis->of_type("message")[0].at("from").at("role")) == "agent");
}

TEST_CASE("a resend with the same client_msg_id gets the same ack and is stored once") {
  Fixture f({agent("ann", 5)});
  auto vis = f.peer();
  f.engine->visitor_hello(vis, visitor_id("v1"), "tok", {});
  f.say(vis, visitor_id("v1"), "m1", "hello");
  f.say(vis, visitor_id("v1"), "m1", "hello");  // while the first is in flight
  f.settle();
  auto again = f.peer();  // and after a reconnect
  f.engine->visitor_hello(again, visitor_id("v1"), "tok", {});
  f.say(again, visitor_id("v1"), "m1", "hello");
  f.settle();

  auto first = vis->of_type("ack");
  REQUIRE(first.size() == 2);
  REQUIRE(again->of_type("ack").size() == 1);
  CHECK(first[0].at("message_id") == first[1].at("message_id"));
  CHECK(again->of_type("ack")[0].at("message_id") == first[0].at("message_id"));
  CHECK(f.store->append_calls == 1);
}

TEST_CASE("a resend of any of the last 1,024 messages gets its own ack; older ones are new") {
  Fixture f({agent("ann", 5)});
  auto vis = f.peer();
  f.engine->visitor_hello(vis, visitor_id("v1"), "tok", {});
  // 1,100 messages: the window of remembered acks is full, then moves on by 76.
  for (int i = 1; i <= 1100; ++i) f.say(vis, visitor_id("v1"), "m" + std::to_string(i), "t");
  f.settle();
  const auto acks = vis->of_type("ack");
  REQUIRE(acks.size() == 1100);
  CHECK(f.store->append_calls == 1100);

  auto again = f.peer();
  f.engine->visitor_hello(again, visitor_id("v1"), "tok", {});
  for (const int i : {1100, 1000, 77, 76})  // newest, inside, oldest kept, just forgotten
    f.say(again, visitor_id("v1"), "m" + std::to_string(i), "t");
  f.settle();
  const auto answers = again->of_type("ack");
  REQUIRE(answers.size() == 4);
  CHECK(answers[0].at("message_id") == acks[1099].at("message_id"));
  CHECK(answers[0].at("seq") == acks[1099].at("seq"));
  CHECK(answers[1].at("message_id") == acks[999].at("message_id"));
  CHECK(answers[2].at("message_id") == acks[76].at("message_id"));
  CHECK(answers[2].at("seq").as_int64() == 77);
  // Forgotten: stored again as a new message (the window covers any real resend).
  CHECK(answers[3].at("seq").as_int64() == 1101);
  CHECK(f.store->append_calls == 1101);
}

TEST_CASE("participants see seq order even when storage finishes out of order") {
  Fixture f({agent("ann", 5)});
  auto ann = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  auto vis = f.peer();
  f.engine->visitor_hello(vis, visitor_id("v1"), "tok", {});
  f.say(vis, visitor_id("v1"), "m0", "opening");
  f.settle();
  REQUIRE(ann->of_type("conversation.assigned").size() == 1);
  f.store->hold_appends = true;
  for (int i = 2; i <= 6; ++i)
    f.say(vis, visitor_id("v1"), "m" + std::to_string(i), "text " + std::to_string(i));
  f.settle();
  f.store->release_reversed();  // seq 6 is durable first
  f.settle();
  auto msgs = ann->of_type("message");
  REQUIRE(msgs.size() == 5);
  for (int i = 0; i < 5; ++i) CHECK(msgs[i].at("seq").as_int64() == i + 2);
}

TEST_CASE("no agent above capacity; the queue is served in order when capacity frees") {
  Fixture f({agent("ann", 2)});
  auto ann = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  std::vector<std::shared_ptr<FakePeer>> visitors;
  for (int i = 0; i < 4; ++i) {
    auto v = f.peer();
    f.engine->visitor_hello(v, visitor_id("v" + std::to_string(i)), "tok", {});
    f.say(v, visitor_id("v" + std::to_string(i)), "m", "help");
    visitors.push_back(v);
    f.settle();
  }
  CHECK(ann->of_type("conversation.assigned").size() == 2);
  REQUIRE(visitors[2]->of_type("conversation.queued").size() == 1);
  CHECK(visitors[2]->of_type("conversation.queued")[0].at("position").as_int64() == 1);
  CHECK(visitors[3]->of_type("conversation.queued")[0].at("position").as_int64() == 2);

  const auto first = str(ann->of_type("conversation.assigned")[0].at("conversation").at("id"));
  f.engine->close_conversation(ann, agent_id("ann"), first, "");
  f.settle();
  CHECK(ann->of_type("conversation.assigned").size() == 3);
  CHECK(visitors[2]->of_type("conversation.assigned").size() == 1);  // the oldest waiting one
  // The last one moved up to position 1.
  CHECK(visitors[3]->of_type("conversation.queued").back().at("position").as_int64() == 1);
  CHECK(visitors[0]->of_type("conversation.closed").size() == 1);
}

TEST_CASE(
    "1,000 visitors at once, 20 agents: each conversation assigned exactly once, capacity held") {
  std::vector<AgentState> agents;
  for (int i = 0; i < 20; ++i) agents.push_back(agent("agent" + std::to_string(100 + i), 40));
  Fixture f(agents);
  std::vector<std::shared_ptr<FakePeer>> agent_peers;
  for (int i = 0; i < 20; ++i) {
    agent_peers.push_back(f.peer());
    f.engine->agent_connect(agent_peers.back(), agent_id("agent" + std::to_string(100 + i)));
  }
  for (int i = 0; i < 1000; ++i) {
    auto v = f.peer();
    f.engine->visitor_hello(v, visitor_id("v" + std::to_string(i)), "tok", {});
    f.say(v, visitor_id("v" + std::to_string(i)), "m", "hi");
  }
  f.settle();
  std::map<std::string, int> times_assigned;
  size_t total = 0;
  for (const auto& p : agent_peers) {
    auto assigned = p->of_type("conversation.assigned");
    CHECK(assigned.size() <= 40);
    total += assigned.size();
    for (const auto& a : assigned) ++times_assigned[str(a.at("conversation").at("id"))];
  }
  CHECK(total == 800);  // 20 agents x 40
  for (const auto& [id, n] : times_assigned) CHECK(n == 1);
  CHECK(f.metrics->conversations_queued.load() == 200);
}

TEST_CASE("after a restart, conversations, queue and resends survive") {
  Fixture f({agent("ann", 1)});
  auto vis = f.peer();
  f.engine->visitor_hello(vis, visitor_id("v1"), "tok", {});
  f.say(vis, visitor_id("v1"), "m1", "first");
  f.settle();
  const auto ack = vis->of_type("ack").at(0);

  f.restart({agent("ann", 1)});
  auto back = f.peer();
  f.engine->visitor_hello(back, visitor_id("v1"), "tok", {{str(ack.at("conversation_id")), 0}});
  f.say(back, visitor_id("v1"), "m1", "first");  // a resend from before the restart
  f.say(back, visitor_id("v1"), "m2", "second");
  f.settle();
  auto welcome = back->of_type("welcome").at(0);
  CHECK(welcome.at("conversation_id") == ack.at("conversation_id"));
  auto acks = back->of_type("ack");
  REQUIRE(acks.size() == 2);
  CHECK(acks[0].at("message_id") == ack.at("message_id"));
  CHECK(acks[1].at("seq").as_int64() == 2);
  REQUIRE(back->of_type("message").size() == 1);  // replay of what it had not seen (seq 1)

  auto ann = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  f.settle();
  auto assigned = ann->of_type("conversation.assigned");
  REQUIRE(assigned.size() == 1);
  CHECK(assigned[0].at("history").as_array().size() == 2);
}

TEST_CASE("a failed write is retried, then held at its seq until stored; nothing is acked before") {
  Fixture f({});
  EnginePolicy policy;
  policy.storage_retry_pause = std::chrono::milliseconds(1);
  f.engine->set_policy(policy);
  auto vis = f.peer();
  f.engine->visitor_hello(vis, visitor_id("v1"), "tok", {});
  f.store->fail_next_appends = 2;  // retried at once
  f.say(vis, visitor_id("v1"), "m1", "retried");
  f.settle();
  REQUIRE(vis->of_type("ack").size() == 1);
  CHECK(vis->of_type("error").empty());

  // Storage away for longer: the sender hears the message is not stored yet, and
  // nothing is acked or delivered while it is not.
  f.store->hold_appends = true;
  f.store->fail_next_appends = 5;
  f.say(vis, visitor_id("v1"), "m2", "held");
  f.settle();
  for (int i = 0; i < 3; ++i) {  // the three attempts at once fail
    f.store->release_reversed();
    f.settle();
  }
  REQUIRE(vis->of_type("error").size() == 1);
  CHECK(str(vis->of_type("error")[0].at("code")) == "unavailable");
  CHECK(vis->of_type("ack").size() == 1);
  // The widget resends it: it waits for the same write, under the same seq.
  f.say(vis, visitor_id("v1"), "m2", "held");
  f.settle();
  // Storage comes back after two more failed tries.
  f.store->hold_appends = false;
  for (int i = 0; i < 3; ++i) {
    f.store->release_reversed();
    f.settle();
  }
  const auto acks = vis->of_type("ack");
  REQUIRE(acks.size() == 3);  // m1, then m2 and its resend, each answered
  CHECK(acks[1].at("seq").as_int64() == 2);
  CHECK(acks[2].at("message_id") == acks[1].at("message_id"));
  CHECK(vis->of_type("error").size() == 1);
  // Stored once, at seq 2; the next message follows without a gap.
  const auto cid = str(acks[1].at("conversation_id"));
  REQUIRE(f.store->messages[cid].size() == 2);
  CHECK(f.store->messages[cid].at(2).text == "held");
  f.say(vis, visitor_id("v1"), "m3", "next");
  f.settle();
  REQUIRE(vis->of_type("ack").size() == 4);
  CHECK(vis->of_type("ack")[3].at("seq").as_int64() == 3);
}

TEST_CASE("a write that keeps failing is given up: the sender is told, nothing is acked") {
  Fixture f({});
  EnginePolicy policy;
  policy.storage_retry_pause = std::chrono::milliseconds(1);
  f.engine->set_policy(policy);
  auto vis = f.peer();
  f.engine->visitor_hello(vis, visitor_id("v1"), "tok", {});
  f.store->fail_next_appends = 1000;
  f.say(vis, visitor_id("v1"), "m1", "lost");
  f.settle();
  CHECK(vis->of_type("ack").empty());
  auto errors = vis->of_type("error");
  REQUIRE(errors.size() == 2);  // not stored yet, then given up
  CHECK(str(errors[0].at("code")) == "unavailable");
  CHECK(str(errors[1].at("code")) == "unavailable");
  CHECK(str(errors[1].at("message")).find("send it again") != std::string::npos);
  CHECK(f.store->append_calls == 33);
  CHECK(f.store->messages.empty());
}

TEST_CASE("read receipts only move forward and are relayed to the other side") {
  Fixture f({agent("ann", 5)});
  auto ann = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  auto vis = f.peer();
  f.engine->visitor_hello(vis, visitor_id("v1"), "tok", {});
  f.say(vis, visitor_id("v1"), "m1", "a");
  f.say(vis, visitor_id("v1"), "m2", "b");
  f.settle();
  const auto cid = str(vis->of_type("ack")[0].at("conversation_id"));
  f.engine->mark_read(ann, agent_id("ann"), cid, 2, "");
  f.engine->mark_read(ann, agent_id("ann"), cid, 1, "");
  f.engine->mark_read(ann, agent_id("ann"), cid, 99, "");  // capped at what exists
  f.settle();
  auto reads = vis->of_type("read");
  REQUIRE(reads.size() == 1);
  CHECK(reads[0].at("seq").as_int64() == 2);
}

TEST_CASE("an agent cannot write into a conversation that is not theirs") {
  Fixture f({agent("ann", 5), agent("bob", 5)});
  auto ann = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  auto vis = f.peer();
  const auto cid = f.visitor_opens(vis, "a");
  auto bob = f.peer();
  f.engine->agent_connect(bob, agent_id("bob"));
  f.say(bob, agent_id("bob"), "b1", "let me in", cid);
  f.say(bob, agent_id("bob"), "b2", "?", "c_nope");
  f.settle();
  auto errors = bob->of_type("error");
  REQUIRE(errors.size() == 2);
  CHECK(str(errors[0].at("code")) == "forbidden");
  CHECK(str(errors[1].at("code")) == "not_found");
}

TEST_CASE("with every strategy deferring, the conversation waits and an agent can accept it") {
  Fixture f({agent("ann", 5)});
  auto deferring = std::make_shared<DeferringRouter>();
  f.engine->set_routing_chain({deferring});
  auto ann = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  auto vis = f.peer();
  f.engine->visitor_hello(vis, visitor_id("v1"), "tok", {});
  f.say(vis, visitor_id("v1"), "m1", "a");
  f.settle();
  CHECK(deferring->calls >= 1);
  REQUIRE(vis->of_type("conversation.queued").size() == 1);
  const auto cid = str(vis->of_type("ack")[0].at("conversation_id"));
  f.engine->accept_conversation(ann, agent_id("ann"), cid, "");
  f.settle();
  CHECK(ann->of_type("conversation.assigned").size() == 1);
  CHECK(vis->of_type("conversation.assigned").size() == 1);
}

TEST_CASE("an offered conversation goes to the first agent who accepts, the rest are told") {
  Fixture f({agent("ann", 1), agent("bob", 1), agent("cy", 1)});
  f.engine->set_routing_chain({std::make_shared<OfferingRouter>()});
  auto ann = f.peer(), bob = f.peer(), cy = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  f.engine->agent_connect(bob, agent_id("bob"));
  f.engine->agent_connect(cy, agent_id("cy"));
  f.engine->set_status(cy, agent_id("cy"), AgentStatus::away);
  auto vis = f.peer();
  const auto cid = f.visitor_opens(vis, "a");
  REQUIRE(ann->of_type("conversation.offered").size() == 1);
  REQUIRE(bob->of_type("conversation.offered").size() == 1);
  CHECK(cy->of_type("conversation.offered").empty());  // away
  CHECK(ann->of_type("conversation.assigned").empty());

  // Both accept in the same instant: the strand orders them, bob's comes first.
  f.engine->accept_conversation(bob, agent_id("bob"), cid, "b");
  f.engine->accept_conversation(ann, agent_id("ann"), cid, "a");
  f.settle();
  CHECK(bob->of_type("conversation.assigned").size() == 1);
  CHECK(ann->of_type("conversation.assigned").empty());
  REQUIRE(ann->of_type("conversation.offer_withdrawn").size() == 1);
  CHECK(str(ann->of_type("conversation.offer_withdrawn")[0].at("reason")) == "taken");
  REQUIRE(ann->of_type("error").size() == 1);
  CHECK(str(ann->of_type("error")[0].at("ref")) == "a");
  CHECK(bob->of_type("conversation.offer_withdrawn").empty());

  // cy comes back: a second visitor's conversation is offered to ann and cy, not to
  // bob (full); when ann leaves, her offer is gone and only cy's remains.
  f.engine->set_status(cy, agent_id("cy"), AgentStatus::online);
  auto vis2 = f.peer();
  f.engine->visitor_hello(vis2, visitor_id("v2"), "tok2", {});
  f.say(vis2, visitor_id("v2"), "m2", "b");
  f.settle();
  CHECK(ann->of_type("conversation.offered").size() == 2);
  CHECK(cy->of_type("conversation.offered").size() == 1);
  CHECK(bob->of_type("conversation.offered").size() == 1);
  const auto cid2 = str(vis2->of_type("ack")[0].at("conversation_id"));
  f.engine->set_status(ann, agent_id("ann"), AgentStatus::away);
  f.settle();
  CHECK(ann->of_type("conversation.offer_withdrawn").size() == 2);
  f.engine->accept_conversation(cy, agent_id("cy"), cid2, "c");
  f.settle();
  CHECK(cy->of_type("conversation.assigned").size() == 1);
  CHECK(ann->of_type("conversation.offer_withdrawn").size() == 2);  // nothing new to withdraw
}

TEST_CASE("routing is told who last served a returning visitor") {
  struct Recorder : LeastLoadedRouter {
    RouteDecision route(const RouteInput& in,
                        std::function<void(std::optional<std::string>)> p) override {
      attributes.push_back(in.attributes_json);
      return LeastLoadedRouter::route(in, std::move(p));
    }
    std::vector<std::string> attributes;
  };
  Fixture f({agent("ann", 5)});
  auto recorder = std::make_shared<Recorder>();
  f.engine->set_routing_chain({recorder});
  auto ann = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  auto vis = f.peer();
  const auto cid = f.visitor_opens(vis, "first visit");
  f.engine->close_conversation(ann, agent_id("ann"), cid, "");
  f.say(vis, visitor_id("v1"), "m2", "I'm back");
  f.settle();
  REQUIRE(recorder->attributes.size() == 2);
  CHECK(recorder->attributes[0].find("last_agent_id") == std::string::npos);
  CHECK(boost::json::parse(recorder->attributes[1]).at("last_agent_id") == "ann");
}

TEST_CASE(
    "an agent who leaves and does not come back within the grace period loses their chats to the "
    "queue") {
  Fixture f({agent("ann", 5), agent("bob", 5)});
  f.engine->set_policy(EnginePolicy{std::chrono::seconds(0), true, std::chrono::seconds(0)});
  auto ann = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  auto vis = f.peer();
  f.engine->visitor_hello(vis, visitor_id("v1"), "tok", {});
  f.say(vis, visitor_id("v1"), "m1", "help");
  f.settle();
  REQUIRE(ann->of_type("conversation.assigned").size() == 1);
  f.engine->disconnect(ann, agent_id("ann"));
  f.settle();
  CHECK(f.metrics->conversations_requeued.load() == 1);
  REQUIRE(vis->of_type("conversation.queued").size() == 1);
  auto bob = f.peer();
  f.engine->agent_connect(bob, agent_id("bob"));
  f.settle();
  auto assigned = bob->of_type("conversation.assigned");
  REQUIRE(assigned.size() == 1);
  CHECK(assigned[0].at("history").as_array().size() == 1);
}

TEST_CASE("with on_agent_offline = keep, a departed agent keeps their chats") {
  Fixture f({agent("ann", 5)});
  f.engine->set_policy(EnginePolicy{std::chrono::seconds(0), false, std::chrono::seconds(0)});
  auto ann = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  auto vis = f.peer();
  f.engine->visitor_hello(vis, visitor_id("v1"), "tok", {});
  f.say(vis, visitor_id("v1"), "m1", "help");
  f.settle();
  f.engine->disconnect(ann, agent_id("ann"));
  f.settle();
  auto back = f.peer();
  f.engine->agent_connect(back, agent_id("ann"));
  f.settle();
  CHECK(back->of_type("welcome").at(0).at("conversations").as_array().size() == 1);
  CHECK(f.metrics->conversations_requeued.load() == 0);
}

TEST_CASE("a conversation the agent does not answer in time goes to another agent") {
  Fixture f({agent("ann", 5), agent("bob", 5)});
  f.engine->set_policy(EnginePolicy{std::chrono::seconds(60), true, std::chrono::seconds(1)});
  auto ann = f.peer();
  auto bob = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  f.engine->agent_connect(bob, agent_id("bob"));
  auto vis = f.peer();
  f.engine->visitor_hello(vis, visitor_id("v1"), "tok", {});
  f.say(vis, visitor_id("v1"), "m1", "first");
  f.run_for(std::chrono::milliseconds(300));
  REQUIRE(ann->of_type("conversation.assigned").size() == 1);  // least loaded, then by id
  CHECK(bob->of_type("conversation.assigned").empty());

  f.run_for(std::chrono::milliseconds(1200));  // ann's deadline passes unanswered
  CHECK(ann->of_type("conversation.unassigned").size() == 1);
  REQUIRE(bob->of_type("conversation.assigned").size() == 1);
  CHECK(f.metrics->conversations_rerouted.load() == 1);

  // Bob answers in time: it stays with him.
  const auto cid = str(vis->of_type("ack")[0].at("conversation_id"));
  f.say(bob, agent_id("bob"), "b1", "hello, I'm here", cid);
  f.run_for(std::chrono::milliseconds(1300));
  CHECK(f.metrics->conversations_rerouted.load() == 1);
  CHECK(bob->of_type("conversation.unassigned").empty());
  CHECK(vis->of_type("message").size() == 1);
}

TEST_CASE("an agent's private note reaches other agents' tabs, never the visitor") {
  Fixture f({agent("ann", 5)});
  auto ann = f.peer();
  auto ann_tab2 = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  f.engine->agent_connect(ann_tab2, agent_id("ann"));
  auto vis = f.peer();
  const auto cid = f.visitor_opens(vis, "hi");
  MessageCommand note;
  note.conversation_id = cid;
  note.client_msg_id = "n1";
  note.text = "VIP customer, be nice";
  note.is_private = true;
  f.engine->post_message(ann, agent_id("ann"), note);
  f.settle();
  CHECK(ann->of_type("ack").size() == 1);
  REQUIRE(ann_tab2->of_type("message").size() == 1);
  CHECK(ann_tab2->of_type("message")[0].at("private") == true);
  CHECK(vis->of_type("message").empty());
  // Nor on a resume replay.
  auto again = f.peer();
  f.engine->visitor_hello(again, visitor_id("v1"), "tok", {{cid, 0}});
  f.settle();
  CHECK(again->of_type("message").size() == 1);  // its own "hi", not the note
}

TEST_CASE("a transfer to a group waits for a strategy that answers later") {
  Fixture f({member("ann", 5, "support"), member("bob", 5, "sales"), member("cara", 5, "sales")});
  auto later = std::make_shared<PendingRouter>();
  f.engine->set_routing_chain({later, f.router});
  auto ann = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  auto vis = f.peer();
  const auto cid = f.visitor_opens(vis, "I want to buy");
  REQUIRE(ann->of_type("conversation.assigned").size() == 1);
  auto bob = f.peer();
  auto cara = f.peer();
  f.engine->agent_connect(bob, agent_id("bob"));
  f.engine->agent_connect(cara, agent_id("cara"));
  f.settle();

  later->pend = true;
  f.engine->transfer_conversation(ann, agent_id("ann"), cid, "", "sales", "t1");
  f.settle();
  REQUIRE(later->waiting.size() == 1);
  // Meanwhile it is ann's, and no second transfer races the first.
  f.say(vis, visitor_id("v1"), "m2", "still there?");
  f.engine->transfer_conversation(ann, agent_id("ann"), cid, "", "sales", "t2");
  f.engine->transfer_conversation(ann, agent_id("ann"), cid, "bob", "", "t3");
  f.settle();
  CHECK(ann->of_type("message").size() == 1);
  CHECK(ann->of_type("conversation.transferred").empty());
  REQUIRE(ann->of_type("error").size() == 2);
  CHECK(str(ann->of_type("error")[0].at("code")) == "forbidden");
  CHECK(str(ann->of_type("error")[1].at("ref")) == "t3");
  CHECK(later->waiting.size() == 1);

  SECTION("the answer moves it") {
    later->answer("cara");
    f.settle();
    REQUIRE(ann->of_type("conversation.transferred").size() == 1);
    CHECK(str(ann->of_type("conversation.transferred")[0].at("to_agent")) == "cara");
    CHECK(cara->of_type("conversation.assigned").size() == 1);
    CHECK(bob->of_type("conversation.assigned").empty());
  }
  SECTION("a defer asks the next strategy") {
    later->answer(std::nullopt);
    f.settle();
    CHECK(bob->of_type("conversation.assigned").size() == 1);  // least-loaded, then id
    CHECK(cara->of_type("conversation.assigned").empty());
  }
  SECTION("an agent outside the group is not obeyed, and nobody free is unavailable") {
    f.engine->set_status(bob, agent_id("bob"), AgentStatus::away);
    f.engine->set_status(cara, agent_id("cara"), AgentStatus::away);
    f.settle();
    later->answer("ann");
    f.settle();
    REQUIRE(ann->of_type("error").size() == 3);
    CHECK(str(ann->of_type("error")[2].at("code")) == "unavailable");
    CHECK(str(ann->of_type("error")[2].at("ref")) == "t1");
    CHECK(ann->of_type("conversation.transferred").empty());
  }
  SECTION("an asker who left hears nothing, and keeps the conversation") {
    auto ann_tab = f.peer();
    f.engine->agent_connect(ann_tab, agent_id("ann"));  // still online through this tab
    f.engine->disconnect(ann, agent_id("ann"));
    f.engine->set_status(bob, agent_id("bob"), AgentStatus::away);
    f.engine->set_status(cara, agent_id("cara"), AgentStatus::away);
    f.settle();
    later->answer(std::nullopt);
    f.settle();
    CHECK(ann->of_type("error").size() == 2);
    CHECK(ann_tab->of_type("error").empty());
    f.say(vis, visitor_id("v1"), "m3", "hello?");
    f.settle();
    CHECK(ann_tab->of_type("message").size() == 1);
  }
  SECTION("a close makes the answer a no-op") {
    f.engine->close_conversation(ann, agent_id("ann"), cid, "c1");
    f.settle();
    later->answer("cara");
    f.settle();
    CHECK(cara->of_type("conversation.assigned").empty());
    CHECK(ann->of_type("error").size() == 2);
  }
}

TEST_CASE("a transfer to a group goes to a free member at once, or stays put") {
  Fixture f({member("ann", 5, "support"), member("bob", 5, "sales"), member("cara", 5, "sales")});
  auto ann = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  auto vis = f.peer();
  const auto cid = f.visitor_opens(vis, "I want to buy");
  REQUIRE(ann->of_type("conversation.assigned").size() == 1);

  // Nobody from sales is online: the conversation stays with ann.
  f.engine->transfer_conversation(ann, agent_id("ann"), cid, "", "sales", "t1");
  f.settle();
  REQUIRE(ann->of_type("error").size() == 1);
  CHECK(str(ann->of_type("error")[0].at("code")) == "unavailable");
  CHECK(ann->of_type("conversation.transferred").empty());

  auto bob = f.peer();
  auto cara = f.peer();
  f.engine->agent_connect(bob, agent_id("bob"));
  f.engine->agent_connect(cara, agent_id("cara"));
  f.settle();
  f.engine->transfer_conversation(ann, agent_id("ann"), cid, "", "sales", "t2");
  f.settle();
  CHECK(ann->of_type("conversation.transferred").size() == 1);
  const auto to_bob = bob->of_type("conversation.assigned").size();
  const auto to_cara = cara->of_type("conversation.assigned").size();
  CHECK(to_bob + to_cara == 1);
  CHECK(vis->of_type("conversation.assigned").size() == 2);
  // Both fields, or neither, is a bad request.
  f.engine->transfer_conversation(ann, agent_id("ann"), cid, "bob", "sales", "t3");
  f.settle();
  CHECK(str(ann->of_type("error").back().at("code")) == "forbidden");  // no longer ann's
}

TEST_CASE("a transfer to a group that routes manually is offered while its agent keeps it") {
  using std::chrono::milliseconds;
  Fixture f({member("ann", 5, "support"), member("bob", 5, "billing"), member("cara", 5, "billing"),
             member("dan", 5, "billing")});
  EnginePolicy policy;
  policy.agent_offline_grace = std::chrono::seconds(0);
  policy.transfer_offer = std::chrono::seconds(1);
  f.engine->set_policy(policy);
  auto ann = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  auto vis = f.peer();
  const auto cid = f.visitor_opens(vis, "a question about my invoice");
  REQUIRE(ann->of_type("conversation.assigned").size() == 1);
  f.engine->set_routing_chain({std::make_shared<OfferingRouter>()});
  auto bob = f.peer(), cara = f.peer();
  f.engine->agent_connect(bob, agent_id("bob"));
  f.engine->agent_connect(cara, agent_id("cara"));
  f.settle();

  // The offer arms a timer: from here on the test runs the strand for a while at a time.
  const auto step = milliseconds(50);
  f.engine->transfer_conversation(ann, agent_id("ann"), cid, "", "billing", "t1");
  f.run_for(step);
  for (const auto& p : {bob, cara}) {
    REQUIRE(p->of_type("conversation.offered").size() == 1);
    const auto offered = p->of_type("conversation.offered")[0];
    CHECK(str(offered.at("conversation").at("id")) == cid);
    CHECK(str(offered.at("transfer").at("group")) == "billing");
    CHECK(str(offered.at("transfer").at("from").at("id")) == "ann");
    CHECK(str(offered.at("transfer").at("from").at("name")) == "Agent ann");
    CHECK(p->of_type("conversation.assigned").empty());
  }
  CHECK(ann->of_type("conversation.offered").empty());
  CHECK(ann->of_type("error").empty());
  CHECK(ann->of_type("conversation.transferred").empty());
  // ann keeps it: the visitor still reaches her, and a second group transfer is refused.
  f.say(vis, visitor_id("v1"), "m2", "still there?");
  f.engine->transfer_conversation(ann, agent_id("ann"), cid, "", "billing", "t2");
  f.engine->accept_conversation(ann, agent_id("ann"), cid, "own");
  f.run_for(step);
  CHECK(ann->of_type("message").size() == 1);
  REQUIRE(ann->of_type("error").size() == 2);
  for (const auto& e : ann->of_type("error")) CHECK(str(e.at("code")) == "forbidden");
  CHECK(str(ann->of_type("error")[1].at("message")) == "you already have this conversation");

  SECTION("the first accept takes it with its history, the others hear it was taken") {
    f.engine->accept_conversation(cara, agent_id("cara"), cid, "c");
    f.engine->accept_conversation(bob, agent_id("bob"), cid, "b");
    f.run_for(step);
    REQUIRE(ann->of_type("conversation.transferred").size() == 1);
    CHECK(str(ann->of_type("conversation.transferred")[0].at("to_agent")) == "cara");
    REQUIRE(cara->of_type("conversation.assigned").size() == 1);
    CHECK(cara->of_type("conversation.assigned")[0].at("history").as_array().size() == 2);
    CHECK(cara->of_type("conversation.offer_withdrawn").empty());
    CHECK(bob->of_type("conversation.assigned").empty());
    REQUIRE(bob->of_type("conversation.offer_withdrawn").size() == 1);
    CHECK(str(bob->of_type("conversation.offer_withdrawn")[0].at("reason")) == "taken");
    REQUIRE(bob->of_type("error").size() == 1);
    CHECK(str(bob->of_type("error")[0].at("message")) ==
          "this conversation was already taken by another agent");
    CHECK(str(vis->of_type("conversation.assigned").back().at("agent").at("id")) == "cara");
    f.say(vis, visitor_id("v1"), "m3", "thanks");
    f.run_for(milliseconds(1200));  // past the offer's limit: nothing more happens
    CHECK(cara->of_type("message").size() == 1);
    CHECK(ann->of_type("message").size() == 1);
    CHECK(ann->of_type("error").size() == 2);
    CHECK(bob->of_type("conversation.offer_withdrawn").size() == 1);
  }
  SECTION("a transfer to one agent (hers, or an admin's) replaces the offer") {
    f.engine->transfer_conversation(ann, agent_id("ann"), cid, "bob", "", "t3");
    f.run_for(step);
    REQUIRE(ann->of_type("conversation.transferred").size() == 1);
    CHECK(str(ann->of_type("conversation.transferred")[0].at("to_agent")) == "bob");
    CHECK(bob->of_type("conversation.assigned").size() == 1);
    CHECK(bob->of_type("conversation.offer_withdrawn").empty());
    REQUIRE(cara->of_type("conversation.offer_withdrawn").size() == 1);
    CHECK(str(cara->of_type("conversation.offer_withdrawn")[0].at("reason")) == "taken");
    f.run_for(milliseconds(1200));  // past the old offer's limit: nobody hears of it
    CHECK(ann->of_type("error").size() == 2);
    CHECK(cara->of_type("conversation.offer_withdrawn").size() == 1);
  }
  SECTION("offers follow the group's agents") {
    f.engine->set_status(bob, agent_id("bob"), AgentStatus::away);
    auto dan = f.peer();
    f.engine->agent_connect(dan, agent_id("dan"));
    auto cara_tab = f.peer();
    f.engine->agent_connect(cara_tab, agent_id("cara"));
    f.run_for(step);
    REQUIRE(bob->of_type("conversation.offer_withdrawn").size() == 1);
    CHECK(str(bob->of_type("conversation.offer_withdrawn")[0].at("reason")) == "unavailable");
    CHECK(dan->of_type("conversation.offered").size() == 1);
    CHECK(cara_tab->of_type("conversation.offered").size() == 1);
    f.engine->accept_conversation(bob, agent_id("bob"), cid, "away");
    f.engine->set_status(bob, agent_id("bob"), AgentStatus::online);
    f.run_for(step);
    CHECK(str(bob->of_type("error")[0].at("code")) == "forbidden");
    CHECK(bob->of_type("conversation.offered").size() == 2);
    f.engine->accept_conversation(dan, agent_id("dan"), cid, "d");
    f.run_for(step);
    CHECK(dan->of_type("conversation.assigned").size() == 1);
    CHECK(str(cara_tab->of_type("conversation.offer_withdrawn")[0].at("reason")) == "taken");
  }
  SECTION("a close withdraws it from everyone and gives it to no one") {
    f.engine->close_conversation(ann, agent_id("ann"), cid, "close");
    f.run_for(step);
    for (const auto& p : {bob, cara}) {
      REQUIRE(p->of_type("conversation.offer_withdrawn").size() == 1);
      CHECK(str(p->of_type("conversation.offer_withdrawn")[0].at("reason")) == "closed");
    }
    f.engine->accept_conversation(bob, agent_id("bob"), cid, "late");
    f.run_for(milliseconds(1200));
    CHECK(str(bob->of_type("error")[0].at("code")) == "not_found");
    CHECK(bob->of_type("conversation.assigned").empty());
    CHECK(ann->of_type("error").size() == 2);  // no "unavailable" for a closed one
  }
  SECTION("its agent losing it withdraws the transfer; it is routed like any requeued chat") {
    f.engine->disconnect(ann, agent_id("ann"));
    f.run_for(step);
    for (const auto& p : {bob, cara}) {
      REQUIRE(p->of_type("conversation.offer_withdrawn").size() == 1);
      CHECK(str(p->of_type("conversation.offer_withdrawn")[0].at("reason")) == "requeued");
      // Offered again, now from the queue: no transfer, nobody to take it from.
      REQUIRE(p->of_type("conversation.offered").size() == 2);
      CHECK_FALSE(p->of_type("conversation.offered")[1].contains("transfer"));
    }
  }
  SECTION("unaccepted in time: withdrawn, and the agent who asked keeps it and is told") {
    f.run_for(milliseconds(1100));
    for (const auto& p : {bob, cara}) {
      REQUIRE(p->of_type("conversation.offer_withdrawn").size() == 1);
      CHECK(str(p->of_type("conversation.offer_withdrawn")[0].at("reason")) == "expired");
    }
    REQUIRE(ann->of_type("error").size() == 3);
    CHECK(str(ann->of_type("error")[2].at("code")) == "unavailable");
    CHECK(str(ann->of_type("error")[2].at("ref")) == "t1");
    f.engine->accept_conversation(bob, agent_id("bob"), cid, "late");
    f.say(vis, visitor_id("v1"), "m3", "hello?");
    f.run_for(step);
    CHECK(str(bob->of_type("error")[0].at("code")) == "forbidden");
    CHECK(ann->of_type("message").size() == 2);
    // Asked again, offered again.
    f.engine->transfer_conversation(ann, agent_id("ann"), cid, "", "billing", "t4");
    f.run_for(step);
    CHECK(bob->of_type("conversation.offered").size() == 2);
  }
}

TEST_CASE("a transfer to a group that routes manually, with nobody free there, stays put at once") {
  Fixture f({member("ann", 5, "support"), member("bob", 1, "billing")});
  auto ann = f.peer(), bob = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  auto vis = f.peer();
  const auto cid = f.visitor_opens(vis, "hello");
  f.engine->agent_connect(bob, agent_id("bob"));
  f.engine->set_status(bob, agent_id("bob"), AgentStatus::away);
  f.engine->set_routing_chain({std::make_shared<OfferingRouter>()});
  f.engine->transfer_conversation(ann, agent_id("ann"), cid, "", "billing", "t1");
  f.settle();  // no offer, so no timer: this returns at once
  REQUIRE(ann->of_type("error").size() == 1);
  CHECK(str(ann->of_type("error")[0].at("code")) == "unavailable");
  CHECK(str(ann->of_type("error")[0].at("ref")) == "t1");
  CHECK(bob->of_type("conversation.offered").empty());
  // Nothing stands in the way of the next try.
  f.engine->set_status(bob, agent_id("bob"), AgentStatus::online);
  f.engine->transfer_conversation(ann, agent_id("ann"), cid, "", "billing", "t2");
  f.run_for(std::chrono::milliseconds(50));
  CHECK(bob->of_type("conversation.offered").size() == 1);
  CHECK(ann->of_type("error").size() == 1);
}

TEST_CASE("an admin moves a waiting conversation to another group's queue") {
  auto root = agent("root", 5);
  root.role = "admin";
  Fixture f({root, member("ann", 5, "support"), member("bob", 5, "billing")});
  const Identity admin{Role::agent, "root", "", "admin"};
  auto desk = f.peer();
  f.engine->agent_connect(desk, admin);
  f.engine->set_status(desk, admin, AgentStatus::away);  // sorting the queue, taking no chats
  auto first = f.peer(), vis = f.peer();
  f.engine->visitor_hello(first, visitor_id("v0"), "tok", {});
  f.say(first, visitor_id("v0"), "m0", "hello");
  const auto cid = f.visitor_opens(vis, "a question about my invoice");
  REQUIRE(vis->of_type("conversation.queued").size() == 1);
  CHECK(vis->of_type("conversation.queued")[0].at("position") == 2);

  // Nobody in billing is online: it waits for billing now, first there.
  f.engine->transfer_conversation(desk, admin, cid, "", "billing", "t1");
  f.settle();
  CHECK(desk->of_type("error").empty());
  CHECK(str(f.store->conversations.at(cid).at("group")) == "billing");
  CHECK(vis->of_type("conversation.queued").back().at("position") == 1);

  // support's agent gets the other visitor only; billing's gets this one.
  auto ann = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  f.settle();
  REQUIRE(ann->of_type("conversation.assigned").size() == 1);
  CHECK(str(ann->of_type("conversation.assigned")[0].at("conversation").at("id")) != cid);
  auto bob = f.peer();
  f.engine->agent_connect(bob, agent_id("bob"));
  f.settle();
  REQUIRE(bob->of_type("conversation.assigned").size() == 1);
  CHECK(str(bob->of_type("conversation.assigned")[0].at("conversation").at("id")) == cid);
}

TEST_CASE("a message's files are checked before its seq; messages behind it keep their order") {
  Fixture f({agent("ann", 5)});
  f.store->add_file("att_1", "visitor", "v1");
  f.store->add_file("att_2", "visitor", "v2");
  auto vis = f.peer();
  f.engine->visitor_hello(vis, visitor_id("v1"), "tok", {});
  auto with_files = [&](std::string client_msg_id, std::vector<std::string> ids) {
    MessageCommand m;
    m.client_msg_id = client_msg_id;
    m.ref = client_msg_id;
    m.attachments = std::move(ids);
    f.engine->post_message(vis, visitor_id("v1"), std::move(m));
  };
  // The files take storage reads; the text behind them must not overtake.
  with_files("m1", {"att_1"});
  f.say(vis, visitor_id("v1"), "m2", "that is my receipt");
  f.settle();
  auto acks = vis->of_type("ack");
  REQUIRE(acks.size() == 2);
  CHECK(str(acks[0].at("client_msg_id")) == "m1");
  CHECK(acks[0].at("seq").as_int64() == 1);
  CHECK(str(acks[0].at("attachments").at(0).at("id")) == "att_1");
  CHECK(str(acks[1].at("client_msg_id")) == "m2");
  CHECK(acks[1].at("seq").as_int64() == 2);
  const std::string cid = str(acks[0].at("conversation_id"));
  CHECK_THAT(f.store->messages[cid][1].attachments_json, Catch::Contains(R"("id":"att_1")"));
  CHECK_THAT(f.store->kv["attachment.conversation"]["att_1"], Catch::Contains(cid));

  // Someone else's file, an unknown one: an error, and nothing stored.
  with_files("m3", {"att_2"});
  with_files("m4", {"att_1", "att_9"});
  f.settle();
  auto errors = vis->of_type("error");
  REQUIRE(errors.size() == 2);
  CHECK(str(errors[0].at("code")) == "forbidden");
  CHECK(str(errors[0].at("ref")) == "m3");
  CHECK(str(errors[1].at("code")) == "not_found");
  CHECK_THAT(str(errors[1].at("message")), Catch::Contains("att_9"));
  CHECK(f.store->messages[cid].size() == 2);
}
