#pragma once
// Text -> index terms, with the language handling the FAQ index uses:
//
// 1. Traditional Chinese folded to simplified (OpenCC, script_folding.hpp).
// 2. Chinese runs segmented into words (jieba dictionary, chinese_segmenter.hpp); each
//    word of two or more characters also yields its characters, so a paraphrase that
//    shares only a character ("退钱" / "退款") still counts, for less.
// 3. English: lower-cased words, function words dropped (tokenizer.hpp's list),
//    Snowball stems (english_stemmer.hpp).
// 4. The tenant's synonym groups (synonyms.hpp) replace a term by its group's term.
//
// A term also carries how much it says about the topic (content_weight): for Chinese
// the jieba corpus IDF (idf.txt, same package) scaled to [0.1, 1] ("的" 0.1, "怎么"
// 0.44, "退款" 1); English function words are already gone, the rest weigh 1.
// related() gives WordNet synonyms for query words the knowledge base lacks.
//
// Thread-safety: immutable after construction; every method is const and safe from
// many threads.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "chinese_segmenter.hpp"
#include "script_folding.hpp"
#include "synonyms.hpp"

namespace switchboard::faq {

struct TextAnalyzerFiles {
  std::filesystem::path jieba_dictionary = "/usr/lib/python3/dist-packages/jieba/dict.txt";
  std::filesystem::path jieba_idf = "/usr/lib/python3/dist-packages/jieba/analyse/idf.txt";
  std::filesystem::path wordnet_directory = "/usr/share/wordnet";
  std::string opencc_config = "t2s.json";
  std::filesystem::path tenant_synonyms;  // optional
};

class TextAnalyzer {
 public:
  // Throws std::runtime_error (or autoreply::LoadError for the tenant's synonyms file)
  // naming the file and the Debian package when data is missing.
  explicit TextAnalyzer(const TextAnalyzerFiles& files);

  // Terms in order, duplicates kept (BM25 counts them).
  std::vector<std::string> terms(std::string_view text) const;
  // [0.1, 1]: how much a term says about what the text is about.
  double content_weight(const std::string& term) const;
  // WordNet synonyms of an (English) term.
  const std::vector<std::string>& related(const std::string& term) const;
  // True when the term is a real English word (WordNet knows it): not a typo.
  bool is_known_word(const std::string& term) const { return wordnet_->knows(term); }
  // One word's term (synonym files, WordNet lemmas): "" when it yields none.
  std::string word_term(std::string_view word) const;

 private:
  std::shared_ptr<const ChineseSegmenter> segmenter_;
  std::shared_ptr<const std::unordered_map<std::string, double>> corpus_idf_;
  std::unique_ptr<ScriptFolding> folding_;
  std::shared_ptr<const WordNetSynonyms> wordnet_;
  TenantSynonyms tenant_;
};

}  // namespace switchboard::faq
