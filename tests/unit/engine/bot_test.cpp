// The engine's side of bot conversations, with a scripted pipeline: what a visitor
// and the agent who takes over would notice (bot messages, one turn at a time,
// hand-off into the queue, the bot silent after a human, restarts).
#include <catch2/catch.hpp>

#include "engine/tenant_engine.hpp"
#include "fakes.hpp"

using namespace sb::engine;
using namespace sb::engine::test;

namespace {

// A pipeline whose answers the test gives, by turn number.
class ScriptedBot : public BotPipeline {
 public:
  explicit ScriptedBot(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}
  const std::string& display_name(std::string_view) const override { return name_; }
  void run_turn(BotTurn turn, std::function<void(BotOutcome)> on_outcome) override {
    turns.push_back(std::move(turn));
    answers.push_back(std::move(on_outcome));
    if (echo) answer(turns.size() - 1, say("echo: " + turns.back().text));
  }
  // Delivered later on the executor, as the contract says.
  void answer(size_t turn, BotOutcome outcome) {
    boost::asio::post(executor_,
                      [fn = answers.at(turn), outcome = std::move(outcome)] { fn(outcome); });
  }
  static BotOutcome say(std::string text, bool final = true) {
    BotOutcome o;
    o.replies.push_back(BotReply{std::move(text), {}});
    o.final = final;
    return o;
  }

  std::vector<BotTurn> turns;
  std::vector<std::function<void(BotOutcome)>> answers;
  bool echo = false;

 private:
  boost::asio::any_io_executor executor_;
  std::string name_ = "Helper";
};

AgentState agent(std::string id) {
  AgentState a;
  a.id = id;
  a.email = id + "@t.test";
  a.name = "Agent " + id;
  a.role = "agent";
  a.max_concurrent = 3;
  return a;
}

Identity visitor(std::string id) {
  return Identity{Role::visitor, std::move(id), "Visitor", ""};
}
Identity agent_identity(std::string id, std::string role = "agent") {
  return Identity{Role::agent, std::move(id), "", std::move(role)};
}

std::string string_of(const boost::json::value& v) {
  return std::string(v.as_string());
}

struct BotFixture {
  boost::asio::io_context ioc;
  boost::asio::any_io_executor strand = boost::asio::make_strand(ioc);
  std::shared_ptr<FakeStore> store = std::make_shared<FakeStore>(strand);
  std::shared_ptr<sb::metrics::TenantMetrics> metrics =
      std::make_shared<sb::metrics::TenantMetrics>();
  std::shared_ptr<ScriptedBot> bot;
  std::shared_ptr<TenantEngine> engine;
  uint64_t next_peer = 1;

  BotFixture() { restart(); }
  // A turn the test never answers keeps its callback, which holds the engine, in
  // the bot the engine holds: drop them, or LeakSanitizer reports the whole engine.
  ~BotFixture() {
    if (bot) bot->answers.clear();
  }

  // A new engine and a new pipeline on the same storage: a server restart.
  void restart() {
    if (bot) bot->answers.clear();
    bot = std::make_shared<ScriptedBot>(strand);
    engine = std::make_shared<TenantEngine>("t1", strand, store, metrics);
    engine->set_agents({agent("ann"), agent("boss")});
    engine->set_routing_chain({std::make_shared<LeastLoadedRouter>()});
    EnginePolicy policy;
    policy.bot_first = true;
    engine->set_policy(policy);
    engine->set_bot(bot);
    bool ok = false;
    engine->start([&](bool started, std::string) { ok = started; });
    settle();
    REQUIRE(ok);
  }
  void settle() { settle_soon(ioc); }
  std::shared_ptr<FakePeer> peer() { return std::make_shared<FakePeer>(next_peer++); }
  std::shared_ptr<FakePeer> visitor_peer(const std::string& id) {
    auto p = peer();
    engine->visitor_hello(p, visitor(id), "tok", {});
    settle();
    return p;
  }
  void say(const std::shared_ptr<FakePeer>& p, const Identity& who, std::string client_msg_id,
           std::string text, std::string conversation_id = {}) {
    MessageCommand m;
    m.client_msg_id = std::move(client_msg_id);
    m.text = std::move(text);
    m.conversation_id = std::move(conversation_id);
    engine->post_message(p, who, std::move(m));
    settle();
  }
  // The conversation record as storage holds it.
  boost::json::object record(const std::string& cid) { return store->conversations.at(cid); }
};

std::vector<std::string> texts_from(const FakePeer& p, std::string_view role) {
  std::vector<std::string> out;
  for (const auto& m : p.of_type("message"))
    if (m.at("from").at("role").as_string() == role) out.push_back(string_of(m.at("text")));
  return out;
}

}  // namespace

