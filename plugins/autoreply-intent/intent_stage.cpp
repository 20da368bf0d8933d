#include "intent_stage.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "intent_loader.hpp"
#include "stage_config.hpp"
#include "tokenizer.hpp"

namespace switchboard::intent {
namespace {

namespace json = boost::json;

// Probability as the admin reads it: three decimals are plenty.
double rounded(double probability) {
  return std::round(probability * 1000) / 1000;
}

std::string shown(double probability) {
  std::ostringstream out;
  out.precision(2);
  out << std::fixed << probability;
  return out.str();
}

}  // namespace

IntentStageOptions read_intent_stage_options(std::string_view config_json) {
  const autoreply::StageConfig config(config_json);
  IntentStageOptions options;
  options.file = config.string("file");
  if (autoreply::is_blank(options.file)) throw std::invalid_argument("file: missing");
  options.threshold = config.number("threshold", options.threshold, 0, 1);
  options.handoff_configured = config.has("handoff");
  if (options.handoff_configured) options.handoff = config.strings("handoff", false);
  options.handoff_group = config.string("handoff_group");
  options.handoff_reply = config.string("handoff_reply");
  options.candidate_floor = config.number("candidate_floor", options.candidate_floor, 0, 1);
  options.handoff_about_tag = config.string("handoff_about_tag");
  return options;
}

namespace {

std::vector<IntentDefinition> folded(std::vector<IntentDefinition> intents,
                                     const faq::ScriptFolding& folding) {
  for (auto& intent : intents)
    for (auto& example : intent.examples) example = folding.fold(example);
  return intents;
}

}  // namespace

IntentStage::IntentStage(IntentStageOptions options, const std::filesystem::path& config_dir)
    : options_(std::move(options)),
      folding_(std::make_unique<faq::ScriptFolding>("t2s.json")),
      classifier_(
          folded(load_intent_file(autoreply::resolve_file(config_dir, options_.file)), *folding_)) {
  const auto& intents = classifier_.intents();
  hands_off_.resize(intents.size());
  for (std::size_t i = 0; i < intents.size(); ++i) {
    hands_off_[i] = intents[i].action.kind == IntentAction::Kind::handoff;
  }
  example_terms_.resize(intents.size());
  for (std::size_t i = 0; i < intents.size(); ++i)
    for (const auto& example : intents[i].examples)
      for (auto& term : faq::tokenize(example)) example_terms_[i].insert(std::move(term));
  for (const auto& name : options_.handoff) {
    const auto it = std::find_if(intents.begin(), intents.end(),
                                 [&](const IntentDefinition& d) { return d.name == name; });
    if (it != intents.end()) {
      hands_off_[static_cast<std::size_t>(it - intents.begin())] = true;
    } else if (options_.handoff_configured) {
      throw std::invalid_argument("handoff: '" + name + "' is not an intent in " + options_.file);
    }
  }
}

IntentStage::Explained IntentStage::explained(std::size_t intent_index,
                                              std::string_view folded_text) const {
  const auto& examples = example_terms_[intent_index];
  Explained out;
  auto& known = out.known;
  auto& unknown = out.unknown;
  for (const auto& term : faq::tokenize(folded_text)) {
    if (examples.count(term)) {
      // A Chinese character says little alone (吗, 想); its pairs carry the words.
      if (!(faq::is_cjk_term(term) && term.size() <= 4)) ++known;
      continue;
    }
    if (faq::is_cjk_term(term)) {
      if (term.size() <= 4) continue;
      // A pair the examples lack that shares a character with them most likely
      // straddles two words (包裹现在: 裹现), one of them theirs: it says nothing new.
      const auto first = term.substr(0, term.size() / 2);
      const auto second = term.substr(term.size() / 2);
      if (examples.count(first) || examples.count(second)) continue;
    }
    ++unknown;
  }
  return out;
}

json::array IntentStage::candidates(const std::vector<IntentPrediction>& ranked) const {
  json::array out;
  for (const auto& guess : ranked) {
    if (out.size() == kCandidates || guess.probability < options_.candidate_floor) break;
    const auto& action = classifier_.intent(guess).action;
    json::object candidate{{"name", guess.name}, {"confidence", rounded(guess.probability)}};
    if (action.kind == IntentAction::Kind::faq_tag) candidate["faq_tag"] = action.target;
    if (action.kind == IntentAction::Kind::flow_node) candidate["flow_node"] = action.target;
    out.push_back(std::move(candidate));
  }
  return out;
}

IntentTurn IntentStage::reply(std::string_view text) const {
  const auto folded_text = folding_->fold(text);
  const auto ranked = classifier_.predict(folded_text);
  auto guesses = candidates(ranked);
  const bool sure = !ranked.empty() && ranked.front().probability >= options_.threshold;
  // Below the threshold the best guesses are still worth knowing to a later stage that
  // asks the visitor ("发货了没": shipping 0.33, order_status 0.27): they never act alone.
  if (!sure) {
    if (guesses.empty()) return {};
    return {false, json::serialize(json::object{
                       {"context", json::object{{"intent_candidates", std::move(guesses)}}}})};
  }
  const auto* hit = &ranked.front();
  const auto explains = explained(hit->intent_index, folded_text);
  // A hand-off intent that explains no more than half of the message: the message asks
  // something about the human service ("customer service phone number?"); the later
  // stages answer it or, when none can, hand off. The same for an intent that does
  // more than point the knowledge base at a tag (a flow starts on its name): "cancel
  // my order" is not an order-status question for a classifier that never saw
  // "cancel".
  if ((hands_off_[hit->intent_index] ||
       classifier_.intent(*hit).action.kind != IntentAction::Kind::faq_tag) &&
      !explains.most()) {
    if (guesses.empty()) return {};
    return {false, json::serialize(json::object{
                       {"context", json::object{{"intent_candidates", std::move(guesses)}}}})};
  }
  const auto& action = classifier_.intent(*hit).action;
  json::object intent{{"name", hit->name}, {"confidence", rounded(hit->probability)}};
  if (action.kind == IntentAction::Kind::faq_tag) intent["faq_tag"] = action.target;
  json::object context{{"intent", std::move(intent)}, {"intent_candidates", std::move(guesses)}};
  // Top level, where autoreply-flow (and the routing graph) name the node to start at.
  if (action.kind == IntentAction::Kind::flow_node) context["flow_node"] = action.target;
  if (!hands_off_[hit->intent_index]) {
    return {false, json::serialize(json::object{{"context", std::move(context)}})};
  }
  // Most of the message asks for a person, but not all: what more it says (周末, "number",
  // "8pm") may be a question about the human service that an entry about it answers.
  // The intent is named with that tag and the pipeline hands off unless the FAQ stage
  // answers from those entries.
  if (!options_.handoff_about_tag.empty() && !explains.all()) {
    auto& named = context["intent"].as_object();
    named["faq_tag"] = options_.handoff_about_tag;
    named["handoff"] = "unless_answered";
    return {false, json::serialize(json::object{{"context", std::move(context)}})};
  }
  json::object handoff{
      {"reason", "intent " + std::string(hit->name) + " (" + shown(hit->probability) + ")"}};
  if (!options_.handoff_group.empty()) handoff["group"] = options_.handoff_group;
  json::object result{{"handoff", std::move(handoff)},
                      {"score", rounded(hit->probability)},
                      {"source", options_.file + "#" + std::string(hit->name)},
                      {"context", std::move(context)}};
  if (!options_.handoff_reply.empty()) result["reply"] = options_.handoff_reply;
  return {true, json::serialize(result)};
}

}  // namespace switchboard::intent
