#include "word_usage.hpp"

#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>

namespace switchboard::faq {

WordUsage::WordUsage(const std::filesystem::path& counts_file, const WordAnalysis& stem) {
  std::ifstream in(counts_file);
  if (!in)
    throw std::runtime_error("cannot read the English word counts " + counts_file.string() +
                             " (Debian: apt-get install wordnet-base)");
  std::string line;
  while (std::getline(in, line)) {
    // "day%1:28:00:: 1 273": the lemma before '%', the count last.
    const auto percent = line.find('%');
    const auto last_space = line.rfind(' ');
    if (percent == std::string::npos || last_space == std::string::npos || last_space < percent)
      continue;
    const std::string lemma = line.substr(0, percent);
    if (lemma.find_first_of("_-'.") != std::string::npos) continue;  // phrases: not one term
    const double tagged = std::strtod(line.c_str() + last_space + 1, nullptr);
    if (tagged <= 0) continue;
    const std::string term = stem(lemma);
    if (!term.empty()) count_[term] += tagged;
  }
  if (count_.empty())
    throw std::runtime_error("the English word counts " + counts_file.string() + " have no words");
}

std::shared_ptr<const WordUsage> WordUsage::shared(const std::filesystem::path& counts_file,
                                                   const WordAnalysis& stem) {
  // Process-wide cache of immutable data, as for the Chinese dictionary.
  static std::mutex mutex;
  static std::map<std::filesystem::path, std::weak_ptr<const WordUsage>> loaded;
  std::lock_guard lock(mutex);
  if (auto existing = loaded[counts_file].lock()) return existing;
  auto made = std::make_shared<const WordUsage>(counts_file, stem);
  loaded[counts_file] = made;
  return made;
}

double WordUsage::count(const std::string& term) const {
  const auto it = count_.find(term);
  return it == count_.end() ? 0.0 : it->second;
}

}  // namespace switchboard::faq
