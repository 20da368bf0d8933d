// A text the bot says to visitors in their language: one per language
// ({ en = "...", zh = "..." } in a tenant's TOML), or one for all (a plain string).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>

namespace sb {

class LocalizedText {
 public:
  using ByLanguage = std::map<std::string, std::string, std::less<>>;

  LocalizedText() = default;
  // A plain string: the same text whatever the visitor's language.
  LocalizedText(std::string text) {  // NOLINT(google-explicit-constructor): a string is one
    if (!text.empty()) texts_.emplace("", std::move(text));
  }
  LocalizedText(const char* text) : LocalizedText(std::string(text)) {}  // NOLINT
  explicit LocalizedText(ByLanguage by_language) : texts_(std::move(by_language)) {}

  // The text for `language`: its own ("zh-TW"), its primary language's ("zh"), the
  // text for every language, English's, else the first; "" when there is none.
  const std::string& in(std::string_view language) const {
    static const std::string none;
    if (texts_.empty()) return none;
    const std::string_view primary = language.substr(0, language.find_first_of("-_"));
    for (const std::string_view key :
         {language, primary, std::string_view(), std::string_view("en")})
      if (auto it = texts_.find(key); it != texts_.end()) return it->second;
    return texts_.begin()->second;
  }
  bool empty() const { return texts_.empty(); }
  const ByLanguage& by_language() const { return texts_; }

  bool operator==(const LocalizedText&) const = default;

 private:
  ByLanguage texts_;  // "" holds a plain string's text
};

}  // namespace sb
