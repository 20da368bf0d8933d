// What the browser widget and the agent console need from the engine beyond the
// chat itself: a welcome that says where a reloaded widget is, the visitor's email
// and hello meta in agents' conversation objects, CSAT ratings of closed
// conversations, and an agent's status kept the same on every tab.
#include <catch2/catch.hpp>

#include "bus/event_bus.hpp"
#include "engine/tenant_engine.hpp"
#include "fakes.hpp"

using namespace sb::engine;
using namespace sb::engine::test;

namespace {

AgentState visitor_extras_agent(std::string id, uint32_t max_concurrent = 2) {
  AgentState a;
  a.id = id;
  a.email = id + "@t.test";
  a.name = "Agent " + id;
  a.role = "agent";
  a.max_concurrent = max_concurrent;
  return a;
}

Identity visitor_extras_visitor(std::string id, std::string name = "Visitor") {
  return Identity{Role::visitor, std::move(id), std::move(name), ""};
}
Identity visitor_extras_agent_id(std::string id, std::string role = "agent") {
  return Identity{Role::agent, std::move(id), "", std::move(role)};
}

struct VisitorExtrasFixture {
  boost::asio::io_context ioc;
  boost::asio::any_io_executor strand = boost::asio::make_strand(ioc);
  std::shared_ptr<FakeStore> store = std::make_shared<FakeStore>(strand);
  std::shared_ptr<sb::metrics::TenantMetrics> metrics =
      std::make_shared<sb::metrics::TenantMetrics>();
  std::shared_ptr<LeastLoadedRouter> router = std::make_shared<LeastLoadedRouter>();
  std::shared_ptr<TenantEngine> engine;
  std::vector<sb::bus::Event> events;
  uint64_t next_peer = 1;

  explicit VisitorExtrasFixture(std::vector<AgentState> agents) { restart(std::move(agents)); }

  void restart(std::vector<AgentState> agents) {
    engine = std::make_shared<TenantEngine>("t1", strand, store, metrics);
    engine->set_agents(std::move(agents));
    engine->set_routing_chain({router});
    engine->set_queue_estimates(std::chrono::milliseconds(0), sb::monotonic_ms);
    engine->with_bus([this](sb::bus::EventBus& bus) {
      bus.subscribe([this](const sb::bus::Event& e) { events.push_back(e); });
    });
    bool ok = false;
    engine->start([&](bool started, std::string) { ok = started; });
    settle();
    REQUIRE(ok);
  }
  void settle() { settle_soon(ioc); }
  std::shared_ptr<FakePeer> peer() { return std::make_shared<FakePeer>(next_peer++); }

  std::shared_ptr<FakePeer> hello(const Identity& who, VisitorMeta meta = {}) {
    auto p = peer();
    engine->visitor_hello(p, who, "tok", {}, std::move(meta));
    settle();
    return p;
  }
  std::shared_ptr<FakePeer> connect(const std::string& id) {
    auto p = peer();
    engine->agent_connect(p, visitor_extras_agent_id(id));
    settle();
    return p;
  }
  // The visitor writes; returns the conversation id from the ack.
  std::string say(const std::shared_ptr<FakePeer>& p, const Identity& who, std::string text,
                  std::string conversation_id = {}) {
    MessageCommand m;
    m.client_msg_id = "m" + std::to_string(++next_msg);
    m.text = std::move(text);
    m.conversation_id = std::move(conversation_id);
    engine->post_message(p, who, std::move(m));
    settle();
    return std::string(p->of_type("ack").back().at("conversation_id").as_string());
  }
  void rate(const std::shared_ptr<FakePeer>& p, const Identity& who, const std::string& id,
            int score, std::string comment = {}) {
    engine->rate_conversation(p, who, id, score, std::move(comment), "r1");
    settle();
  }
  std::vector<sb::bus::Event> events_of(std::string_view type) const {
    std::vector<sb::bus::Event> out;
    for (const auto& e : events)
      if (e.type == type) out.push_back(e);
    return out;
  }
  int next_msg = 0;
};

std::string visitor_extras_str(const boost::json::value& v) {
  return std::string(v.as_string());
}

std::string last_error(const FakePeer& p) {
  auto errors = p.of_type("error");
  return errors.empty() ? "" : visitor_extras_str(errors.back().at("code"));
}

}  // namespace

