// The classifier's contract: ranked probabilities, threshold, determinism, validation,
// training time and concurrent use.
#include <catch2/catch.hpp>
#include <chrono>
#include <numeric>
#include <stdexcept>
#include <thread>

#include "fixture.hpp"
#include "intent_classifier.hpp"

using namespace switchboard::intent;

namespace {

std::vector<IntentDefinition> tiny_intents() {
  return {
      {"greeting", {"hello", "hi there", "good morning", "你好"}, {}},
      {"refund", {"I want a refund", "money back please", "refund my order", "我要退款"}, {}},
      {"human",
       {"talk to a human", "real person please", "agent", "转人工"},
       {IntentAction::Kind::handoff, {}}},
  };
}

}  // namespace

TEST_CASE("predict ranks every intent, probabilities sum to 1", "[classifier]") {
  const IntentClassifier model(tiny_intents());
  const auto ranked = model.predict("hello, good morning");
  REQUIRE(ranked.size() == 3);
  CHECK(ranked.front().name == "greeting");
  CHECK(model.intent(ranked.front()).name == "greeting");
  double sum = 0;
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    sum += ranked[i].probability;
    if (i > 0) CHECK(ranked[i - 1].probability >= ranked[i].probability);
  }
  CHECK(sum == Approx(1.0));
}

TEST_CASE("classify answers only at or above the threshold", "[classifier]") {
  const IntentClassifier model(tiny_intents());
  const auto top = model.predict("我要退款").front();
  REQUIRE(top.name == "refund");
  const auto answered = model.classify("我要退款", top.probability);
  REQUIRE(answered);
  CHECK(answered->name == "refund");
  CHECK_FALSE(model.classify("我要退款", top.probability + 1e-9));
}

TEST_CASE("a message with no known features gets the same prior every time", "[classifier]") {
  const IntentClassifier model(tiny_intents());
  const auto a = model.predict("");
  const auto b = model.predict("🙂");
  const auto c = model.predict("zzzqqq");
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].probability == b[i].probability);
    CHECK(a[i].probability == c[i].probability);
    CHECK(a[i].probability < 0.5);
  }
}

TEST_CASE("training twice gives identical predictions", "[classifier][determinism]") {
  const auto intents = intent_test::shop_intents();
  const auto held = intent_test::held_out();
  const IntentClassifier first(intents);
  const IntentClassifier second(intents);
  CHECK(first.feature_count() == second.feature_count());
  for (const auto& s : held.sentences) {
    const auto a = first.predict(s.text);
    const auto b = second.predict(s.text);
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      INFO(s.text);
      CHECK(a[i].intent_index == b[i].intent_index);
      CHECK(a[i].probability == b[i].probability);  // bit-identical, not approximately
    }
  }
}

TEST_CASE("a different seed trains a different but equally good model",
          "[classifier][determinism]") {
  const auto intents = intent_test::shop_intents();
  TrainingOptions other_seed;
  other_seed.seed = 42;
  const IntentClassifier a(intents);
  const IntentClassifier b(intents, other_seed);
  // The seed only changes the example order: the top intent of a clear message stays.
  CHECK(a.predict("where is my order").front().name == "order_status");
  CHECK(b.predict("where is my order").front().name == "order_status");
  CHECK(a.predict("where is my order").front().probability !=
        b.predict("where is my order").front().probability);
}

TEST_CASE("invalid intent sets are refused", "[classifier]") {
  auto intents = tiny_intents();
  SECTION("fewer than 2 intents") {
    intents.resize(1);
    CHECK_THROWS_AS(IntentClassifier(intents), std::invalid_argument);
  }
  SECTION("fewer than 3 examples") {
    intents[1].examples.resize(2);
    CHECK_THROWS_WITH(IntentClassifier(intents),
                      Catch::Contains("refund") && Catch::Contains("at least 3 examples"));
  }
  SECTION("duplicate name") {
    intents[2].name = "greeting";
    CHECK_THROWS_WITH(IntentClassifier(intents), Catch::Contains("defined twice"));
  }
  SECTION("an example with no words") {
    intents[0].examples.push_back("!!!");
    CHECK_THROWS_WITH(IntentClassifier(intents), Catch::Contains("has no words"));
  }
}

TEST_CASE("a few hundred examples train well under a second", "[classifier]") {
  // 12 intents x 30 examples = 360, each example unique to its intent.
  std::vector<IntentDefinition> intents;
  for (int k = 0; k < 12; ++k) {
    IntentDefinition intent{"intent" + std::to_string(k), {}, {}};
    for (int e = 0; e < 30; ++e) {
      intent.examples.push_back("topic" + std::to_string(k) + " sample phrase number " +
                                std::to_string(e) + " about thing" + std::to_string(k * 31 + e));
    }
    intents.push_back(std::move(intent));
  }
  const auto start = std::chrono::steady_clock::now();
  const IntentClassifier model(intents);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed < std::chrono::milliseconds(500));
  CHECK(model.predict("topic7 sample").front().name == "intent7");
}

TEST_CASE("predictions from many threads at once match one thread's", "[classifier]") {
  const IntentClassifier model(intent_test::shop_intents());
  const auto held = intent_test::held_out();
  std::vector<std::string> expected;
  for (const auto& s : held.sentences) expected.emplace_back(model.predict(s.text).front().name);
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        for (std::size_t i = 0; i < held.sentences.size(); ++i) {
          if (model.predict(held.sentences[i].text).front().name != expected[i]) ++mismatches[t];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(std::accumulate(mismatches.begin(), mismatches.end(), 0) == 0);
}