TEST_CASE("the bot answers the visitor with an ordinary stored message from role bot") {
  BotFixture f;
  auto vis = f.visitor_peer("v1");
  f.say(vis, visitor("v1"), "m1", "where is my order?");
  REQUIRE(f.bot->turns.size() == 1);
  const BotTurn& turn = f.bot->turns[0];
  CHECK(turn.text == "where is my order?");
  CHECK(turn.seq == 1);
  CHECK(turn.visitor_id == "v1");
  const std::string cid = turn.conversation_id;
  CHECK(string_of(f.record(cid).at("status")) == "bot");

  BotOutcome answer = ScriptedBot::say("Your order number, please?");
  answer.replies[0].quick_replies = {"I don't have it", "Talk to a human"};
  f.bot->answer(0, answer);
  f.settle();

  const auto messages = vis->of_type("message");
  REQUIRE(messages.size() == 1);
  CHECK(string_of(messages[0].at("from").at("role")) == "bot");
  CHECK(string_of(messages[0].at("from").at("name")) == "Helper");
  CHECK(messages[0].at("seq").as_int64() == 2);
  CHECK(string_of(messages[0].at("text")) == "Your order number, please?");
  REQUIRE(messages[0].at("quick_replies").as_array().size() == 2);
  CHECK(string_of(messages[0].at("quick_replies").as_array()[1]) == "Talk to a human");
  // Stored like any other message, after the visitor's.
  REQUIRE(f.store->messages[cid].count(2));
  CHECK(f.store->messages[cid][2].sender_role == "bot");
  CHECK(f.store->messages[cid][2].text == "Your order number, please?");
}

TEST_CASE(
    "a turn's language is the message's where its script says so, else the conversation's so "
    "far, else the widget's") {
  BotFixture f;
  VisitorMeta meta;
  meta.language = "en";
  auto vis = f.peer();
  f.engine->visitor_hello(vis, visitor("v1"), "tok", {}, meta);
  auto other = f.peer();
  f.engine->visitor_hello(other, visitor("v2"), "tok2", {}, meta);
  f.settle();
  f.bot->echo = true;
  f.say(vis, visitor("v1"), "m1", "运费要多少钱");  // Chinese on an English page
  f.say(vis, visitor("v1"), "m2", "SB-10001");      // an order number says nothing
  f.say(vis, visitor("v1"), "m3", "how much is shipping");
  f.say(vis, visitor("v1"), "m4", "ok");
  f.say(other, visitor("v2"), "m1", "ok");  // nothing said before: the widget's
  REQUIRE(f.bot->turns.size() == 5);
  CHECK(f.bot->turns[0].language == "zh");
  CHECK(f.bot->turns[1].language == "zh");
  CHECK(f.bot->turns[2].language == "en");
  CHECK(f.bot->turns[3].language == "en");
  CHECK(f.bot->turns[4].language == "en");

  // The page switched to Chinese (a new hello): what the visitor said before no
  // longer decides.
  meta.language = "zh";
  f.engine->visitor_hello(vis, visitor("v1"), "tok", {}, meta);
  f.settle();
  f.say(vis, visitor("v1"), "m5", "SB-10002");
  REQUIRE(f.bot->turns.size() == 6);
  CHECK(f.bot->turns[5].language == "zh");
}

