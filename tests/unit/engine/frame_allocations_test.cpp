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
