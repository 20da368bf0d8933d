#include "tokenizer.hpp"

#include <algorithm>
#include <catch2/catch.hpp>

using switchboard::faq::fold_english_suffix;
using switchboard::faq::is_cjk_term;
using switchboard::faq::tokenize;
using Terms = std::vector<std::string>;

namespace {
bool has(const Terms& terms, const std::string& t) {
  return std::find(terms.begin(), terms.end(), t) != terms.end();
}
}  // namespace

TEST_CASE("ASCII is lower-cased and split on non-alphanumerics, stop-words dropped",
          "[tokenizer]") {
  // Terms are stems: a trailing e is folded away on every form ("where" -> "wher").
  CHECK(tokenize("Where is MY Order?!") == Terms{"wher", "order"});
  CHECK(tokenize("e-mail/password") == Terms{"mail", "password"});
  // One-letter leftovers of contractions go; digits stay.
  CHECK(tokenize("what's 7 days") == Terms{"what", "7", "day"});
  // The closed classes whole: pronouns, modal verbs, subordinating conjunctions carry
  // no topic ("because" is no thing the shop lacks); "until" names a time and stays.
  CHECK(tokenize("she should reset it because they forgot") == Terms{"reset", "forgot"});
  CHECK(has(tokenize("wait until monday"), "until"));
  // Words like "anywhere", "else", "besides" and chat spellings ("pls") say where or
  // how politely, not what about: WordNet lacks most of them, so kept they weighed as
  // the most specific thing in a message.
  CHECK(tokenize("refund pls, cant find it anywhere") == Terms{"refund", "cant", "find"});
  CHECK(tokenize("what else can I pay with besides a card, thx") == Terms{"what", "pay", "card"});
}

TEST_CASE("CJK runs give character unigrams and bigrams", "[tokenizer]") {
  CHECK(tokenize("退款多久") == Terms{"退", "款", "多", "久", "退款", "款多", "多久"});
  // Punctuation ends a run: no bigram across "，".
  const auto terms = tokenize("退款，多久");
  CHECK(has(terms, "退款"));
  CHECK(has(terms, "多久"));
  CHECK_FALSE(has(terms, "款多"));
}

TEST_CASE("mixed Chinese and English", "[tokenizer]") {
  CHECK(tokenize("退款 refund 多久") == Terms{"退", "款", "退款", "refund", "多", "久", "多久"});
  // No space between scripts still separates them.
  CHECK(tokenize("iPhone保修") == Terms{"iphon", "保", "修", "保修"});
}

TEST_CASE("Japanese kana and Korean Hangul are unsegmented scripts too", "[tokenizer]") {
  CHECK(tokenize("へんきん") == Terms{"へ", "ん", "き", "ん", "へん", "んき", "きん"});
  CHECK(tokenize("환불") == Terms{"환", "불", "환불"});
  CHECK(is_cjk_term("退款"));
  CHECK_FALSE(is_cjk_term("refund"));
}

TEST_CASE("full-width forms fold to ASCII", "[tokenizer]") {
  CHECK(tokenize("ＲＥＦＵＮＤ") == Terms{"refund"});
  CHECK(tokenize("订单１２３４５") == Terms{"订", "单", "订单", "12345"});
  // Full-width punctuation and the ideographic space separate.
  CHECK(tokenize("ｏｒｄｅｒ！　ｓｔａｔｕｓ") == Terms{"order", "status"});
}

TEST_CASE("emoji and symbols are ignored", "[tokenizer]") {
  CHECK(tokenize("refund 😡😡 please 👍🏽") == Terms{"refund"});
  CHECK(tokenize("退款🙏多久") == Terms{"退", "款", "退款", "多", "久", "多久"});
  CHECK(tokenize("❤️ ★ → ©").empty());
  CHECK(tokenize("").empty());
}

TEST_CASE("accented and Cyrillic letters stay inside words", "[tokenizer]") {
  CHECK(tokenize("Café возврат") == Terms{"café", "возврат"});
}

TEST_CASE("invalid UTF-8 separates words instead of failing", "[tokenizer]") {
  CHECK(tokenize("refund\xff\xfeorder") == Terms{"refund", "order"});
  CHECK(tokenize("\xe9\x80") == Terms{});  // truncated sequence
}

TEST_CASE("English suffix folding joins inflected forms", "[tokenizer]") {
  CHECK(fold_english_suffix("refunds") == "refund");
  CHECK(fold_english_suffix("refunded") == "refund");
  CHECK(fold_english_suffix("shipping") == fold_english_suffix("ship"));
  CHECK(fold_english_suffix("shipped") == fold_english_suffix("ships"));
  CHECK(fold_english_suffix("charged") == fold_english_suffix("charge"));
  CHECK(fold_english_suffix("charging") == fold_english_suffix("charges"));
  CHECK(fold_english_suffix("deliveries") == fold_english_suffix("delivery"));
  CHECK(fold_english_suffix("boxes") == "box");
  CHECK(fold_english_suffix("address") == "address");
  CHECK(fold_english_suffix("status") == "status");
}

TEST_CASE("a message asks something when one of its clauses asks or requests", "[tokenizer]") {
  using switchboard::faq::asks_anything;
  using switchboard::faq::clauses_of;
  CHECK(clauses_of("用微信付的，想退钱，咋弄") ==
        std::vector<std::string_view>{"用微信付的", "想退钱", "咋弄"});
  for (const auto* text : {"Do you ship fast?", "shipping time?", "能到吗", "I want a refund",
                           "Shipped it back, how long till I see my money"}) {
    CAPTURE(text);
    CHECK(asks_anything(text));
  }
  // A few words of a topic, or only telling, ask nothing.
  for (const auto* text :
       {"parcel arrive", "shipping time", "退款时间", "I sent it back last week"}) {
    CAPTURE(text);
    CHECK_FALSE(asks_anything(text));
  }
}
