// What a message asks, read by the FAQ's language handling: when, how long, how soon
// and how (in either language, misspelt too), whose thing it speaks of, a verb and its
// particle, Chinese everyday verbs and the time of an act. The words themselves
// (segmentation, folding, stemming, synonyms) are in language_test.cpp.
#include <catch2/catch.hpp>
#include <unordered_set>

#include "faq_index.hpp"
#include "language/chinese_segmenter.hpp"
#include "language/english_stemmer.hpp"
#include "language/script_folding.hpp"
#include "language/synonyms.hpp"
#include "language/text_analyzer.hpp"
#include "language/word_usage.hpp"
#include "language_fixture.hpp"

using namespace switchboard::faq;
using namespace faq_test;

TEST_CASE_METHOD(LanguageData, "a message that only names a time is about the business's times",
                 "[language]") {
  const auto& a = *analyzer();
  CHECK(a.names_only_times("hours?"));
  CHECK(a.names_only_times("weekend?"));
  CHECK(a.names_only_times("周末？"));
  CHECK_FALSE(a.names_only_times("what time is it"));  // asks
  CHECK_FALSE(a.names_only_times("现在几点了"));
  CHECK_FALSE(a.names_only_times("how many days until christmas"));
  CHECK_FALSE(a.names_only_times("refund time"));
  CHECK_FALSE(a.names_only_times(""));
}

TEST_CASE_METHOD(
    LanguageData,
    "an institution or a name after for/to/at, or as a question's subject, is the owner",
    "[language]") {
  const auto& a = *analyzer();
  const std::unordered_set<std::string> kb{
      a.word_term("phone"), a.word_term("number"),    a.word_term("receipt"),
      a.word_term("order"), a.word_term("item"),      a.word_term("return"),
      a.word_term("open"),  a.word_term("available"), a.word_term("ship")};
  auto known = [&](const std::string& term) { return kb.count(term) > 0; };
  auto attached = [&](const char* text) { return a.attached_to_unknown_nouns(text, known); };
  CHECK(attached("what's the phone number for the police").count(a.word_term("phone")));
  CHECK(attached("whats the phone number for the city hospital").count(a.word_term("number")));
  CHECK(attached("How do I return an item to Amazon?").count(a.word_term("item")));
  CHECK(attached("What time does the post office open on Saturday?").count(a.word_term("open")));
  CHECK(attached("is the bank open on Saturday").count(a.word_term("open")));
  // The visitor's own, places, things that are no institution, the shop itself.
  CHECK(attached("I need a receipt for my order").empty());
  CHECK(attached("can you ship an item to Canada").empty());
  CHECK(attached("a receipt for the shoes").empty());
  CHECK(attached("how do I return an item to you").empty());
  CHECK(attached("is support available on Saturday").empty());
  CHECK(attached("do you open on Saturday").empty());
}

TEST_CASE_METHOD(LanguageData,
                 "a Chinese compound the entries lack is matched by the head they have",
                 "[language]") {
  const auto& a = *analyzer();
  const std::unordered_set<std::string> kb{"邮件", "邮箱", "地址", "付款"};
  auto known = [&](const std::string& term) { return kb.count(term) > 0; };
  CHECK(a.chinese_head("电子邮件", known) == std::vector<std::string>{"邮件"});
  CHECK(a.chinese_head("邮箱地址", known) == std::vector<std::string>{"邮箱", "地址"});
  CHECK(a.chinese_head("分期付款", known).empty());  // an idiom, not a kind of 付款
  CHECK(a.chinese_head("地址", known).empty());      // a word is not its own head
  CHECK(a.chinese_head("医院", known).empty());

  FaqIndexOptions options;
  options.analyzer = analyzer();
  const FaqIndex index({{"account-email",
                         {"怎么修改邮箱", "更换账号邮箱", "收不到确认邮件"},
                         "进入个人资料修改邮箱。"},
                        {"order-change-address",
                         {"可以修改收货地址吗", "下单后怎么改地址"},
                         "发货前可在订单中修改地址。"}},
                       options);
  const auto email = index.search("怎么修改账号的电子邮件", 2);
  REQUIRE(!email.empty());
  CHECK(email.front().entry_id == "account-email");
  // Without its head the same sentence explains less: 路由器 has none the entries know.
  const auto router = index.search("怎么修改账号的路由器", 2);
  REQUIRE(!router.empty());
  // (0.89 against 0.54; 0.64 when 电子邮件 weighs as a thing the entries lack.)
  CHECK(email.front().coverage > router.front().coverage + 0.2);
}

