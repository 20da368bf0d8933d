// The language the bot answers one message in (decided where a bot turn is made:
// the engine for a visitor's message, the admin's "try the bot"). The widget reports its page's
// language, but a visitor writing Chinese on an English page reads a Chinese answer
// best, and one writing English on a Chinese page an English one: where the
// message's script plainly says otherwise, the message wins.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sb {

struct ScriptCounts {
  std::size_t han = 0;          // CJK ideographs (Chinese, and Japanese kanji)
  std::size_t kana = 0;         // hiragana and katakana: Japanese
  std::size_t latin_words = 0;  // runs of ASCII letters
};

inline ScriptCounts script_counts(std::string_view text) {
  ScriptCounts counts;
  bool in_word = false;
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const bool letter = (byte | 0x20) >= 'a' && (byte | 0x20) <= 'z';
    if (letter && !in_word) ++counts.latin_words;
    in_word = letter;
    if (byte < 0x80) {
      ++i;
      continue;
    }
    // A three-byte sequence holds U+0800..U+FFFF, every script counted here.
    const std::size_t length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2;
    if (length == 3 && i + 2 < text.size()) {
      const unsigned code = (byte & 0x0Fu) << 12 |
                            (static_cast<unsigned char>(text[i + 1]) & 0x3Fu) << 6 |
                            (static_cast<unsigned char>(text[i + 2]) & 0x3Fu);
      if ((code >= 0x3400 && code <= 0x4DBF) || (code >= 0x4E00 && code <= 0x9FFF)) ++counts.han;
      if (code >= 0x3040 && code <= 0x30FF) ++counts.kana;
    }
    i += length;
  }
  return counts;
}

// widget_language as the hello gave it ("en", "zh-TW", "" when unknown).
inline std::string reply_language(std::string_view widget_language, std::string_view text) {
  const bool widget_chinese = widget_language.substr(0, 2) == "zh";
  const ScriptCounts counts = script_counts(text);
  // Chinese characters without kana: Chinese, in the widget's variant if it has one.
  if (counts.han > 0 && counts.kana == 0)
    return widget_chinese ? std::string(widget_language) : std::string("zh");
  // Words in Latin letters and no Chinese on a Chinese page: English, the one other
  // language the bot's own texts come in (two words at least: an order number or an
  // "ok" says nothing).
  if (widget_chinese && counts.han == 0 && counts.latin_words >= 2) return "en";
  return std::string(widget_language);
}

}  // namespace sb
