#include "flow_engine.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "flow_text.hpp"

namespace switchboard::flow {
namespace {

namespace json = boost::json;

// Forwarding nodes cannot form a circle (the loader checks), so this only bounds a
// very long chain.
constexpr int kMaxHopsPerTurn = 64;
// A captured value is kept in the state; a pattern that matches a whole essay is not
// an order number.
constexpr std::size_t kMaxCapturedBytes = 512;

// One message's run through the flows.
class Turn {
 public:
  Turn(const FlowSet& flows, const TurnInput& input)
      : flows_(flows), input_(input), state_(parse_state(input.state_json)) {
    if (!input.state_json.empty() && input.state_json != serialize_state(state_))
      state_changed_by_parsing_ = true;
    language_ = primary_language(input.language);
    if (language_.empty()) language_ = guess_language(input.text);
    if (language_.empty()) language_ = state_.language;
    if (language_.empty()) language_ = flows.default_language;
  }

  TurnOutput run() {
    drop_stale_flow();
    if (auto target = asked_for_node()) {
      state_.params.clear();
      enter(*target);
    } else if (state_.at) {
      answer_waiting_node();
    } else if (const Flow* flow = entry_flow()) {
      start(*flow);
    } else if (!state_.seen) {
      if (const Flow* flow = default_flow()) start(*flow);
    }
    if (!output_.answered && !state_.at) offer_flows();
    return finish();
  }

 private:
  // A state from before an edit may name a node that is gone; one past its expiry
  // belongs to a visit the visitor has forgotten too.
  void drop_stale_flow() {
    if (!state_.at) return;
    const Flow* flow = flows_.flow(state_.at->flow);
    const Node* node = flow ? flow->node(state_.at->node) : nullptr;
    if (!node || !node->waits() || input_.now_ms >= state_.expires_ms) end_flow();
  }

  std::optional<Target> asked_for_node() const {
    const std::string_view name = input_.flow_node;
    const auto slash = name.find('/');
    const Flow* flow = flows_.flow(name.substr(0, slash));
    if (!flow) return std::nullopt;
    Target target{flow->name, slash == std::string_view::npos
                                  ? flow->start
                                  : std::string(name.substr(slash + 1))};
    if (!flow->node(target.node)) return std::nullopt;
    return target;
  }

  void answer_waiting_node() {
    const Target at = *state_.at;
    const Flow& flow = *flows_.flow(at.flow);
    const Node& node = *flow.node(at.node);
    const std::string answer = normalize_answer(input_.text);
    const std::string text = normalize(input_.text);

    for (std::size_t i = 0; i < node.options.size(); ++i) {
      bool picked = answer == std::to_string(i + 1);
      for (const auto& [language, label] : node.options[i].label)
        picked = picked || answer == normalize_answer(label);
      if (picked) return enter(node.options[i].next);
    }
    for (const auto& transition : node.on_keyword) {
      for (const auto& keyword : transition.keywords)
        if (contains_keyword(text, keyword)) return enter(transition.next);
    }
    for (const auto& transition : node.on_intent) {
      if (!input_.intent.empty() && transition.intent == input_.intent)
        return enter(transition.next);
    }
    if (node.capture) {
      if (auto value = capture(*node.capture)) {
        state_.params[node.capture->param] = std::move(*value);
        return enter(node.capture->next);
      }
    }
    if (const Flow* other = entry_flow(); other && other->name != flow.name) return start(*other);

    if (node.capture) {
      if (++state_.retries > node.capture->max_retries) {
        if (node.capture->on_max_retries) return enter(*node.capture->on_max_retries);
        return give_up();
      }
      say(node.capture->retry.empty() ? node.message : node.capture->retry);
    } else {
      if (++state_.fallbacks > flow.max_fallbacks) return give_up();
      say(node.fallback.empty() ? node.message : node.fallback);
    }
    output_.answered = true;
    output_.source = "flow:" + flow.name + "/" + node.name;
    wait_at(at, flow, node, /*reset_counts=*/false);
  }

