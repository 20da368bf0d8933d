#include "word_usage.hpp"

#include <cstdlib>
#include <stdexcept>

#include "data_file.hpp"
#include "shared_data.hpp"

namespace switchboard::faq {

WordUsage::WordUsage(const std::filesystem::path& counts_file, const WordAnalysis& stem) {
  const DataFile data(counts_file);
  if (!data.ok())
    throw std::runtime_error("cannot read the English word counts " + counts_file.string() +
                             " (Debian: apt-get install wordnet-base)");
  std::string_view rest = data.text(), line;
  while (next_line(rest, line)) {
    // "day%1:28:00:: 1 273": the lemma before '%', the count last.
    const auto percent = line.find('%');
    const auto last_space = line.rfind(' ');
    if (percent == std::string_view::npos || last_space == std::string_view::npos ||
        last_space < percent)
      continue;
    const auto lemma = line.substr(0, percent);
    if (lemma.find_first_of("_-'.") != std::string_view::npos) continue;  // phrases: not one term
    const std::string count(line.substr(last_space + 1));  // strtod needs its end marked
    const double tagged = std::strtod(count.c_str(), nullptr);
    if (tagged <= 0) continue;
    const std::string term = stem(lemma);
    if (!term.empty()) count_[term] += tagged;
  }
  if (count_.empty())
    throw std::runtime_error("the English word counts " + counts_file.string() + " have no words");
  count_.shrink_to_fit();
}

std::shared_ptr<const WordUsage> WordUsage::shared(const std::filesystem::path& counts_file,
                                                   const WordAnalysis& stem) {
  return shared_data<WordUsage>(counts_file, stem);
}

double WordUsage::count(const std::string& term) const {
  const double* found = count_.find(term);
  return found ? *found : 0.0;
}

}  // namespace switchboard::faq
