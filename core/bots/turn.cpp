#include "bots/turn.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "bots/feedback.hpp"
#include "bots/result_json.hpp"
#include "common/clock.hpp"
#include "switchboard/sb_plugin.h"

namespace sb::bots {

namespace json = boost::json;

namespace {

// ASCII letters folded; other text (Chinese, ...) compared as written.
std::string folded(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return out;
}

}  // namespace

Turn::Turn(std::shared_ptr<const Pipeline> pipeline, engine::BotTurn input,
           std::function<void(engine::BotOutcome)> emit)
    : pipeline_(std::move(pipeline)),
      settings_(pipeline_->settings_),
      input_(std::move(input)),
      emit_(std::move(emit)),
      holding_timer_(pipeline_->strand_),
      stage_timer_(pipeline_->strand_) {
  if (!input_.flow_node.empty()) context_["flow_node"] = input_.flow_node;
  json::array history;
  for (const auto& line : input_.history)
    history.push_back(json::object{{"role", line.role}, {"text", line.text}});
  context_["history"] = std::move(history);
}

void Turn::start() {
  if (pipeline_->stopped()) return abandon();
  if (input_.feedback_asked && answer_feedback()) return;
  const std::string text = folded(input_.text);
  for (const auto& phrase : settings_.handoff_phrases)
    if (!phrase.empty() && text.find(phrase) != std::string::npos) {
      asked_for_human_ = true;
      return hand_off("the visitor asked for a human");
    }

  holding_timer_.expires_after(settings_.holding_after);
  holding_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec) self->on_holding_time();
  });
  try_stage(0);
}

// The next stage that may answer, from index on: not skipped by its breaker, the
// LLM only within the day's budget. None left: a human answers.
void Turn::try_stage(size_t index) {
  if (pipeline_->stopped()) return abandon();
  const auto& stages = pipeline_->stages_;
  for (; index < stages.size(); ++index) {
    const Stage& stage = stages[index];
    if (llm_only_ && !stage.llm) continue;
    if (stage.llm && !handoff_unless_answered_.empty()) continue;  // a person, not the LLM
    if (stage.llm && !pipeline_->budget_->allows_more()) {
      spdlog::info("tenant {}: LLM stage {} skipped: the day's token budget is spent",
                   pipeline_->tenant_id_, stage.name);
      continue;
    }
    if (!pipeline_->breakers_[index]->try_acquire()) continue;  // cooling down after failures
    return stage.llm ? ask_llm(index) : ask_autoreply(index);
  }
  if (!handoff_unless_answered_.empty()) return hand_off(handoff_unless_answered_);
  hand_off(llm_only_ ? "the LLM could not answer" : "no stage could answer");
}

void Turn::ask_autoreply(size_t index) {
  const Stage& stage = pipeline_->stages_[index];
  AutoreplyRequest request;
  request.conversation_id = input_.conversation_id;
  request.visitor_id = input_.visitor_id;
  request.text = input_.text;
  request.language = input_.language;
  request.attributes_json = attributes_json();
  if (auto it = input_.state.find(stage.name); it != input_.state.end())
    request.state_json = it->second;
  request.context_json = context_json();
  request.deadline_ms = monotonic_ms() + settings_.stage_timeout.count();
  watch_stage(index);
  stage.autoreply->reply(request,
                         [self = shared_from_this(), index, call = call_](StageResult result) {
                           if (self->is_current(call)) self->on_autoreply(index, std::move(result));
                         });
}

void Turn::ask_llm(size_t index) {
  const Stage& stage = pipeline_->stages_[index];
  LlmRequest request;
  request.conversation_id = input_.conversation_id;
  request.messages_json = llm_messages(settings_, input_, context_);
  request.max_tokens = settings_.llm_max_tokens;
  request.deadline_ms = monotonic_ms() + settings_.stage_timeout.count();
  watch_stage(index);
  stage.llm->chat(request, [self = shared_from_this(), index, call = call_](StageResult result) {
    if (self->is_current(call)) self->on_llm(index, std::move(result));
  });
}

