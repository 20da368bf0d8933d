// The bot's "did this help?" after an answer ([bot] feedback = true): the question
// and its quick replies in the visitor's language, and what the bot says to each.
// Choosing a quick reply sends its label as the visitor's message, which the next
// turn recognises (Turn::answer_feedback).
#pragma once

#include <string_view>

namespace sb::bots {

struct FeedbackTexts {
  const char* question;
  const char* yes;
  const char* no;
  const char* thanks;  // after Yes
  const char* sorry;   // after No, before the hand-off reply
};

inline constexpr FeedbackTexts kFeedbackEnglish{"Did this help?", "Yes", "No", "Glad I could help.",
                                                "Sorry that did not help."};
inline constexpr FeedbackTexts kFeedbackChinese{"这个回答对您有帮助吗？", "有帮助", "没有帮助",
                                                "很高兴能帮到您。", "抱歉没能帮到您。"};

// Chinese for the turn's language "zh", "zh-CN", ... (common/reply_language.hpp),
// English otherwise.
inline const FeedbackTexts& feedback_texts(std::string_view language) {
  return language.substr(0, 2) == "zh" ? kFeedbackChinese : kFeedbackEnglish;
}

}  // namespace sb::bots
