// Asking a tenant's bot a question without a visitor, for the admin's "try it" box:
// the same stages and [bot] settings as the live pipeline, run through a Pipeline of
// their own, with every stage's answer recorded. Nothing is kept: no conversation,
// no flow state (every trial is a first message), no breaker or token count of the
// live pipeline. LLM stages are never called (a trial must not spend the tenant's
// tokens or reach an outside service): they are listed as not called, and the
// trial says when the pipeline would have asked one.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bots/pipeline_settings.hpp"
#include "bots/stages.hpp"
#include "bots/token_budget.hpp"
#include "engine/bot_port.hpp"

namespace sb::bots {

// What one stage did with the question, in pipeline order.
struct TrialStep {
  std::string stage;  // the plugin instance's name
  bool llm = false;
  // "answered" (SB_OK), "deferred" (SB_DEFER), "failed" (an error or a timeout),
  // "not_called" (an LLM stage, or a stage the turn never reached)
  std::string status;
  std::string result_json;  // what the stage answered, "" when nothing
  std::string error;
};

struct TrialAnswer {
  std::vector<TrialStep> steps;
  engine::BotOutcome outcome;  // the final one
  // An LLM stage is in the pipeline and the turn would have reached it: a stage
  // asked for it, or no auto-reply stage answered.
  bool would_ask_llm = false;
};

class Trial {
 public:
  // stages: the live pipeline's, in order; budget: the tenant's (never spent here).
  Trial(std::string tenant_id, PipelineSettings settings, std::vector<Stage> stages,
        std::shared_ptr<TokenBudget> budget, boost::asio::any_io_executor strand);

  // Any thread. done runs once, on the tenant's strand, within the pipeline's
  // stage time limit per stage.
  void run(std::string text, std::string language, std::function<void(TrialAnswer)> done) const;

  bool has_llm() const;

 private:
  std::string tenant_id_;
  PipelineSettings settings_;
  std::vector<Stage> stages_;
  std::shared_ptr<TokenBudget> budget_;
  boost::asio::any_io_executor strand_;
};

}  // namespace sb::bots