TEST_CASE("the visitor's welcome says where their open conversation is") {
  VisitorExtrasFixture f({visitor_extras_agent("ann", 1)});

  SECTION("none open: null, and conversation_id null as before") {
    auto v = f.hello(visitor_extras_visitor("v1"));
    const auto welcome = v->of_type("welcome").at(0);
    CHECK(welcome.at("conversation").is_null());
    CHECK(welcome.at("conversation_id").is_null());
  }

  SECTION("assigned: the agent serving it, by name") {
    auto ann = f.connect("ann");
    auto v = f.hello(visitor_extras_visitor("v1"));
    const auto cid = f.say(v, visitor_extras_visitor("v1"), "hello");
    REQUIRE(ann->of_type("conversation.assigned").size() == 1);

    auto reloaded = f.hello(visitor_extras_visitor("v1"));
    const auto welcome = reloaded->of_type("welcome").at(0);
    CHECK(visitor_extras_str(welcome.at("conversation_id")) == cid);
    const auto& c = welcome.at("conversation").as_object();
    CHECK(visitor_extras_str(c.at("id")) == cid);
    CHECK(visitor_extras_str(c.at("status")) == "assigned");
    CHECK(visitor_extras_str(c.at("agent").at("id")) == "ann");
    CHECK(visitor_extras_str(c.at("agent").at("name")) == "Agent ann");
    CHECK(c.at("last_seq").as_int64() == 1);
    CHECK(!c.contains("position"));
    // Agents' labels are theirs: the visitor's view carries no tags or assignee.
    CHECK(!c.contains("tags"));
    CHECK(!c.contains("visitor"));
  }

  SECTION("queued: no agent, its place in line and the estimate") {
    auto ann = f.connect("ann");
    auto first = f.hello(visitor_extras_visitor("v0"));
    f.say(first, visitor_extras_visitor("v0"), "keeping ann busy");
    auto v = f.hello(visitor_extras_visitor("v1"));
    const auto cid = f.say(v, visitor_extras_visitor("v1"), "hello");
    REQUIRE(!v->of_type("conversation.queued").empty());

    auto reloaded = f.hello(visitor_extras_visitor("v1"));
    const auto c = reloaded->of_type("welcome").at(0).at("conversation").as_object();
    CHECK(visitor_extras_str(c.at("id")) == cid);
    CHECK(visitor_extras_str(c.at("status")) == "queued");
    CHECK(c.at("agent").is_null());
    CHECK(c.at("position").as_int64() == 1);
    CHECK(c.at("eta_s").as_int64() == 60);
    // ...and conversation.queued follows as before.
    CHECK(reloaded->of_type("conversation.queued").at(0).at("position").as_int64() == 1);
  }

  SECTION("closed: nothing open any more") {
    auto ann = f.connect("ann");
    auto v = f.hello(visitor_extras_visitor("v1"));
    const auto cid = f.say(v, visitor_extras_visitor("v1"), "hello");
    f.engine->close_conversation(ann, visitor_extras_agent_id("ann"), cid, "");
    f.settle();
    CHECK(v->of_type("conversation.closed").size() == 1);
    auto reloaded = f.hello(visitor_extras_visitor("v1"));
    CHECK(reloaded->of_type("welcome").at(0).at("conversation").is_null());
  }
}

