#include "bots/trial.hpp"

#include <boost/asio/post.hpp>

#include "bots/pipeline.hpp"
#include "bots/result_json.hpp"
#include "common/reply_language.hpp"
#include "switchboard/sb_plugin.h"

namespace sb::bots {

namespace {

// What the stages of one trial did, shared by its recording stages and its end.
struct TrialLog {
  std::vector<TrialStep> steps;
  bool llm_reached = false;
};

// A live auto-reply stage, asked as the pipeline asks it; its answer is noted (as
// the pipeline will judge it) before the pipeline sees it.
class RecordingStage final : public AutoreplyStage {
 public:
  RecordingStage(std::shared_ptr<AutoreplyStage> stage, std::shared_ptr<TrialLog> log, size_t index)
      : stage_(std::move(stage)), log_(std::move(log)), index_(index) {}

  void reply(const AutoreplyRequest& request, StageCallback done) override {
    log_->steps[index_].status = "failed";
    log_->steps[index_].error = "no answer in time";
    stage_->reply(request, [log = log_, index = index_, done = std::move(done)](StageResult r) {
      TrialStep& step = log->steps[index];
      step.result_json = r.result_json;
      step.error = r.error;
      if (r.status == SB_OK || r.status == SB_DEFER) {
        const AutoreplyAnswer answer = parse_autoreply_result(r.result_json);
        if (!answer.error.empty()) {
          step.error = "malformed result: " + answer.error;
        } else if (r.status == SB_OK && !answer.acts()) {
          step.error = "answered with nothing to say or do";
        } else {
          step.status = r.status == SB_OK ? "answered" : "deferred";
          step.error.clear();
        }
      } else if (step.error.empty()) {
        step.error = "failed";
      }
      done(std::move(r));
    });
  }

 private:
  std::shared_ptr<AutoreplyStage> stage_;
  std::shared_ptr<TrialLog> log_;
  size_t index_;
};

// Stands in for an LLM stage: the pipeline reaching it is noted, and it fails, so
// the turn ends as it would have without an answer from the LLM.
class UncalledLlmStage final : public LlmStage {
 public:
  explicit UncalledLlmStage(std::shared_ptr<TrialLog> log) : log_(std::move(log)) {}
  void chat(const LlmRequest&, StageCallback done) override {
    log_->llm_reached = true;
    done(StageResult{SB_ERROR, {}, "not called in a trial"});
  }

 private:
  std::shared_ptr<TrialLog> log_;
};

}  // namespace

Trial::Trial(std::string tenant_id, PipelineSettings settings, std::vector<Stage> stages,
             std::shared_ptr<TokenBudget> budget, boost::asio::any_io_executor strand)
    : tenant_id_(std::move(tenant_id)),
      settings_(std::move(settings)),
      stages_(std::move(stages)),
      budget_(std::move(budget)),
      strand_(std::move(strand)) {
  // An admin waits for the answer itself, not for a "one moment" message.
  settings_.holding_reply = {};
}

bool Trial::has_llm() const {
  for (const auto& stage : stages_)
    if (stage.llm) return true;
  return false;
}

void Trial::run(std::string text, std::string language,
                std::function<void(TrialAnswer)> done) const {
  auto log = std::make_shared<TrialLog>();
  std::vector<Stage> recorded;
  for (size_t i = 0; i < stages_.size(); ++i) {
    const Stage& live = stages_[i];
    log->steps.push_back(TrialStep{live.name, static_cast<bool>(live.llm), "not_called", {}, {}});
    Stage stage;
    stage.name = live.name;
    if (live.llm) {
      stage.llm = std::make_shared<UncalledLlmStage>(log);
    } else {
      stage.autoreply = std::make_shared<RecordingStage>(live.autoreply, log, i);
    }
    recorded.push_back(std::move(stage));
  }
  // A pipeline of its own: the live one's breakers and turns are not touched.
  auto pipeline =
      std::make_shared<Pipeline>(tenant_id_, settings_, std::move(recorded), budget_, strand_);

  engine::BotTurn turn;
  turn.conversation_id = "admin-trial";
  turn.visitor_id = "admin-trial";
  turn.seq = 1;
  turn.text = std::move(text);
  turn.language = sb::reply_language(language, turn.text);  // as the engine decides it
  boost::asio::post(strand_, [pipeline, turn = std::move(turn), log, done = std::move(done)] {
    auto earlier = std::make_shared<std::vector<engine::BotReply>>();
    pipeline->run_turn(turn, [log, earlier, done](engine::BotOutcome outcome) {
      if (!outcome.final) {
        for (auto& reply : outcome.replies) earlier->push_back(std::move(reply));
        return;
      }
      TrialAnswer answer;
      answer.would_ask_llm = log->llm_reached;
      // Reached, the LLM would have answered: what the pipeline does when it cannot
      // (hand off, saying handoff_reply) is not what the visitor would see.
      if (answer.would_ask_llm) {
        outcome.replies.clear();
        outcome.handoff = false;
        outcome.handoff_reason.clear();
        outcome.handoff_group.clear();
      }
      outcome.replies.insert(outcome.replies.begin(), earlier->begin(), earlier->end());
      answer.outcome = std::move(outcome);
      answer.steps = std::move(log->steps);
      done(std::move(answer));
    });
  });
}

}  // namespace sb::bots
