#include "bots/pipeline.hpp"

#include <boost/asio/post.hpp>

#include "bots/turn.hpp"

namespace sb::bots {

Pipeline::Pipeline(std::string tenant_id, PipelineSettings settings, std::vector<Stage> stages,
                   std::shared_ptr<TokenBudget> budget, boost::asio::any_io_executor strand)
    : tenant_id_(std::move(tenant_id)),
      settings_(std::move(settings)),
      stages_(std::move(stages)),
      budget_(std::move(budget)),
      strand_(std::move(strand)) {
  for (size_t i = 0; i < stages_.size(); ++i)
    breakers_.push_back(std::make_unique<plugin_host::CircuitBreaker>(settings_.breaker_failures,
                                                                      settings_.breaker_cooldown));
}

void Pipeline::run_turn(engine::BotTurn turn, std::function<void(engine::BotOutcome)> on_outcome) {
  auto t = std::make_shared<Turn>(shared_from_this(), std::move(turn), std::move(on_outcome));
  // Started from the strand's queue: no outcome ever comes from inside this call.
  boost::asio::post(strand_, [t] { t->start(); });
}

bool Pipeline::is_skipped(std::string_view stage) const {
  for (size_t i = 0; i < stages_.size(); ++i)
    if (stages_[i].name == stage) return breakers_[i]->is_open();
  return false;
}

}  // namespace sb::bots