TEST_CASE_METHOD(LanguageData, "an order number or a question word is no thing the entries lack",
                 "[language]") {
  const auto& a = *analyzer();
  for (const char* term : {"48213", "5", "2nd", "3rd"}) CHECK(TextAnalyzer::is_number(term));
  for (const char* term : {"b2b", "mp3", "th", ""}) CHECK_FALSE(TextAnalyzer::is_number(term));
  CHECK(a.is_question_word(a.word_term("why")));  // the stem "whi"
  CHECK_FALSE(a.names_topic(a.word_term("why"), false));
  CHECK_FALSE(a.is_question_word(a.word_term("refund")));

  FaqIndexOptions options;
  options.analyzer = analyzer();
  options.unknown_word_weight = 3.0;
  const FaqIndex index(
      {{"refund-how", {"How do I ask for a refund?", "怎么申请退款"}, "In My Orders."},
       {"order-tracking", {"How can I track my order?"}, "Use the link."}},
      options);
  auto coverage = [&](const char* text) {
    const auto found = index.search(text, 1);
    REQUIRE(!found.empty());
    return found.front().coverage;
  };
  // The order number says which order, not what about it.
  CHECK(coverage("order 20231188, how do I ask for a refund") ==
        Approx(coverage("order, how do I ask for a refund")));
  CHECK(coverage("订单号 20231188，怎么申请退款") == Approx(coverage("订单号，怎么申请退款")));
  CHECK(index.search("how do I ask for a refund, order 48213", 1).front().unknown_thing == 0);
  // "why" asks; a thing the entries lack counts against the match in full.
  CHECK(coverage("why a refund") > coverage("bitcoin a refund") + 0.2);
}

TEST_CASE_METHOD(LanguageData,
                 "a general word that meets only an answer's word through WordNet weighs as itself",
                 "[language]") {
  // "still" is an adverb here, and WordNet's noun "still" is a photograph: the word
  // "photo" is in an answer only, so it has the highest IDF, and "still" had weighed in
  // the message as the rarest thing a visitor can name, matching nothing.
  FaqIndexOptions options;
  options.analyzer = analyzer();
  options.unknown_word_weight = 3.0;
  options.broader_weight = 0.3;
  options.unknown_english_non_noun_weight = 0.5;
  auto index_with = [&](bool cap) {
    options.cap_answer_only_synonyms = cap;
    return FaqIndex({{"refund-time", {"How long does a refund take?"}, "5-7 business days."},
                     {"warranty",
                      {"Is there a warranty on what I buy?"},
                      "Two years; send a photo of the fault."},
                     {"order-cancel", {"How do I cancel my order?"}, "In My Orders."}},
                    options);
  };
  const auto capped = index_with(true), uncapped = index_with(false);
  const auto with = capped.search("refund still not here, how long does it take", 1);
  const auto without = uncapped.search("refund still not here, how long does it take", 1);
  REQUIRE(!with.empty());
  REQUIRE(!without.empty());
  CHECK(with.front().entry_id == "refund-time");
  CHECK(with.front().coverage > without.front().coverage + 0.1);
  // A word the entries' questions have keeps its weight: "purchase" -> buy is no cap.
  const auto buy = capped.search("refund for my purchase", 1);
  CHECK(buy.front().coverage ==
        Approx(uncapped.search("refund for my purchase", 1).front().coverage));
}

