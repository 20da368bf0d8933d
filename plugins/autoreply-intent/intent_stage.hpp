#pragma once
// The intent stage of a tenant's auto-reply pipeline: a classifier trained once from
// the tenant's labelled examples, and the decision for one visitor message.
//
// Config ([plugins.autoreply-intent] in the tenant file):
//   file = "demo/intents.toml"  the intents (intent_loader.hpp), relative to the
//                               tenant file's directory
//   threshold = 0.55            act only at or above this probability (0..1)
//   handoff = ["human"]         intents that hand the conversation to a human (the
//                               default); those whose action in the file is
//                               { handoff = true } do too. A name the file does not
//                               define is an error.
//   handoff_group = "support"   optional: the group the hand-off asks for
//   handoff_reply = "..."       optional: what the bot says as it hands off
//   handoff_about_tag = "contact"  optional: the FAQ tag of the entries about the
//                               human service (see below)
//
// A hand-off intent at or above the threshold answers (SB_OK):
//   {"handoff": {"reason": "intent human (0.93)", "group"?: G}, "reply"?: S,
//    "score": 0.93, "source": "file#human", "context": {"intent": {...}}}
// A hand-off intent acts only on a message its examples explain more than half of
// (explains_most): "customer service phone number?" or "我想找真人客服，怎么联系" ask
// about the human service, so the later stages answer them (and hand off when none
// can), while "let me talk to someone" is handed off at once. Such a message is passed
// on as if no intent were recognised (a hand-off intent in the context would hand off).
// The same holds for every intent without a faq_tag action (a flow may start on its
// name): "cancel my order" does not start the order-status flow.
// With handoff_about_tag set, a hand-off intent whose examples explain most of a message
// but not all of it (周末有人工客服吗, "customer service number?") does not answer: it
// is named (SB_DEFER) with {"faq_tag": that tag, "handoff": "unless_answered"}, the FAQ
// stage answers only from the entries with the tag, and the pipeline hands off when no
// later stage gives such an answer. A message the examples explain wholly ("I want to
// talk to a person", 我要人工客服) is handed off at once.
// Any other intent at or above the threshold does not answer (SB_DEFER) but tells
// the later stages what it recognised:
//   {"context": {"intent": {"name": "refund", "confidence": 0.91, "faq_tag"?: "refunds"},
//                "flow_node"?: "order_status"}}
// (faq_tag / flow_node from the intent's action in the file: autoreply-faq reads
// intent.faq_tag, autoreply-flow starts a flow on intent.name or at flow_node, so put
// this stage before them). Below the threshold it names no intent, but it still lists its
// best guesses, whatever the threshold:
//   {"context": {"intent_candidates": [{"name": "shipping", "confidence": 0.33,
//                "faq_tag": "shipping"}, {"name": "order_status", "confidence": 0.27,
//                "flow_node": "order_status"}]}}
// (up to three, each at least candidate_floor, best first; nothing at all when none
// is). No stage acts on a candidate alone: autoreply-flow turns a flow's intent among
// them into an offer (context.flow_offers), which autoreply-faq shows as one of the
// options of a clarifying question. Traditional Chinese is
// folded to simplified first (OpenCC t2s, Debian's libopencc1.1 data), in the
// examples and in the messages.
//
// Thread-safety: immutable after construction; reply() is const and runs from many
// threads at once without a lock. Edited intents are a new instance.
#include <boost/json/array.hpp>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "intent_classifier.hpp"
#include "language/script_folding.hpp"

namespace switchboard::intent {

struct IntentStageOptions {
  std::string file;
  double threshold = kRecommendedThreshold;
  std::vector<std::string> handoff{"human"};
  bool handoff_configured = false;  // `handoff` was in the config, so every name must exist
  std::string handoff_group;
  std::string handoff_reply;
  // The least probability at which an intent is named among context.intent_candidates
  // (the best three guesses, whatever the threshold). 0..1.
  double candidate_floor = 0.25;
  // The FAQ tag of the entries about the human service itself (its hours, how to reach
  // it). A hand-off intent whose examples explain most but not all of a message
  // (周末有人工客服吗: 周末 is no word of theirs) hands off only when no entry with this
  // tag answers it: the intent is named with {"faq_tag": tag, "handoff": "unless_answered"}
  // (SB_DEFER), the FAQ stage tries those entries only, and the pipeline hands off when
  // it does not answer. "" (the default): such a message is handed off at once.
  std::string handoff_about_tag;
};

// Throws std::invalid_argument naming the key.
IntentStageOptions read_intent_stage_options(std::string_view config_json);

struct IntentTurn {
  bool answered = false;
  std::string result_json;  // "" when there is nothing to say
};

class IntentStage {
 public:
  // Loads the file and trains. Throws IntentLoadError naming file, line and key, or
  // std::invalid_argument for a `handoff` name the file does not define.
  IntentStage(IntentStageOptions options, const std::filesystem::path& config_dir);

  IntentTurn reply(std::string_view text) const;

  const IntentClassifier& classifier() const { return classifier_; }

 private:
  IntentStageOptions options_;
  // Traditional characters folded to simplified (OpenCC, as the FAQ stage does), in
  // the examples and in each message: "我的訂單到哪裡了" is "我的订单到哪里了".
  std::unique_ptr<faq::ScriptFolding> folding_;
  IntentClassifier classifier_;
  std::vector<bool> hands_off_;  // by intent index
  // The terms of each intent's examples (faq::tokenize: English words without
  // function words, Chinese characters and character pairs), by intent index.
  std::vector<std::unordered_set<std::string>> example_terms_;

  // How many of the message's terms (its Chinese character pairs, not single
  // characters, and its English content words) occur in the intent's examples, and how
  // many do not.
  struct Explained {
    std::size_t known = 0;
    std::size_t unknown = 0;
    bool most() const { return known > unknown; }  // more than half
    bool all() const { return known > 0 && unknown == 0; }
  };
  Explained explained(std::size_t intent_index, std::string_view folded_text) const;

  static constexpr std::size_t kCandidates = 3;
  // The best guesses at or above candidate_floor, best first: [{"name", "confidence",
  // "faq_tag"? | "flow_node"?}].
  boost::json::array candidates(const std::vector<IntentPrediction>& ranked) const;
};

}  // namespace switchboard::intent
