// Per-group queues with fake storage and peers: a visitor's place counts only those
// waiting for the same group, comes with an estimated wait and is sent again as the
// queue moves (or as the estimate drifts); the groups' max_queue_length and
// max_wait_s tell the visitor and keep or close the conversation; a restart keeps
// each conversation's group and chain, and finishes a limit's outcome it interrupted.
#include "queue_fixture.hpp"

TEST_CASE("queue pace: 60 s a place without history, the mean gap measured up to now with it") {
  QueuePace pace;
  CHECK(pace.eta_s("billing", 1, 0) == 60);
  CHECK(pace.eta_s("billing", 3, 0) == 180);

  // Three left the queue 30 s apart: (60 s span + 60 s assumed) / 3 = 40 s a place.
  pace.record("billing", 1000 * kSecond);
  pace.record("billing", 1030 * kSecond);
  pace.record("billing", 1060 * kSecond);
  CHECK(pace.eta_s("billing", 1, 1060 * kSecond) == 40);
  CHECK(pace.eta_s("billing", 2, 1060 * kSecond) == 80);
  // The queue stands still: the estimate grows.
  CHECK(pace.eta_s("billing", 1, 1240 * kSecond) == 100);
  // Other groups have their own pace.
  CHECK(pace.eta_s("sales", 1, 1060 * kSecond) == 60);
  // History older than the window says nothing about now.
  CHECK(pace.eta_s("billing", 1, 1060 * kSecond + QueuePace::kWindow_ms + kSecond) == 60);
}

TEST_CASE("queue pace: a burst does not promise an instant answer, and only recent ones count") {
  QueuePace pace;
  for (int i = 0; i < 3; ++i) pace.record("", 500 * kSecond);
  CHECK(pace.eta_s("", 1, 500 * kSecond) == 20);
  // A fast queue: 30 taken, 2 s apart; only the last 20 are kept.
  for (int i = 0; i < 30; ++i) pace.record("", (600 + 2 * i) * kSecond);
  // Last 20: 620 s .. 658 s; at 658 s: (38 s + 60 s) / 20 = 4.9 s a place.
  CHECK(pace.eta_s("", 1, 658 * kSecond) == 5);
  CHECK(pace.eta_s("", 10, 658 * kSecond) == 49);
}

TEST_CASE("queue pace: time in which the queue could not move does not slow it") {
  QueuePace pace;
  // Three taken 30 s apart while visitors waited, the last at 1060 s: 40 s a place.
  pace.record("billing", 1000 * kSecond);
  pace.record("billing", 1030 * kSecond);
  pace.record("billing", 1060 * kSecond);
  // Then nobody waits for ten minutes: nobody to serve is no slower service.
  pace.set_moving("billing", false, 1060 * kSecond);
  CHECK(pace.eta_s("billing", 1, 1660 * kSecond) == 40);
  CHECK_FALSE(pace.drifts("billing", 1660 * kSecond));
  // Someone waits again: the estimate grows from then on only, (60 + 180 + 60) / 3.
  pace.set_moving("billing", true, 1660 * kSecond);
  CHECK(pace.eta_s("billing", 1, 1840 * kSecond) == 100);
  CHECK(pace.drifts("billing", 1840 * kSecond));
  // Nobody online to serve them: that time does not count either.
  pace.set_moving({{"billing", false}}, 1840 * kSecond);
  CHECK(pace.eta_s("billing", 1, 2000 * kSecond) == 100);
  pace.set_moving({{"billing", true}}, 2000 * kSecond);
  CHECK(pace.eta_s("billing", 1, 2030 * kSecond) == 110);
  // A group left out of the groups someone waits for stands.
  pace.record("sales", 2000 * kSecond);
  pace.set_moving({{"billing", true}}, 2000 * kSecond);
  CHECK(pace.eta_s("sales", 1, 2100 * kSecond) == 60);
}