// The pipeline keeps its own time limit on every stage: a plugin that never
// answers costs one stage_timeout, never the turn.
void Turn::watch_stage(size_t index) {
  ++call_;
  stage_timer_.expires_after(settings_.stage_timeout);
  stage_timer_.async_wait(
      [self = shared_from_this(), index, call = call_](boost::system::error_code ec) {
        if (!ec && self->is_current(call)) self->stage_failed(index, "no answer in time");
      });
}

void Turn::on_autoreply(size_t index, StageResult result) {
  stage_timer_.cancel();
  if (pipeline_->stopped()) return abandon();
  const Stage& stage = pipeline_->stages_[index];
  if (result.status != SB_OK && result.status != SB_DEFER)
    return stage_failed(index, result.error.empty() ? "failed" : result.error, result.refused);
  AutoreplyAnswer answer = parse_autoreply_result(result.result_json);
  if (!answer.error.empty()) return stage_failed(index, "malformed result: " + answer.error);
  if (result.status == SB_OK && !answer.acts())
    return stage_failed(index, "answered with nothing to say or do");
  pipeline_->breakers_[index]->record_success();

  if (answer.has_state) state_[stage.name] = answer.state;
  for (auto& [key, value] : answer.context) context_[key] = value;
  for (auto& [key, value] : answer.set_attributes) attributes_set_[key] = value;
  note_candidates(answer);
  if (!answer.declined.empty() && declined_.empty()) {
    declined_ = std::move(answer.declined);
    declined_["stage"] = stage.name;
  }
  if (result.status == SB_DEFER) {
    check_handoff_intent(index);
    if (!finished_) try_stage(index + 1);
    return;
  }
  if (!handoff_unless_answered_.empty()) {
    if (!answers_instead_of_a_person(answer)) return hand_off(handoff_unless_answered_);
    answered_instead_ = true;
  }
  spdlog::debug("tenant {}: stage {} answered {} ({})", pipeline_->tenant_id_, stage.name,
                input_.conversation_id, answer.why);
  answered_by_ = stage.name;
  source_ = answer.source;
  score_ = answer.score;
  if (answer.handoff)
    return hand_off(answer.handoff_reason.empty() ? "stage " + stage.name + " handed off"
                                                  : answer.handoff_reason,
                    answer.handoff_group, answer.reply);
  if (!answer.reply.empty())
    replies_.push_back(engine::BotReply{answer.reply, answer.quick_replies});
  if (!answer.ask_llm && !answer.close) offer_feedback(answer);
  if (answer.ask_llm) {
    // What the stage said goes out now; the LLM's answer follows.
    if (!replies_.empty()) {
      engine::BotOutcome interim;
      interim.replies = std::exchange(replies_, {});
      interim.final = false;
      emit_(std::move(interim));
    }
    llm_only_ = true;
    return try_stage(0);
  }
  engine::BotOutcome outcome;
  outcome.close = answer.close;
  finish(std::move(outcome));
}

void Turn::on_llm(size_t index, StageResult result) {
  stage_timer_.cancel();
  if (pipeline_->stopped()) return abandon();
  if (result.status != SB_OK)
    return stage_failed(index, result.error.empty() ? "failed" : result.error, result.refused);
  LlmAnswer answer = parse_llm_result(result.result_json);
  if (!answer.error.empty()) return stage_failed(index, answer.error);
  pipeline_->breakers_[index]->record_success();
  pipeline_->budget_->spend(answer.tokens);
  answered_by_ = pipeline_->stages_[index].name;
  source_ = "llm";
  replies_.push_back(engine::BotReply{std::move(answer.text), {}});
  finish(engine::BotOutcome{});
}