TEST_CASE_METHOD(LanguageData, "a question asking when or how long is told in either language",
                 "[language]") {
  const auto& a = *analyzer();
  for (const auto* text :
       {"How long does shipping take?", "how soon will it arrive", "how many business days",
        "When will I get my money back?", "refund when??", "What hours can I call you?",
        "what time do you close", "Has my order shipped yet?", "退款多久到账", "寄到国外要多长时间",
        "配送需要几个工作日？", "什么时候发货", "幾天能到", "客服几点上班", "订单发货了没",
        "发货了吗？"}) {
    CAPTURE(text);
    CHECK(a.asks_when(text));
  }
  for (const auto* text :
       {"How do I track my order?", "How much is shipping?", "how many items can I order",
        "Do I get a tracking number when my order ships?", "Can I call you?", "where is my refund",
        "运费多少", "可以寄到国外吗", "怎么取消订单", "有发票吗", "发货了没有问题",
        // 几 telling "a few", not asking: bought only a few days (months) ago.
        "才买几天就坏了", "东西坏了怎么办，才买几个月", "前几天下的单，想取消"}) {
    CAPTURE(text);
    CHECK_FALSE(a.asks_when(text));
  }
}

TEST_CASE_METHOD(LanguageData,
                 "a complaint that it has not come yet, and 'when' asked within a sentence, ask "
                 "when",
                 "[language]") {
  const auto& a = *analyzer();
  for (const auto* text :
       {"钱还没到 咋回事", "寄回去一个星期了，怎么还没看到退款？", "退款还没收到",
        "I want to know when the money comes back", "just wondering when my refund arrives"}) {
    CAPTURE(text);
    CHECK(a.asks_when(text));
  }
  // Not yet shipped is no delay asked about; "when" opening a clause asks nothing.
  for (const auto* text :
       {"还没发货可以取消吗", "Do I get a tracking number when my order ships?"}) {
    CAPTURE(text);
    CHECK_FALSE(a.asks_when(text));
  }
}

TEST_CASE_METHOD(LanguageData, "a time, a span of time or a speed named without a question word",
                 "[language]") {
  const auto& a = *analyzer();
  for (const auto* text :
       {"shipping time?", "refund turnaround", "退款时间", "发货时效", "今天下单明天能到吗",
        "will it arrive by Friday", "周末能送到吗", "Do orders go out the same day?",
        "下单当天发货吗", "do refunds take long?", "do you dispatch orders quickly?", "发货快吗",
        "退款要等很久吗"}) {
    CAPTURE(text);
    CHECK(a.names_time(text));
  }
  // A service named by a relative day is no time the visitor is bounded by, and the
  // courier (快递) is no speed.
  for (const auto* text : {"Do you offer next-day shipping?", "有加急快递或次日达吗？",
                           "京东快递能送货上门吗", "How do I track my order?"}) {
    CAPTURE(text);
    CHECK_FALSE(a.names_time(text));
  }
}

TEST_CASE_METHOD(LanguageData, "a misspelt question word asks what the word asks", "[language]") {
  const auto& a = *analyzer();
  // One edit from one question word, its first letter kept, no dictionary word.
  CHECK(a.asks_when("Shipped it back, how lnog till I see my money?"));
  CHECK(a.asks_when("hw long does shipping take"));
  CHECK(a.terms("waht is your email") == a.terms("what is your email"));
  CHECK(a.terms("how lnog") == a.terms("how long"));
  // A real word is no typo ("lone", "hoe"), nor a word two question words are one edit
  // from.
  CHECK(a.terms("how lone") != a.terms("how long"));
  CHECK_FALSE(a.asks_when("how lone is the road"));
}

