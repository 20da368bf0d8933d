#include "chinese_segmenter.hpp"

#include <cmath>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>

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
  std::ifstream in(dictionary);
  if (!in)
    throw std::runtime_error("cannot read the Chinese dictionary " + dictionary.string() +
                             " (Debian: apt-get install python3-jieba)");
  std::string line;
  double total = 0;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string word;
    double frequency = 0;
    if (!(fields >> word >> frequency) || frequency <= 0) continue;
    if (utf8_chars(word) > kMaxWordChars) continue;
    log_probability_[word] += frequency;
    total += frequency;
    std::string tag;
    if (!(fields >> tag)) continue;
    if ((tag == "n" || tag == "nt" || tag == "nz") && utf8_chars(word) > 1) nouns_.insert(word);
    if (tag[0] != 'n') non_nouns_.insert(word);
    if ((tag == "n" || tag == "nt" || tag == "nz" || tag == "vn") && utf8_chars(word) > 1)
      thing_words_.insert(word);
    // Pronouns and question words (r: 怎么, 哪), numbers and amounts (m: 多久, 几点),
    // times (t: 周末, 现在), measures (q) and function words (adverbs, prepositions,
    // conjunctions, particles, interjections, onomatopoeia).
    if (std::string_view("rmtqdpcuyeo").find(tag[0]) != std::string_view::npos)
      asking_words_.insert(word);
    if (tag == "t") time_words_.insert(word);
    if (tag == "ns" && utf8_chars(word) > 1) places_.insert(word);
    if (tag == "m" && utf8_chars(word) > 1) amount_words_.insert(word);
  }
  if (log_probability_.empty())
    throw std::runtime_error("the Chinese dictionary " + dictionary.string() + " has no words");
  finish(total);
}

ChineseSegmenter::ChineseSegmenter(const std::unordered_map<std::string, double>& words) {
  double total = 0;
  for (const auto& [word, frequency] : words) {
    log_probability_[word] = frequency;
    total += frequency;
  }
  finish(std::max(total, 1.0));
}

void ChineseSegmenter::finish(double total) {
  const double log_total = std::log(total);
  for (auto& [word, value] : log_probability_) {
    longest_word_chars_ = std::max(longest_word_chars_, utf8_chars(word));
    value = std::log(value) - log_total;
  }
  unknown_log_probability_ = -log_total;
  // A caller's own word is as likely as the dictionary's commonest one: it is kept
  // whole wherever it occurs, as jieba's user dictionary does.
  user_word_log_probability_ = -INFINITY;
  for (const auto& [word, value] : log_probability_)
    user_word_log_probability_ = std::max(user_word_log_probability_, value);
}

std::shared_ptr<const ChineseSegmenter> ChineseSegmenter::shared(
    const std::filesystem::path& dictionary) {
  // A process-wide cache of immutable dictionaries: every tenant's FAQ instance
  // uses the same one instead of loading 350,000 words again.
  static std::mutex mutex;
  static std::map<std::filesystem::path, std::weak_ptr<const ChineseSegmenter>> loaded;
  std::lock_guard lock(mutex);
  if (auto existing = loaded[dictionary].lock()) return existing;
  auto made = std::make_shared<const ChineseSegmenter>(dictionary);
  loaded[dictionary] = made;
  return made;
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
      const auto it = log_probability_.find(word);
      const bool user_word = user_words && user_words->count(word);
      if (it == log_probability_.end() && !user_word && j > i) continue;
      double p = it == log_probability_.end() ? unknown_log_probability_ : it->second;
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
