// How a visitor's message is compared with keywords and options, and how messages
// are filled in: what decides whether the bot understands "WHERE is my order?".
#include <catch2/catch.hpp>

#include "flow_text.hpp"

using namespace switchboard::flow;

TEST_CASE("normalize folds case, full-width forms and spaces, and keeps Chinese", "[text]") {
  CHECK(normalize("  Where IS   my\tOrder ") == "where is my order");
  CHECK(normalize("ＳＢ－１２３４５") == "sb-12345");
  CHECK(normalize("我的订单　到哪了") == "我的订单 到哪了");
  CHECK(normalize_answer("Yes!") == "yes");
  CHECK(normalize_answer(" 转人工。") == "转人工");
  CHECK(normalize_answer("1.") == "1");
}

TEST_CASE("Latin keywords match whole words, Chinese keywords anywhere", "[text]") {
  CHECK(contains_keyword(normalize("Where is my ORDER?"), "order"));
  CHECK_FALSE(contains_keyword(normalize("the border is closed"), "order"));
  CHECK_FALSE(contains_keyword(normalize("orders"), "order"));
  CHECK(contains_keyword(normalize("order"), "order"));
  CHECK(contains_keyword(normalize("请问我的订单到哪了？"), "订单"));
  CHECK(contains_keyword(normalize("查订单SB-10001"), "订单"));
  CHECK_FALSE(contains_keyword("anything", ""));
}

TEST_CASE("the reply language comes from the tag, else the text", "[text]") {
  CHECK(primary_language("zh-CN") == "zh");
  CHECK(primary_language("EN_us") == "en");
  CHECK(primary_language("") == "");
  CHECK(guess_language("我的订单到哪了") == "zh");
  CHECK(guess_language("where is my order") == "");
  const LocalizedText text{{"en", "hello"}, {"zh", "你好"}};
  CHECK(localize(text, "zh", "en") == "你好");
  CHECK(localize(text, "fr", "en") == "hello");
}

TEST_CASE("interpolate fills parameters and keeps doubled braces literal", "[text]") {
  const Params params{{"order_id", "SB-10001"}};
  CHECK(interpolate("Order {order_id} ({{not a param}})", params) ==
        "Order SB-10001 ({not a param})");
  CHECK(interpolate("missing: [{nope}]", params) == "missing: []");
  CHECK(placeholders("Order {order_id}: {status}").names ==
        std::vector<std::string>{"order_id", "status"});
  CHECK_FALSE(placeholders("Order {order_id").error.empty());
  CHECK_FALSE(placeholders("Order order_id}").error.empty());
  CHECK_FALSE(placeholders("Order {order id}").error.empty());
  CHECK(placeholders("{{}}").error.empty());
}