TEST_CASE_METHOD(LanguageData, "whose thing a message speaks of: the shop's or the visitor's",
                 "[language]") {
  const auto& a = *analyzer();
  // The shop's own, or the shop as the object of an act.
  for (const auto* text : {"what is your email", "你们的邮箱是啥",
                           "Can I email you about a problem?", "how do I reach you"}) {
    CAPTURE(text);
    CHECK(a.speaks_of_business_thing(text));
  }
  // The shop as the one who acts, thanks, or the visitor's own.
  for (const auto* text : {"Can you ship to Canada?", "thank you, how do I change my email",
                           "How do I change my email address?", "怎么修改邮箱"}) {
    CAPTURE(text);
    CHECK_FALSE(a.speaks_of_business_thing(text));
  }
  // Speaking to the shop: any "you", 你们, 您.
  CHECK(a.speaks_to_business("Which payment methods do you accept?"));
  CHECK(a.speaks_to_business("请问您的邮箱"));
  CHECK_FALSE(a.speaks_to_business("Can I pay with PayPal?"));
}

TEST_CASE_METHOD(LanguageData, "a verb and its particle are one term, with the verb's synonyms",
                 "[language]") {
  const auto& a = *analyzer();
  // "call off" is WordNet's verb for cancelling; "call" alone is calling.
  const auto terms = a.terms("I'd like to call off my order");
  CHECK(std::find(terms.begin(), terms.end(), "call_off") != terms.end());
  CHECK(std::find(terms.begin(), terms.end(), "call") == terms.end());
  const auto& related = a.related("call_off");
  CHECK(std::find(related.begin(), related.end(), "cancel") != related.end());
  // Not a verb and a word after it that is no particle of it.
  const auto call_you = a.terms("Can I call you?");
  CHECK(std::find(call_you.begin(), call_you.end(), "call") != call_you.end());
}

TEST_CASE_METHOD(LanguageData, "a pronoun between a verb and its particle keeps them one verb",
                 "[language]") {
  const auto& a = *analyzer();
  // English puts a pronoun object before the particle: "call it off" is "call off".
  const auto terms = a.terms("I ordered by mistake, please call it off");
  CHECK(contains(terms, "call_off"));
  CHECK_FALSE(contains(terms, "call"));
  const auto them = a.terms("can you call them off");
  CHECK(contains(them, "call_off"));
  // A pronoun followed by no particle of the verb leaves the verb alone.
  const auto tomorrow = a.terms("Can I call it tomorrow?");
  CHECK(contains(tomorrow, "call"));
  CHECK_FALSE(contains(tomorrow, "call_off"));
  // Nor does a noun between them: only a pronoun goes there.
  const auto noun = a.terms("call the shop off");
  CHECK_FALSE(contains(noun, "call_off"));
}

TEST_CASE_METHOD(LanguageData, "how fast and how quickly ask how soon", "[language]") {
  const auto& a = *analyzer();
  for (const char* text :
       {"How fast is shipping?", "how quickly do you dispatch orders", "How quick is delivery?"}) {
    CAPTURE(text);
    CHECK(contains(a.terms(text), "soon"));
    CHECK_FALSE(contains(a.terms(text), "fast"));
    CHECK_FALSE(contains(a.terms(text), "quick"));
    CHECK(a.asks_when(text));
  }
  // Not after another word: "fast shipping" is a kind of shipping, not a question.
  const auto offer = a.terms("Do you offer fast shipping?");
  CHECK(contains(offer, "fast"));
  CHECK_FALSE(contains(offer, "soon"));
}

TEST_CASE_METHOD(LanguageData, "the time of a thing is also how long it takes", "[language]") {
  const auto& a = *analyzer();
  for (const char* text :
       {"shipping time?", "refund processing time?", "what is the delivery time"}) {
    CAPTURE(text);
    CHECK(contains(a.terms(text), "long"));
    CHECK(contains(a.terms(text), "time"));
  }
  // A time after no noun is a time, not a span.
  CHECK_FALSE(contains(a.terms("what time is it"), "long"));
  CHECK_FALSE(contains(a.terms("can I call any time"), "long"));
}