TEST_CASE("the bot gets the visitor's messages one at a time, in seq order") {
  BotFixture f;
  auto vis = f.visitor_peer("v1");
  f.say(vis, visitor("v1"), "m1", "one");
  f.say(vis, visitor("v1"), "m2", "two");
  f.say(vis, visitor("v1"), "m3", "three");
  REQUIRE(f.bot->turns.size() == 1);  // the first turn has not answered yet

  f.bot->answer(0, ScriptedBot::say("first answer"));
  f.settle();
  REQUIRE(f.bot->turns.size() == 2);
  CHECK(f.bot->turns[1].text == "two");
  CHECK(f.bot->turns[1].seq == 2);
  // The stages see what was said before, the bot's answer included.
  REQUIRE(f.bot->turns[1].history.size() == 1);
  CHECK(f.bot->turns[1].history[0].text == "one");

  f.bot->answer(1, ScriptedBot::say("second answer"));
  f.settle();
  REQUIRE(f.bot->turns.size() == 3);
  CHECK(f.bot->turns[2].text == "three");
  f.bot->answer(2, ScriptedBot::say("third answer"));
  f.settle();
  CHECK(texts_from(*vis, "bot") ==
        std::vector<std::string>{"first answer", "second answer", "third answer"});
}

TEST_CASE("a holding reply goes out at once and the real answer follows in the same turn") {
  BotFixture f;
  auto vis = f.visitor_peer("v1");
  f.say(vis, visitor("v1"), "m1", "a hard question");
  f.say(vis, visitor("v1"), "m2", "hello?");
  f.bot->answer(0, ScriptedBot::say("One moment please…", false));
  f.settle();
  CHECK(texts_from(*vis, "bot") == std::vector<std::string>{"One moment please…"});
  CHECK(f.bot->turns.size() == 1);  // still the first turn
  f.bot->answer(0, ScriptedBot::say("The real answer."));
  f.settle();
  CHECK(texts_from(*vis, "bot") ==
        std::vector<std::string>{"One moment please…", "The real answer."});
  REQUIRE(f.bot->turns.size() == 2);
  CHECK(f.bot->turns[1].text == "hello?");
}

TEST_CASE(
    "a hand-off tells the visitor, queues them with their position, and the agent "
    "sees the bot part of the conversation") {
  BotFixture f;
  auto vis = f.visitor_peer("v1");
  f.say(vis, visitor("v1"), "m1", "my parcel is lost");
  f.bot->answer(0, ScriptedBot::say("Sorry to hear that. Your order number?"));
  f.settle();
  f.say(vis, visitor("v1"), "m2", "talk to a human");
  BotOutcome handoff = ScriptedBot::say("Connecting you to a person.");
  handoff.handoff = true;
  handoff.handoff_reason = "visitor asked";
  f.bot->answer(1, handoff);
  f.settle();

  const std::string cid = f.bot->turns[0].conversation_id;
  // No agent is online: the visitor still hears from us and learns their place.
  CHECK(texts_from(*vis, "bot").back() == "Connecting you to a person.");
  const auto queued = vis->of_type("conversation.queued");
  REQUIRE(queued.size() == 1);
  CHECK(queued[0].at("position").as_int64() == 1);
  CHECK(string_of(f.record(cid).at("status")) == "queued");
  CHECK(f.record(cid).at("bot").at("handed_off").as_bool());

  // An agent comes online and gets it, with the bot's part in the history.
  auto ann = f.peer();
  f.engine->agent_connect(ann, agent_identity("ann"));
  f.settle();
  const auto assigned = ann->of_type("conversation.assigned");
  REQUIRE(assigned.size() == 1);
  const auto& history = assigned[0].at("history").as_array();
  REQUIRE(history.size() == 4);
  CHECK(string_of(history[1].at("from").at("role")) == "bot");
  CHECK(string_of(history[1].at("text")) == "Sorry to hear that. Your order number?");
  CHECK(string_of(history[3].at("text")) == "Connecting you to a person.");

  // From now on the bot is silent: the visitor's messages go to the agent only.
  f.say(vis, visitor("v1"), "m3", "hello?");
  CHECK(f.bot->turns.size() == 2);
  CHECK(texts_from(*ann, "visitor") == std::vector<std::string>{"hello?"});
  CHECK(texts_from(*vis, "bot").size() == 2);
}

