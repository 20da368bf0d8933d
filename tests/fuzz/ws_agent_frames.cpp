// Frames an agent's console sends over its WebSocket (status, accept, message,
// transfer, close, tags, ...), one per input line, after a visitor has opened a
// conversation that was routed to the agent. "$C" in the input stands for that
// conversation's id. The visitor's side must get only valid frames too.
#include <string>

#include "fuzz_input.hpp"
#include "ws_fixture.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sb::fuzz::WsFixture world;
  auto agent = world.agent();
  world.frame(agent, R"({"type":"status","status":"online"})");
  auto visitor = world.visitor();
  world.frame(visitor, R"({"type":"hello","name":"Ada"})");
  world.frame(visitor,
              R"({"type":"message","text":"hello, my order is late","client_msg_id":"v1"})");
  std::string conversation;
  for (const auto& sent : visitor.peer->frames)
    if (auto* id = sent.if_contains("conversation_id"); id && id->is_string())
      conversation = std::string(id->get_string());

  for (const auto frame : sb::fuzz::split_lines(sb::fuzz::as_text(data, size), 24)) {
    if (!world.frame(agent, sb::fuzz::with_conversation(frame, conversation))) break;
  }
  world.frame(visitor, R"({"type":"message","text":"still there?","client_msg_id":"v2"})");
  world.disconnect(agent);
  world.disconnect(visitor);
  return 0;
}
