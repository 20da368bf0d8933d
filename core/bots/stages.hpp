// The pipeline's stages as small interfaces: an auto-reply stage and an LLM stage,
// each one plugin instance of the tenant (core/server adapts the plugin host's
// clients to them; tests use fakes).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace sb::bots {

// What a stage answered: an sb_status (SB_OK, SB_DEFER, or SB_ERROR for failures,
// timeouts included) and its result JSON (see sb_plugin.h). refused: with SB_ERROR,
// the plugin refused the request as bad (SB_REFUSED, ABI 1.11, through its
// completion): the turn goes on to the next stage, but the stage's breaker does not
// count it, so no visitor's messages can make a stage skipped for everyone.
struct StageResult {
  int32_t status = 0;
  std::string result_json;
  std::string error;
  bool refused = false;
};
using StageCallback = std::function<void(StageResult)>;

// The fields of sb_autoreply_request.
struct AutoreplyRequest {
  std::string conversation_id;
  std::string visitor_id;
  std::string text;
  std::string language;
  std::string attributes_json = "{}";
  std::string state_json;  // "" the first time
  std::string context_json = "{}";
  int64_t deadline_ms = 0;  // monotonic
};

// The fields of sb_llm_request.
struct LlmRequest {
  std::string conversation_id;
  std::string messages_json;
  uint32_t max_tokens = 0;
  int64_t deadline_ms = 0;  // monotonic
};

// Both: called on the tenant's strand; done runs on the strand, exactly once. The
// pipeline does not rely on the stage's own time limit: it gives up on its own.
class AutoreplyStage {
 public:
  virtual ~AutoreplyStage() = default;
  virtual void reply(const AutoreplyRequest& request, StageCallback done) = 0;
};

class LlmStage {
 public:
  virtual ~LlmStage() = default;
  virtual void chat(const LlmRequest& request, StageCallback done) = 0;
};

// One stage of the tenant's pipeline: a plugin instance's name and exactly one of
// the two kinds.
struct Stage {
  std::string name;
  std::shared_ptr<AutoreplyStage> autoreply;
  std::shared_ptr<LlmStage> llm;
};

}  // namespace sb::bots
