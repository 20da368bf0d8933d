#pragma once
// How often English words are used, from the sense-tagged corpus counts that
// WordNet ships (cntlist.rev in Debian's wordnet-base: "sense_key sense_number
// tag_count" per line, the SemCor concordance, about 260,000 tagged words).
//
// The FAQ index uses it to tell general words from specific ones among the words
// of a message, as jieba's corpus IDF does for Chinese: "day", "see", "still" are
// everywhere and say little about what a visitor wants, "bitcoin", "hospital" or
// "lamp" say a lot. Counts are summed per term (the caller's stem of the lemma).
//
// Thread-safety: immutable after construction; shared per file (shared()).
#include <filesystem>
#include <memory>
#include <string>

#include "string_table.hpp"
#include "synonyms.hpp"

namespace switchboard::faq {

class WordUsage {
 public:
  // Throws std::runtime_error naming the file and the package when it cannot be read.
  WordUsage(const std::filesystem::path& counts_file, const WordAnalysis& stem);
  static std::shared_ptr<const WordUsage> shared(const std::filesystem::path& counts_file,
                                                 const WordAnalysis& stem);

  // Times the term's lemmas are tagged in the corpus; 0 for a word it lacks.
  double count(const std::string& term) const;

 private:
  StringTable<double> count_;
};

}  // namespace switchboard::faq
