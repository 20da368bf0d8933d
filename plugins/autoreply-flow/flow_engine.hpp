#pragma once
// Runs one visitor message through a tenant's flows and says what the bot does.
//
// With a flow waiting for an answer, the message is tried against the waiting node,
// in order: an option (its label in any language, or its number), an on_keyword
// entry, an on_intent entry, the capture pattern; then the entry keywords and
// intents of the other flows (the visitor changed the subject). Nothing matched: a
// capture node says its retry message up to max_retries times, then goes to
// on_max_retries; any other node re-prompts up to the flow's max_fallbacks times.
// When those run out (and there is no on_max_retries) the flow ends and the message
// is deferred to the next stage, so the bot never repeats itself forever.
//
// A turn that names a flow node (TurnInput::flow_node) starts there whatever was
// waiting; an unknown name is ignored. With no flow waiting, a flow starts on one of its intents,
// else on the longest of its keywords found in the message, else (on the conversation's first
// message only) the default flow starts. Otherwise the message is deferred, with the flows
// whose intent is among the earlier stage's guesses as offers (TurnOutput::offers).
//
// Entering a node says its message, sets its attributes, and then acts: waits,
// forwards (next, lookup) or ends the flow (handoff, close, ask_llm, or nothing).
//
// A state naming a flow or node that no longer exists (the file was edited), or
// one past its expiry, is dropped and the message handled as if no flow were running.
//
// The engine is immutable: step() is const and safe from many threads at once.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "flow_model.hpp"
#include "flow_state.hpp"

namespace switchboard::flow {

// One of an earlier stage's best guesses at the visitor's intent, sure or not
// (autoreply-intent's context.intent_candidates).
struct IntentCandidate {
  std::string name;
  double confidence = 0;
};

struct TurnInput {
  std::string_view text;
  std::string_view language;       // the widget's, e.g. "zh-CN"; may be empty
  std::string_view state_json;     // as returned last time; "" on the first message
  std::string_view intent;         // from an earlier stage of the turn; may be empty
  double intent_confidence = 1.0;  // how sure that stage was (0..1)
  // "flow" or "flow/node" to start at, from whoever handed the conversation to the
  // bot (the routing graph, or an intent's flow_node action); may be empty.
  std::string_view flow_node;
  std::int64_t now_ms = 0;  // wall clock
  // The earlier stage's guesses, best first; only for offers (TurnOutput::offers).
  std::span<const IntentCandidate> intent_candidates;
};

// A flow the visitor may have meant: one of its intents is among the guesses, but the
// flow did not start. A later stage that asks the visitor what they mean (autoreply-faq's
// clarifying question) may show `text`, a keyword of the flow in the reply's language
// that starts this flow when sent as a message.
struct FlowOffer {
  std::string flow;
  std::string intent;
  double confidence = 0;  // the guess's
  std::size_t rank = 0;   // of the guess among the guesses: 0 = the best
  std::string text;
};

struct TurnOutput {
  bool answered = false;  // false: defer to the next stage
  std::string reply;
  std::vector<std::string> quick_replies;
  std::vector<std::pair<std::string, std::string>> set_attributes;
  std::optional<Handoff> handoff;
  bool close = false;
  bool ask_llm = false;
  bool state_changed = false;  // false: leave the stored state as it is
  std::string state_json;      // the new state when state_changed
  std::string source;          // "flow:<flow>/<node>", why it answered
  // Only when not answered and no flow waits: flows a later stage may offer.
  std::vector<FlowOffer> offers;
};

// The auto-reply result object (sb_plugin.h): reply, quick_replies, set_attributes,
// handoff, close, ask_llm, state, score, source; only what the output has. Offers go to
// the later stages as {"context": {"flow_offers": [{"flow", "intent", "confidence",
// "rank", "text"}...]}}.
std::string to_result_json(const TurnOutput& output);

class FlowEngine {
 public:
  explicit FlowEngine(FlowSet flows) : flows_(std::move(flows)) {}

  TurnOutput step(const TurnInput& input) const;

  const FlowSet& flows() const { return flows_; }

 private:
  FlowSet flows_;
};

}  // namespace switchboard::flow
