#include <atomic>
#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "faq_index.hpp"

using namespace switchboard::faq;

namespace {

std::vector<FaqEntry> small_kb() {
  return {
      {"refund-time",
       {"How long does a refund take?", "退款多久到账"},
       "5-7 business days.",
       {"refunds"}},
      {"refund-request",
       {"How do I request a refund?", "怎么申请退款"},
       "Use Orders > Request refund.",
       {"refunds"}},
      {"shipping-cost", {"How much is shipping?", "运费多少钱"}, "Free over $50.", {"shipping"}},
      {"order-status", {"Where is my order?", "Track my order"}, "See Orders.", {"orders"}},
      {"password", {"I forgot my password"}, "Use 'Forgot password'.", {"account"}},
  };
}

}  // namespace

TEST_CASE("search ranks the matching entry first and names the variant it matched", "[index]") {
  const FaqIndex index(small_kb());
  const auto results = index.search("how long until my refund arrives", 3);
  REQUIRE_FALSE(results.empty());
  CHECK(results[0].entry_id == "refund-time");
  CHECK(results[0].matched_question == "How long does a refund take?");
  CHECK(index.entry(results[0]).answer == "5-7 business days.");
  for (std::size_t i = 1; i < results.size(); ++i) CHECK(results[i - 1].score >= results[i].score);

  const auto chinese = index.search("退款要多久", 1);
  REQUIRE(chinese.size() == 1);
  CHECK(chinese[0].entry_id == "refund-time");
  CHECK(chinese[0].matched_question == "退款多久到账");
}

TEST_CASE("results are one per entry and capped at top_k", "[index]") {
  const FaqIndex index(small_kb());
  const auto results = index.search("order refund shipping password", 10);
  std::set<std::string> ids;
  for (const auto& r : results) CHECK(ids.insert(r.entry_id).second);
  CHECK(index.search("order refund shipping password", 2).size() == 2);
  CHECK(index.search("refund", 0).empty());
  CHECK(index.search("", 5).empty());
  CHECK(index.search("🙂", 5).empty());
}

TEST_CASE("tag filter keeps only entries with the tag", "[index]") {
  const FaqIndex index(small_kb());
  const auto results = index.search("how long does it take", 5, "shipping");
  for (const auto& r : results) CHECK(r.entry_id == "shipping-cost");
  CHECK(index.search("refund", 5, "account").empty());
  const auto refunds = index.search("refund", 5, "refunds");
  CHECK(refunds.size() == 2);
  CHECK(index.answer("how long does a refund take", 0.0, "orders") == std::nullopt);
}

TEST_CASE("confidence is in [0, 1] and separates a good match from a poor one", "[index]") {
  const FaqIndex index(small_kb());
  const auto exact = index.search("How long does a refund take?", 1);
  const auto vague = index.search("how long is the queue at the bakery on sunday", 1);
  REQUIRE_FALSE(exact.empty());
  // Not 1: "refund-request" shares "how" and "refund", and the margin counts.
  CHECK(exact[0].confidence > 0.6);
  CHECK(exact[0].confidence <= 1.0);
  if (!vague.empty()) {
    CHECK(vague[0].confidence >= 0.0);
    CHECK(vague[0].confidence < exact[0].confidence);
    CHECK(vague[0].confidence < kRecommendedConfidenceThreshold);
  }
}

TEST_CASE("answer returns the top entry only at or above the threshold", "[index]") {
  const FaqIndex index(small_kb());
  const auto answered = index.answer("I forgot my password");
  REQUIRE(answered);
  CHECK(answered->entry_id == "password");
  CHECK_FALSE(index.answer("I forgot my password", 1.01));
  CHECK_FALSE(index.answer("what's the weather in Paris"));
  CHECK_FALSE(index.answer("写一首诗"));
}

TEST_CASE("a typo is matched, at a lower confidence than the right spelling", "[index]") {
  const FaqIndex index(small_kb());
  // "website" is unknown, so neither confidence is clamped at 1.
  const auto right = index.search("forgot password website", 1);
  const auto typo = index.search("forgot pasword website", 1);
  REQUIRE_FALSE(typo.empty());
  CHECK(typo[0].entry_id == "password");
  CHECK(typo[0].confidence < right[0].confidence);
}

TEST_CASE("every scoring mode finds the obvious entry", "[index]") {
  for (auto mode :
       {EntryScoring::best_variant, EntryScoring::concatenated_variants, EntryScoring::blended}) {
    FaqIndexOptions options;
    options.scoring = mode;
    const FaqIndex index(small_kb(), options);
    const auto top = index.search("track order", 1);
    REQUIRE(top.size() == 1);
    CHECK(top[0].entry_id == "order-status");
    CHECK(top[0].matched_question == "Track my order");
  }
}

TEST_CASE("invalid knowledge bases are rejected", "[index]") {
  auto kb = small_kb();
  kb.push_back(kb.front());
  CHECK_THROWS_AS(FaqIndex(kb), std::invalid_argument);
  CHECK_THROWS_AS(FaqIndex({{"a", {}, "x", {}}}), std::invalid_argument);
  CHECK_THROWS_AS(FaqIndex({{"a", {"q"}, "", {}}}), std::invalid_argument);
  CHECK_THROWS_AS(FaqIndex({{"a", {""}, "x", {}}}), std::invalid_argument);
  CHECK_THROWS_AS(FaqIndex({{"", {"question"}, "x", {}}}), std::invalid_argument);
  CHECK(FaqIndex({}).search("refund", 3).empty());
}

TEST_CASE("one index answers from many threads at once", "[index]") {
  const FaqIndex index(small_kb());
  const auto expected = index.search("refund take how long", 3);
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        const auto got = index.search("refund take how long", 3);
        if (got.size() != expected.size() || got[0].entry_id != expected[0].entry_id ||
            got[0].score != expected[0].score)
          ++mismatches;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(mismatches == 0);
}