TEST_CASE("an answer that arrives after a human took over is dropped") {
  BotFixture f;
  auto vis = f.visitor_peer("v1");
  f.say(vis, visitor("v1"), "m1", "slow question");
  f.bot->answer(0, ScriptedBot::say("Still thinking…", false));
  f.settle();
  const std::string cid = f.bot->turns[0].conversation_id;

  // An admin hands the conversation to an agent while the bot is still thinking.
  auto ann = f.peer();
  f.engine->agent_connect(ann, agent_identity("ann"));
  auto boss = f.peer();
  f.engine->agent_connect(boss, agent_identity("boss", "admin"));
  f.settle();
  f.engine->transfer_conversation(boss, agent_identity("boss", "admin"), cid, "ann", "", "r1");
  f.settle();
  REQUIRE(ann->of_type("conversation.assigned").size() == 1);

  f.bot->answer(0, ScriptedBot::say("The late answer"));
  f.settle();
  CHECK(texts_from(*vis, "bot") == std::vector<std::string>{"Still thinking…"});
  CHECK(texts_from(*ann, "bot").empty());
  for (const auto& [seq, m] : f.store->messages[cid]) CHECK(m.text != "The late answer");
}

TEST_CASE("the bot can close the conversation after its reply") {
  BotFixture f;
  auto vis = f.visitor_peer("v1");
  f.say(vis, visitor("v1"), "m1", "thanks, bye");
  BotOutcome bye = ScriptedBot::say("Goodbye!");
  bye.close = true;
  f.bot->answer(0, bye);
  f.settle();
  CHECK(texts_from(*vis, "bot") == std::vector<std::string>{"Goodbye!"});
  const auto closed = vis->of_type("conversation.closed");
  REQUIRE(closed.size() == 1);
  CHECK(string_of(closed[0].at("by")) == "bot");
  // The reply came before the close.
  size_t reply_at = 0, closed_at = 0;
  for (size_t i = 0; i < vis->frames.size(); ++i) {
    if (vis->frames[i].at("type").as_string() == "message") reply_at = i;
    if (vis->frames[i].at("type").as_string() == "conversation.closed") closed_at = i;
  }
  CHECK(reply_at < closed_at);
  // The next message opens a new conversation, with the bot again.
  f.say(vis, visitor("v1"), "m2", "one more thing");
  REQUIRE(f.bot->turns.size() == 2);
  CHECK(f.bot->turns[1].conversation_id != f.bot->turns[0].conversation_id);
}

TEST_CASE("stage state and attributes are kept with the conversation and survive a restart") {
  BotFixture f;
  auto vis = f.visitor_peer("v1");
  f.say(vis, visitor("v1"), "m1", "order status");
  BotOutcome ask = ScriptedBot::say("Your order number?");
  ask.state["autoreply-flow"] = R"({"node":"ask_order"})";
  ask.set_attributes_json = R"({"topic":"orders"})";
  f.bot->answer(0, ask);
  f.settle();
  const std::string cid = f.bot->turns[0].conversation_id;
  CHECK(string_of(f.record(cid).at("bot").at("state").at("autoreply-flow")) ==
        R"({"node":"ask_order"})");

  // The visitor answers while the server restarts before the bot could reply.
  f.say(vis, visitor("v1"), "m2", "A-12345");
  REQUIRE(f.bot->turns.size() == 2);
  f.restart();

  // The new engine resumes with the bot: the unanswered message gets its turn, with
  // the state and attributes of before.
  REQUIRE(f.bot->turns.size() == 1);
  const BotTurn& resumed = f.bot->turns[0];
  CHECK(resumed.conversation_id == cid);
  CHECK(resumed.text == "A-12345");
  CHECK(resumed.state.at("autoreply-flow") == R"({"node":"ask_order"})");
  CHECK(resumed.attributes_json == R"({"topic":"orders"})");
  REQUIRE(resumed.history.size() == 2);
  CHECK(resumed.history[1].role == "bot");

  auto back = f.visitor_peer("v1");
  BotOutcome done = ScriptedBot::say("Order A-12345 ships tomorrow.");
  done.state["autoreply-flow"] = std::nullopt;
  f.bot->answer(0, done);
  f.settle();
  CHECK(texts_from(*back, "bot") == std::vector<std::string>{"Order A-12345 ships tomorrow."});
  CHECK(f.record(cid).at("bot").at("state").as_object().empty());
  CHECK(f.record(cid).at("bot").at("answered_seq").as_int64() == 3);

  // Answered messages are not answered again after another restart.
  f.restart();
  CHECK(f.bot->turns.empty());
}

