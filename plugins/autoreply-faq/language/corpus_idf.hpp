#pragma once
// How much a Chinese word says about a text: jieba's corpus IDF (idf.txt in Debian's
// python3-jieba, "word idf" per line, 270,000 words; "的" 0.9, "怎么" 4.4, "退款" 10.1).
// A word listed twice keeps its last value, as jieba's own reader does.
//
// Thread-safety: immutable after loading; shared per file (shared()), like the
// dictionary it comes with.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "string_table.hpp"

namespace switchboard::faq {

class CorpusIdf {
 public:
  // Throws std::runtime_error naming the file and the package when it cannot be read.
  explicit CorpusIdf(const std::filesystem::path& file);
  static std::shared_ptr<const CorpusIdf> shared(const std::filesystem::path& file);

  // The word's IDF, or nullptr for a word the file lacks.
  const double* find(std::string_view word) const;
  std::size_t size() const { return idf_.size(); }

 private:
  StringTable<double> idf_;
};

}  // namespace switchboard::faq
