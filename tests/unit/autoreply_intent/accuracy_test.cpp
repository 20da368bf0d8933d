// Accuracy on held-out sentences: fixtures/heldout_sentences.toml holds paraphrases,
// typos and mixed-language messages that are not training examples (checked below),
// so accuracy here says how well the classifier generalises from a tenant's few
// examples, not whether it remembers them.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <set>

#include "fixture.hpp"
#include "intent_classifier.hpp"

using namespace switchboard::intent;

namespace {

// Any character of three or more UTF-8 bytes: CJK in this fixture.
bool is_chinese(const std::string& text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) >= 0xE0) return true;
  }
  return false;
}

struct Quality {
  std::size_t sentences = 0, top1_correct = 0;
  std::size_t answered = 0, answered_correct = 0;  // at the threshold
  std::size_t unrelated = 0, unrelated_answered = 0;
  double top1() const { return double(top1_correct) / double(sentences); }
  double precision() const {
    const auto given = answered + unrelated_answered;
    return given ? double(answered_correct) / double(given) : 1.0;
  }
  double recall() const { return double(answered_correct) / double(sentences); }
  double unrelated_rejected() const {
    return double(unrelated - unrelated_answered) / double(unrelated);
  }
};

Quality measure(const IntentClassifier& model, const intent_test::HeldOut& held, double threshold,
                bool print_errors = false) {
  Quality q;
  for (const auto& [text, expected] : held.sentences) {
    const auto top = model.predict(text).front();
    const bool correct = top.name == expected;
    ++q.sentences;
    if (correct) ++q.top1_correct;
    if (top.probability >= threshold) {
      ++q.answered;
      if (correct) ++q.answered_correct;
    }
    if (print_errors && !correct) {
      std::printf("  miss: %-45s want %-14s got %s %.2f\n", text.c_str(), expected.c_str(),
                  std::string(top.name).c_str(), top.probability);
    }
  }
  for (const auto& text : held.unrelated) {
    ++q.unrelated;
    const auto top = model.predict(text).front();
    if (top.probability >= threshold) ++q.unrelated_answered;
    if (print_errors) {
      std::printf("  unrelated: %-40s -> %s %.2f\n", text.c_str(), std::string(top.name).c_str(),
                  top.probability);
    }
  }
  return q;
}

}  // namespace

// Compared as feature sets, so "hello?" does not pass as new next to "hello".
std::set<std::uint32_t> buckets_of(const std::string& text) {
  std::set<std::uint32_t> out;
  for (const auto& f : extract_features(text, FeatureOptions{})) out.insert(f.bucket);
  return out;
}

TEST_CASE("held-out sentences are not training examples", "[accuracy]") {
  std::set<std::set<std::uint32_t>> training;
  for (const auto& intent : intent_test::shop_intents()) {
    for (const auto& example : intent.examples) training.insert(buckets_of(example));
  }
  const auto held = intent_test::held_out();
  REQUIRE(held.sentences.size() >= 60);
  for (const auto& s : held.sentences) {
    INFO(s.text);
    CHECK(training.count(buckets_of(s.text)) == 0);
  }
}

TEST_CASE("print accuracy, errors and a threshold sweep", "[.measure]") {
  const auto held = intent_test::held_out();
  const auto start = std::chrono::steady_clock::now();
  const IntentClassifier model(intent_test::shop_intents());
  const auto train_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("trained in %.1f ms, %zu buckets\n", train_ms, model.feature_count());
  const auto q = measure(model, held, kRecommendedThreshold, true);
  std::printf("top-1 %.3f (%zu/%zu)\n", q.top1(), q.top1_correct, q.sentences);
  std::size_t zh = 0, zh_correct = 0;
  for (const auto& [text, expected] : held.sentences) {
    if (!is_chinese(text)) continue;
    ++zh;
    if (model.predict(text).front().name == expected) ++zh_correct;
  }
  std::printf("  with Chinese characters %zu/%zu, English only %zu/%zu\n", zh_correct, zh,
              q.top1_correct - zh_correct, q.sentences - zh);
  for (const char* text : {"talk to a human", "转人工", "can I speak to someone real"}) {
    const auto top = model.predict(text).front();
    std::printf("  %-30s -> %s %.2f\n", text, std::string(top.name).c_str(), top.probability);
  }
  for (double t = 0.20; t < 0.91; t += 0.05) {
    const auto s = measure(model, held, t);
    std::printf("threshold %.2f: precision %.3f recall %.3f unrelated rejected %.3f (%zu/%zu)\n", t,
                s.precision(), s.recall(), s.unrelated_rejected(),
                s.unrelated - s.unrelated_answered, s.unrelated);
  }
}