TEST_CASE("a visitor's position counts only their group's queue and moves as it does") {
  QueueFixture f;
  auto b1 = f.visitor_says("b1", "my invoice is wrong");
  auto s1 = f.visitor_says("s1", "where is my order");
  auto b2 = f.visitor_says("b2", "invoice again");
  auto d1 = f.visitor_says("d1", "hello");
  auto b3 = f.visitor_says("b3", "one more invoice question");

  CHECK(num(last_queued(*b1), "position") == 1);
  CHECK(num(last_queued(*s1), "position") == 1);
  CHECK(num(last_queued(*b2), "position") == 2);
  CHECK(num(last_queued(*d1), "position") == 1);
  CHECK(num(last_queued(*b3), "position") == 3);
  // Nobody is online: no minutes are promised (see the test of nobody online).
  CHECK(last_queued(*b1).at("eta_s").is_null());
  CHECK(last_queued(*b3).at("nobody_online") == true);
  CHECK(f.metrics->conversations_queued.load() == 5);

  // Someone ahead leaves: those behind in billing move up, nobody else hears of it.
  const size_t sales_told = s1->of_type("conversation.queued").size();
  f.engine->close_conversation(b2, queue_visitor("b2"), conversation_of(*b2), "");
  f.settle();
  CHECK(num(last_queued(*b3), "position") == 2);
  CHECK(num(last_queued(*b1), "position") == 1);
  CHECK(s1->of_type("conversation.queued").size() == sales_told);

  // ann (billing) comes online and takes the first: the next moves up, with an
  // estimate from the pace just seen (one taken just now: (0 + 60 s) / 1).
  auto ann = f.agent_connects("ann");
  REQUIRE(ann->of_type("conversation.assigned").size() == 1);
  // The agent's conversation names its group (the console's header shows it at once).
  CHECK(ann->of_type("conversation.assigned")[0].at("conversation").at("group") == "billing");
  CHECK(b1->of_type("conversation.assigned").size() == 1);
  auto moved = last_queued(*b3);
  CHECK(num(moved, "position") == 1);
  // (A millisecond may pass between taking b1 and telling b3: 60 s, rounded up.)
  CHECK(num(moved, "eta_s") >= 60);
  CHECK(num(moved, "eta_s") <= 61);
  CHECK(s1->of_type("conversation.queued").size() == sales_told);
  CHECK(num(last_queued(*d1), "position") == 1);

  // cid (no group) serves the default queue; a billing visitor reconnecting is told
  // their place in billing again.
  auto cid = f.agent_connects("cid");
  CHECK(d1->of_type("conversation.assigned").size() == 1);
  REQUIRE(cid->of_type("conversation.assigned").size() == 1);
  CHECK_FALSE(
      cid->of_type("conversation.assigned")[0].at("conversation").as_object().contains("group"));
  auto again = f.peer();
  f.engine->visitor_hello(again, queue_visitor("b3"), "tok-b3", {});
  f.settle();
  CHECK(num(last_queued(*again), "position") == 1);
  CHECK(again->of_type("conversation.queued").back().contains("eta_s"));
}

TEST_CASE("max_queue_length with offline_message: told, still queued, served in turn") {
  QueueFixture f(
      {{"billing", group("billing", 1, 0, sb::groups::QueueLimitOutcome::offline_message)}});
  auto b1 = f.visitor_says("b1", "invoice 1");
  auto b2 = f.visitor_says("b2", "invoice 2");
  auto s1 = f.visitor_says("s1", "order 1");  // another group: its own limit (none)
  CHECK(system_texts(*b1).empty());
  CHECK(system_texts(*b2) == std::vector<std::string>{"billing is busy: leave a message"});
  CHECK(system_texts(*s1).empty());
  CHECK(num(last_queued(*b2), "position") == 2);
  CHECK(f.metrics->queue_full.load() == 1);

  // The visitor leaves a message; ann comes and gets b1, then b2 with all of it.
  f.writes(b2, "b2", "b2-2", "my account is 42");
  CHECK(b2->of_type("ack").size() == 2);
  auto ann = f.agent_connects("ann");
  REQUIRE(ann->of_type("conversation.assigned").size() == 1);
  f.engine->close_conversation(ann, queue_agent_id("ann"), conversation_of(*b1), "");
  f.settle();
  auto assigned = ann->of_type("conversation.assigned");
  REQUIRE(assigned.size() == 2);
  const auto& history = assigned[1].at("history").as_array();
  REQUIRE(history.size() == 3);
  CHECK(history[1].at("text") == "billing is busy: leave a message");
  CHECK(history[2].at("text") == "my account is 42");
}