TEST_CASE("a conversation the bot handed off never goes back to it") {
  BotFixture f;
  auto vis = f.visitor_peer("v1");
  f.say(vis, visitor("v1"), "m1", "human please");
  BotOutcome handoff;
  handoff.handoff = true;
  f.bot->answer(0, handoff);
  f.settle();
  const std::string cid = f.bot->turns[0].conversation_id;
  CHECK(string_of(f.record(cid).at("status")) == "queued");
  f.restart();
  f.say(vis, visitor("v1"), "m2", "still there?");
  CHECK(f.bot->turns.empty());
  CHECK(string_of(f.record(cid).at("status")) == "queued");
}

TEST_CASE("the bus tells when the bot takes a conversation, answers and hands it off") {
  BotFixture f;
  std::vector<sb::bus::Event> events;
  f.engine->with_bus([&](sb::bus::EventBus& bus) {
    bus.subscribe([&](const sb::bus::Event& e) { events.push_back(e); });
  });
  auto vis = f.visitor_peer("v1");
  f.say(vis, visitor("v1"), "m1", "where is my order?");
  f.bot->answer(0, ScriptedBot::say("One moment.", false));
  f.bot->answer(0, ScriptedBot::say("Your order number, please?"));
  f.settle();
  f.say(vis, visitor("v1"), "m2", "a human please");
  BotOutcome handoff = ScriptedBot::say("Connecting you.");
  handoff.handoff = true;
  handoff.handoff_group = "support";
  handoff.handoff_reason = "the visitor asked for a human";
  f.bot->answer(1, handoff);
  f.settle();
  const std::string cid = f.bot->turns[0].conversation_id;

  std::vector<std::string> seen;  // the bot's events and what follows its hand-off
  std::vector<boost::json::object> payloads;
  for (const auto& e : events) {
    if (e.type == "message.created" || e.type == "conversation.opened") continue;
    CHECK(e.conversation_id == cid);
    CHECK(e.tenant_id == "t1");
    seen.push_back(e.type);
    payloads.push_back(boost::json::parse(e.payload_json).as_object());
  }
  REQUIRE(seen == std::vector<std::string>{"conversation.bot_started", "bot.turn", "bot.turn",
                                           "bot.turn", "conversation.bot_handed_off",
                                           "conversation.queued"});
  CHECK(string_of(payloads[0].at("flow_node")) == "");
  CHECK(string_of(payloads[1].at("outcome")) == "interim");
  CHECK(payloads[1].at("seq").to_number<int64_t>() == 1);
  CHECK(payloads[1].at("replies").to_number<int64_t>() == 1);
  CHECK(string_of(payloads[2].at("outcome")) == "answered");
  CHECK(string_of(payloads[3].at("outcome")) == "handoff");
  CHECK(payloads[3].at("seq").to_number<int64_t>() == 4);
  CHECK(string_of(payloads[4].at("reason")) == "the visitor asked for a human");
  CHECK(string_of(payloads[4].at("group")) == "support");
}

TEST_CASE("without a pipeline a conversation is routed as usual") {
  BotFixture f;
  f.engine->set_bot(nullptr);
  auto ann = f.peer();
  f.engine->agent_connect(ann, agent_identity("ann"));
  auto vis = f.visitor_peer("v1");
  f.say(vis, visitor("v1"), "m1", "hi");
  CHECK(f.bot->turns.empty());
  CHECK(ann->of_type("conversation.assigned").size() == 1);
}

