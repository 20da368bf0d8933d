// Per-group queues with fake storage and peers: a visitor's place counts only those
// waiting for the same group, comes with an estimated wait and is sent again as the
// queue moves (or as the estimate drifts); the groups' max_queue_length and
// max_wait_s tell the visitor and keep or close the conversation; a restart keeps
// each conversation's group and chain, and finishes a limit's outcome it interrupted.
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