TEST_CASE("max_queue_length with message_and_close: the message, then the close") {
  QueueFixture f(
      {{"billing", group("billing", 1, 0, sb::groups::QueueLimitOutcome::message_and_close)}});
  auto b1 = f.visitor_says("b1", "invoice 1");
  auto b2 = f.visitor_says("b2", "invoice 2");
  auto b3 = f.visitor_says("b3", "invoice 3");

  // In order: queued (position 2), the group's message, closed by the system.
  std::vector<std::string> seen;
  for (const auto& frame : b2->frames) seen.emplace_back(frame.at("type").as_string());
  CHECK(seen == std::vector<std::string>{"welcome", "ack", "conversation.queued", "message",
                                         "conversation.closed"});
  CHECK(b2->of_type("conversation.closed")[0].at("by") == "system");
  CHECK(system_texts(*b2) == std::vector<std::string>{"billing is busy: leave a message"});
  CHECK(f.store->conversations.at(conversation_of(*b2)).at("status") == "closed");
  // The next one finds the queue as full as before; the first is untouched.
  CHECK(b3->of_type("conversation.closed").size() == 1);
  CHECK(b1->of_type("conversation.closed").empty());
  CHECK(system_texts(*b1).empty());
  CHECK(f.metrics->queue_full.load() == 2);
  CHECK(f.metrics->conversations_queued.load() == 1);

  // A new message from the closed-out visitor opens a new conversation.
  f.writes(b2, "b2", "b2-2", "hello?");
  CHECK(b2->of_type("ack").back().at("conversation_id").as_string() != conversation_of(*b2));
}

TEST_CASE("max_wait_s: a conversation waiting longer is told once, and closed when so configured") {
  QueueFixture f(
      {{"billing", group("billing", 0, 1, sb::groups::QueueLimitOutcome::message_and_close)},
       {"sales", group("sales", 0, 1, sb::groups::QueueLimitOutcome::offline_message)}});
  auto b1 = f.visitor_says("b1", "invoice");
  auto s1 = f.visitor_says("s1", "order");
  auto d1 = f.visitor_says("d1", "hi");  // the default queue has no limits
  f.run_for(300ms);
  CHECK(system_texts(*b1).empty());
  f.run_for(1200ms);
  CHECK(system_texts(*b1) == std::vector<std::string>{"billing is busy: leave a message"});
  CHECK(b1->of_type("conversation.closed").size() == 1);
  CHECK(system_texts(*s1) == std::vector<std::string>{"sales is busy: leave a message"});
  CHECK(s1->of_type("conversation.closed").empty());
  CHECK(system_texts(*d1).empty());
  CHECK(f.metrics->queue_wait_exceeded.load() == 2);

  // Told once per wait; bob still gets it.
  f.run_for(1200ms);
  CHECK(system_texts(*s1).size() == 1);
  f.engine->set_policy(EnginePolicy{0s, true, 0s});  // a departed agent's chats are requeued
  auto bob = f.agent_connects("bob");
  CHECK(bob->of_type("conversation.assigned").size() == 1);
  CHECK(s1->of_type("conversation.assigned").size() == 1);
  // bob leaves: back in the queue, a new wait, told again when it is too long.
  f.engine->disconnect(bob, queue_agent_id("bob"));
  f.run_for(1600ms);
  CHECK(system_texts(*s1).size() == 2);
  CHECK(f.metrics->queue_wait_exceeded.load() == 3);
}

TEST_CASE("a conversation assigned in time is not touched by max_wait_s") {
  QueueFixture f(
      {{"billing", group("billing", 0, 1, sb::groups::QueueLimitOutcome::message_and_close)}});
  auto b1 = f.visitor_says("b1", "invoice");
  auto ann = f.agent_connects("ann");
  REQUIRE(b1->of_type("conversation.assigned").size() == 1);
  f.run_for(1500ms);
  CHECK(system_texts(*b1).empty());
  CHECK(b1->of_type("conversation.closed").empty());
  CHECK(f.metrics->queue_wait_exceeded.load() == 0);
}