TEST_CASE("agents see the visitor's name, email and hello meta in conversation objects") {
  VisitorExtrasFixture f({visitor_extras_agent("ann", 2)});
  VisitorMeta meta;
  meta.page = "https://shop.example/cart";
  meta.language = "zh-CN";
  meta.attributes_json = R"({"plan":"pro","visits":3})";
  meta.email = "ada@example.com";
  auto v = f.hello(visitor_extras_visitor("v1", "Ada"), meta);
  const auto cid = f.say(v, visitor_extras_visitor("v1", "Ada"), "hello");

  auto check_visitor = [&](const boost::json::value& visitor_object) {
    const auto& o = visitor_object.as_object();
    CHECK(visitor_extras_str(o.at("id")) == "v1");
    CHECK(visitor_extras_str(o.at("name")) == "Ada");
    CHECK(visitor_extras_str(o.at("email")) == "ada@example.com");
    const auto& m = o.at("meta").as_object();
    CHECK(visitor_extras_str(m.at("page")) == "https://shop.example/cart");
    CHECK(visitor_extras_str(m.at("lang")) == "zh-CN");
    CHECK(visitor_extras_str(m.at("plan")) == "pro");
    CHECK(m.at("visits").as_int64() == 3);
  };

  auto ann = f.connect("ann");  // comes online: the waiting conversation is assigned
  const auto assigned = ann->of_type("conversation.assigned");
  REQUIRE(assigned.size() == 1);
  check_visitor(assigned[0].at("conversation").at("visitor"));

  // A second tab's welcome lists it the same way.
  auto tab2 = f.connect("ann");
  check_visitor(tab2->of_type("welcome").at(0).at("conversations").as_array().at(0).at("visitor"));

  // The REST list, read from the stored record.
  std::optional<Answer> answer;
  f.engine->list_conversations(visitor_extras_agent_id("ann"), R"({"limit":10})",
                               [&](Answer a) { answer = std::move(a); });
  f.settle();
  REQUIRE(answer);
  REQUIRE_FALSE(answer->error);
  const auto listed = boost::json::parse(answer->body).at("conversations").as_array();
  REQUIRE(listed.size() == 1);
  check_visitor(listed[0].at("visitor"));

  // A reload whose hello names no email keeps the one given; the record follows
  // the latest page.
  meta.email.clear();
  meta.page = "https://shop.example/checkout";
  f.hello(visitor_extras_visitor("v1", "Ada"), meta);
  const auto& record = f.store->conversations.at(cid);
  CHECK(visitor_extras_str(record.at("visitor_meta").at("email")) == "ada@example.com");
  CHECK(visitor_extras_str(record.at("visitor_meta").at("page")) ==
        "https://shop.example/checkout");

  // After a restart, from the record.
  f.restart({visitor_extras_agent("ann", 2)});
  auto back = f.connect("ann");
  const auto restored =
      back->of_type("welcome").at(0).at("conversations").as_array().at(0).at("visitor");
  CHECK(visitor_extras_str(restored.at("email")) == "ada@example.com");
  CHECK(visitor_extras_str(restored.at("meta").at("plan")) == "pro");
}

TEST_CASE("a visitor who gives a name on a later hello is shown by it") {
  VisitorExtrasFixture f({visitor_extras_agent("ann", 2)});
  auto ann = f.connect("ann");
  auto v = f.hello(visitor_extras_visitor("v1", ""));
  const auto cid = f.say(v, visitor_extras_visitor("v1", ""), "hello");
  f.hello(visitor_extras_visitor("v1", "Grace"));
  CHECK(visitor_extras_str(f.store->conversations.at(cid).at("visitor_name")) == "Grace");
  auto tab2 = f.connect("ann");
  CHECK(visitor_extras_str(tab2->of_type("welcome")
                               .at(0)
                               .at("conversations")
                               .as_array()
                               .at(0)
                               .at("visitor")
                               .at("name")) == "Grace");
}

