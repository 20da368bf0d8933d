// How a Chinese message names the shop's acts (TextAnalyzer::read_acts,
// text_analyzer.hpp): words as jieba cuts them, read for what the visitor does or asks
// done. Kept apart from text_analyzer.cpp, which turns text into terms.
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "text_analyzer.hpp"

namespace switchboard::faq {
namespace {

// The words of "after" that make what comes before them a time (下单后, 收到货以后).
bool is_after(std::string_view word) {
  return word == "后" || word == "以后" || word == "之后";
}

// The question words that ask how to do something ("how"), and 咋, which is 怎么 as
// spoken: a closed class, like English question words.
bool asks_how(std::string_view word) {
  return word == "怎么" || word == "咋" || word == "如何" || word == "怎样" || word == "怎么样";
}

constexpr std::size_t kCharBytes = 3;  // a Chinese character in UTF-8

bool one_character(std::string_view word) {
  return word.size() == kCharBytes;
}

}  // namespace

bool TextAnalyzer::names_act(const std::vector<std::string>& words) const {
  for (const auto& word : words)
    if (word.size() > kCharBytes && segmenter_->is_verb(word)) return true;
  return false;
}

std::unordered_set<std::string> TextAnalyzer::times_of_acts(std::string_view text) const {
  std::unordered_set<std::string> times;
  for (const auto& piece : pieces_of(text)) {
    if (!piece.unsegmented) continue;
    const auto words = segmenter_->segment(piece.chars, &user_words_);
    for (std::size_t i = 0; i + 1 < words.size(); ++i)
      if (is_after(words[i + 1]) && !one_character(words[i]) &&
          !segmenter_->is_asking_word(words[i]))
        times.insert(tenant_.canonical(words[i]));
  }
  return times;
}

std::vector<std::string> TextAnalyzer::read_acts(std::vector<std::string> words,
                                                 bool act_named_before) const {
  // 咋 is 怎么 as spoken (咋取消, 退款咋弄): the question word the entries write.
  for (auto& word : words)
    if (word == "咋") word = "怎么";
  std::vector<std::string> out;
  out.reserve(words.size());
  for (std::size_t i = 0; i < words.size(); ++i) {
    const auto& word = words[i];
    // A verb asked "how" at the end of a clause, when the message has named its act
    // already, stands for doing that act: 退款咋弄, 我想退钱，要怎么操作 ask how to get a
    // refund, as 怎么申请退款 does; the verb (弄, 操作, 整) names nothing of its own.
    if (i > 0 && asks_how(words[i - 1]) && segmenter_->is_verb(word) &&
        (act_named_before ||
         names_act({words.begin(), words.begin() + static_cast<std::ptrdiff_t>(i - 1)}))) {
      bool ends = true;
      for (std::size_t j = i + 1; j < words.size() && ends; ++j)
        ends = one_character(words[j]) && segmenter_->is_asking_word(words[j]);
      if (ends) continue;
    }
    // A verb of one character and its object make the compound the dictionary (or the
    // tenant) has: 退个款 is 退款, 把钱退了 and 钱能退吗 are 退钱. The object follows the verb,
    // past a measure (个) or 了, or comes before it after 把, or opens the clause.
    if (one_character(word) && segmenter_->is_verb(word)) {
      auto known = [&](const std::string& compound) {
        return segmenter_->contains(compound) || user_words_.count(compound) > 0;
      };
      std::size_t j = i + 1;
      while (j < words.size() && (words[j] == "个" || words[j] == "了")) ++j;
      if (j < words.size() && j > i + 1 && known(word + words[j])) {
        out.push_back(word + words[j]);
        i = j;
        continue;
      }
      bool disposed = false;  // 把 earlier in the run: its object comes before the verb
      for (std::size_t k = 0; k + 1 < i; ++k) disposed = disposed || words[k] == "把";
      if (disposed && !out.empty() && known(word + out.back()) &&
          !segmenter_->is_asking_word(out.back())) {
        out.back() = word + out.back();
        continue;
      }
      // Or the object opens the clause, as its topic (钱能退吗: can the money be refunded).
      if (!disposed && i > 0 && !out.empty() && known(word + words.front()) &&
          !segmenter_->names_no_thing(words.front()) && out.front() == words.front()) {
        out.front() = word + words.front();
        continue;
      }
    }
    out.push_back(word);
  }
  return out;
}

}  // namespace switchboard::faq
