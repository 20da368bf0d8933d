#pragma once
// Text helpers of the flow engine: how a visitor's message is compared with options
// and keywords, which language a reply is in, and how {param} fills a message.
// Pure functions: safe from any thread.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flow_model.hpp"

namespace switchboard::flow {

using Params = std::map<std::string, std::string, std::less<>>;

// Lower-cases ASCII, folds full-width forms (U+FF01..U+FF5E, U+3000) to ASCII, turns
// every run of white space into one space and trims, so "  Where IS my  Order" and
// "where is my order" compare equal. Other characters (Chinese) are kept as they are.
std::string normalize(std::string_view text);

// normalize() without the sentence's final punctuation ("1.", "Yes!", "是的。"), for
// comparing a whole message with an option's label.
std::string normalize_answer(std::string_view text);

// True when the normalised keyword occurs in the normalised text. A keyword that
// starts or ends with an ASCII letter or digit must do so at a word boundary there
// ("order" is in "my order?" but not in "border"); Chinese has no word boundaries,
// so "订单" is found anywhere in "我的订单到哪了".
bool contains_keyword(std::string_view normalized_text, std::string_view normalized_keyword);

// The primary language subtag, lower-cased: "zh-CN" -> "zh", "EN" -> "en".
std::string primary_language(std::string_view language_tag);

// "zh" when the text has CJK ideographs, else "" (the widget did not say, so the
// message itself is the best hint for a Chinese visitor).
std::string guess_language(std::string_view text);

// The text in `language`, else in the default language (which a loaded text has).
const std::string& localize(const LocalizedText& text, std::string_view language,
                            std::string_view default_language);

// Fills "{name}" from params ("" when a parameter was never captured); "{{" and "}}"
// are literal braces.
std::string interpolate(std::string_view templ, const Params& params);

// The parameter names a template uses, or an explanation of why it is malformed
// (an unclosed "{", a stray "}", a name that is not [A-Za-z0-9_]+) with its stable
// code (unclosed_brace, stray_brace, bad_param_name; bad_name: that name).
struct Placeholders {
  std::vector<std::string> names;
  std::string error;
  std::string code;
  std::string bad_name;
};
Placeholders placeholders(std::string_view templ);

}  // namespace switchboard::flow