TEST_CASE("CSAT: a visitor rates their conversation once it is closed") {
  VisitorExtrasFixture f({visitor_extras_agent("ann", 2)});
  auto ann = f.connect("ann");
  auto ann_tab2 = f.connect("ann");
  auto v = f.hello(visitor_extras_visitor("v1"));
  const auto cid = f.say(v, visitor_extras_visitor("v1"), "hello");

  // Open: refused, with why.
  f.rate(v, visitor_extras_visitor("v1"), cid, 5);
  CHECK(last_error(*v) == "forbidden");
  CHECK(visitor_extras_str(v->of_type("error").back().at("message")).find("still open") !=
        std::string::npos);
  CHECK(visitor_extras_str(v->of_type("error").back().at("ref")) == "r1");

  f.engine->close_conversation(ann, visitor_extras_agent_id("ann"), cid, "");
  f.settle();

  // Someone else's conversation, or one that does not exist: not found.
  auto other = f.hello(visitor_extras_visitor("v2"));
  f.rate(other, visitor_extras_visitor("v2"), cid, 1);
  CHECK(last_error(*other) == "not_found");
  f.rate(other, visitor_extras_visitor("v2"), "c-nope", 1);
  CHECK(last_error(*other) == "not_found");
  f.rate(v, visitor_extras_visitor("v1"), cid, 6);
  CHECK(last_error(*v) == "bad_field");
  f.rate(v, visitor_extras_visitor("v1"), cid, 3, std::string(1001, 'x'));
  CHECK(last_error(*v) == "bad_field");

  f.rate(v, visitor_extras_visitor("v1"), cid, 4, "quick and kind");
  const auto rated = v->of_type("rated");
  REQUIRE(rated.size() == 1);
  CHECK(visitor_extras_str(rated[0].at("conversation_id")) == cid);
  CHECK(rated[0].at("score").as_int64() == 4);
  CHECK(visitor_extras_str(rated[0].at("ref")) == "r1");
  const auto& csat = f.store->conversations.at(cid).at("csat").as_object();
  CHECK(csat.at("score").as_int64() == 4);
  CHECK(visitor_extras_str(csat.at("comment")) == "quick and kind");
  CHECK(csat.at("ts").as_int64() > 0);
  CHECK(visitor_extras_str(f.store->conversations.at(cid).at("status")) == "closed");
  // Every tab of the agent who had it hears it; so does the bus.
  for (const auto& tab : {ann, ann_tab2}) {
    const auto told = tab->of_type("conversation.rated");
    REQUIRE(told.size() == 1);
    CHECK(visitor_extras_str(told[0].at("conversation_id")) == cid);
    CHECK(told[0].at("score").as_int64() == 4);
    CHECK(visitor_extras_str(told[0].at("comment")) == "quick and kind");
  }
  const auto published = f.events_of(sb::bus::event::kConversationRated);
  REQUIRE(published.size() == 1);
  const auto payload = boost::json::parse(published[0].payload_json).as_object();
  CHECK(visitor_extras_str(payload.at("agent_id")) == "ann");
  CHECK(payload.at("score").as_int64() == 4);

  // A second rating replaces the first; a tag edit at the same time loses neither.
  f.engine->rate_conversation(v, visitor_extras_visitor("v1"), cid, 2, "", "r2");
  TenantEngine::TagChange change;
  change.add = {"followup"};
  f.engine->tag_conversation(ann, visitor_extras_agent_id("ann"), cid, change, "t1");
  f.settle();
  CHECK(v->of_type("rated").size() == 2);
  CHECK(f.store->conversations.at(cid).at("csat").at("score").as_int64() == 2);
  CHECK(f.store->conversations.at(cid).at("tags").as_array().size() == 1);

  // The REST list and a restart keep it.
  f.restart({visitor_extras_agent("ann", 2)});
  std::optional<Answer> answer;
  f.engine->list_conversations(visitor_extras_agent_id("ann", "admin"), R"({"limit":10})",
                               [&](Answer a) { answer = std::move(a); });
  f.settle();
  REQUIRE(answer);
  const auto listed = boost::json::parse(answer->body).at("conversations").as_array();
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].at("csat").at("score").as_int64() == 2);
}

TEST_CASE("CSAT: the window closes 7 days after the conversation did") {
  VisitorExtrasFixture f({visitor_extras_agent("ann", 2)});
  auto ann = f.connect("ann");
  auto v = f.hello(visitor_extras_visitor("v1"));
  const auto cid = f.say(v, visitor_extras_visitor("v1"), "hello");
  f.engine->close_conversation(ann, visitor_extras_agent_id("ann"), cid, "");
  f.settle();
  auto& record = f.store->conversations.at(cid);
  REQUIRE(record.contains("closed_at"));
  record["closed_at"] = sb::wall_clock_ms() - 8LL * 24 * 3600 * 1000;
  f.rate(v, visitor_extras_visitor("v1"), cid, 5);
  CHECK(last_error(*v) == "forbidden");
  CHECK(visitor_extras_str(v->of_type("error").back().at("message")).find("7 days") !=
        std::string::npos);
  CHECK(!f.store->conversations.at(cid).contains("csat"));
}

