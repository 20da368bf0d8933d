#include "tokenizer.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <iterator>
#include <utility>

namespace switchboard::faq {
namespace {

constexpr char32_t kInvalid = 0xFFFFFFFF;

// Decodes one UTF-8 sequence at `pos`, advancing it; kInvalid (and one byte) on a
// malformed, overlong or surrogate sequence.
char32_t decode_utf8(std::string_view s, std::size_t& pos) {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (b0 < 0x80) {
    ++pos;
    return b0;
  }
  int extra = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    extra = 1, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    extra = 2, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    extra = 3, cp = b0 & 0x07, min = 0x10000;
  } else {
    ++pos;
    return kInvalid;
  }
  if (pos + extra >= s.size()) {
    ++pos;
    return kInvalid;
  }
  for (int i = 1; i <= extra; ++i) {
    const auto b = static_cast<unsigned char>(s[pos + i]);
    if ((b & 0xC0) != 0x80) {
      ++pos;
      return kInvalid;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++pos;
    return kInvalid;
  }
  pos += extra + 1;
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool is_unsegmented(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF)                     // CJK Unified Ideographs
         || (cp >= 0x3400 && cp <= 0x4DBF)                  // Extension A
         || (cp >= 0x20000 && cp <= 0x3134F)                // Extensions B..G
         || (cp >= 0xF900 && cp <= 0xFAFF)                  // Compatibility Ideographs
         || (cp >= 0x3040 && cp <= 0x30FF && cp != 0x30FB)  // Hiragana, Katakana but ・
         || (cp >= 0x31F0 && cp <= 0x31FF)                  // Katakana phonetic extensions
         || (cp >= 0xFF66 && cp <= 0xFF9F)                  // half-width Katakana
         || (cp >= 0xAC00 && cp <= 0xD7AF)                  // Hangul syllables
         || (cp >= 0x1100 && cp <= 0x11FF)                  // Hangul Jamo
         || (cp >= 0x3130 && cp <= 0x318F)                  // Hangul compatibility Jamo
         || (cp >= 0x0E00 && cp <= 0x0EFF)                  // Thai, Lao
         || (cp >= 0x1780 && cp <= 0x17FF)                  // Khmer
         || (cp >= 0x1000 && cp <= 0x109F);                 // Myanmar
}

// Non-ASCII code points that separate words: punctuation, symbols, emoji and their
// modifiers/joiners. Everything else non-ASCII and not unsegmented counts as a letter.
bool is_non_ascii_separator(char32_t cp) {
  return (cp >= 0x80 && cp <= 0xBF)           // Latin-1 punctuation and symbols
         || cp == 0xD7 || cp == 0xF7          // × ÷
         || (cp >= 0x2000 && cp <= 0x2BFF)    // general punctuation .. misc symbols and arrows
         || (cp >= 0x2E00 && cp <= 0x2E7F)    // supplemental punctuation
         || (cp >= 0x3000 && cp <= 0x303F)    // CJK symbols and punctuation (、。「」)
         || cp == 0x30FB                      // katakana middle dot
         || (cp >= 0xFE00 && cp <= 0xFE0F)    // variation selectors
         || (cp >= 0xFE30 && cp <= 0xFE6F)    // CJK compatibility and small form punctuation
         || (cp >= 0xFF00 && cp <= 0xFF65)    // full-width punctuation left after folding
         || (cp >= 0xFFF0 && cp <= 0xFFFF)    // specials
         || (cp >= 0x1F000 && cp <= 0x1FAFF)  // emoji, pictographs, flags, skin tones
         || (cp >= 0xE0000 && cp <= 0xE007F)  // tag characters (flag sequences)
         || cp == kInvalid;
}

// Full-width ASCII variants and the ideographic space fold to ASCII.
char32_t fold_width(char32_t cp) {
  if (cp >= 0xFF01 && cp <= 0xFF5E) return cp - 0xFF01 + 0x21;
  if (cp == 0x3000) return U' ';
  return cp;
}

bool is_ascii_alnum(char32_t cp) {
  return (cp >= U'0' && cp <= U'9') || (cp >= U'a' && cp <= U'z') || (cp >= U'A' && cp <= U'Z');
}

// Function words that carry no topic. Question words (how, when, where, why) stay:
// "how long" and "where is" tell refund-time from order-tracking questions apart.
constexpr std::string_view kStopWords[] = {
    "a", "about", "am", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can",
    "could", "did", "do", "does", "for", "from", "get", "got", "had", "has", "have", "hello", "hi",
    "i", "if", "im", "in", "is", "it", "its", "me", "my", "of", "on", "or", "our", "please", "so",
    "some", "than", "that", "the", "there", "this", "to", "u", "us", "was", "we", "were", "will",
    "with", "would", "you", "your", "ll", "ve", "thanks",
    // The rest of the closed classes: personal pronouns and determiners, modal verbs,
    // subordinating conjunctions (not "until", "since": they name a time).
    "he", "him", "his", "she", "her", "hers", "they", "them", "their", "theirs", "mine", "yours",
    "ours", "myself", "yourself", "itself", "these", "those", "shall", "should", "might", "must",
    "because", "although", "though", "unless", "whether", "nor",
    // The adverbs made like indefinite pronouns, "else" and "besides", chat spellings
    // of the words above ("pls", "thx") and interjections like "hi" ("hey", "lol"):
    // WordNet's nouns, verbs and adjectives lack them, so they had weighed as the most
    // specific thing in a message ("cant find it anywhere", "what else can I pay with
    // besides a card", "refund pls").
    "anywhere", "somewhere", "everywhere", "nowhere", "elsewhere", "else", "besides", "pls", "plz",
    "thx", "hey", "lol"};

bool is_stop_word(std::string_view w) {
  return std::find(std::begin(kStopWords), std::end(kStopWords), w) != std::end(kStopWords);
}

bool is_vowel(char c) {
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

bool all_ascii(std::string_view w) {
  return std::all_of(w.begin(), w.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

void emit_word(std::string& word, const TokenizerOptions& options, std::vector<std::string>& out) {
  if (word.empty()) return;
  const bool ascii = all_ascii(word);
  // One ASCII letter is never a topic ("what's" -> "what" "s"); digits are (sizes, "7 days").
  const bool lone_letter = ascii && word.size() == 1 && !(word[0] >= '0' && word[0] <= '9');
  if (!lone_letter && !(options.drop_english_stop_words && ascii && is_stop_word(word))) {
    out.push_back(options.fold_english_suffixes && ascii ? fold_english_suffix(word) : word);
  }
  word.clear();
}

void emit_unsegmented_run(std::vector<std::string>& run, std::vector<std::string>& out) {
  for (const auto& ch : run) out.push_back(ch);
  for (std::size_t i = 0; i + 1 < run.size(); ++i) out.push_back(run[i] + run[i + 1]);
  run.clear();
}

}  // namespace

bool is_english_stop_word(std::string_view word) {
  return is_stop_word(word);
}

std::vector<TextPiece> text_pieces(std::string_view text) {
  std::vector<TextPiece> out;
  TextPiece word, run;
  run.unsegmented = true;
  auto flush_word = [&] {
    if (!word.word.empty()) out.push_back(std::exchange(word, TextPiece{}));
  };
  auto flush_run = [&] {
    if (!run.chars.empty()) {
      out.push_back(std::move(run));
      run = TextPiece{};
      run.unsegmented = true;
    }
  };
  std::size_t pos = 0;
  while (pos < text.size()) {
    const char32_t cp = fold_width(decode_utf8(text, pos));
    if (cp < 0x80) {
      flush_run();
      if (is_ascii_alnum(cp)) {
        word.word += static_cast<char>(cp >= U'A' && cp <= U'Z' ? cp + 32 : cp);
      } else {
        flush_word();
      }
    } else if (is_unsegmented(cp)) {
      flush_word();
      std::string ch;
      append_utf8(ch, cp);
      run.chars.push_back(std::move(ch));
    } else if (is_non_ascii_separator(cp)) {
      flush_word();
      flush_run();
    } else {
      flush_run();
      append_utf8(word.word, cp);
    }
  }
  flush_word();
  flush_run();
  return out;
}

std::string fold_english_suffix(std::string w) {
  auto ends = [&](std::string_view suffix) {
    return w.size() > suffix.size() &&
           std::string_view(w).substr(w.size() - suffix.size()) == suffix;
  };
  auto has_digit = std::any_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (has_digit) return w;
  bool stripped_verb = false;
  if (w.size() > 4 && ends("ies")) {
    w.replace(w.size() - 3, 3, "y");
  } else if (w.size() > 4 && (ends("sses") || ends("shes") || ends("ches") || ends("xes"))) {
    w.resize(w.size() - 2);
  } else if (w.size() > 3 && ends("s") && !ends("ss") && !ends("us") && !ends("is")) {
    w.resize(w.size() - 1);
  } else if (w.size() > 5 && ends("ing")) {
    w.resize(w.size() - 3);
    stripped_verb = true;
  } else if (w.size() > 4 && ends("ied")) {
    w.replace(w.size() - 3, 3, "y");
  } else if (w.size() > 4 && ends("ed") && !ends("eed")) {
    w.resize(w.size() - 2);
    stripped_verb = true;
  }
  // "shipping" -> "shipp" -> "ship"; but "install" keeps its double l.
  if (stripped_verb && w.size() >= 3 && w[w.size() - 1] == w[w.size() - 2] && !is_vowel(w.back()) &&
      w.back() != 'l' && w.back() != 's' && w.back() != 'z') {
    w.pop_back();
  }
  // "charge", "charged", "charging" -> "charg": a trailing e is dropped on every form.
  if (w.size() > 3 && w.back() == 'e' && w[w.size() - 2] != 'e') w.pop_back();
  return w;
}

bool is_cjk_term(std::string_view term) {
  if (term.empty()) return false;
  std::size_t pos = 0;
  while (pos < term.size()) {
    if (!is_unsegmented(decode_utf8(term, pos))) return false;
  }
  return true;
}

std::vector<std::string> tokenize(std::string_view text, const TokenizerOptions& options) {
  std::vector<std::string> out;
  std::string word;
  std::vector<std::string> run;  // current run of unsegmented characters, one UTF-8 char each
  std::size_t pos = 0;
  while (pos < text.size()) {
    const char32_t cp = fold_width(decode_utf8(text, pos));
    if (cp < 0x80) {
      emit_unsegmented_run(run, out);
      if (is_ascii_alnum(cp)) {
        word += static_cast<char>(cp >= U'A' && cp <= U'Z' ? cp + 32 : cp);
      } else {
        emit_word(word, options, out);
      }
    } else if (is_unsegmented(cp)) {
      emit_word(word, options, out);
      std::string ch;
      append_utf8(ch, cp);
      run.push_back(std::move(ch));
    } else if (is_non_ascii_separator(cp)) {
      emit_word(word, options, out);
      emit_unsegmented_run(run, out);
    } else {
      emit_unsegmented_run(run, out);
      append_utf8(word, cp);
    }
  }
  emit_word(word, options, out);
  emit_unsegmented_run(run, out);
  return out;
}

std::vector<std::string_view> clauses_of(std::string_view text) {
  static constexpr std::string_view kBreaks[] = {",",  ".",  ";",  "!",  "?",  "\n",
                                                 "，", "。", "；", "！", "？", "、"};
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t cut = 0;
    for (const auto b : kBreaks)
      if (text.substr(i, b.size()) == b) cut = b.size();
    if (cut == 0) {
      ++i;
      continue;
    }
    if (i > start) out.push_back(text.substr(start, i - start));
    i += cut;
    start = i;
  }
  if (start < text.size()) out.push_back(text.substr(start));
  return out;
}

bool asks_or_requests(std::string_view whole, std::string_view clause) {
  const auto end = static_cast<std::size_t>(clause.data() + clause.size() - whole.data());
  if (whole.substr(end, 1) == "?" || whole.substr(end, 3) == "？") return true;
  static constexpr std::string_view kChinese[] = {
      "吗",   "嘛", "呢", "么", "怎", "咋", "哪", "什么", "啥", "多", "几", "能",
      "可以", "想", "要", "请", "帮", "吧", "不", "没",   "麼", "請", "幫"};
  for (const auto w : kChinese)
    if (clause.find(w) != std::string_view::npos) return true;
  static constexpr std::string_view kEnglish[] = {
      "how",    "what", "when",  "where",  "which", "why",    "who",  "can",   "could",
      "do",     "does", "is",    "are",    "will",  "would",  "want", "need",  "like",
      "please", "help", "whats", "wheres", "hows",  "should", "may",  "wonder"};
  std::string word;
  auto check = [&] {
    const bool found =
        std::find(std::begin(kEnglish), std::end(kEnglish), word) != std::end(kEnglish);
    word.clear();
    return found;
  };
  for (const char c : clause) {
    if (std::isalpha(static_cast<unsigned char>(c))) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!word.empty() && check()) {
      return true;
    }
  }
  return !word.empty() && check();
}

bool asks_anything(std::string_view text) {
  for (const auto clause : clauses_of(text))
    if (asks_or_requests(text, clause)) return true;
  return false;
}

}  // namespace switchboard::faq
