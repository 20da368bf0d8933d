#include "intent_features.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "tokenizer.hpp"

namespace switchboard::intent {
namespace {

// Feature groups get distinct prefixes so "ab" the word and "ab" the n-gram differ.
enum class Group : char { word = 'w', word_bigram = 'b', char_ngram = 'c', cjk = 'z' };

std::uint64_t fnv1a(Group group, std::string_view text) {
  std::uint64_t h = 14695981039346656037ull;
  auto mix = [&h](unsigned char byte) {
    h ^= byte;
    h *= 1099511628211ull;
  };
  mix(static_cast<unsigned char>(group));
  for (const char c : text) mix(static_cast<unsigned char>(c));
  return h;
}

// Byte offsets where each UTF-8 code point of `word` starts, plus word.size().
std::vector<std::size_t> code_point_starts(std::string_view word) {
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if ((static_cast<unsigned char>(word[i]) & 0xC0) != 0x80) starts.push_back(i);
  }
  starts.push_back(word.size());
  return starts;
}

std::size_t code_point_count(std::string_view text) {
  return code_point_starts(text).size() - 1;
}

class FeatureSink {
 public:
  explicit FeatureSink(unsigned hash_bits) : mask_((std::uint64_t{1} << hash_bits) - 1) {}

  void add(Group group, std::string_view text, float weight) {
    const auto h = fnv1a(group, text);
    raw_.push_back({static_cast<std::uint32_t>((h ^ (h >> 32)) & mask_), weight});
  }

  // Merge equal buckets, then scale to unit length.
  std::vector<Feature> finish() {
    std::sort(raw_.begin(), raw_.end(),
              [](const Feature& a, const Feature& b) { return a.bucket < b.bucket; });
    std::vector<Feature> out;
    for (const auto& f : raw_) {
      if (!out.empty() && out.back().bucket == f.bucket) {
        out.back().value += f.value;
      } else {
        out.push_back(f);
      }
    }
    double norm = 0;
    for (const auto& f : out) norm += double(f.value) * f.value;
    if (norm > 0) {
      const auto scale = static_cast<float>(1.0 / std::sqrt(norm));
      for (auto& f : out) f.value *= scale;
    }
    return out;
  }

 private:
  std::uint64_t mask_;
  std::vector<Feature> raw_;
};

void add_char_ngrams(std::string_view word, float weight, FeatureSink& sink) {
  std::string marked;
  marked.reserve(word.size() + 2);
  marked.append(1, '<').append(word).append(1, '>');
  const auto starts = code_point_starts(marked);
  const std::size_t length = starts.size() - 1;
  for (std::size_t n = 2; n <= 4; ++n) {
    for (std::size_t i = 0; i + n <= length; ++i) {
      sink.add(Group::char_ngram,
               std::string_view(marked).substr(starts[i], starts[i + n] - starts[i]), weight);
    }
  }
}

}  // namespace

std::vector<Feature> extract_features(std::string_view text, const FeatureOptions& options) {
  const faq::TokenizerOptions words_as_typed{.fold_english_suffixes = false,
                                             .drop_english_stop_words = false};
  FeatureSink sink(std::clamp(options.hash_bits, 10u, 24u));
  std::string previous_word;
  for (const auto& term : faq::tokenize(text, words_as_typed)) {
    if (faq::is_cjk_term(term)) {
      const bool unigram = code_point_count(term) == 1;
      sink.add(Group::cjk, term, unigram ? options.cjk_unigram_weight : options.cjk_bigram_weight);
      continue;
    }
    const bool ascii = std::all_of(term.begin(), term.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    const auto folded = ascii ? faq::fold_english_suffix(term) : term;
    sink.add(Group::word, folded, options.word_weight);
    if (!previous_word.empty()) {
      sink.add(Group::word_bigram, previous_word + ' ' + folded, options.word_bigram_weight);
    }
    add_char_ngrams(term, options.char_ngram_weight, sink);
    previous_word = folded;
  }
  return sink.finish();
}

}  // namespace switchboard::intent
