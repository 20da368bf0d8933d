// Read marks in the engine with fake storage and peers: they only move forward, reach
// the other side, are told to whoever (re)connects, and come back after a restart.
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "engine_fixture.hpp"

using namespace sb::engine;
using namespace sb::engine::test;

namespace {

// ann (connected on `ann`) and visitor v1 (on `vis`) chat: the visitor writes seq 1
// and 2, ann answers with 3; ann reads up to 2, the visitor up to 3. Returns the
// conversation's id.
std::string chat_read_both_ways(Fixture& f, const std::shared_ptr<FakePeer>& ann,
                                const std::shared_ptr<FakePeer>& vis) {
  f.engine->agent_connect(ann, agent_id("ann"));
  const auto cid = f.visitor_opens(vis, "a");
  f.say(vis, visitor_id("v1"), "m2", "b");
  f.say(ann, agent_id("ann"), "a1", "hi", cid);
  f.settle();
  f.engine->mark_read(ann, agent_id("ann"), cid, 2, "");
  f.engine->mark_read(vis, visitor_id("v1"), cid, 3, "");
  f.settle();
  return cid;
}

// Visitor v2 opens a conversation with `text`; returns its id.
std::string second_visitor_writes(Fixture& f, std::string text) {
  auto other = f.peer();
  f.engine->visitor_hello(other, visitor_id("v2"), "tok2", {});
  f.say(other, visitor_id("v2"), "m1", std::move(text));
  f.settle();
  return str(other->of_type("ack").at(0).at("conversation_id"));
}

// A console of ann's (re)connecting: it hears the visitor's mark, seq, and nothing
// else read. Returns its peer.
std::shared_ptr<FakePeer> console_hears_visitor_read(Fixture& f, int64_t seq) {
  auto console = f.peer();
  f.engine->agent_connect(console, agent_id("ann"));
  f.settle();
  const auto reads = console->of_type("read");
  REQUIRE(reads.size() == 1);
  CHECK(reads[0].at("seq").as_int64() == seq);
  CHECK(str(reads[0].at("from").at("role")) == "visitor");
  return console;
}

}  // namespace

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

TEST_CASE("a reconnecting visitor or agent hears how far the other side has read") {
  Fixture f({agent("ann", 5)});
  auto ann = f.peer();
  auto vis = f.peer();
  const auto cid = chat_read_both_ways(f, ann, vis);

  // The widget is reloaded: its replay comes with the agent's mark, which it
  // could not have kept (nor heard, had the agent read while it was away).
  auto reloaded = f.peer();
  f.engine->visitor_hello(reloaded, visitor_id("v1"), "tok", {{cid, 0}});
  f.settle();
  auto reads = reloaded->of_type("read");
  REQUIRE(reads.size() == 1);
  CHECK(str(reads[0].at("conversation_id")) == cid);
  CHECK(reads[0].at("seq").as_int64() == 2);
  CHECK(str(reads[0].at("from").at("role")) == "agent");
  CHECK(str(reads[0].at("from").at("id")) == agent_id("ann").id);

  // The console is reloaded: it hears the visitor's mark.
  console_hears_visitor_read(f, 3);

  // Nothing read yet: nothing said.
  const auto fresh = f.peer();
  second_visitor_writes(f, "c");
  f.engine->visitor_hello(fresh, visitor_id("v2"), "tok2", {});
  f.settle();
  CHECK(fresh->of_type("read").empty());
}

TEST_CASE("a console's welcome says how far its agent has read, also after a restart") {
  Fixture f({agent("ann", 5)});
  auto ann = f.peer();
  auto vis = f.peer();
  const auto cid = chat_read_both_ways(f, ann, vis);
  // A second conversation of ann's that she has not read.
  const auto unread = second_visitor_writes(f, "x");
  const auto marks_in_welcome = [&] {
    auto console = f.peer();
    f.engine->agent_connect(console, agent_id("ann"));
    f.settle();
    const auto welcomes = console->of_type("welcome");
    REQUIRE(welcomes.size() == 1);
    std::map<std::string, int64_t> marks;
    for (const auto& c : welcomes[0].at("conversations").as_array())
      marks[str(c.at("id"))] = c.at("read_seq").as_int64();
    return marks;
  };
  CHECK(marks_in_welcome() == std::map<std::string, int64_t>{{cid, 2}, {unread, 0}});
  f.restart({agent("ann", 5)});
  CHECK(marks_in_welcome() == std::map<std::string, int64_t>{{cid, 2}, {unread, 0}});
}

