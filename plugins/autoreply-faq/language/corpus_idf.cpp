#include "corpus_idf.hpp"

#include <stdexcept>

#include "data_file.hpp"
#include "shared_data.hpp"

namespace switchboard::faq {

CorpusIdf::CorpusIdf(const std::filesystem::path& file) {
  const DataFile data(file);
  if (!data.ok())
    throw std::runtime_error("cannot read the Chinese word weights " + file.string() +
                             " (Debian: apt-get install python3-jieba)");
  idf_.reserve(data.text().size() / 22, data.text().size() * 2 / 5);  // 23 bytes a line, 8 the word
  // Pairs of fields, line breaks or not, up to the first that is not "word number".
  std::string_view rest = data.text();
  for (;;) {
    const auto word = next_field(rest);
    double value = 0;
    if (word.empty() || !parse_number(next_field(rest), value)) break;
    idf_[word] = value;
  }
  idf_.shrink_to_fit();
}

std::shared_ptr<const CorpusIdf> CorpusIdf::shared(const std::filesystem::path& file) {
  return shared_data<CorpusIdf>(file);
}

const double* CorpusIdf::find(std::string_view word) const {
  return idf_.find(word);
}

}  // namespace switchboard::faq
