#pragma once
// Drives a FlowEngine the way the host does: the state each answer returns is handed
// back with the next message, and the clock is the test's.
#include <cstdint>
#include <string>

#include "flow_engine.hpp"

namespace flow_test {

struct Conversation {
  const switchboard::flow::FlowEngine* engine = nullptr;
  std::string state = {};  // what the host stores for this conversation
  std::string language = {};
  std::int64_t now_ms = 1'700'000'000'000;
  double intent_confidence = 1.0;  // how sure the intent stage is of `intent`

  switchboard::flow::TurnOutput say(const std::string& text, const std::string& intent = "",
                                    const std::string& flow_node = "") {
    switchboard::flow::TurnInput input;
    input.text = text;
    input.language = language;
    input.state_json = state;
    input.intent = intent;
    input.intent_confidence = intent_confidence;
    input.flow_node = flow_node;
    input.now_ms = now_ms;
    auto output = engine->step(input);
    if (output.state_changed) state = output.state_json;
    return output;
  }
};

}  // namespace flow_test