// Marks kept by storage: a restart on the same storage brings them back before
// anyone connects, so a reloaded widget and console hear them in their welcome as
// if the server had never stopped.
TEST_CASE("read marks come back after a restart, before anyone reconnects") {
  Fixture f({agent("ann", 5)});
  auto ann = f.peer();
  auto vis = f.peer();
  const auto cid = chat_read_both_ways(f, ann, vis);
  REQUIRE(f.store->reads[cid] == std::map<std::string, uint64_t>{{"ann", 2}, {"v1", 3}});

  f.restart({agent("ann", 5)});
  // Asked once, at the start, for the one open conversation.
  REQUIRE(f.store->load_reads_calls.size() == 1);
  CHECK(f.store->load_reads_calls[0] == std::vector<std::string>{cid});

  auto reloaded = f.peer();
  f.engine->visitor_hello(reloaded, visitor_id("v1"), "tok", {{cid, 0}});
  f.settle();
  auto reads = reloaded->of_type("read");
  REQUIRE(reads.size() == 1);
  CHECK(reads[0].at("seq").as_int64() == 2);
  CHECK(str(reads[0].at("from").at("role")) == "agent");
  CHECK(str(reads[0].at("from").at("id")) == "ann");

  auto console = console_hears_visitor_read(f, 3);

  // They go on moving forward from there: a lower receipt changes nothing.
  f.engine->mark_read(console, agent_id("ann"), cid, 1, "");
  f.settle();
  CHECK(reloaded->of_type("read").size() == 1);
  CHECK(f.store->reads[cid]["ann"] == 2);

  // Stored marks above what exists (a store edited by hand) are capped, as a live
  // receipt is.
  f.store->reads[cid]["v1"] = 99;
  f.restart({agent("ann", 5)});
  console_hears_visitor_read(f, 3);
}

TEST_CASE("the marks of many open conversations are read back in slices") {
  Fixture f({});
  for (int i = 0; i < 2500; ++i) {
    const std::string id = "c_" + std::to_string(i);
    f.store->conversations[id] = boost::json::object{
        {"id", id}, {"status", "queued"}, {"visitor_id", "v" + std::to_string(i)}};
    StoredMessage& first = f.store->messages[id][1];
    first.conversation_id = id;
    first.message_id = "m" + std::to_string(i);
    first.seq = 1;
    first.sender_role = "visitor";
    first.sender_id = "v" + std::to_string(i);
  }
  // An agent who read the last one before it was requeued.
  f.store->reads["c_2499"]["bob"] = 1;
  f.restart({});
  REQUIRE(f.store->load_reads_calls.size() == 3);  // 1000, 1000, 500
  CHECK(f.store->load_reads_calls[0].size() == Store::kMaxReadsPerLoad);
  CHECK(f.store->load_reads_calls[2].size() == 500);
  auto last = f.peer();
  f.engine->visitor_hello(last, visitor_id("v2499"), "tok", {});
  f.settle();
  REQUIRE(last->of_type("read").size() == 1);
  CHECK(str(last->of_type("read")[0].at("from").at("id")) == "bob");
}

