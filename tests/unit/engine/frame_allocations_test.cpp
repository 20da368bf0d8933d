// The frames sent once per message are reserved at their whole length before they
// are written: an ack or a message frame costs two allocations (its text and the
// shared string that holds it), whatever the lengths of its fields (RESULTS.md,
// the twenty-first pass: a reserve short of the ids' length grew each of them once),
// and one frame serves every recipient.
#include <catch2/catch.hpp>
#include <string>

#include "engine/frames.hpp"
#include "engine_fixture.hpp"
#include "support/counting_new.hpp"

namespace frames = sb::engine::frames;

namespace {
// An id as new_id makes them: a prefix, '_' and 32 hex digits.
std::string id_of(char prefix) {
  return std::string{prefix, '_'} + std::string(32, 'f');
}

sb::engine::StoredMessage message_of(size_t text_bytes, size_t name_bytes) {
  sb::engine::StoredMessage m;
  m.conversation_id = id_of('c');
  m.message_id = id_of('m');
  m.seq = 18446744073709551615ull;
  m.sender_role = "visitor";
  m.sender_id = id_of('v');
  m.sender_name = std::string(name_bytes, 'n');
  m.client_msg_id = "0f8fad5b-d9cb-469f-a165-70867728950e";
  m.text = std::string(text_bytes, 't');
  m.ts_ms = -9223372036854775807ll;
  return m;
}
}  // namespace

TEST_CASE("an ack and a message frame cost two allocations each, whatever their lengths",
          "[frames][allocations]") {
  if (!sb::test::counting_news) {
    WARN("not counted: operator new is ThreadSanitizer's in this build (support/counting_new.hpp)");
    return;
  }
  for (size_t text : {0, 1, 64, 200, 4000}) {
    for (size_t name : {0, 15, 16, 100}) {
      CAPTURE(text, name);
      const auto m = message_of(text, name);
      const sb::engine::AckRecord ack{m.message_id, m.seq, {}};
      frames::Frame frame;
      CHECK(sb::test::count_news([&] { frame = frames::message(m); }) == 2);
      CHECK(frame->size() > text);
      const std::string ref(40, 'r');
      CHECK(sb::test::count_news(
                [&] { frame = frames::ack(m.client_msg_id, ack, m.conversation_id, ref); }) == 2);
      CHECK(sb::test::count_news(
                [&] { frame = frames::ack(m.client_msg_id, ack, m.conversation_id); }) == 2);
      auto noted = m;
      noted.flags = sb::engine::kPrivateNote;
      CHECK(sb::test::count_news([&] { frame = frames::message(noted); }) == 2);
    }
  }
}

TEST_CASE("a message is serialized once: every recipient gets the same frame", "[frames]") {
  using namespace sb::engine::test;
  Fixture f({agent("ann", 5)});
  auto ann = f.peer(), ann_tab = f.peer(), vis = f.peer(), vis_tab = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  f.engine->agent_connect(ann_tab, agent_id("ann"));
  const std::string cid = f.visitor_opens(vis, "hello");  // assigned, with its history
  f.engine->visitor_hello(vis_tab, visitor_id("v1"), "tok", {});
  f.settle();

  f.say(vis, visitor_id("v1"), "m2", "and the second");
  f.settle();
  auto last_message = [](const FakePeer& p) {
    for (size_t i = p.frames.size(); i-- > 0;)
      if (p.frames[i].at("type") == "message") return p.sent[i];
    return frames::Frame();
  };
  const auto frame = last_message(*ann);
  REQUIRE(frame);
  CHECK(frame->find("and the second") != std::string::npos);
  CHECK(last_message(*ann_tab) == frame);  // the same object, not an equal copy
  CHECK(last_message(*vis_tab) == frame);
  CHECK(!last_message(*vis));  // the sender's own connection gets the ack
  CHECK(cid == str(vis->of_type("ack").back().at("conversation_id")));
}

