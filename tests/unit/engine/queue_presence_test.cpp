// Queues and who is there: every agent hears the queue change as it happens, a
// visitor who leaves keeps their place for the grace period (also after a restart),
// the estimate counts only served waits, and with nobody online the visitor is told so.
#include "queue_fixture.hpp"

TEST_CASE("the estimate counts served waits only, and only while someone waited") {
  QueueFixture f;
  f.policy.visitor_offline_grace = 0ms;  // a closed tab leaves the queue at once
  f.restart();
  int64_t now = 5'000'000 * kSecond;
  f.engine->set_queue_estimates(0ms, [&now] { return now; });
  auto ann = f.agent_connects("ann");           // billing, one chat at a time
  auto b1 = f.visitor_says("b1", "invoice 1");  // ann's at once
  REQUIRE(b1->of_type("conversation.assigned").size() == 1);
  auto b2 = f.visitor_says("b2", "invoice 2");
  auto b3 = f.visitor_says("b3", "invoice 3");
  auto b4 = f.visitor_says("b4", "invoice 4");
  CHECK(num(last_queued(*b4), "eta_s") == 180);  // no history: 60 s a place

  // ann is done with b1 and takes b2: one wait served.
  now += 10 * kSecond;
  f.engine->close_conversation(ann, queue_agent_id("ann"), conversation_of(*b1), "");
  f.settle();
  REQUIRE(b2->of_type("conversation.assigned").size() == 1);
  CHECK(num(last_queued(*b4), "eta_s") == 120);  // (0 + 60 s) / 1 a place

  // 100 s later b3 closes their tab, unserved: b4 moves up, and the pace is still
  // one served in 100 s ((100 + 60) / 1), not two ((100 + 60) / 2 = 80).
  now += 100 * kSecond;
  f.engine->disconnect(b3, queue_visitor("b3"));
  f.settle();
  REQUIRE(stored_status(*f.store, conversation_of(*b3)) == "closed");
  CHECK(num(last_queued(*b4), "position") == 1);
  CHECK(num(last_queued(*b4), "eta_s") == 160);

  // b4 is served 30 s later; then the queue stands empty for twenty minutes.
  now += 30 * kSecond;
  f.engine->close_conversation(ann, queue_agent_id("ann"), conversation_of(*b2), "");
  f.settle();
  REQUIRE(b4->of_type("conversation.assigned").size() == 1);
  now += 20 * 60 * kSecond;
  // The next to wait is told the pace seen while visitors waited: two served in
  // 130 s, (130 + 60) / 2 = 95 s, not (20 min + 130 s + 60 s) / 2.
  auto b5 = f.visitor_says("b5", "invoice 5");
  CHECK(num(last_queued(*b5), "position") == 1);
  CHECK(num(last_queued(*b5), "eta_s") == 95);
}

TEST_CASE("every agent hears who joins and leaves the queue, as it happens") {
  QueueFixture f;
  f.policy.visitor_offline_grace = 0ms;  // a closed tab leaves the queue at once
  f.restart();
  auto bob = f.agent_connects("bob");  // sales only: hears of billing's queue all the same
  auto ann = f.agent_connects("ann");
  f.engine->set_status(ann, queue_agent_id("ann"), AgentStatus::away);
  f.settle();
  auto b1 = f.visitor_says("b1", "my invoice is wrong");
  auto b2 = f.visitor_says("b2", "invoice again");
  for (const auto& agent : {bob, ann}) {
    const auto joined = agent->of_type("queue.joined");
    REQUIRE(joined.size() == 2);
    const auto& first = joined[0].at("conversation");
    CHECK(first.at("id").as_string() == conversation_of(*b1));
    CHECK(first.at("status") == "queued");
    CHECK(first.at("group") == "billing");
    CHECK(first.at("first_message") == "my invoice is wrong");
    CHECK(first.at("visitor").at("id") == "b1");
    CHECK(joined[1].at("conversation").at("id").as_string() == conversation_of(*b2));
    CHECK(agent->of_type("queue.left").empty());
  }

  // b1 closes their tab: out of the queue, a missed chat.
  f.engine->disconnect(b1, queue_visitor("b1"));
  f.settle();
  auto left = bob->of_type("queue.left");
  REQUIRE(left.size() == 1);
  CHECK(left[0].at("conversation_id").as_string() == conversation_of(*b1));
  CHECK(left[0].at("status") == "closed");
  CHECK(left[0].at("abandoned_at").as_int64() > 0);

  // ann is back and takes b2: out of the queue, hers.
  f.engine->set_status(ann, queue_agent_id("ann"), AgentStatus::online);
  f.settle();
  REQUIRE(b2->of_type("conversation.assigned").size() == 1);
  left = bob->of_type("queue.left");
  REQUIRE(left.size() == 2);
  CHECK(left[1].at("conversation_id").as_string() == conversation_of(*b2));
  CHECK(left[1].at("status") == "assigned");
  CHECK(left[1].at("assignee") == "ann");
  CHECK_FALSE(left[1].contains("abandoned_at"));
  CHECK(ann->of_type("queue.left").size() == 2);
  CHECK(bob->of_type("queue.joined").size() == 2);
}