TEST_CASE("print a comparison of training options", "[.measure]") {
  const auto held = intent_test::held_out();
  const auto intents = intent_test::shop_intents();
  struct Variant {
    const char* label;
    TrainingOptions options;
  };
  std::vector<Variant> variants;
  variants.push_back({"default", {}});
  for (double l2 : {1e-5, 1e-4, 1e-3, 3e-3, 1e-2}) {
    TrainingOptions o;
    o.l2 = l2;
    variants.push_back({"l2", o});
  }
  for (unsigned epochs : {10u, 20u, 80u}) {
    TrainingOptions o;
    o.epochs = epochs;
    variants.push_back({"epochs", o});
  }
  for (float w : {0.0f, 0.2f, 0.5f, 1.0f}) {
    TrainingOptions o;
    o.features.char_ngram_weight = w;
    variants.push_back({"char_ngram_weight", o});
  }
  for (float w : {0.0f, 0.4f, 1.0f}) {
    TrainingOptions o;
    o.features.word_bigram_weight = w;
    variants.push_back({"word_bigram_weight", o});
  }
  for (float w : {0.3f, 1.0f}) {
    TrainingOptions o;
    o.features.cjk_unigram_weight = w;
    variants.push_back({"cjk_unigram_weight", o});
  }
  for (unsigned bits : {12u, 14u, 16u, 20u}) {
    TrainingOptions o;
    o.features.hash_bits = bits;
    variants.push_back({"hash_bits", o});
  }
  for (const auto& v : variants) {
    const IntentClassifier model(intents, v.options);
    const auto q = measure(model, held, kRecommendedThreshold);
    double worst_unrelated = 0;
    for (const auto& text : held.unrelated) {
      worst_unrelated = std::max(worst_unrelated, model.predict(text).front().probability);
    }
    // Recall at a threshold just above every unrelated sentence: how much the model
    // can answer before it starts answering things that are not about the shop.
    const auto clear = measure(model, held, worst_unrelated + 0.01);
    std::printf(
        "%-20s l2 %.0e ep %2u char %.1f bigram %.1f cjk1 %.1f bits %2u: top-1 %.3f, at %.2f "
        "recall %.3f precision %.3f, highest unrelated %.2f (recall above it %.3f)\n",
        v.label, v.options.l2, v.options.epochs, v.options.features.char_ngram_weight,
        v.options.features.word_bigram_weight, v.options.features.cjk_unigram_weight,
        v.options.features.hash_bits, q.top1(), kRecommendedThreshold, q.recall(), q.precision(),
        worst_unrelated, clear.recall());
  }
}

namespace {

const IntentClassifier& shop_model() {
  static const IntentClassifier model(intent_test::shop_intents());
  return model;
}

}  // namespace

// Measured on this fixture (10 intents, 129 training examples, 84 held-out sentences,
// 24 unrelated; unit_autoreply_intent "[.measure]"): top-1 0.976 (82/84); at the
// recommended threshold 0.55 recall 0.798, precision 1.000 and 24 of 24 unrelated
// sentences below it (the highest, "the sky is blue", at 0.47); "talk to a human" 0.91,
// "转人工" 0.96, "can I speak to someone real" 0.79, all 'human'. The enforced floors
// sit a few points lower so a retrain with a slightly different fixture does not flap,
// while a real regression (a broken feature group, a training bug) still fails.
TEST_CASE("held-out top-1 accuracy", "[accuracy]") {
  const auto q = measure(shop_model(), intent_test::held_out(), kRecommendedThreshold);
  CHECK(q.top1() >= 0.93);
}

TEST_CASE("at the recommended threshold: precise, most sentences answered", "[accuracy]") {
  const auto q = measure(shop_model(), intent_test::held_out(), kRecommendedThreshold);
  CHECK(q.precision() >= 0.95);
  CHECK(q.recall() >= 0.72);
}

TEST_CASE("asking for a person is 'human', above the threshold", "[accuracy]") {
  for (const char* text : {"talk to a human", "转人工", "can I speak to someone real"}) {
    INFO(text);
    const auto top = shop_model().classify(text);
    REQUIRE(top);
    CHECK(top->name == "human");
    CHECK(shop_model().intent(*top).action.kind == IntentAction::Kind::handoff);
  }
}

TEST_CASE("unrelated sentences mostly fall below the threshold", "[accuracy]") {
  const auto held = intent_test::held_out();
  CHECK_FALSE(shop_model().classify("the sky is blue"));
  CHECK_FALSE(shop_model().classify("写一首诗"));
  // Measured 24 of 24 (1.00) below 0.55; at least 90% must stay below.
  const auto q = measure(shop_model(), held, kRecommendedThreshold);
  CHECK(q.unrelated_rejected() >= 0.90);
}
