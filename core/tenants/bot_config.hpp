// A tenant's [bot] table: its auto-reply pipeline and the guards around it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/localized_text.hpp"

namespace sb::tenants {

struct BotConfig {
  // Plugin names, tried in order: auto-reply plugins, and LLM plugins (asked when
  // reached, or when a stage answers ask_llm).
  std::vector<std::string> pipeline;
  // Shown as the sender of bot messages: a plain string, or one per language (the
  // turn's language picks it, as for the texts below).
  LocalizedText name = "Assistant";
  bool bot_first = false;      // new conversations start with the bot
  uint32_t timeout_ms = 3000;  // then the holding reply
  uint32_t stage_timeout_ms = 20000;
  // A plain string, or one text per language: the visitor's is said.
  LocalizedText holding_reply{LocalizedText::ByLanguage{
      {"en", "One moment please, I am looking into it."}, {"zh", "请稍候，我正在为您查询。"}}};
  LocalizedText handoff_reply{
      LocalizedText::ByLanguage{{"en", "Let me connect you with a person. Please wait a moment."},
                                {"zh", "正在为您转接人工客服，请稍候。"}}};
  std::string system_prompt;
  uint32_t faq_context_entries = 3;
  uint32_t max_tokens = 0;
  uint64_t daily_token_budget = 0;  // 0 = no limit
  uint32_t breaker_failures = 3;
  uint32_t breaker_cooldown_s = 60;
  std::vector<std::string> handoff_phrases = {"talk to a human", "speak to a human", "real person",
                                              "human agent",     "转人工",           "人工客服"};
  std::vector<std::string> handoff_intents = {"human"};
  // "Did this help?" with Yes / No quick replies after an answer from the knowledge
  // base; "No" lists the question as not_helpful and hands the visitor to a human.
  bool feedback = false;
  // An answer scored below this is listed among the unanswered questions as
  // low_confidence (it is still sent). 0 = never.
  double low_confidence = 0.4;

  bool operator==(const BotConfig&) const = default;
};

}  // namespace sb::tenants