void Turn::stage_failed(size_t index, const std::string& why, bool refused) {
  stage_timer_.cancel();
  const std::string& name = pipeline_->stages_[index].name;
  // A refusal (ABI 1.11) says the request was bad, not the stage: the visitor's
  // message goes on to the next stage, and the stage stays in use for everyone.
  if (refused) {
    pipeline_->breakers_[index]->record_refusal();
  } else if (pipeline_->breakers_[index]->record_failure()) {
    spdlog::warn("tenant {}: bot stage {} failed {} times in a row; skipped for {} ms",
                 pipeline_->tenant_id_, name, settings_.breaker_failures,
                 settings_.breaker_cooldown.count());
  }
  spdlog::warn("tenant {}: bot stage {} {} {}: {}", pipeline_->tenant_id_, name,
               refused ? "refused" : "on", input_.conversation_id, why);
  ++call_;  // whatever it says later is stale
  try_stage(index + 1);
}

void Turn::check_handoff_intent(size_t index) {
  const auto* intent = context_.if_contains("intent");
  const auto* name =
      intent && intent->is_object() ? intent->get_object().if_contains("name") : nullptr;
  if (!name || !name->is_string()) return;
  const auto& wanted = settings_.handoff_intents;
  if (std::find(wanted.begin(), wanted.end(), name->get_string()) == wanted.end()) return;
  asked_for_human_ = true;
  const std::string reason =
      "intent " + std::string(name->get_string()) + " from stage " + pipeline_->stages_[index].name;
  // The intent stage heard a request for a person in a message that says more
  // (周末有人工客服吗): an answer from the knowledge base about the human service may
  // come first; anything else hands off (Turn::handoff_unless_answered_).
  const auto* mode = intent->get_object().if_contains("handoff");
  if (mode && mode->is_string() && mode->get_string() == "unless_answered") {
    if (handoff_unless_answered_.empty()) {
      handoff_unless_answered_ = reason;
      // What bot.turn says when an answer comes instead (Turn::on_autoreply).
      instead_of_ = json::object{{"stage", pipeline_->stages_[index].name},
                                 {"intent", name->get_string()},
                                 {"action", "handoff"}};
      if (const auto* confidence = intent->get_object().if_contains("confidence"))
        instead_of_["confidence"] = *confidence;
    }
    return;
  }
  hand_off(reason);
}

// What may answer a message the visitor asked a person about: a scored answer of an
// auto-reply stage (the knowledge base's), not a flow, a clarifying question or the
// LLM, nor a turn handed to the LLM.
bool Turn::answers_instead_of_a_person(const AutoreplyAnswer& answer) {
  return !answer.handoff && !answer.ask_llm && !answer.reply.empty() && answer.score >= 0 &&
         answer.source != "clarify" && answer.source.rfind("flow:", 0) != 0;
}

void Turn::on_holding_time() {
  if (pipeline_->stopped()) return abandon();
  if (finished_ || held_ || settings_.holding_reply.empty()) return;
  held_ = true;
  engine::BotOutcome interim;
  interim.replies = std::exchange(replies_, {});
  interim.replies.push_back(engine::BotReply{settings_.holding_reply.in(input_.language), {}});
  interim.final = false;
  emit_(std::move(interim));
}

void Turn::hand_off(const std::string& reason, const std::string& group, const std::string& reply) {
  const std::string& text = reply.empty() ? settings_.handoff_reply.in(input_.language) : reply;
  if (!text.empty()) replies_.push_back(engine::BotReply{text, {}});
  engine::BotOutcome outcome;
  outcome.handoff = true;
  outcome.handoff_group = group;
  outcome.handoff_reason = reason;
  finish(std::move(outcome));
}

void Turn::abandon() {
  finished_ = true;
  holding_timer_.cancel();
  stage_timer_.cancel();
}

void Turn::finish(engine::BotOutcome outcome) {
  finished_ = true;
  holding_timer_.cancel();
  stage_timer_.cancel();
  outcome.replies = std::move(replies_);
  outcome.state = std::move(state_);
  if (!attributes_set_.empty()) outcome.set_attributes_json = json::serialize(attributes_set_);
  outcome.final = true;
  outcome.stage = answered_by_;
  outcome.source = source_;
  outcome.score = score_;
  if (!candidates_.empty()) outcome.candidates_json = json::serialize(candidates_);
  if (!declined_.empty()) outcome.declined_json = json::serialize(declined_);
  if (answered_instead_) outcome.instead_of_json = json::serialize(instead_of_);
  outcome.unanswered = unanswered_reason(outcome);
  outcome.feedback_asked = feedback_asked_ && !outcome.handoff && !outcome.close;
  emit_(std::move(outcome));
}