TEST_CASE("bot.turn says which stage answered, from what, its score and the candidates") {
  BotFixture f;
  std::vector<boost::json::object> turns;
  f.engine->with_bus([&](sb::bus::EventBus& bus) {
    bus.subscribe([&](const sb::bus::Event& e) {
      if (e.type == "bot.turn") turns.push_back(boost::json::parse(e.payload_json).as_object());
    });
  });
  auto vis = f.visitor_peer("v1");
  f.say(vis, visitor("v1"), "m1", "how much is postage?");
  BotOutcome answer = ScriptedBot::say("Shipping is free over $50.");
  answer.stage = "autoreply-faq";
  answer.source = "demo/faq.toml#shipping-cost";
  answer.score = 0.72;
  answer.candidates_json =
      R"([{"id":"shipping-cost","score":0.72},{"id":"shipping-time","score":0.1}])";
  f.bot->answer(0, answer);
  f.settle();
  f.say(vis, visitor("v1"), "m2", "tell me a joke");
  f.bot->answer(1, ScriptedBot::say("Hm."));  // a stage that explains nothing
  f.settle();

  REQUIRE(turns.size() == 2);
  CHECK(string_of(turns[0].at("stage")) == "autoreply-faq");
  CHECK(string_of(turns[0].at("source")) == "demo/faq.toml#shipping-cost");
  CHECK(turns[0].at("score").to_number<double>() == Approx(0.72));
  const auto& candidates = turns[0].at("candidates").as_array();
  REQUIRE(candidates.size() == 2);
  CHECK(string_of(candidates[1].as_object().at("id")) == "shipping-time");
  CHECK_FALSE(turns[1].contains("stage"));
  CHECK_FALSE(turns[1].contains("candidates"));
  CHECK_FALSE(turns[1].contains("declined"));

  // Handed off because a stage declined: bot.turn says which and why.
  f.say(vis, visitor("v1"), "m3", "return it to amazon");
  BotOutcome declined = ScriptedBot::say("Connecting you to a person.");
  declined.handoff = true;
  declined.declined_json =
      R"({"stage":"autoreply-faq","why":"not_for_bot","example":"Return it to Amazon?"})";
  f.bot->answer(2, declined);
  f.settle();
  REQUIRE(turns.size() == 3);
  CHECK(string_of(turns[2].at("outcome")) == "handoff");
  CHECK(string_of(turns[2].at("declined").as_object().at("why")) == "not_for_bot");
  CHECK(string_of(turns[2].at("declined").as_object().at("example")) == "Return it to Amazon?");
  CHECK_FALSE(turns[2].contains("instead_of"));

  // Answered instead of the hand-off the intent stage named: bot.turn says which (a new
  // visitor: the first one is with a person now).
  auto other = f.visitor_peer("v2");
  f.say(other, visitor("v2"), "m4", "周末有人工客服吗");
  BotOutcome instead = ScriptedBot::say("人工客服工作时间为周一至周五 9:00-18:00。");
  instead.stage = "autoreply-faq";
  instead.source = "demo/faq.toml#opening-hours";
  instead.score = 0.8;
  instead.instead_of_json =
      R"({"stage":"autoreply-intent","intent":"human","confidence":0.93,"action":"handoff"})";
  f.bot->answer(3, instead);
  f.settle();
  REQUIRE(turns.size() == 4);
  CHECK(string_of(turns[3].at("outcome")) == "answered");
  CHECK(string_of(turns[3].at("instead_of").as_object().at("intent")) == "human");
  CHECK(string_of(turns[3].at("instead_of").as_object().at("action")) == "handoff");
}