namespace {
using namespace sb::engine;

// Keeps each message write's callback in room reserved up front and answers them
// when told, as a storage plugin's writer does: what is counted below is the
// engine's, not the fake store's (FakeStore copies every message it keeps).
class KeepingStore final : public test::FakeStore {
 public:
  using FakeStore::FakeStore;
  void append_message(const StoredMessage&, StoreCallback done) override {
    kept.push_back(std::move(done));
  }
  void answer() {
    for (auto& done : kept) done(StoreResult{});
    kept.clear();
  }
  std::vector<StoreCallback> kept;
};

// Keeps the frames it is sent (the shared pointers only, in room reserved up front).
class KeepingPeer final : public Peer {
 public:
  explicit KeepingPeer(uint64_t id) : id_(id) { frames.reserve(4096); }
  void send(std::shared_ptr<const std::string> frame) override {
    frames.push_back(std::move(frame));
  }
  void close(uint16_t, std::string) override {}
  uint64_t peer_id() const override { return id_; }
  std::vector<std::shared_ptr<const std::string>> frames;

 private:
  uint64_t id_;
};
}  // namespace

// A visitor's message to the agent who has its conversation, from post_message to
// the ack and the agent's frame, with the store's answer in between: 9 allocations
// in the engine per message (RESULTS.md, the twenty-second pass), 15 before it. The
// six it removed: the write's answer (the engine's callable, its copy of the
// conversation id, StoppableStore's wrapper: now one StoreCallback held inline, the
// conversation by pointer), the pending message's copy of its ack key (it points at
// the acks entry), the pending map's node (kept for the next message,
// add_pending) and the waiters' vector (one waiter is held inline). What remains:
// the ack key, its acks node, the message id, the stored message's copy of the
// conversation id, the ack's copy of the message id, the ack and message frames
// (2 each, frame_allocations above), less what the warm maps amortize.
TEST_CASE("a visitor's message costs the engine 9 allocations, its write's answer none",
          "[engine][allocations]") {
  if (!sb::test::counting_news) {
    WARN("not counted: operator new is ThreadSanitizer's in this build (support/counting_new.hpp)");
    return;
  }
  boost::asio::io_context ioc;
  boost::asio::any_io_executor strand = boost::asio::make_strand(ioc);
  auto store = std::make_shared<KeepingStore>(strand);
  store->kept.reserve(16);
  auto engine = std::make_shared<TenantEngine>("t1", strand, store,
                                               std::make_shared<sb::metrics::TenantMetrics>());
  auto settle = [&] {
    ioc.restart();
    ioc.run();
  };
  auto deliver = [&] {
    settle();
    store->answer();
    settle();
  };
  engine->set_agents({test::agent("ann", 5)});
  engine->set_routing_chain({std::make_shared<test::LeastLoadedRouter>()});
  engine->set_queue_estimates(std::chrono::milliseconds(0), sb::monotonic_ms);
  bool started = false;
  engine->start([&](bool ok, std::string) { started = ok; });
  settle();
  REQUIRE(started);
  auto ann = std::make_shared<KeepingPeer>(1);
  auto vis = std::make_shared<KeepingPeer>(2);
  engine->agent_connect(ann, test::agent_id("ann"));
  engine->visitor_hello(vis, test::visitor_id("v1"), "tok", {});
  settle();

  constexpr int kWarm = 8, kCounted = 200;
  std::vector<Identity> senders(kWarm + kCounted, test::visitor_id("v1"));
  std::vector<MessageCommand> commands(kWarm + kCounted);
  for (int i = 0; i < kWarm + kCounted; ++i) {
    commands[i].client_msg_id = "0f8fad5b-d9cb-469f-a165-" + std::to_string(100000000000 + i);
    commands[i].text =
        "a message of some sixty-four bytes, as the bench sends them: " + std::to_string(i);
  }
  // The first opens the conversation (and routes it to ann); the next warm the maps.
  for (int i = 0; i < kWarm; ++i) {
    engine->post_message(vis, std::move(senders[i]), std::move(commands[i]));
    deliver();
  }
  const size_t ann_frames = ann->frames.size(), vis_frames = vis->frames.size();
  size_t news = 0;
  for (int i = kWarm; i < kWarm + kCounted; ++i) {
    news += sb::test::count_news([&] {
      engine->post_message(vis, std::move(senders[i]), std::move(commands[i]));
      deliver();
    });
  }
  // Every message was acked to the visitor and sent to ann.
  CHECK(vis->frames.size() - vis_frames == kCounted);
  CHECK(ann->frames.size() - ann_frames == kCounted);
  CHECK(ann->frames.back()->find("\"seq\":" + std::to_string(kWarm + kCounted)) !=
        std::string::npos);
  const double per_message = static_cast<double>(news) / kCounted;
  CAPTURE(news, per_message);
  CHECK(per_message < 9.5);
}