  std::optional<std::string> capture(const Capture& capture) const {
    boost::smatch match;
    const std::string text(input_.text);
    try {
      if (!boost::regex_search(text, match, capture.regex)) return std::nullopt;
    } catch (const std::runtime_error&) {
      return std::nullopt;  // Boost.Regex gave up on a pathological input: no match
    }
    const auto& group = match.size() > 1 && match[1].matched ? match[1] : match[0];
    if (group.length() == 0 || static_cast<std::size_t>(group.length()) > kMaxCapturedBytes)
      return std::nullopt;
    return group.str();
  }

  // A flow the message asks for: by intent first (an earlier stage is sure of it),
  // else by the longest keyword found (the most specific), first flow on a tie.
  const Flow* entry_flow() const {
    if (!input_.intent.empty()) {
      for (const auto& flow : flows_.flows)
        for (const auto& intent : flow.intents)
          if (intent == input_.intent && input_.intent_confidence >= flow.intent_confidence)
            return &flow;
    }
    return keyword_flow(normalize(input_.text));
  }

  const Flow* keyword_flow(std::string_view normalized_text) const {
    const Flow* best = nullptr;
    std::size_t best_length = 0;
    for (const auto& flow : flows_.flows) {
      for (const auto& keyword : flow.keywords) {
        if (keyword.size() > best_length && contains_keyword(normalized_text, keyword)) {
          best = &flow;
          best_length = keyword.size();
        }
      }
    }
    return best;
  }

  // The flows of the earlier stage's guesses, each once, in the guesses' order.
  void offer_flows() {
    for (std::size_t rank = 0; rank < input_.intent_candidates.size(); ++rank) {
      const auto& guess = input_.intent_candidates[rank];
      for (const auto& flow : flows_.flows) {
        if (std::find(flow.intents.begin(), flow.intents.end(), guess.name) == flow.intents.end())
          continue;
        const bool offered =
            std::any_of(output_.offers.begin(), output_.offers.end(),
                        [&](const FlowOffer& offer) { return offer.flow == flow.name; });
        if (offered) continue;
        if (const std::string* keyword = starting_keyword(flow))
          output_.offers.push_back({flow.name, guess.name, guess.confidence, rank, *keyword});
      }
    }
  }

  // A keyword of the flow that, sent alone, starts it (and no other flow with a longer
  // keyword in it): in the reply's language when the flow has one in its script
  // (Chinese or not), else any.
  const std::string* starting_keyword(const Flow& flow) const {
    const bool chinese = language_ == "zh";
    const std::string* any = nullptr;
    for (const auto& keyword : flow.keywords) {
      if (keyword_flow(keyword) != &flow) continue;
      if ((guess_language(keyword) == "zh") == chinese) return &keyword;
      if (!any) any = &keyword;
    }
    return any;
  }

  const Flow* default_flow() const {
    for (const auto& flow : flows_.flows)
      if (flow.is_default) return &flow;
    return nullptr;
  }

  // A flow begins with nothing captured; a jump between flows keeps what was.
  void start(const Flow& flow) {
    state_.params.clear();
    enter({flow.name, flow.start});
  }

  void enter(Target target) {
    output_.answered = true;
    for (int hop = 0; hop < kMaxHopsPerTurn; ++hop) {
      const Flow& flow = *flows_.flow(target.flow);
      const Node& node = *flow.node(target.node);
      output_.source = "flow:" + flow.name + "/" + node.name;
      say(node.message);
      for (const auto& [name, templ] : node.set_attributes)
        output_.set_attributes.emplace_back(name, interpolate(templ, state_.params));

      if (node.handoff) {
        output_.handoff = node.handoff;
        return end_flow();
      }
      if (node.close) {
        output_.close = true;
        return end_flow();
      }
      if (node.ask_llm) {
        output_.ask_llm = true;
        return end_flow();
      }
      if (node.next) {
        target = *node.next;
        continue;
      }
      if (node.lookup) {
        target = look_up(*node.lookup);
        continue;
      }
      if (node.waits()) return wait_at(target, flow, node, /*reset_counts=*/true);
      return end_flow();
    }
    end_flow();
  }