TEST_CASE("visitors waiting when the server restarts have the grace period from the restart") {
  QueueFixture f;
  auto b1 = f.visitor_says("b1", "invoice 1");
  auto b2 = f.visitor_says("b2", "invoice 2");
  auto b3 = f.visitor_says("b3", "invoice 3");
  const std::string c1 = conversation_of(*b1), c2 = conversation_of(*b2), c3 = conversation_of(*b3);
  f.policy.visitor_offline_grace = 200ms;
  f.timers = true;  // settle runs 50 ms: less than the grace
  f.restart();

  // b2 is back within the grace period (their widget reconnects), b1 and b3 are not.
  auto back = f.peer();
  f.engine->visitor_hello(back, queue_visitor("b2"), "tok-b2", {});
  f.settle();
  CHECK(num(last_queued(*back), "position") == 2);
  CHECK(stored_status(*f.store, c1) == "queued");
  CHECK(f.metrics->conversations_abandoned.load() == 0);

  // The grace period over, those still gone leave the queue as abandoned, and b2
  // moves up at once.
  f.run_for(300ms);
  CHECK(stored_status(*f.store, c1) == "closed");
  CHECK(stored_status(*f.store, c3) == "closed");
  CHECK(f.store->conversations.at(c1).at("abandoned_at").as_int64() > 0);
  CHECK(f.store->conversations.at(c3).at("abandoned_at").as_int64() > 0);
  CHECK(stored_status(*f.store, c2) == "queued");
  CHECK(num(last_queued(*back), "position") == 1);
  CHECK(f.metrics->conversations_abandoned.load() == 2);
}

