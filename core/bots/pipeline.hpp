// A tenant's auto-reply pipeline (e.g. flow -> intent -> faq -> llm): each visitor
// message goes through the stages in order until one answers, with the guards of
// the [bot] table: a holding reply past holding_after, a circuit breaker per stage,
// the daily token budget for the LLM, hand-off when the visitor asks for a human or
// nothing could answer. Everything runs on the tenant's strand; nothing waits.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bots/pipeline_settings.hpp"
#include "bots/stages.hpp"
#include "bots/token_budget.hpp"
#include "engine/bot_port.hpp"
#include "plugin_host/circuit_breaker.hpp"

namespace sb::bots {

class Pipeline final : public engine::BotPipeline, public std::enable_shared_from_this<Pipeline> {
 public:
  // budget outlives reloads (the runtime keeps it), the pipeline does not.
  Pipeline(std::string tenant_id, PipelineSettings settings, std::vector<Stage> stages,
           std::shared_ptr<TokenBudget> budget, boost::asio::any_io_executor strand);

  const std::string& display_name(std::string_view language) const override {
    return settings_.display_name.in(language);
  }
  void run_turn(engine::BotTurn turn, std::function<void(engine::BotOutcome)> on_outcome) override;
  void stop() override { stopped_.store(true, std::memory_order_release); }
  bool stopped() const { return stopped_.load(std::memory_order_acquire); }

  // True while the stage's breaker skips it (after breaker_failures in a row).
  bool is_skipped(std::string_view stage) const;

 private:
  friend class Turn;

  std::string tenant_id_;
  PipelineSettings settings_;
  std::vector<Stage> stages_;
  std::vector<std::unique_ptr<plugin_host::CircuitBreaker>> breakers_;  // one per stage
  std::shared_ptr<TokenBudget> budget_;
  boost::asio::any_io_executor strand_;
  std::atomic<bool> stopped_{false};  // its engine stopped: turns under way are abandoned
};

}  // namespace sb::bots
