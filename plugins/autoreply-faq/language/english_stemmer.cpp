#include "english_stemmer.hpp"

#include <libstemmer.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace switchboard::faq {
namespace {

struct StemmerDeleter {
  void operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }
};

sb_stemmer* thread_stemmer() {
  thread_local std::unique_ptr<sb_stemmer, StemmerDeleter> stemmer(
      sb_stemmer_new("english", "UTF_8"));
  if (!stemmer) throw std::runtime_error("libstemmer has no English stemmer");
  return stemmer.get();
}

}  // namespace

std::string english_stem(std::string_view word) {
  if (std::any_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::string(word);
  sb_stemmer* stemmer = thread_stemmer();
  const sb_symbol* stem = sb_stemmer_stem(stemmer, reinterpret_cast<const sb_symbol*>(word.data()),
                                          static_cast<int>(word.size()));
  if (!stem) return std::string(word);  // out of memory: the word as it is
  return std::string(reinterpret_cast<const char*>(stem),
                     static_cast<std::size_t>(sb_stemmer_length(stemmer)));
}

}  // namespace switchboard::faq