TEST_CASE("after a restart a queued conversation keeps its group, its rule's chain and its place") {
  QueueFixture f({}, {"offer"});  // billing's rule routes with the offering (manual) chain
  auto b1 = f.visitor_says("b1", "invoice 1");
  auto b2 = f.visitor_says("b2", "invoice 2");
  auto d1 = f.visitor_says("d1", "hello");
  const std::string c2 = conversation_of(*b2);

  f.restart();
  auto back = f.peer();
  f.engine->visitor_hello(back, queue_visitor("b2"), "tok-b2", {});
  f.settle();
  CHECK(back->of_type("welcome").at(0).at("conversation_id").as_string() == c2);
  CHECK(num(last_queued(*back), "position") == 2);  // in billing, not among all three
  CHECK(last_queued(*back).contains("eta_s"));

  // cid (no group) takes the default queue's visitor only; billing's wait for ann.
  auto cid = f.agent_connects("cid");
  auto assigned = cid->of_type("conversation.assigned");
  REQUIRE(assigned.size() == 1);
  CHECK(assigned[0].at("conversation").at("id").as_string() == conversation_of(*d1));
  // ann is offered billing's conversations (the rule's chain), not handed one by
  // the tenant's default chain.
  auto ann = f.agent_connects("ann");
  CHECK(ann->of_type("conversation.assigned").empty());
  CHECK(ann->of_type("conversation.offered").size() == 2);
  (void)b1;
}

TEST_CASE("after a restart without its agent, an assigned chat waits behind its group, anew") {
  QueueFixture f(
      {{"billing", group("billing", 0, 2, sb::groups::QueueLimitOutcome::message_and_close)}});
  auto b1 = f.visitor_says("b1", "invoice 1");
  auto ann = f.agent_connects("ann");
  REQUIRE(b1->of_type("conversation.assigned").size() == 1);
  auto b2 = f.visitor_says("b2", "invoice 2");
  f.run_for(1200ms);  // b2 has waited a while; b1 has been with ann all along

  f.restart(false);  // ann is gone from the tenant's config
  auto back1 = f.peer();
  f.engine->visitor_hello(back1, queue_visitor("b1"), "tok-b1", {});
  auto back2 = f.peer();
  f.engine->visitor_hello(back2, queue_visitor("b2"), "tok-b2", {});
  f.run_for(50ms);
  CHECK(num(last_queued(*back2), "position") == 1);
  CHECK(num(last_queued(*back1), "position") == 2);
  // b2's wait went on across the restart; b1's began with it.
  f.run_for(1100ms);
  CHECK(back2->of_type("conversation.closed").size() == 1);
  CHECK(back1->of_type("conversation.closed").empty());
  f.run_for(1400ms);
  CHECK(back1->of_type("conversation.closed").size() == 1);
}

TEST_CASE("a reload that changes max_wait_s applies to those already waiting") {
  QueueFixture f(
      {{"billing", group("billing", 0, 1, sb::groups::QueueLimitOutcome::offline_message)}});
  auto b1 = f.visitor_says("b1", "invoice");
  auto s1 = f.visitor_says("s1", "order");  // sales: no limit yet

  // billing's limit raised to 3 s, sales' set to 1 s.
  f.groups["billing"].max_wait_s = 3;
  f.groups["sales"].max_wait_s = 1;
  f.engine->set_groups(f.groups);
  f.run_for(1600ms);
  CHECK(system_texts(*b1).empty());
  CHECK(system_texts(*s1).size() == 1);
  f.run_for(2000ms);
  CHECK(system_texts(*b1).size() == 1);
  CHECK(f.metrics->queue_wait_exceeded.load() == 2);
}

TEST_CASE("the bus names the routing rule that decided each conversation") {
  QueueFixture f;
  std::vector<sb::bus::Event> events;
  f.engine->with_bus([&](sb::bus::EventBus& bus) {
    bus.subscribe([&](const sb::bus::Event& e) {
      if (e.type == "conversation.decided") events.push_back(e);
    });
  });
  f.visitor_says("b1", "invoice");
  f.visitor_says("d1", "hello");  // no rule fires: the fallback, routed as without a graph
  REQUIRE(events.size() == 2);
  const auto billing = boost::json::parse(events[0].payload_json).as_object();
  CHECK(billing.at("rule") == "billing");
  CHECK(billing.at("rule_index") == 0);
  CHECK(billing.at("actions") == boost::json::array{"route"});
  CHECK(billing.at("while_waiting") == false);
  CHECK(events[0].conversation_id == billing.at("conversation_id").as_string());
  const auto fallback = boost::json::parse(events[1].payload_json).as_object();
  CHECK(fallback.at("rule") == "fallback");
  CHECK(fallback.at("rule_index") == -1);
  CHECK(fallback.at("actions").as_array().empty());
}