TEST_CASE("a visitor gone from the queue keeps their place for the grace period, then leaves it") {
  QueueFixture f;
  EnginePolicy policy;
  policy.visitor_offline_grace = 200ms;
  f.engine->set_policy(policy);
  f.timers = true;  // settle runs 50 ms: less than the grace
  std::vector<std::pair<std::string, std::string>> closed;  // conversation, by
  f.engine->with_bus([&](sb::bus::EventBus& bus) {
    bus.subscribe([&](const sb::bus::Event& e) {
      if (e.type == sb::bus::event::kConversationClosed)
        closed.emplace_back(e.conversation_id,
                            std::string(boost::json::parse(e.payload_json).at("by").as_string()));
    });
  });
  auto b1 = f.visitor_says("b1", "invoice 1");
  auto b2 = f.visitor_says("b2", "invoice 2");
  auto b3 = f.visitor_says("b3", "invoice 3");
  const std::string gone = conversation_of(*b2);
  REQUIRE(num(last_queued(*b3), "position") == 3);

  // b2 closes the tab, and is back (a reload) within the grace: nothing moves.
  f.engine->disconnect(b2, queue_visitor("b2"));
  f.settle();
  auto reloaded = f.peer();
  f.engine->visitor_hello(reloaded, queue_visitor("b2"), "tok-b2", {});
  f.settle();
  CHECK(num(last_queued(*reloaded), "position") == 2);
  // Gone again: the first absence's timer (due now) must not cut this one short.
  f.engine->disconnect(reloaded, queue_visitor("b2"));
  f.run_for(150ms);
  CHECK(stored_status(*f.store, gone) == "queued");
  CHECK(num(last_queued(*b3), "position") == 3);
  CHECK(closed.empty());

  // Still gone after the grace: out of the queue, kept in history as abandoned, and
  // the visitor behind moves up at once.
  f.run_for(250ms);
  CHECK(stored_status(*f.store, gone) == "closed");
  CHECK(f.store->conversations.at(gone).at("abandoned_at").as_int64() > 0);
  CHECK(num(last_queued(*b3), "position") == 2);
  CHECK(num(last_queued(*b1), "position") == 1);
  CHECK(f.metrics->conversations_queued.load() == 2);
  REQUIRE(closed.size() == 1);
  CHECK(closed[0] == std::make_pair(gone, std::string("visitor_left")));

  // Back 0.4 s later (within the come-back window): the same conversation, waiting
  // again at the back of the line; no longer a missed chat.
  auto back = f.peer();
  f.engine->visitor_hello(back, queue_visitor("b2"), "tok-b2", {});
  f.settle();
  const auto welcome = back->of_type("welcome").at(0);
  REQUIRE(welcome.at("conversation").is_object());
  CHECK(welcome.at("conversation").at("id").as_string() == gone);
  CHECK(num(last_queued(*back), "position") == 3);
  CHECK(num(last_queued(*b3), "position") == 2);
  CHECK(stored_status(*f.store, gone) == "queued");
  CHECK_FALSE(f.store->conversations.at(gone).contains("abandoned_at"));
  // The same conversation goes on: the visitor's next message continues its seq.
  f.writes(back, "b2", "b2-2", "still there?");
  CHECK(back->of_type("ack").at(0).at("conversation_id").as_string() == gone);
  CHECK(num(back->of_type("ack").at(0), "seq") == 2);

  // A visitor served by an agent is not abandoned when their tab closes.
  auto ann = f.agent_connects("ann");
  REQUIRE(b1->of_type("conversation.assigned").size() == 1);
  f.engine->disconnect(b1, queue_visitor("b1"));
  f.run_for(300ms);
  CHECK(stored_status(*f.store, conversation_of(*b1)) == "assigned");
  (void)ann;
}

TEST_CASE("with no agent of the group online the visitor is told so, not a growing wait") {
  QueueFixture f;
  int64_t now = 5'000'000;
  f.engine->set_queue_estimates(0ms, [&now] { return now; });
  auto b1 = f.visitor_says("b1", "invoice 1");
  auto b2 = f.visitor_says("b2", "invoice 2");
  auto b3 = f.visitor_says("b3", "invoice 3");
  auto nobody = last_queued(*b3);
  CHECK(num(nobody, "position") == 3);
  CHECK(nobody.at("eta_s").is_null());
  CHECK(nobody.at("nobody_online") == true);
  // cid serves the default queue only: billing still has nobody.
  auto cid = f.agent_connects("cid");
  CHECK(last_queued(*b3).at("eta_s").is_null());

  // ann (billing) comes online and takes b1: the others get minutes again.
  auto ann = f.agent_connects("ann");
  REQUIRE(b1->of_type("conversation.assigned").size() == 1);
  CHECK(num(last_queued(*b2), "eta_s") == 60);
  CHECK_FALSE(last_queued(*b3).contains("nobody_online"));
  CHECK(num(last_queued(*b3), "eta_s") == 120);

  // ann goes away, much later: no minutes, however long the queue has stood still.
  now += 20 * 60 * 1000;
  const size_t told = b3->of_type("conversation.queued").size();
  f.engine->set_status(ann, queue_agent_id("ann"), AgentStatus::away);
  f.settle();
  REQUIRE(b3->of_type("conversation.queued").size() == told + 1);
  CHECK(last_queued(*b3).at("nobody_online") == true);
  CHECK(num(last_queued(*b3), "position") == 2);
  // A reloaded widget hears the same in its welcome.
  auto again = f.peer();
  f.engine->visitor_hello(again, queue_visitor("b3"), "tok-b3", {});
  f.settle();
  const auto open = again->of_type("welcome").at(0).at("conversation").as_object();
  CHECK(open.at("position") == 2);
  CHECK(open.at("eta_s").is_null());
  CHECK(open.at("nobody_online") == true);
  (void)cid;
}
