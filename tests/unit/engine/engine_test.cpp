// The conversation engine with fake storage and peers: what visitors and agents
// would notice (acks, seq, order, queue, capacity, resends, restarts). Transfers
// between agents and groups are in transfer_test.cpp, read marks in
// read_marks_test.cpp.
#include <atomic>
#include <future>
#include <map>
#include <thread>
#include <utility>

#include "engine_fixture.hpp"

using namespace sb::engine;
using namespace sb::engine::test;

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

TEST_CASE("a resend of any of the last 1,024 messages gets its own ack, older ones are new") {
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

TEST_CASE("no agent above capacity, the queue is served in order when capacity frees") {
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

TEST_CASE("a failed write is retried, then held at its seq until stored, nothing is acked before") {
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

  // "Send it again": the same client_msg_id is a new message now, stored and acked.
  f.store->fail_next_appends = 0;
  f.say(vis, visitor_id("v1"), "m1", "lost");
  f.settle();
  REQUIRE(vis->of_type("ack").size() == 1);
  CHECK(f.store->messages.size() == 1);
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

TEST_CASE("a message's files are checked before its seq, messages behind it keep their order") {
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

// The engine runs on a strand served by several threads; stop() is called from yet
// another while commands keep coming from two more. Whatever the strand ran before
// the stop counts; nothing after it does (TSan's build runs this too).
TEST_CASE("stop() from another thread while commands come from several: nothing is handled after") {
  Fixture f({agent("ann", 1000)});
  auto ann = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  constexpr int kVisitors = 8;
  std::vector<std::shared_ptr<FakePeer>> visitors;
  for (int i = 0; i < kVisitors; ++i) {
    visitors.push_back(f.peer());
    f.engine->visitor_hello(visitors.back(), visitor_id("v" + std::to_string(i)), "tok", {});
  }
  f.settle();

  auto work = boost::asio::make_work_guard(f.ioc);
  f.ioc.restart();
  std::vector<std::thread> loops;
  for (int i = 0; i < 3; ++i) loops.emplace_back([&] { f.ioc.run(); });
  // Read on the strand as the stop runs.
  auto frames_now = [&] {
    size_t n = ann->frames.size();
    for (const auto& v : visitors) n += v->frames.size();
    return n;
  };
  size_t frames_at_stop = 0;
  int writes_at_stop = 0;
  std::atomic<bool> has_stopped{false};
  std::promise<void> stopped;
  // Each sender goes on for a while after the stop: those commands are dropped.
  std::vector<std::thread> senders;
  for (int t = 0; t < 2; ++t)
    senders.emplace_back([&, t] {
      int after_stop = 0;
      for (int n = 0; n < 100000 && after_stop < 200; ++n) {
        const int v = t * (kVisitors / 2) + n % (kVisitors / 2);
        f.say(visitors[v], visitor_id("v" + std::to_string(v)), "m" + std::to_string(n), "hi");
        if (has_stopped.load()) ++after_stop;
        if (n % 20 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    });
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    f.engine->stop([&] {
      frames_at_stop = frames_now();
      writes_at_stop = f.store->writes;
      has_stopped = true;
      stopped.set_value();
    });
  });
  for (auto& s : senders) s.join();
  stopper.join();
  stopped.get_future().wait();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  work.reset();
  for (auto& l : loops) l.join();

  CHECK(frames_at_stop > 0);
  CHECK(frames_now() == frames_at_stop);
  CHECK(f.store->writes == writes_at_stop);
}

// A REST question whose storage call is on its way when the engine stops: the
// storage's answer is dropped (nothing runs on a stopped engine), but the caller is
// still answered, `unavailable` (503), rather than never (a closed connection).
TEST_CASE("REST questions whose storage answer comes after stop() are answered unavailable") {
  Fixture f({agent("ann", 1)});
  auto vis = f.peer();
  const std::string cid = f.visitor_opens(vis, "hello");
  std::optional<StoreResult> records;
  std::vector<std::optional<Answer>> answers(3);
  // Each asks the storage first; its answer is queued behind the stop.
  f.engine->list_conversations(agent_id("ann"), R"({"limit":10})",
                               [&](Answer a) { answers[0] = std::move(a); });
  f.engine->history(agent_id("ann"), "c-not-in-memory", 0, 10,
                    [&](Answer a) { answers[1] = std::move(a); });
  TenantEngine::TagChange refund;
  refund.add = {"refund"};
  f.engine->tag_conversation(agent_id("ann"), "c-not-in-memory", std::move(refund),
                             [&](Answer a) { answers[2] = std::move(a); });
  f.engine->stored_records(R"({"limit":10})", [&](StoreResult r) { records = std::move(r); });
  f.engine->stop();
  f.settle();
  for (size_t i = 0; i < answers.size(); ++i) {
    INFO("question " << i);
    REQUIRE(answers[i]);
    CHECK(answers[i]->error == sb::metrics::ErrorCode::unavailable);
    CHECK_THAT(answers[i]->message, Catch::Contains("no longer served"));
  }
  REQUIRE(records);
  CHECK(!records->ok());
  // Asked again, now that it has stopped: refused at once, as before.
  std::optional<Answer> later;
  f.engine->list_conversations(agent_id("ann"), R"({"limit":10})",
                               [&](Answer a) { later = std::move(a); });
  f.settle();
  REQUIRE(later);
  CHECK(later->error == sb::metrics::ErrorCode::unavailable);
  CHECK(f.store->conversations.count(cid) == 1);
}

TEST_CASE(
    "an agent's welcome tells the tenant's frame limit, so the console checks before sending") {
  Fixture f({agent("ann", 1)});
  auto first = f.peer();
  f.engine->agent_connect(first, agent_id("ann"));
  f.settle();
  CHECK(first->of_type("welcome").at(0).at("max_message_bytes").as_int64() == 65536);

  EnginePolicy policy;
  policy.max_message_bytes = 2000;
  f.engine->set_policy(policy);
  auto second = f.peer();
  f.engine->agent_connect(second, agent_id("ann"));
  f.settle();
  CHECK(second->of_type("welcome").at(0).at("max_message_bytes").as_int64() == 2000);
}