TEST_CASE("CSAT: a rating stays with a conversation its visitor reopens") {
  VisitorExtrasFixture f({visitor_extras_agent("ann", 2)});
  EnginePolicy policy;
  policy.reopen_window = std::chrono::seconds(600);
  f.engine->set_policy(policy);
  auto ann = f.connect("ann");
  auto v = f.hello(visitor_extras_visitor("v1"));
  const auto cid = f.say(v, visitor_extras_visitor("v1"), "hello");
  f.engine->close_conversation(ann, visitor_extras_agent_id("ann"), cid, "");
  f.settle();
  f.rate(v, visitor_extras_visitor("v1"), cid, 5, "great");
  REQUIRE(v->of_type("rated").size() == 1);

  CHECK(f.say(v, visitor_extras_visitor("v1"), "one more thing") == cid);
  const auto back = ann->of_type("conversation.assigned");
  REQUIRE(back.size() == 2);
  CHECK(back[1].at("conversation").at("csat").at("score").as_int64() == 5);
  CHECK(f.store->conversations.at(cid).at("csat").at("score").as_int64() == 5);
  // Open again: not to be rated until it closes again.
  f.rate(v, visitor_extras_visitor("v1"), cid, 1);
  CHECK(last_error(*v) == "forbidden");
}

TEST_CASE("an agent's status change reaches every tab of that agent") {
  VisitorExtrasFixture f({visitor_extras_agent("ann", 2), visitor_extras_agent("bob", 2)});
  auto tab1 = f.connect("ann");
  auto tab2 = f.connect("ann");
  auto bob = f.connect("bob");
  f.engine->set_status(tab1, visitor_extras_agent_id("ann"), AgentStatus::away);
  f.settle();
  // The tab that asked gets its answer as before; every tab hears the change.
  REQUIRE(tab1->of_type("status").size() == 1);
  CHECK(visitor_extras_str(tab1->of_type("status")[0].at("status")) == "away");
  for (const auto& tab : {tab1, tab2}) {
    const auto changed = tab->of_type("agent.status");
    REQUIRE(changed.size() == 1);
    CHECK(visitor_extras_str(changed[0].at("status")) == "away");
  }
  CHECK(tab2->of_type("status").empty());
  CHECK(bob->of_type("agent.status").empty());

  // A third tab opened now starts with it.
  auto tab3 = f.connect("ann");
  CHECK(visitor_extras_str(tab3->of_type("welcome").at(0).at("status")) == "away");
}

TEST_CASE("an agent's REST list has the conversations they closed, not other agents'") {
  VisitorExtrasFixture f({visitor_extras_agent("ann", 1), visitor_extras_agent("bob", 1)});
  auto ann = f.connect("ann");
  auto bob = f.connect("bob");
  auto v1 = f.hello(visitor_extras_visitor("v1"));
  const auto c1 = f.say(v1, visitor_extras_visitor("v1"), "hello");
  auto v2 = f.hello(visitor_extras_visitor("v2"));
  const auto c2 = f.say(v2, visitor_extras_visitor("v2"), "hello");
  for (const auto& [p, who, id] : {std::tuple{ann, "ann", c1}, std::tuple{bob, "bob", c2}}) {
    REQUIRE(visitor_extras_str(
                p->of_type("conversation.assigned").at(0).at("conversation").at("id")) == id);
    f.engine->close_conversation(p, visitor_extras_agent_id(who), id, "");
  }
  f.settle();
  std::optional<Answer> answer;
  f.engine->list_conversations(visitor_extras_agent_id("ann"), R"({"status":["closed"]})",
                               [&](Answer a) { answer = std::move(a); });
  f.settle();
  REQUIRE(answer);
  const auto listed = boost::json::parse(answer->body).at("conversations").as_array();
  REQUIRE(listed.size() == 1);
  CHECK(visitor_extras_str(listed[0].at("id")) == c1);
}
