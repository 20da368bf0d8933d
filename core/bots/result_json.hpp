// Reading what stages answer (the result JSON of sb_plugin.h) and writing what the
// LLM is asked. Anything that does not match the contract is malformed: the stage
// failed, the pipeline goes on.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bots/pipeline_settings.hpp"
#include "engine/bot_port.hpp"

namespace sb::bots {

struct AutoreplyAnswer {
  std::string error;  // non-empty: malformed
  std::string reply;
  std::vector<std::string> quick_replies;
  bool handoff = false;
  std::string handoff_group;
  std::string handoff_reason;
  bool close = false;
  bool ask_llm = false;
  bool has_state = false;            // "state" present
  std::optional<std::string> state;  // its JSON; nullopt = cleared (null)
  boost::json::object context;
  boost::json::object set_attributes;
  std::string why;  // score and source, for the log
  std::string source;
  double score = -1;              // negative: none given
  boost::json::array candidates;  // the closest candidates the stage weighed, if it says
  // Why a deferring stage would not answer, if it says ({"why": ..., ...}): the
  // FAQ stage's {"why": "not_for_bot", "example"} (a question an admin dismissed).
  boost::json::object declined;

  // Ends the turn (an SB_OK answer that does none of these is empty).
  bool acts() const { return !reply.empty() || handoff || close || ask_llm; }
};

// An empty text reads as {} (a DEFER needs no result).
AutoreplyAnswer parse_autoreply_result(std::string_view text);

struct LlmAnswer {
  std::string error;  // non-empty: malformed or empty
  std::string text;
  uint64_t tokens = 0;  // prompt + completion, as the provider reported them
};
LlmAnswer parse_llm_result(std::string_view text);

// The chat for the LLM: the tenant's system prompt with the closest knowledge-base
// entries (context.faq, from the FAQ stage), the recent history, the visitor's message.
std::string llm_messages(const PipelineSettings& settings, const engine::BotTurn& turn,
                         const boost::json::object& context);

}  // namespace sb::bots
