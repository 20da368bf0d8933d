#include "chinese_segmenter.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "data_file.hpp"
#include "shared_data.hpp"

namespace switchboard::faq {
namespace {

// Longer entries (idioms, names) never match a visitor's question better than
// their parts, and bounding the DAG keeps a long message linear.
constexpr std::size_t kMaxWordChars = 8;

std::size_t utf8_chars(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace

ChineseSegmenter::ChineseSegmenter(const std::filesystem::path& dictionary) {
  const DataFile data(dictionary);
  if (!data.ok())
    throw std::runtime_error("cannot read the Chinese dictionary " + dictionary.string() +
                             " (Debian: apt-get install python3-jieba)");
  // About 14.5 bytes a line, 9 of them the word: reserving for all of them spares
  // the table's growing.
  words_.reserve(data.text().size() / 14, data.text().size() * 2 / 3);
  std::string_view rest = data.text(), line;
  double total = 0;
  while (next_line(rest, line)) {
    // "word frequency tag"; a line without a positive frequency is skipped.
    const auto word = next_field(line);
    double frequency = 0;
    if (word.empty() || !parse_number(next_field(line), frequency) || frequency <= 0) continue;
    const std::size_t chars = utf8_chars(word);
    if (chars > kMaxWordChars) continue;
    Word& entry = words_[word];
    entry.log_probability += frequency;  // a word listed twice: its frequencies add up
    total += frequency;
    const auto tag = next_field(line);
    if (tag.empty()) continue;
    const bool noun = tag == "n" || tag == "nt" || tag == "nz";
    if (noun && chars > 1) entry.kinds |= kNoun;
    if (tag[0] != 'n') entry.kinds |= kNonNoun;
    if ((noun || tag == "vn") && chars > 1) entry.kinds |= kThingWord;
    // Pronouns and question words (r: 怎么, 哪), numbers and amounts (m: 多久, 几点),
    // times (t: 周末, 现在), measures (q) and function words (adverbs, prepositions,
    // conjunctions, particles, interjections, onomatopoeia).
    if (std::string_view("rmtqdpcuyeo").find(tag[0]) != std::string_view::npos)
      entry.kinds |= kAskingWord;
    if (tag == "t") entry.kinds |= kTimeWord;
    if (tag == "ns" && chars > 1) entry.kinds |= kPlace;
    if (tag == "m" && chars > 1) entry.kinds |= kAmountWord;
    if (tag[0] == 'v') entry.kinds |= kVerb;
  }
  if (words_.empty())
    throw std::runtime_error("the Chinese dictionary " + dictionary.string() + " has no words");
  mark_degree_questions();
  words_.shrink_to_fit();
  finish(total);
}

void ChineseSegmenter::mark_degree_questions() {
  // 多 before an adjective of measure asks how much of it ("how long", "how far"), as
  // 多久 and 多少 do, which the dictionary tags as amounts (m). It tags 多长 and 多长时间
  // as nouns, which made "保修期多长" name a thing no entry has. A closed class, like
  // English question words: the words here, where the dictionary has them.
  static constexpr std::string_view kDegreeQuestions[] = {
      "多久", "多少", "多长", "多长时间", "多远", "多大", "多高", "多重", "多宽", "多深"};
  for (const auto word : kDegreeQuestions) {
    const Word* found = words_.find(word);
    if (!found) continue;
    Word& entry = words_[word];
    entry.kinds = kNonNoun | kAskingWord | kAmountWord;
  }
}

ChineseSegmenter::ChineseSegmenter(const std::unordered_map<std::string, double>& words) {
  double total = 0;
  for (const auto& [word, frequency] : words) {
    words_[word].log_probability = frequency;
    total += frequency;
  }
  finish(std::max(total, 1.0));
}

void ChineseSegmenter::finish(double total) {
  const double log_total = std::log(total);
  words_.for_each([&](std::string_view word, Word& entry) {
    longest_word_chars_ = std::max(longest_word_chars_, utf8_chars(word));
    entry.log_probability = std::log(entry.log_probability) - log_total;
  });
  unknown_log_probability_ = -log_total;
  // A caller's own word is as likely as the dictionary's commonest one: it is kept
  // whole wherever it occurs, as jieba's user dictionary does.
  user_word_log_probability_ = -INFINITY;
  words_.for_each([&](std::string_view, const Word& entry) {
    user_word_log_probability_ = std::max(user_word_log_probability_, entry.log_probability);
  });
}

std::shared_ptr<const ChineseSegmenter> ChineseSegmenter::shared(
    const std::filesystem::path& dictionary) {
  return shared_data<ChineseSegmenter>(dictionary);
}

std::vector<std::string> ChineseSegmenter::segment(
    const std::vector<std::string>& chars,
    const std::unordered_set<std::string>* user_words) const {
  const std::size_t n = chars.size();
  // best[i]: the most probable segmentation of chars[i..n); next[i]: where its first
  // word ends.
  std::vector<double> best(n + 1, 0.0);
  std::vector<std::size_t> next(n + 1, n);
  std::string word;
  const std::size_t longest = user_words ? kMaxWordChars : longest_word_chars_;
  for (std::size_t i = n; i-- > 0;) {
    best[i] = -INFINITY;
    word.clear();
    for (std::size_t j = i; j < n && j - i < longest; ++j) {
      word += chars[j];
      const Word* known = words_.find(word);
      const bool user_word = user_words && user_words->count(word);
      if (!known && !user_word && j > i) continue;
      double p = known ? known->log_probability : unknown_log_probability_;
      if (user_word) p = std::max(p, user_word_log_probability_);
      if (p + best[j + 1] > best[i]) {
        best[i] = p + best[j + 1];
        next[i] = j + 1;
      }
    }
  }
  std::vector<std::string> words;
  for (std::size_t i = 0; i < n; i = next[i]) {
    std::string w;
    for (std::size_t k = i; k < next[i]; ++k) w += chars[k];
    words.push_back(std::move(w));
  }
  return words;
}

std::vector<std::string> ChineseSegmenter::segment(std::string_view text) const {
  std::vector<std::string> chars;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t len = 1;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0xF0)
      len = 4;
    else if (c >= 0xE0)
      len = 3;
    else if (c >= 0xC0)
      len = 2;
    chars.emplace_back(text.substr(i, len));
    i += len;
  }
  return segment(chars);
}

}  // namespace switchboard::faq
