#pragma once
// Turns a visitor message into a sparse, hashed feature vector for the intent model.
//
// Words come from the FAQ plugin's tokenizer (autoreply-faq/tokenizer.hpp, stop-words
// kept: "talk TO someone" and "can I" are intent cues even if they are not topics):
// - word unigrams (suffix-folded: "refunded" = "refund") and bigrams of adjacent words;
// - character 2..4-grams of each Latin word with boundary markers ("<ref", "und>"), so
//   a typo ("refnud", "shiping") still shares most of its features with the real word;
// - for CJK and other unsegmented runs, the tokenizer's character unigrams and bigrams
//   ("转人工" -> 转 人 工 转人 人工).
// Each feature name is hashed (FNV-1a 64) into 2^hash_bits buckets, so a tenant's model
// is bounded by buckets x intents however much text it sees. A feature's value is its
// group weight times its count, and the whole vector is L2-normalised so that long and
// short messages are on the same scale.
//
// Pure functions: safe from any thread.
#include <cstdint>
#include <string_view>
#include <vector>

namespace switchboard::intent {

struct FeatureOptions {
  unsigned hash_bits = 18;  // 2^18 buckets; 10..24 accepted
  // Relative weights of the feature groups before normalisation.
  float word_weight = 1.0f;
  float word_bigram_weight = 0.7f;
  float char_ngram_weight = 0.35f;
  float cjk_unigram_weight = 0.6f;
  float cjk_bigram_weight = 1.0f;
};

struct Feature {
  std::uint32_t bucket;
  float value;
};

// Sorted by bucket, one entry per bucket, L2 norm 1 (empty when the text has no words).
std::vector<Feature> extract_features(std::string_view utf8_text, const FeatureOptions& options);

}  // namespace switchboard::intent
