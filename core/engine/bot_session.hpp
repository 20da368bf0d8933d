// What the engine keeps per conversation for the bot: the stages' state, what the
// bot has answered, the visitor messages waiting for their turn. Persisted with the
// conversation record (see bot.cpp), so a restart resumes with the bot.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "engine/bot_port.hpp"
#include "unanswered/question_log.hpp"

namespace sb::engine {

struct BotSession {
  std::string flow_node;                     // handed to the next turn, then cleared
  std::map<std::string, std::string> state;  // stage name -> state JSON
  std::string attributes_json = "{}";
  uint64_t answered_seq = 0;  // every visitor message up to here has had its turn
  bool handed_off = false;    // the bot let go of this conversation for good

  // Not persisted: rebuilt from storage on a restart.
  std::map<uint64_t, std::string> inbox;  // visitor messages waiting: seq -> text
  std::map<uint64_t, BotLine> history;    // recent lines, for the stages' context
  bool turn_running = false;
  uint64_t turn_seq = 0;
  std::string turn_text;  // the message of the turn under way, and its language
  std::string turn_language;
  std::string turn_page_language;  // the widget's language at that turn
  // The question the bot's last answer was about, when it asked "did this help?":
  // a "No" lists this one (not the "No") among the unanswered questions.
  std::optional<unanswered::Occurrence> feedback_for;
  uint64_t generation = 0;  // bumped when the bot takes or leaves: late outcomes see it
  // Set when the bot's last replies must reach the visitor before the conversation
  // moves on (handed to a human, or closed): done once delivered_seq reaches it.
  enum class Exit : uint8_t { none, handoff, close } exit = Exit::none;
  uint64_t exit_after_seq = 0;
};

}  // namespace sb::engine