TEST_CASE_METHOD(LanguageData,
                 "a question whether it has still not happened asks when, in any of its clauses",
                 "[language]") {
  const auto& a = *analyzer();
  for (const auto* text : {"还没发货吗", "怎么还没发出去呢", "我的货还没寄出吗？",
                           "東西寄出了嗎？訂單號 77120", "订单发货了吗，订单号 SB-10001"}) {
    CAPTURE(text);
    CHECK(a.asks_when(text));
  }
  // 还没 as the condition of another question (can I cancel while it has not shipped),
  // and 了吗 inside a clause, ask no time.
  for (const auto* text :
       {"还没发货可以取消吗", "还没收货能申请退款吗", "发货了没有问题，谢谢", "还没吗"}) {
    CAPTURE(text);
    CHECK_FALSE(a.asks_when(text));
  }
}

TEST_CASE_METHOD(LanguageData, "a verb asked how after its act is named stands for doing that act",
                 "[language]") {
  const auto& a = *analyzer();
  // 咋 is 怎么 as spoken; 弄, 操作 after "how", ending the clause, once an act is named
  // (退款), say only "how do I do it".
  const auto refund = a.terms("退款咋弄");
  CHECK(contains(refund, "怎么"));
  CHECK_FALSE(contains(refund, "咋"));
  CHECK_FALSE(contains(refund, "弄"));
  const auto two_clauses = a.terms("我想退款，该怎么操作");
  CHECK(contains(two_clauses, "退款"));
  CHECK_FALSE(contains(two_clauses, "操作"));
  // An English act counts too ("cancel 一下咋操作").
  CHECK_FALSE(contains(a.terms("cancel 一下咋操作"), "操作"));
  // With no act named before, or with something after it, the verb is the act.
  CHECK(contains(a.terms("怎么操作"), "操作"));
  CHECK(contains(a.terms("订单怎么取消"), "取消"));
  CHECK(contains(a.terms("退款怎么申请比较快"), "申请"));
}

TEST_CASE_METHOD(LanguageData, "a verb of one character and its object are their compound",
                 "[language]") {
  const auto& a = *analyzer();
  // 退个款: the measure between them; 把钱退了: the object before the verb, after 把.
  CHECK(contains(a.terms("帮我退个款"), "退款"));
  CHECK(contains(a.terms("能不能帮我把这个订单的钱退了"), "退钱"));
  // No compound the dictionary has: the words stay as they are.
  const auto other = a.terms("把书退了");
  CHECK(contains(other, "书"));
  CHECK(contains(other, "退"));
}

TEST_CASE_METHOD(LanguageData, "an act before after is the time of what is asked", "[language]") {
  const auto& a = *analyzer();
  CHECK(a.times_of_acts("下单后怎么改地址") == std::unordered_set<std::string>{"下单"});
  CHECK(a.times_of_acts("发货以后多久能到").count("发货") == 1);
  CHECK(a.times_of_acts("可以下单吗").empty());
  CHECK(a.times_of_acts("然后呢").empty());
}

TEST_CASE_METHOD(LanguageData,
                 "a tenant's word of one character stands for its group only as a word",
                 "[language]") {
  // A shop whose bare 退 is its 退货: the verb alone is read so, but the character 退
  // inside 退款 stays the refund's (it was read as 退货 too).
  const Dir dir;
  const auto shop =
      analyzer_with_synonyms(dir, "groups = [[\"退货\", \"退\"], [\"退款\", \"退钱\"]]\n");
  const auto& a = *shop;
  CHECK(contains(a.terms("没用过可以退吗"), "退货"));
  std::vector<bool> within;
  const auto refund = a.terms("退款多久到账", &within);
  for (std::size_t i = 0; i < refund.size(); ++i)
    if (within[i]) CHECK(refund[i] != "退货");
  // The money opening the clause is the object: 钱能退吗 is 退钱, the refund.
  CHECK(contains(a.terms("钱能退吗"), "退款"));
  CHECK_FALSE(contains(a.terms("钱能退吗"), "退货"));
}
