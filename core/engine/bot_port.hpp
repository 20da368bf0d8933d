// What the engine needs from the tenant's auto-reply pipeline, as a small
// interface: core/bots implements it over plugins, unit tests with fakes.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::engine {

// One line of the conversation as the bot may read it.
struct BotLine {
  uint64_t seq = 0;
  std::string role;  // "visitor" | "bot" | "agent"
  std::string text;
};

// One visitor message for the pipeline, with what the engine keeps for the bot.
struct BotTurn {
  std::string conversation_id;
  std::string visitor_id;
  uint64_t seq = 0;  // the visitor message's
  std::string text;
  std::string language;                // as the widget reported it, or empty
  std::string attributes_json = "{}";  // what earlier turns set (set_attributes)
  // The flow node the conversation was handed to the bot at; set on the first turn
  // after start_bot only.
  std::string flow_node;
  std::map<std::string, std::string> state;  // stage name -> what it returned as "state"
  std::vector<BotLine> history;              // the lines before this one, oldest first
  // The bot's last reply asked "did this help?": this message may be the answer.
  bool feedback_asked = false;
};

struct BotReply {
  std::string text;
  std::vector<std::string> quick_replies;  // options shown with it (live, not stored)
};

// What a turn produced. A turn may produce an interim outcome first (the holding
// reply when the answer is slow), then exactly one final outcome.
struct BotOutcome {
  std::vector<BotReply> replies;  // sent to the visitor in this order
  // stage -> its new state JSON; nullopt clears it. Stages not named keep theirs.
  std::map<std::string, std::optional<std::string>> state;
  std::string set_attributes_json;  // a JSON object merged into the attributes, or empty
  bool handoff = false;             // the bot lets go: the conversation is routed to a human
  std::string handoff_group;        // asked for by the stage that handed off, or empty
  std::string handoff_reason;
  bool close = false;  // close the conversation once the replies are out
  bool final = true;
  // Why, for the bus event bot.turn: the stage that answered (empty when none did),
  // what it answered from ("demo/faq.toml#refund-time", "flow:order_status/ask"), its
  // score (negative: none given) and the closest candidates weighed, a JSON array of
  // {"id", "score"} best first ("" when no stage reported any).
  std::string stage;
  std::string source;
  double score = -1;
  std::string candidates_json;
  // A stage that passed because it was told not to answer such questions, a JSON
  // object {"stage", "why", ...} ("" when none did): the FAQ stage declining a message
  // like one an admin dismissed.
  std::string declined_json;
  // The action an earlier stage named that this answer came instead of, a JSON object
  // {"stage", "intent", "confidence"?, "action": "handoff"} ("" when none): the
  // intent stage heard a request for a person in 周末有人工客服吗 and an entry about
  // the human service answered it.
  std::string instead_of_json;
  // Why the engine lists the visitor's question among the unanswered ones
  // (core/unanswered): "handed_off", "low_confidence", "not_helpful" (the question is
  // then the one the feedback was about), or "" when it was answered well enough.
  std::string unanswered;
  bool feedback_asked = false;  // the replies end with "did this help?"
};

class BotPipeline {
 public:
  virtual ~BotPipeline() = default;
  // The name bot messages carry (from.name), in a turn's language (a tenant may
  // name its bot per language).
  virtual const std::string& display_name(std::string_view language) const = 0;
  // Runs on the engine's strand and never blocks. on_outcome runs on the strand,
  // never inside this call: zero or more interim outcomes, then one final outcome,
  // always (a failing or silent pipeline hands off rather than never answers).
  virtual void run_turn(BotTurn turn, std::function<void(BotOutcome)> on_outcome) = 0;
  // Its engine stopped (on the strand): turns under way ask no further stage, and
  // what they would still say goes nowhere. No turn is run after it.
  virtual void stop() {}
};
using BotPipelinePtr = std::shared_ptr<BotPipeline>;

}  // namespace sb::engine