  Target look_up(const Lookup& lookup) {
    const auto& rows = flows_.tables.find(lookup.table)->second;
    const auto key = state_.params.find(lookup.key_param);
    const auto row = key == state_.params.end() ? rows.end() : rows.find(normalize(key->second));
    if (row == rows.end()) return lookup.missing;
    state_.params[lookup.into_param] = localize(row->second, language_, flows_.default_language);
    return lookup.found;
  }

  void wait_at(const Target& target, const Flow& flow, const Node& node, bool reset_counts) {
    state_.at = target;
    if (reset_counts) state_.retries = state_.fallbacks = 0;
    state_.expires_ms = input_.now_ms + flow.expire_after_ms;
    for (const auto& option : node.options)
      output_.quick_replies.push_back(localize(option.label, language_, flows_.default_language));
    state_changed_ = true;
  }

  void end_flow() {
    state_.at.reset();
    state_.params.clear();
    state_.retries = state_.fallbacks = 0;
    state_.expires_ms = 0;
    state_changed_ = true;
  }

  // The flow cannot help with this message: leave it, and let the next stage try.
  void give_up() {
    output_.answered = false;
    output_.reply.clear();
    output_.quick_replies.clear();
    end_flow();
  }

  void say(const LocalizedText& text) {
    if (text.empty()) return;
    const std::string line =
        interpolate(localize(text, language_, flows_.default_language), state_.params);
    if (!output_.reply.empty()) output_.reply += "\n\n";
    output_.reply += line;
  }

  TurnOutput finish() {
    if (output_.answered && state_.language != language_) {
      state_.language = language_;
      state_changed_ = true;
    }
    state_.seen = true;
    output_.state_changed = state_changed_ || state_changed_by_parsing_;
    if (output_.state_changed) output_.state_json = serialize_state(state_);
    return std::move(output_);
  }

  const FlowSet& flows_;
  const TurnInput& input_;
  ConversationState state_;
  std::string language_;
  TurnOutput output_;
  bool state_changed_ = false;
  bool state_changed_by_parsing_ = false;
};

}  // namespace

TurnOutput FlowEngine::step(const TurnInput& input) const {
  return Turn(flows_, input).run();
}

std::string to_result_json(const TurnOutput& output) {
  json::object result;
  if (!output.reply.empty()) result["reply"] = output.reply;
  if (!output.quick_replies.empty()) {
    json::array options;
    for (const auto& label : output.quick_replies) options.emplace_back(label);
    result["quick_replies"] = std::move(options);
  }
  if (!output.set_attributes.empty()) {
    json::object attributes;
    for (const auto& [name, value] : output.set_attributes) attributes[name] = value;
    result["set_attributes"] = std::move(attributes);
  }
  if (output.handoff) {
    json::object handoff;
    if (!output.handoff->group.empty()) handoff["group"] = output.handoff->group;
    handoff["reason"] = output.source;
    result["handoff"] = std::move(handoff);
  }
  if (output.close) result["close"] = true;
  if (output.ask_llm) result["ask_llm"] = true;
  if (output.state_changed) result["state"] = json::parse(output.state_json);
  if (output.answered) {
    result["score"] = 1.0;
    result["source"] = output.source;
  } else if (!output.offers.empty()) {
    json::array offers;
    for (const auto& offer : output.offers)
      offers.push_back(json::object{{"flow", offer.flow},
                                    {"intent", offer.intent},
                                    {"confidence", offer.confidence},
                                    {"rank", offer.rank},
                                    {"text", offer.text}});
    result["context"] = json::object{{"flow_offers", std::move(offers)}};
  }
  return json::serialize(result);
}

}  // namespace switchboard::flow