TEST_CASE(
    "the over-limit decision is stored with the enqueue: a restart that finds it not carried out "
    "carries it out, once") {
  using sb::groups::QueueLimitOutcome;
  const boost::json::object over{{"over_queue_limit", true}};
  for (auto outcome : {QueueLimitOutcome::message_and_close, QueueLimitOutcome::offline_message}) {
    const bool closing = outcome == QueueLimitOutcome::message_and_close;
    CAPTURE(closing);
    QueueFixture f({{"billing", group("billing", 1, 0, outcome)}});
    // A stop came after c2's enqueue was stored beyond the limit, before its outcome.
    preload(*f.store, "c1", 1'000'000'000);
    preload(*f.store, "c2", 1'000'001'000, over);
    f.restart();

    CHECK(stored_system_texts(*f.store, "c2") ==
          std::vector<std::string>{"billing is busy: leave a message"});
    CHECK(stored_status(*f.store, "c2") == (closing ? "closed" : "queued"));
    CHECK(position_on_return(f, "c2") == (closing ? 0 : 2));
    CHECK(f.metrics->queue_full.load() == 1);
    // The one admitted before it is untouched.
    CHECK(stored_system_texts(*f.store, "c1").empty());
    CHECK(position_on_return(f, "c1") == 1);

    // Another restart: the visitor is not told again.
    f.restart();
    CHECK(stored_system_texts(*f.store, "c2").size() == 1);
    CHECK(stored_status(*f.store, "c2") == (closing ? "closed" : "queued"));
    CHECK(f.metrics->queue_full.load() == 1);
  }
}

TEST_CASE(
    "a chat a stop caught closing at its queue limit is closed by system, told exactly once") {
  QueueFixture f(
      {{"billing", group("billing", 1, 0, sb::groups::QueueLimitOutcome::message_and_close)}});
  const boost::json::object closing{{"over_queue_limit", true},
                                    {"queue_limit_reached", true},
                                    {"queue_limit_seq", 2},
                                    {"close_after_seq", 2}};
  preload(*f.store, "c1", 1'000'000'000);
  // c2's message was stored before the stop; c3's record was, its message not.
  preload(*f.store, "c2", 1'000'001'000, closing);
  preload_limit_message(*f.store, "c2");
  preload(*f.store, "c3", 1'000'002'000, closing);
  // Killed between the offline_message outcome's record and its message.
  f.groups["sales"] = group("sales", 1, 0, sb::groups::QueueLimitOutcome::offline_message);
  preload(*f.store, "c4", 1'000'003'000,
          {{"over_queue_limit", true}, {"queue_limit_reached", true}, {"queue_limit_seq", 2}});
  f.store->conversations["c4"]["group"] = "sales";
  f.restart();

  for (const char* id : {"c2", "c3"}) {
    CAPTURE(id);
    CHECK(stored_system_texts(*f.store, id) ==
          std::vector<std::string>{"billing is busy: leave a message"});
    CHECK(stored_status(*f.store, id) == "closed");
    CHECK(position_on_return(f, id) == 0);
  }
  CHECK(stored_system_texts(*f.store, "c4") ==
        std::vector<std::string>{"sales is busy: leave a message"});
  CHECK(position_on_return(f, "c4") == 1);  // in sales
  CHECK(position_on_return(f, "c1") == 1);
  CHECK(f.metrics->queue_full.load() == 0);  // counted by the run that decided it

  // Nothing more on the next start.
  f.restart();
  CHECK(stored_system_texts(*f.store, "c3").size() == 1);
  CHECK(stored_system_texts(*f.store, "c4").size() == 1);
}

TEST_CASE("chats admitted under max_queue_length stay queued after a restart that lowered it") {
  // An earlier run let three wait (no limit then); the limit is now 1.
  QueueFixture f(
      {{"billing", group("billing", 1, 0, sb::groups::QueueLimitOutcome::message_and_close)}});
  preload(*f.store, "c1", 1'000'000'000, {{"over_queue_limit", false}});
  preload(*f.store, "c2", 1'000'001'000, {{"over_queue_limit", false}});
  preload(*f.store, "c3", 1'000'002'000);  // from before the field existed
  f.restart();
  CHECK(position_on_return(f, "c1") == 1);
  CHECK(position_on_return(f, "c2") == 2);
  CHECK(position_on_return(f, "c3") == 3);
  for (const char* id : {"c1", "c2", "c3"}) {
    CHECK(stored_system_texts(*f.store, id).empty());
    CHECK(stored_status(*f.store, id) == "queued");
  }
  CHECK(f.metrics->queue_full.load() == 0);
  // A new arrival finds the queue full: the lowered limit applies to it.
  auto b4 = f.visitor_says("b4", "invoice 4");
  CHECK(system_texts(*b4) == std::vector<std::string>{"billing is busy: leave a message"});
  CHECK(b4->of_type("conversation.closed").size() == 1);
}

TEST_CASE("while a queue stands still its estimate is refreshed, and only when it moved") {
  QueueFixture f;
  int64_t now = 5'000'000;
  f.engine->set_queue_estimates(20ms, [&now] { return now; });
  f.timers = true;  // the refresh timer runs while someone waits with history
  auto b1 = f.visitor_says("b1", "invoice 1");
  auto b2 = f.visitor_says("b2", "invoice 2");
  auto ann = f.agent_connects("ann");  // takes b1: billing has a pace now
  REQUIRE(b1->of_type("conversation.assigned").size() == 1);
  CHECK(num(last_queued(*b2), "position") == 1);
  CHECK(num(last_queued(*b2), "eta_s") == 60);
  const size_t told = b2->of_type("conversation.queued").size();

  // Time stands still: nothing to tell.
  f.run_for(200ms);
  CHECK(b2->of_type("conversation.queued").size() == told);
  // 5 s later the estimate is 65 s: too small a move to announce.
  now += 5'000;
  f.run_for(200ms);
  CHECK(b2->of_type("conversation.queued").size() == told);
  // 30 s after the last one was taken: (30 s + 60 s) / 1 a place.
  now += 25'000;
  f.run_for(200ms);
  REQUIRE(b2->of_type("conversation.queued").size() == told + 1);
  CHECK(num(last_queued(*b2), "position") == 1);
  CHECK(num(last_queued(*b2), "eta_s") == 90);

  // Once nobody waits, the timer stops: the engine runs out of work.
  f.engine->close_conversation(b2, queue_visitor("b2"), conversation_of(*b2), "");
  f.run_for(500ms);
  CHECK(f.ioc.stopped());
  (void)ann;
}

TEST_CASE("a conversation a stop caught before its routing decision is decided at the next start") {
  QueueFixture f;
  // c1: its first message stored, the graph not yet asked. c2: not even the message
  // stored (the visitor never got its ack).
  const boost::json::object undecided{{"group", ""},
                                      {"queue_order", 0},
                                      {"undecided", true},
                                      {"first_message", "about my invoice"}};
  preload(*f.store, "c1", 0, undecided);
  preload(*f.store, "c2", 0, undecided);
  f.store->messages.erase("c2");
  f.restart();

  // The first words, stored with the record, send it to billing's queue.
  CHECK(f.store->conversations.at("c1").at("group") == "billing");
  CHECK(!f.store->conversations.at("c1").contains("undecided"));
  CHECK(position_on_return(f, "c1") == 1);

  // c2 waits for its message; the visitor's resend stores it and the graph decides.
  CHECK(f.store->conversations.at("c2").at("undecided") == true);
  auto p = f.peer();
  f.engine->visitor_hello(p, queue_visitor("v-c2"), "tok", {});
  f.writes(p, "v-c2", "c2-1", "about my invoice");  // the resend
  REQUIRE(p->of_type("ack").size() == 1);
  CHECK(conversation_of(*p) == "c2");
  CHECK(f.store->conversations.at("c2").at("group") == "billing");
  CHECK(num(p->of_type("conversation.queued").back(), "position") == 2);

  // ann comes online: billing's first in line.
  auto ann = f.agent_connects("ann");
  REQUIRE(ann->of_type("conversation.assigned").size() == 1);
  CHECK(ann->of_type("conversation.assigned")[0].at("conversation").at("id") == "c1");
}

// A tenant whose file went (or that moved to another node) has its engine stopped:
// what it had armed must not fire into a storage that is fenced by then, nor reach
// its plugins, its bus or its clients. The same timers, unstopped, do fire.
TEST_CASE("a stopped engine: none of its timers fires, nothing queued or answered is handled") {
  QueueFixture f(
      {{"billing", group("billing", 0, 1, sb::groups::QueueLimitOutcome::message_and_close)}},
      {"offer"});
  EnginePolicy policy;
  policy.agent_offline_grace = 1s;
  policy.reroute_unanswered = 1s;
  policy.transfer_offer = 1s;
  f.engine->set_policy(policy);
  std::vector<std::string> events;
  f.engine->with_bus([&](sb::bus::EventBus& bus) {
    bus.subscribe([&](const sb::bus::Event& e) { events.push_back(e.type); });
  });

  // b1 waits for billing, its max_wait_s closes it; s1 is bob's and d1 cid's, each
  // with an answer deadline; bob offers s1 to billing (the offer expires); cid
  // leaves (his grace period ends).
  auto b1 = f.visitor_says("b1", "invoice");
  auto bob = f.agent_connects("bob");
  auto cid = f.agent_connects("cid");
  auto s1 = f.visitor_says("s1", "order");
  auto d1 = f.visitor_says("d1", "hi");
  REQUIRE(s1->of_type("conversation.assigned").size() == 1);
  REQUIRE(d1->of_type("conversation.assigned").size() == 1);
  f.engine->set_routing_chain({f.offering});
  auto ann = f.agent_connects("ann");
  f.engine->transfer_conversation(bob, queue_agent_id("bob"), conversation_of(*s1), "", "billing",
                                  "t1");
  f.settle();
  REQUIRE(ann->of_type("conversation.offered").size() == 2);  // b1, and s1's transfer
  f.engine->disconnect(cid, queue_agent_id("cid"));
  f.settle();

  const std::vector<std::shared_ptr<FakePeer>> peers{b1, s1, d1, bob, cid, ann};
  auto frames_sent = [&] {
    size_t n = 0;
    for (const auto& p : peers) n += p->frames.size();
    return n;
  };
  const size_t frames_before = frames_sent();
  const int writes_before = f.store->writes;
  const size_t events_before = events.size();

  SECTION("unstopped, they fire") {
    f.run_for(1500ms);
    CHECK(b1->of_type("conversation.closed").size() == 1);
    CHECK(!ann->of_type("conversation.offer_withdrawn").empty());
    // cid's d1: rerouted when he did not answer in time, or requeued once he stayed away.
    CHECK(f.metrics->conversations_rerouted.load() + f.metrics->conversations_requeued.load() > 0);
    CHECK(frames_sent() > frames_before);
    CHECK(f.store->writes > writes_before);
    CHECK(events.size() > events_before);
  }
  SECTION("stopped, none fires, and what is asked of it later is not handled") {
    int stops = 0;
    f.engine->stop([&] { ++stops; });
    // Queued behind the stop: dropped, or refused when someone waits for an answer.
    f.writes(b1, "b1", "b1-2", "still there?");
    std::optional<Answer> history;
    f.engine->history(queue_visitor("b1"), conversation_of(*b1), 0, 10,
                      [&](Answer a) { history = std::move(a); });
    f.run_for(1500ms);
    CHECK(stops == 1);
    CHECK(frames_sent() == frames_before);
    CHECK(f.store->writes == writes_before);
    CHECK(events.size() == events_before);
    CHECK(b1->of_type("conversation.closed").empty());
    CHECK(f.metrics->conversations_requeued.load() == 0);
    CHECK(f.metrics->conversations_rerouted.load() == 0);
    CHECK(f.metrics->queue_wait_exceeded.load() == 0);
    REQUIRE(history);
    CHECK(history->error == sb::metrics::ErrorCode::unavailable);
    // Stopping again only says it is done.
    f.engine->stop([&] { ++stops; });
    f.run_for(50ms);
    CHECK(stops == 2);
    // Nothing is left armed: the engine is let go (its timers held it).
    CHECK(f.ioc.stopped());
    const std::weak_ptr<TenantEngine> engine = f.engine;
    f.engine.reset();
    CHECK(engine.expired());
  }
}
