#pragma once
// Chinese word segmentation over the jieba dictionary (dict.txt: "word frequency
// tag" per line, as Debian's python3-jieba ships it; read as data, no Python).
//
// A run of Chinese characters is cut into the most probable sequence of words:
// every dictionary word that starts at each character forms a DAG, and dynamic
// programming from the end keeps the route with the highest sum of log word
// probabilities (a character the dictionary lacks counts as a word of frequency 1).
// "退款多久能到账" -> 退款 / 多久 / 能 / 到账.
//
// Thread-safety: immutable after loading; segment() is const and safe from many
// threads. The dictionary is large (350,000 words), so instances are shared per
// file: shared() loads each file once per process and hands out the same one. The
// words are kept in one StringTable (string_table.hpp) with their tags as bits.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "string_table.hpp"

namespace switchboard::faq {

class ChineseSegmenter {
 public:
  // Throws std::runtime_error naming the file when it cannot be read or has no words.
  explicit ChineseSegmenter(const std::filesystem::path& dictionary);
  // Words given directly (tests, a tenant's own words): word -> frequency.
  explicit ChineseSegmenter(const std::unordered_map<std::string, double>& words);

  static std::shared_ptr<const ChineseSegmenter> shared(const std::filesystem::path& dictionary);

  // characters: one UTF-8 code point each, all Chinese. The words, in order.
  // user_words: words of the caller's own (a tenant's vocabulary) that the dictionary
  // may lack; each is kept whole where it occurs, as a common word would be.
  std::vector<std::string> segment(
      const std::vector<std::string>& characters,
      const std::unordered_set<std::string>* user_words = nullptr) const;
  // Convenience for tests: a UTF-8 string of Chinese characters only.
  std::vector<std::string> segment(std::string_view text) const;

  bool contains(std::string_view word) const { return words_.contains(word); }
  // True for a word the dictionary tags as a noun of a thing, organisation or brand
  // (n, nt, nz: 医院, 路由器, 银行), not a place (ns: 日本, where a parcel may go) nor a
  // person's name (nr, a tag jieba gives many odd pairs of characters).
  bool is_noun(const std::string& word) const { return has_kind(word, kNoun); }
  // True for a word of two or more characters tagged as a noun or a verb used as one
  // (n, nt, nz, vn: 订单, 运费), the words that name what a question is about.
  bool is_thing_word(const std::string& word) const { return has_kind(word, kThingWord); }
  // True for a word the dictionary tags as anything but a noun of some kind (n...):
  // a verb, an adverb, an idiom, a number (记不起来, 进去, 还有). A word it lacks is
  // not one.
  bool names_no_thing(const std::string& word) const { return has_kind(word, kNonNoun); }
  // True for a word that says what kind of answer is wanted or how a sentence hangs
  // together, not what it is about: the dictionary tags it as a pronoun or question
  // word, a number or amount, a time, a measure or a function word (怎么, 多久, 几点,
  // 周末, 现在, 吗; not 客服, 上班, 退款, 营业).
  bool is_asking_word(const std::string& word) const { return has_kind(word, kAskingWord); }
  // True for a word the dictionary tags as a time (t: 周末, 晚上, 现在).
  bool is_time_word(const std::string& word) const { return has_kind(word, kTimeWord); }
  // True for a place name of two or more characters (ns: 日本, 新加坡, 北京).
  bool is_place(const std::string& word) const { return has_kind(word, kPlace); }
  // True for a word of two or more characters the dictionary tags as a number or an
  // amount (m: 多久, 几天, 多少, 几点), or that asks how much of a measure (多长, 多远,
  // which it tags as nouns): what a question asks for.
  bool is_amount_word(const std::string& word) const { return has_kind(word, kAmountWord); }
  // True for a word the dictionary tags as a verb of any kind (v, vn, vd...: 退款, 取消,
  // 退, 弄): an act.
  bool is_verb(const std::string& word) const { return has_kind(word, kVerb); }
  std::size_t size() const { return words_.size(); }

 private:
  // What the dictionary's tag says of a word (a bit each; see the accessors above).
  enum Kind : std::uint8_t {
    kNoun = 1,
    kNonNoun = 2,
    kThingWord = 4,
    kAskingWord = 8,
    kTimeWord = 16,
    kPlace = 32,
    kAmountWord = 64,
    kVerb = 128,
  };
  struct Word {
    double log_probability = 0;  // the frequency while loading, then log(freq / total)
    std::uint8_t kinds = 0;      // Kind bits
  };

  bool has_kind(std::string_view word, Kind kind) const {
    const Word* found = words_.find(word);
    return found && (found->kinds & kind);
  }
  void finish(double total);
  // The words that ask how much of a measure (多长, 多远: "how long", "how far") are
  // amounts and question words, whatever the dictionary tags them.
  void mark_degree_questions();

  StringTable<Word> words_;
  double unknown_log_probability_ = 0;  // log(1 / total)
  double user_word_log_probability_ = 0;
  std::size_t longest_word_chars_ = 1;
};

}  // namespace switchboard::faq
