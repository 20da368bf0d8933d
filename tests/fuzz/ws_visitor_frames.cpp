// Frames a visitor's widget sends over its WebSocket (hello, message, typing, read,
// rate, ...), one per input line, checked by the hub and carried out by the engine.
// Every frame must be answered or refused with an error frame; what the server
// sends back must be valid JSON (the fake peer parses it).
#include "fuzz_input.hpp"
#include "ws_fixture.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sb::fuzz::WsFixture world;
  auto visitor = world.visitor();
  for (const auto frame : sb::fuzz::split_lines(sb::fuzz::as_text(data, size), 24))
    if (!world.frame(visitor, frame)) break;
  world.disconnect(visitor);
  return 0;
}