TEST_CASE("a store that gives no read marks back (older than ABI 1.10) starts without them") {
  Fixture f({agent("ann", 5)});
  auto ann = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  auto vis = f.peer();
  const auto cid = f.visitor_opens(vis, "a");
  f.engine->mark_read(ann, agent_id("ann"), cid, 1, "");
  f.settle();
  f.store->gives_reads_back = false;

  f.restart({agent("ann", 5)});
  auto reloaded = f.peer();
  f.engine->visitor_hello(reloaded, visitor_id("v1"), "tok", {{cid, 0}});
  f.say(reloaded, visitor_id("v1"), "m2", "still here");
  f.settle();
  CHECK(reloaded->of_type("read").empty());
  REQUIRE(reloaded->of_type("ack").size() == 1);
  CHECK(reloaded->of_type("ack")[0].at("seq").as_int64() == 2);
  // Marks given from now on work as ever.
  auto console = f.peer();
  f.engine->agent_connect(console, agent_id("ann"));
  f.engine->mark_read(console, agent_id("ann"), cid, 2, "");
  f.settle();
  REQUIRE(reloaded->of_type("read").size() == 1);
  CHECK(reloaded->of_type("read")[0].at("seq").as_int64() == 2);
}

TEST_CASE("a reopened conversation gets its stored marks back, a newer one given meanwhile stays") {
  Fixture f({agent("ann", 5)});
  EnginePolicy policy;
  policy.reopen_window = std::chrono::seconds(600);
  f.engine->set_policy(policy);
  auto ann = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  auto vis = f.peer();
  const auto cid = f.visitor_opens(vis, "a");
  f.say(ann, agent_id("ann"), "a1", "hi", cid);
  f.settle();
  f.engine->mark_read(ann, agent_id("ann"), cid, 1, "");
  f.engine->mark_read(vis, visitor_id("v1"), cid, 2, "");
  f.engine->close_conversation(ann, agent_id("ann"), cid, "");
  f.settle();
  REQUIRE(f.store->load_reads_calls.empty());

  SECTION("a widget reloaded after the reopen hears the agent's mark from before the close") {
    f.say(vis, visitor_id("v1"), "m2", "one more thing");
    f.settle();
    REQUIRE(ann->of_type("conversation.assigned").size() == 2);
    REQUIRE(f.store->load_reads_calls.size() == 1);
    auto reloaded = f.peer();
    f.engine->visitor_hello(reloaded, visitor_id("v1"), "tok", {{cid, 0}});
    f.settle();
    REQUIRE(reloaded->of_type("read").size() == 1);
    CHECK(reloaded->of_type("read")[0].at("seq").as_int64() == 1);
  }
  SECTION("marks that come late are announced, and never lower a newer one") {
    f.store->hold_load_reads = true;
    f.say(vis, visitor_id("v1"), "m2", "one more thing");
    f.settle();
    REQUIRE(ann->of_type("conversation.assigned").size() == 2);
    REQUIRE(f.store->held_reads.size() == 1);
    f.say(ann, agent_id("ann"), "a2", "sure", cid);
    f.settle();
    const auto answer_seq = ann->of_type("ack").back().at("seq").as_int64();
    REQUIRE(answer_seq > 2);
    // The visitor reads the answer before the stored marks come: a newer mark
    // than its stored 2.
    const size_t agent_heard = ann->of_type("read").size();
    f.engine->mark_read(vis, visitor_id("v1"), cid, answer_seq, "");
    f.settle();
    REQUIRE(ann->of_type("read").size() == agent_heard + 1);
    const size_t visitor_heard = vis->of_type("read").size();
    for (auto& run : std::exchange(f.store->held_reads, {})) run();
    f.settle();
    // The agent's stored mark (1) is news to the visitor, who hears it now; the
    // visitor's stored 2 is older than the mark given meanwhile: nothing said of it.
    REQUIRE(vis->of_type("read").size() == visitor_heard + 1);
    CHECK(vis->of_type("read").back().at("seq").as_int64() == 1);
    CHECK(ann->of_type("read").size() == agent_heard + 1);
    auto console = f.peer();
    f.engine->agent_connect(console, agent_id("ann"));
    f.settle();
    REQUIRE(console->of_type("read").size() == 1);
    CHECK(console->of_type("read")[0].at("seq").as_int64() == answer_seq);
  }
}