TEST_CASE("the record says how the bot's part ended and when a person took and answered it") {
  BotFixture f;
  // Closed by the bot: resolved, and it never waited for a person.
  auto one = f.visitor_peer("v1");
  f.say(one, visitor("v1"), "m1", "opening hours?");
  BotOutcome bye = ScriptedBot::say("9 to 5.");
  bye.close = true;
  f.bot->answer(0, bye);
  f.settle();
  const std::string resolved = f.bot->turns[0].conversation_id;
  CHECK(string_of(f.record(resolved).at("bot_outcome")) == "resolved");
  CHECK(!f.record(resolved).contains("queued_at"));
  CHECK(!f.record(resolved).contains("assigned_at"));

  // Handed off while nobody is online: it waits from the hand-off on.
  auto two = f.visitor_peer("v2");
  f.say(two, visitor("v2"), "m1", "human please");
  CHECK(string_of(f.record(f.bot->turns[1].conversation_id).at("bot_outcome")) == "bot");
  BotOutcome handoff;
  handoff.handoff = true;
  f.bot->answer(1, handoff);
  f.settle();
  const std::string cid = f.bot->turns[1].conversation_id;
  auto waiting = f.record(cid);
  CHECK(string_of(waiting.at("bot_outcome")) == "handed_off");
  const int64_t queued_at = waiting.at("queued_at").as_int64();
  CHECK(queued_at >= waiting.at("created_at").as_int64());
  CHECK(!waiting.contains("assigned_at"));

  // Ann comes online and gets it, then answers; a note would not have counted.
  auto ann = f.peer();
  f.engine->agent_connect(ann, agent_identity("ann"));
  f.settle();
  REQUIRE(string_of(f.record(cid).at("status")) == "assigned");
  const int64_t assigned_at = f.record(cid).at("assigned_at").as_int64();
  CHECK(assigned_at >= queued_at);
  CHECK(!f.record(cid).contains("first_response_at"));
  MessageCommand note;
  note.conversation_id = cid;
  note.client_msg_id = "n1";
  note.text = "checking";
  note.is_private = true;
  f.engine->post_message(ann, agent_identity("ann"), std::move(note));
  f.settle();
  CHECK(!f.record(cid).contains("first_response_at"));
  f.say(ann, agent_identity("ann"), "a1", "Hello, I am Ann.", cid);
  const int64_t first_response = f.record(cid).at("first_response_at").as_int64();
  CHECK(first_response >= assigned_at);

  // A restart keeps them, and later replies do not move them.
  f.restart();
  auto again = f.peer();
  f.engine->agent_connect(again, agent_identity("ann"));
  f.settle();
  f.say(again, agent_identity("ann"), "a2", "Still here.", cid);
  const auto after = f.record(cid);
  CHECK(after.at("queued_at").as_int64() == queued_at);
  CHECK(after.at("assigned_at").as_int64() == assigned_at);
  CHECK(after.at("first_response_at").as_int64() == first_response);
  CHECK(string_of(after.at("bot_outcome")) == "handed_off");
}

TEST_CASE("a question the bot missed is appended to the unanswered log, a No names the question") {
  BotFixture f;
  auto vis = f.visitor_peer("v1");
  f.say(vis, visitor("v1"), "m1", "Can I pay with Klarna?");
  BotOutcome weak = ScriptedBot::say("We accept cards.");
  weak.source = "kb#payment";
  weak.score = 0.3;
  weak.candidates_json = R"([{"id":"payment","score":0.3}])";
  weak.unanswered = "low_confidence";
  weak.feedback_asked = true;
  f.bot->answer(0, weak);
  f.settle();
  REQUIRE(f.store->log_entries.size() == 1);
  const auto first = f.store->log_entries[0];  // a copy: more entries follow
  CHECK(first.log == "bot.unanswered");
  CHECK(first.kind == "asked");
  auto data = boost::json::parse(first.data_json).as_object();
  CHECK(string_of(data.at("question")) == "Can I pay with Klarna?");
  CHECK(string_of(data.at("reason")) == "low_confidence");
  CHECK(string_of(data.at("source")) == "kb#payment");
  CHECK(data.at("candidates").as_array().size() == 1);
  CHECK(first.actor == string_of(data.at("item")));

  // The next message follows a "did this help?": the turn is told so; its "No" is
  // listed under the question it was about, not under "No".
  f.say(vis, visitor("v1"), "m2", "No");
  f.settle();
  REQUIRE(f.bot->turns.size() == 2);
  CHECK(f.bot->turns[1].feedback_asked);
  BotOutcome no = ScriptedBot::say("Sorry that did not help.");
  no.unanswered = "not_helpful";
  no.handoff = true;
  f.bot->answer(1, no);
  f.settle();
  REQUIRE(f.store->log_entries.size() == 2);
  data = boost::json::parse(f.store->log_entries[1].data_json).as_object();
  CHECK(string_of(data.at("question")) == "Can I pay with Klarna?");
  CHECK(string_of(data.at("reason")) == "not_helpful");
  CHECK(f.store->log_entries[1].actor == first.actor);
}

TEST_CASE("an answer the bot was sure of is not listed, and no feedback follows it") {
  BotFixture f;
  auto vis = f.visitor_peer("v1");
  f.say(vis, visitor("v1"), "m1", "shipping?");
  f.bot->answer(0, ScriptedBot::say("Free over $50."));
  f.settle();
  f.say(vis, visitor("v1"), "m2", "No");
  f.settle();
  REQUIRE(f.bot->turns.size() == 2);
  CHECK_FALSE(f.bot->turns[1].feedback_asked);
  CHECK(f.store->log_entries.empty());
}
