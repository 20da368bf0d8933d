#include "corpus_idf.hpp"

#include <fstream>
#include <map>
#include <mutex>
#include <stdexcept>

namespace switchboard::faq {

CorpusIdf::CorpusIdf(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in)
    throw std::runtime_error("cannot read the Chinese word weights " + file.string() +
                             " (Debian: apt-get install python3-jieba)");
  std::string word;
  double value = 0;
  while (in >> word >> value) idf_[word] = value;
}

std::shared_ptr<const CorpusIdf> CorpusIdf::shared(const std::filesystem::path& file) {
  // Process-wide cache of immutable data, as for the Chinese dictionary.
  static std::mutex mutex;
  static std::map<std::filesystem::path, std::weak_ptr<const CorpusIdf>> loaded;
  std::lock_guard lock(mutex);
  if (auto existing = loaded[file].lock()) return existing;
  auto made = std::make_shared<const CorpusIdf>(file);
  loaded[file] = made;
  return made;
}

const double* CorpusIdf::find(std::string_view word) const {
  const auto it = idf_.find(std::string(word));
  return it == idf_.end() ? nullptr : &it->second;
}

}  // namespace switchboard::faq
