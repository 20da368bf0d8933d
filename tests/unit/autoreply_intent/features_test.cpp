// Feature extraction: what the model sees of a message.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "intent_features.hpp"

using namespace switchboard::intent;

namespace {

// Cosine similarity of two unit-length sparse vectors.
double overlap(const std::vector<Feature>& a, const std::vector<Feature>& b) {
  double dot = 0;
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i].bucket < b[j].bucket) {
      ++i;
    } else if (b[j].bucket < a[i].bucket) {
      ++j;
    } else {
      dot += double(a[i++].value) * b[j++].value;
    }
  }
  return dot;
}

}  // namespace

TEST_CASE("features are sorted, one per bucket, unit length, inside the hash space", "[features]") {
  FeatureOptions options;
  options.hash_bits = 12;
  const auto features = extract_features("Where is my order? 我的订单到哪了 order order", options);
  REQUIRE_FALSE(features.empty());
  double norm = 0;
  for (std::size_t i = 0; i < features.size(); ++i) {
    CHECK(features[i].bucket < (1u << 12));
    if (i > 0) CHECK(features[i - 1].bucket < features[i].bucket);
    norm += double(features[i].value) * features[i].value;
  }
  CHECK(norm == Approx(1.0));
}

TEST_CASE("a message with no words has no features", "[features]") {
  CHECK(extract_features("", {}).empty());
  CHECK(extract_features("?!  ... 👍", {}).empty());
}

TEST_CASE("a typo keeps most of a word's character n-grams", "[features]") {
  const auto right = extract_features("refund", {});
  const auto typo = extract_features("refnud", {});
  const auto other = extract_features("address", {});
  CHECK(overlap(right, typo) > 0.2);
  CHECK(overlap(right, other) < 0.1);
}

TEST_CASE("inflections share the folded word feature", "[features]") {
  // "refunded" folds to "refund": beyond shared n-grams, the word feature is the same.
  FeatureOptions words_only;
  words_only.char_ngram_weight = 0;
  CHECK(overlap(extract_features("refunded", words_only), extract_features("refund", words_only)) ==
        Approx(1.0));
}

TEST_CASE("Chinese text yields character unigrams and bigrams", "[features]") {
  // 转人工: 3 unigrams + 2 bigrams, no word or Latin n-gram features.
  CHECK(extract_features("转人工", {}).size() == 5);
  // Full-width and half-width Latin are the same features.
  const auto full = extract_features("ＲＥＦＵＮＤ", {});
  const auto half = extract_features("refund", {});
  CHECK(overlap(full, half) == Approx(1.0));
}

TEST_CASE("word order matters through bigrams", "[features]") {
  const auto a = extract_features("cancel order", {});
  const auto b = extract_features("order cancel", {});
  CHECK(overlap(a, b) < 0.99);
  CHECK(overlap(a, b) > 0.5);
}
