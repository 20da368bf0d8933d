// One visitor message going through the pipeline (internal to sb_bots). It lives
// until its final outcome: the stage callbacks and timers hold it.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bots/pipeline.hpp"
#include "bots/result_json.hpp"

namespace sb::bots {

class Turn : public std::enable_shared_from_this<Turn> {
 public:
  Turn(std::shared_ptr<const Pipeline> pipeline, engine::BotTurn input,
       std::function<void(engine::BotOutcome)> emit);
  void start();

 private:
  void try_stage(size_t index);
  void ask_autoreply(size_t index);
  void ask_llm(size_t index);
  void on_autoreply(size_t index, StageResult result);
  void on_llm(size_t index, StageResult result);
  // The stage did not give a usable answer: counted against it, the next one tries.
  // refused: the stage refused the request as bad (not counted by its breaker).
  void stage_failed(size_t index, const std::string& why, bool refused = false);
  void watch_stage(size_t index);
  bool is_current(uint64_t call) const { return !finished_ && call == call_; }
  void on_holding_time();
  void hand_off(const std::string& reason, const std::string& group = {},
                const std::string& reply = {});
  void finish(engine::BotOutcome outcome);
  // The pipeline stopped (its engine did): no further stage is asked, nothing said.
  void abandon();
  std::string attributes_json() const;
  std::string context_json() const;
  void check_handoff_intent(size_t index);
  static bool answers_instead_of_a_person(const AutoreplyAnswer& answer);
  void note_candidates(const AutoreplyAnswer& answer);
  // The visitor's Yes / No to "did this help?": true when the message was one.
  bool answer_feedback();
  void offer_feedback(const AutoreplyAnswer& answer);
  // Why the question goes to the unanswered list, if it does (BotOutcome::unanswered).
  std::string unanswered_reason(const engine::BotOutcome& outcome) const;

  std::shared_ptr<const Pipeline> pipeline_;
  const PipelineSettings& settings_;
  engine::BotTurn input_;
  std::function<void(engine::BotOutcome)> emit_;
  boost::asio::steady_timer holding_timer_;
  boost::asio::steady_timer stage_timer_;

  boost::json::object context_;  // what the stages found so far this turn
  std::map<std::string, std::optional<std::string>> state_;  // stage -> new state
  boost::json::object attributes_set_;
  std::vector<engine::BotReply> replies_;  // not sent yet
  uint64_t call_ = 0;      // the stage call under way; answers to older ones are stale
  bool llm_only_ = false;  // a stage asked for the LLM: only LLM stages try from here
  bool held_ = false;      // the holding reply went out
  bool finished_ = false;
  bool asked_for_human_ = false;  // a hand-off phrase or intent: not a bot miss
  bool feedback_asked_ = false;   // "did this help?" is among the replies
  std::string unanswered_;        // set by the visitor's "No"
  // A hand-off intent named "unless_answered": the reason it hands off with when no
  // later stage answers from the knowledge base (check_handoff_intent).
  std::string handoff_unless_answered_;
  boost::json::object instead_of_;  // that hand-off, for bot.turn's "instead_of"
  bool answered_instead_ = false;   // a stage answered instead of it
  // What bot.turn explains: the stage that answered, its source and score, and the
  // candidates weighed (the answering stage's, else the FAQ context of a deferral).
  std::string answered_by_;
  std::string source_;
  double score_ = -1;
  boost::json::array candidates_;
  boost::json::object declined_;  // the first stage that declined, and why
};

}  // namespace sb::bots