// A flow's own hand-off or its steps are the flow working as designed; a clarifying
// question is the bot asking rather than guessing. Neither is a miss.
std::string Turn::unanswered_reason(const engine::BotOutcome& outcome) const {
  if (!unanswered_.empty()) return unanswered_;
  const bool by_flow = source_.rfind("flow:", 0) == 0;
  if (by_flow || source_ == "clarify") return {};
  if (outcome.handoff) return asked_for_human_ ? std::string() : "handed_off";
  if (!outcome.close && score_ >= 0 && score_ < settings_.low_confidence) return "low_confidence";
  return {};
}

// After an answer the stage scored (the knowledge base's, an intent's), unless it
// offers its own choices or comes from a flow or a clarifying question.
void Turn::offer_feedback(const AutoreplyAnswer& answer) {
  if (!settings_.feedback || answer.reply.empty() || !answer.quick_replies.empty() ||
      answer.score < 0 || answer.source == "clarify" || answer.source.rfind("flow:", 0) == 0)
    return;
  const FeedbackTexts& texts = feedback_texts(input_.language);
  replies_.push_back(engine::BotReply{texts.question, {texts.yes, texts.no}});
  feedback_asked_ = true;
}

// Either language's Yes / No counts (the quick reply sends its label as written);
// anything else is a new question and goes through the pipeline.
bool Turn::answer_feedback() {
  const std::string text = folded(input_.text);
  for (const FeedbackTexts* labels : {&kFeedbackEnglish, &kFeedbackChinese}) {
    if (text != folded(labels->yes) && text != folded(labels->no)) continue;
    // The rest of the turn speaks the language of the label chosen ("Yes" is one
    // word, too short for reply_language to tell).
    if (&feedback_texts(input_.language) != labels)
      input_.language = labels == &kFeedbackChinese ? "zh" : "en";
    if (text == folded(labels->yes)) {
      replies_.push_back(engine::BotReply{labels->thanks, {}});
      source_ = "feedback";
      finish(engine::BotOutcome{});
      return true;
    }
    unanswered_ = "not_helpful";
    source_ = "feedback";
    replies_.push_back(engine::BotReply{labels->sorry, {}});
    hand_off("the visitor said the answer did not help");
    return true;
  }
  return false;
}

// The answering stage's own candidates win; a deferring FAQ stage's context entries
// (id and score of each) stand in when nobody else named any.
void Turn::note_candidates(const AutoreplyAnswer& answer) {
  if (!answer.candidates.empty()) {
    candidates_ = answer.candidates;
    return;
  }
  if (!candidates_.empty()) return;
  const auto* faq = answer.context.if_contains("faq");
  if (!faq || !faq->is_array()) return;
  for (const auto& entry : faq->get_array()) {
    const auto* e = entry.if_object();
    if (!e) continue;
    json::object c;
    if (const auto* id = e->if_contains("id")) c["id"] = *id;
    if (const auto* score = e->if_contains("score")) c["score"] = *score;
    if (!c.empty()) candidates_.push_back(std::move(c));
  }
}

std::string Turn::attributes_json() const {
  if (attributes_set_.empty()) return input_.attributes_json;
  boost::system::error_code ec;
  json::value base = json::parse(input_.attributes_json, ec);
  json::object merged = !ec && base.is_object() ? std::move(base.get_object()) : json::object{};
  for (const auto& [key, value] : attributes_set_) merged[key] = value;
  return json::serialize(merged);
}

std::string Turn::context_json() const {
  return json::serialize(context_);
}

}  // namespace sb::bots
