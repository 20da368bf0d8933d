// How a tenant's bot behaves: the [bot] table of its TOML, as the pipeline uses it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/localized_text.hpp"

namespace sb::bots {

struct PipelineSettings {
  LocalizedText display_name = "Assistant";  // by language, as holding_reply
  // Past this, the visitor gets holding_reply at once; the answer follows when it comes.
  std::chrono::milliseconds holding_after{3000};
  // A stage that has not answered by then has failed; the pipeline goes on.
  std::chrono::milliseconds stage_timeout{20000};
  LocalizedText holding_reply;  // each in the turn's language (bots/reply_language.hpp)
  LocalizedText handoff_reply;
  std::string system_prompt;
  uint32_t faq_context_entries = 3;  // knowledge-base entries the LLM gets as context
  uint32_t llm_max_tokens = 0;       // 0 = the provider's default
  // After this many failures in a row a stage is skipped for breaker_cooldown.
  uint32_t breaker_failures = 3;
  std::chrono::milliseconds breaker_cooldown{60000};
  // Lower-case; a visitor message containing one goes straight to a human.
  std::vector<std::string> handoff_phrases;
  std::vector<std::string> handoff_intents;  // context.intent.name that hands off
  // Ask "did this help?" after a knowledge-base answer (see Turn::offer_feedback).
  bool feedback = false;
  // A scored answer below this is an unanswered question (low_confidence); 0 = never.
  double low_confidence = 0.4;
};

}  // namespace sb::bots
