// The FAQ's language handling (plugins/autoreply-faq/language/) on examples with
// known answers, over the Debian data it reads at run time: the jieba dictionary,
// OpenCC, Snowball and WordNet. Then what it changes for the index: a traditional
// or paraphrased question finds its entry and a real word is never "corrected" into
// a match. What the stage decides with it is in stage_decisions_test.cpp.
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

TEST_CASE("segmentation: the most probable words by the dictionary's frequencies", "[language]") {
  // Frequencies chosen so that only the whole-route comparison gets it right:
  // 研究生 is a word, but 研究 / 生命 / 起源 together are likelier.
  const ChineseSegmenter small({{"研究", 500},
                                {"研究生", 100},
                                {"生命", 600},
                                {"起源", 400},
                                {"命", 10},
                                {"生", 10},
                                {"研", 1},
                                {"究", 1},
                                {"起", 5},
                                {"源", 5}});
  CHECK(small.segment(std::string_view("研究生命起源")) ==
        std::vector<std::string>{"研究", "生命", "起源"});
  // A character the dictionary lacks is a word of its own.
  CHECK(small.segment(std::string_view("研究猫")) == std::vector<std::string>{"研究", "猫"});
}

TEST_CASE_METHOD(LanguageData,
                 "segmentation with the jieba dictionary cuts visitors' questions into words",
                 "[language]") {
  const auto jieba = ChineseSegmenter::shared(TextAnalyzerFiles{}.jieba_dictionary);
  CHECK(jieba->size() > 300000);
  CHECK(jieba->segment(std::string_view("怎么申请退款")) ==
        std::vector<std::string>{"怎么", "申请", "退款"});
  CHECK(jieba->segment(std::string_view("我想修改收货地址")) ==
        std::vector<std::string>{"我", "想", "修改", "收货", "地址"});
  // Loaded once per process: a second tenant shares it.
  CHECK(ChineseSegmenter::shared(TextAnalyzerFiles{}.jieba_dictionary) == jieba);
}

TEST_CASE("a missing dictionary is an error naming the file and the package", "[language]") {
  CHECK_THROWS_WITH(ChineseSegmenter("/nonexistent/dict.txt"),
                    Catch::Contains("/nonexistent/dict.txt") && Catch::Contains("python3-jieba"));
}

TEST_CASE("folding: traditional Chinese to simplified, other text unchanged", "[language]") {
  const ScriptFolding folding;
  CHECK(folding.fold("運費怎麼算") == "运费怎么算");
  CHECK(folding.fold("忘記密碼了") == "忘记密码了");
  // Simplified text stays as it is (tw2s would turn 怎么 into 怎幺).
  CHECK(folding.fold("退款多久到账，怎么办") == "退款多久到账，怎么办");
  CHECK(folding.fold("Where is my order?") == "Where is my order?");
}

TEST_CASE("stemming: Snowball English stems, words with digits kept", "[language]") {
  CHECK(english_stem("refunds") == "refund");
  CHECK(english_stem("refunded") == "refund");
  CHECK(english_stem("refunding") == "refund");
  CHECK(english_stem("shipping") == english_stem("shipped"));
  CHECK(english_stem("deliveries") == english_stem("delivery"));
  CHECK(english_stem("sb10001") == "sb10001");
}

TEST_CASE_METHOD(LanguageData, "synonyms: WordNet's most common sense, and the tenant's own groups",
                 "[language]") {
  const auto stem = [](std::string_view w) { return english_stem(w); };
  const auto wordnet = WordNetSynonyms::shared(TextAnalyzerFiles{}.wordnet_directory, stem);
  CHECK(contains(wordnet->of(english_stem("purchase")), english_stem("buy")));
  CHECK(contains(wordnet->of(english_stem("parcel")), english_stem("package")));
  CHECK(wordnet->knows(english_stem("bill")));
  CHECK(wordnet->of("zzzqx").empty());

  const TenantSynonyms tenant({{"shipping", "postage"}, {"运费", "邮费"}},
                              [](std::string_view w) { return analyzer()->word_term(w); });
  CHECK(tenant.canonical(analyzer()->word_term("postage")) == analyzer()->word_term("shipping"));
  CHECK(tenant.canonical("邮费") == "运费");
  CHECK(tenant.canonical("refund") == "refund");
}

TEST_CASE_METHOD(LanguageData,
                 "a tenant's synonyms file: malformed groups are errors naming file and key",
                 "[language]") {
  Dir dir;
  dir.write("bad.toml", "groups = [[\"postage\"]]\n");
  const auto analyse = [](std::string_view w) { return analyzer()->word_term(w); };
  CHECK_THROWS_WITH(TenantSynonyms(dir.path / "bad.toml", analyse),
                    Catch::StartsWith("[too_few_words min=2] ") && Catch::Contains("bad.toml") &&
                        Catch::Contains("groups[0]"));
  dir.write("typo.toml", "group = [[\"a\", \"b\"]]\n");
  CHECK_THROWS_WITH(TenantSynonyms(dir.path / "typo.toml", analyse),
                    Catch::StartsWith("[unknown_key expected=groups,%20business_names] ") &&
                        Catch::Contains("group"));
  // Each refusal's code, first in its text.
  const auto refusal = [&](const std::string& name, const std::string& text) -> std::string {
    dir.write(name, text);
    try {
      TenantSynonyms(dir.path / name, analyse);
    } catch (const std::exception& e) {
      return e.what();
    }
    return "loaded";
  };
  CHECK_THAT(refusal("flat.toml", "groups = [\"a\", \"b\"]\n"),
             Catch::StartsWith("[not_string_list] "));
  CHECK_THAT(refusal("one.toml", "groups = \"a\"\n"), Catch::StartsWith("[not_list_of_lists] "));
  CHECK_THAT(refusal("none.toml", ""), Catch::StartsWith("[missing] "));
  CHECK_THAT(refusal("blank.toml", "groups = [[\"a\", \"\"], [\"c\", 3]]\n"),
             Catch::StartsWith("[empty] "));
  CHECK_THAT(refusal("broken.toml", "groups = [[\"a\", \"b\"]\n"), Catch::StartsWith("[syntax] "));
}

TEST_CASE_METHOD(LanguageData, "the analyzer: one term for every spelling of the same word",
                 "[language]") {
  const auto& a = *analyzer();
  CHECK(a.terms("運費怎麼算") == a.terms("运费怎么算"));
  const auto english = a.terms("Where are my refunds?");
  CHECK(contains(english, "refund"));
  CHECK_FALSE(contains(english, "my"));  // a function word says nothing about the topic
  // Words and, for less, their characters ("退钱" still shares 退 with "退款").
  const auto chinese = a.terms("申请退款");
  CHECK(contains(chinese, "退款"));
  CHECK(contains(chinese, "退"));
  CHECK(a.content_weight("的") < 0.2);
  CHECK(a.content_weight("退款") == Approx(1.0));
}

TEST_CASE_METHOD(LanguageData,
                 "with the analyzer, paraphrases find their entry and real words are not typos",
                 "[language]") {
  FaqIndexOptions options;
  options.analyzer = analyzer();
  const FaqIndex index(
      {{"shipping-cost", {"How much is shipping?", "运费多少钱"}, "Free over $50."},
       {"refund-time", {"How long does a refund take?", "退款多久到账"}, "5-7 days."},
       {"invoice", {"Can I get an invoice?"}, "In My Orders."}},
      options);
  const auto traditional = index.search("運費怎麼算", 1);
  REQUIRE_FALSE(traditional.empty());
  CHECK(traditional[0].entry_id == "shipping-cost");
  const auto stemmed = index.search("how long do refunds take", 1);
  REQUIRE_FALSE(stemmed.empty());
  CHECK(stemmed[0].entry_id == "refund-time");
  // A misspelling is still corrected...
  const auto typo = index.search("refnud", 1);
  REQUIRE_FALSE(typo.empty());
  CHECK(typo[0].entry_id == "refund-time");
  // ...but "bill" is a word of its own, not a typo of anything the entries say.
  CHECK(index.search("bill", 1).empty());
}

TEST_CASE_METHOD(LanguageData,
                 "word usage: WordNet's corpus counts tell general words from specific ones",
                 "[language]") {
  const auto stem = [](std::string_view w) { return english_stem(w); };
  const auto usage = WordUsage::shared(TextAnalyzerFiles{}.wordnet_directory / "cntlist.rev", stem);
  CHECK(usage->count(english_stem("see")) > 1000);
  CHECK(usage->count(english_stem("week")) > 50);
  CHECK(usage->count("bitcoin") == 0);
  const auto& a = *analyzer();
  CHECK(a.english_specificity(english_stem("see")) == Approx(0.1));
  CHECK(a.english_specificity(english_stem("week")) < 0.5);
  CHECK(a.english_specificity(english_stem("week")) < a.english_specificity("lamp"));
  CHECK(a.english_specificity("lamp") < a.english_specificity("bitcoin"));
  CHECK(a.english_specificity("bitcoin") == Approx(1.0));
  CHECK(a.english_specificity("退款") == Approx(1.0));  // Chinese has content_weight
  CHECK_THROWS_WITH(WordUsage("/nonexistent/cntlist.rev", stem),
                    Catch::Contains("/nonexistent/cntlist.rev") && Catch::Contains("wordnet-base"));
}

TEST_CASE_METHOD(
    LanguageData,
    "WordNet: irregular forms to their lemma, and one level of broader meaning for nouns",
    "[language]") {
  const auto stem = [](std::string_view w) { return english_stem(w); };
  const auto wordnet = WordNetSynonyms::shared(TextAnalyzerFiles{}.wordnet_directory, stem);
  CHECK(wordnet->base_form("bought") == "buy");
  CHECK(wordnet->base_form("paid") == "pay");
  CHECK(wordnet->base_form("children") == "child");
  CHECK(wordnet->base_form("refund").empty());
  // Broader meanings of nouns: a sneaker is a (gym) shoe, a reimbursement is
  // compensation. The head of a compound hypernym: Germany is a European country.
  CHECK(contains(wordnet->broader(english_stem("sneaker")), english_stem("shoe")));
  CHECK(contains(wordnet->broader(english_stem("reimbursement")), english_stem("compensation")));
  CHECK(contains(wordnet->broader(english_stem("germany")), english_stem("country")));
  // Not of verbs: to bill is to charge, but a visitor asking for a bill does not
  // mean a delivery charge; to edit is to change, but not only.
  CHECK_FALSE(contains(wordnet->broader(english_stem("bill")), english_stem("charge")));
  CHECK_FALSE(contains(wordnet->broader(english_stem("edit")), english_stem("change")));
  // The analyzer uses the lemma: "paid" and "pay" are one term, "done" is "do" (a
  // function word, dropped).
  const auto& a = *analyzer();
  CHECK(a.terms("I paid twice") == std::vector<std::string>{english_stem("pay"), "twice"});
  CHECK(a.terms("done") == std::vector<std::string>{});
}

TEST_CASE_METHOD(LanguageData, "a named place is a country, in both languages", "[language]") {
  const auto& a = *analyzer();
  const auto term = [&](std::string_view w) { return a.word_term(w); };
  // English: WordNet's instances of a country (Brazil is a South American country);
  // Chinese: the jieba dictionary's place tag.
  CHECK(a.is_place_name(term("Brazil")));
  CHECK(a.is_place_name(term("Norway")));
  CHECK(a.is_place_name("日本"));
  CHECK(a.is_place_name("台湾"));
  CHECK_FALSE(a.is_place_name(term("weather")));
  CHECK_FALSE(a.is_place_name(term("house")));
  CHECK_FALSE(a.is_place_name(term("shop")));
  CHECK_FALSE(a.is_place_name("天气"));
  // The other language's word for a country joins the place's own broader words.
  CHECK(contains(a.place_broader(term("Brazil")), term("country")));
  CHECK(contains(a.place_broader(term("Brazil")), std::string("国家")));
  CHECK(contains(a.place_broader("日本"), std::string("国家")));
  CHECK(contains(a.place_broader("日本"), term("country")));
  CHECK_FALSE(contains(a.broader("日本"), term("country")));
}

TEST_CASE_METHOD(LanguageData, "telecommunicating with the business is contacting it",
                 "[language]") {
  const auto& a = *analyzer();
  const auto term = [&](std::string_view w) { return a.word_term(w); };
  const auto stem = [](std::string_view w) { return english_stem(w); };
  const auto wordnet = WordNetSynonyms::shared(TextAnalyzerFiles{}.wordnet_directory, stem);
  // WordNet's verbs under "telecommunicate", in any of their senses.
  for (const char* verb : {"email", "phone", "call", "fax", "telephone"}) {
    CAPTURE(verb);
    CHECK(wordnet->is_telecommunication_verb(term(verb)));
  }
  for (const char* verb : {"write", "ask", "tell", "send", "order", "cancel"}) {
    CAPTURE(verb);
    CHECK_FALSE(wordnet->is_telecommunication_verb(term(verb)));
  }
  CHECK(contains(a.terms("Can I email you about a problem?"), term("contact")));
  CHECK(contains(a.terms("can I phone us"), term("contact")));
  CHECK_FALSE(contains(a.terms("I want to email my friend"), term("contact")));
  CHECK_FALSE(contains(a.terms("can you email me the invoice"), term("contact")));
  CHECK_FALSE(contains(a.terms("can I write to you"), term("contact")));
}

TEST_CASE_METHOD(LanguageData, "a place the visitor says they are in", "[language]") {
  const auto& a = *analyzer();
  const auto term = [&](std::string_view w) { return a.word_term(w); };
  std::unordered_set<std::string> frame;
  CHECK(a.visitor_places("I live in Brazil, can I order from you", &frame) ==
        std::unordered_set<std::string>{term("Brazil")});
  CHECK(frame.count(term("live")));  // the locative's verb says nothing besides the place
  CHECK(a.visitor_places("Hi! I'm in Portugal — can I order?").count(term("Portugal")));
  CHECK(a.visitor_places("we are based in Norway").count(term("Norway")));
  CHECK(a.visitor_places("我在日本，能下单吗").count("日本"));
  CHECK(a.visitor_places("我人在澳洲，能不能寄过来").count("澳洲"));
  CHECK(a.visitor_places("我住在澳大利亚").count("澳大利亚"));
  // A place only named, someone else's, or in another clause than the visitor's "I".
  CHECK(a.visitor_places("Do you ship to Canada?").empty());
  CHECK(a.visitor_places("what time is it in Germany").empty());
  CHECK(a.visitor_places("寄到日本要多久").empty());
  CHECK(a.visitor_places("你们在日本有店吗").empty());
  CHECK(a.visitor_places("I want to know, in Brazil is it sunny").empty());
  CHECK(a.visitor_places("I live in a house").empty());
}

TEST_CASE_METHOD(LanguageData, "a name of several words is one term, a place one a place",
                 "[language]") {
  const auto& a = *analyzer();
  // WordNet writes a name of several words with "_" (an instance: New_Zealand is one
  // of "country"); its words apart are other things ("Zealand" is a Danish island).
  const auto terms = a.terms("Can you deliver to New Zealand?");
  CHECK(contains(terms, a.word_term("new_zealand")));
  CHECK_FALSE(contains(terms, english_stem("zealand")));
  CHECK_FALSE(contains(terms, english_stem("new")));
  for (const char* place : {"New Zealand", "South Korea", "the United States", "Sri Lanka"}) {
    CAPTURE(place);
    const auto t = a.terms(place);
    REQUIRE(t.size() == 1);
    CHECK(a.is_place_name(t.front()));
  }
  // The longest name: "the United States of America" is one term (WordNet's other name
  // of the same country), not "United States" and "America".
  const auto america = a.terms("the United States of America");
  REQUIRE(america.size() == 1);
  CHECK(a.is_place_name(america.front()));
  CHECK(america != a.terms("United States"));
  // A city of several words is a place as a country is (WordNet's noun.location):
  // Hong Kong is where a parcel goes abroad. A city of one word is not asked: "mobile"
  // and "nice" are cities too.
  for (const char* place : {"Hong Kong", "New York", "Los Angeles"}) {
    CAPTURE(place);
    const auto t = a.terms(place);
    REQUIRE(t.size() == 1);
    CHECK(a.is_place_name(t.front()));
    CHECK(contains(a.place_broader(t.front()), english_stem("country")));
  }
  CHECK_FALSE(a.is_place_name(english_stem("mobile")));
  CHECK_FALSE(a.is_place_name(english_stem("paris")));
  CHECK(a.visitor_places("I live in Hong Kong, can I order from you?").size() == 1);
  // A kind of thing written in two words is not a name: its words stay apart.
  CHECK(a.terms("credit card").size() == 2);
  CHECK(a.terms("new phone").size() == 2);
  // Nor one that starts with a function word ("the city" is WordNet's City of London).
  CHECK(contains(a.terms("do you deliver in the city"), english_stem("city")));
  // Where the visitor is, past the name's article.
  CHECK(a.visitor_places("I live in New Zealand, can I order?") ==
        std::unordered_set<std::string>{a.terms("New Zealand").front()});
  CHECK(a.visitor_places("I'm in the United States, can I order from you").size() == 1);
  CHECK(a.visitor_places("I'm in the house").empty());
}

TEST_CASE_METHOD(LanguageData, "the business named as itself is read as 'you'", "[language]") {
  Dir dir;
  dir.write("synonyms.toml",
            "business_names = [\"shop\", \"Store\"]\ngroups = [[\"shipping\", \"postage\"]]\n");
  TextAnalyzerFiles files;
  files.tenant_synonyms = dir.path / "synonyms.toml";
  const TextAnalyzer a(files);
  // The tenant's names for itself, in the singular or the plural, say what "you" says.
  CHECK(a.terms("can I order from your store") == a.terms("can I order from you"));
  CHECK(a.terms("do your shops ship abroad") == a.terms("do you ship abroad"));
  CHECK(a.terms("store hours") == a.terms("hours"));
  CHECK(a.visitor_places("I live in Canada, can I order from your store").size() == 1);
  // Without them a store is a store (the default analyzer reads no synonyms file).
  CHECK(contains(analyzer()->terms("can I order from your store"), english_stem("store")));
  // "you guys", "you folks" are "you", for any tenant; guys elsewhere are guys.
  for (const auto* analyser : {&a, analyzer().get()}) {
    CHECK(analyser->terms("can you guys ship to Kenya") ==
          analyser->terms("can you ship to Kenya"));
    CHECK(analyser->terms("do you folks take PayPal") == analyser->terms("do you take PayPal"));
    CHECK_FALSE(analyser->terms("the delivery guys were rude").size() ==
                analyser->terms("the delivery were rude").size());
  }
  // A name is one English word.
  dir.write("two.toml", "business_names = [\"demo shop\"]\ngroups = [[\"a\", \"b\"]]\n");
  CHECK_THROWS_WITH(TenantSynonyms::read(dir.path / "two.toml"),
                    Catch::StartsWith("[not_one_word] ") && Catch::Contains("business_names"));
}

TEST_CASE_METHOD(LanguageData, "a verb and its particle written as one word are the verb",
                 "[language]") {
  const auto& a = *analyzer();
  // WordNet has "log in", "sign up", "log out" as verbs and not "login", "signup",
  // "logout" as words: written solid, they are the verb and its particle.
  CHECK(a.terms("How do I reset my login?") == a.terms("How do I reset my log in?"));
  CHECK(a.terms("signup") == a.terms("sign up"));
  CHECK(a.terms("logout") == a.terms("log out"));
  CHECK_FALSE(contains(a.terms("my login email"), "login"));
  // A word WordNet has is itself ("checkout", "setup" are nouns), and so is one that
  // is no verb and particle.
  CHECK(a.terms("checkout") == std::vector<std::string>{english_stem("checkout")});
  CHECK(a.terms("setup") == std::vector<std::string>{english_stem("setup")});
  CHECK(a.terms("bitcoin") == std::vector<std::string>{english_stem("bitcoin")});
}

TEST_CASE_METHOD(LanguageData, "what the business has is its own", "[language]") {
  const auto& a = *analyzer();
  // "ur", "u": the chat spellings of "your", "you" ("ur" as written is a Sumerian city).
  CHECK(a.terms("whats ur support email") == a.terms("whats your support email"));
  CHECK(a.speaks_of_business("whats ur support email"));
  CHECK(a.speaks_to_business("can u help"));
  CHECK(a.speaks_of_business_thing("Do you have an email address for support?"));
  CHECK(a.speaks_of_business_thing("do you have a phone number"));
  CHECK_FALSE(a.speaks_of_business_thing("do you have to pay for shipping"));
  CHECK_FALSE(a.speaks_of_business_thing("How do I change my email address?"));
}

TEST_CASE_METHOD(LanguageData,
                 "phrase terms: neighbouring English words and Chinese bigrams no word covers",
                 "[language]") {
  const auto& a = *analyzer();
  const auto english = a.phrase_terms("How long does shipping take?");
  CHECK(contains(english, " how long"));
  CHECK(contains(english, " long " + english_stem("shipping")));
  CHECK_FALSE(contains(english, " how does"));  // function words are not in phrases
  // 快递单号 is cut 快递 / 单 / 号: 单号 is still there to match 物流单号's.
  const auto chinese = a.phrase_terms("快递单号");
  CHECK(contains(chinese, " 单号"));
  CHECK_FALSE(contains(chinese, " 快递"));  // a word already, not a phrase
}

TEST_CASE("segmentation keeps a caller's own words whole", "[language]") {
  const ChineseSegmenter small({{"运", 10}, {"单号", 100}, {"在", 50}, {"哪", 50}});
  const std::vector<std::string> chars{"运", "单", "号", "在", "哪"};
  CHECK(small.segment(chars) == std::vector<std::string>{"运", "单号", "在", "哪"});
  const std::unordered_set<std::string> user_words{"运单号"};
  CHECK(small.segment(chars, &user_words) == std::vector<std::string>{"运单号", "在", "哪"});
}

TEST_CASE_METHOD(LanguageData,
                 "a tenant's Chinese synonym that the dictionary lacks is still one word",
                 "[language]") {
  Dir dir;
  dir.write("synonyms.toml", "groups = [[\"单号\", \"运单号\"], [\"发票\", \"收据\"]]\n");
  TextAnalyzerFiles files;
  files.tenant_synonyms = dir.path / "synonyms.toml";
  const TextAnalyzer a(files);
  const auto terms = a.terms("运单号在哪");
  CHECK(terms.front() == "单号");
  CHECK(contains(a.terms("能开收据吗"), "发票"));
}

TEST_CASE_METHOD(LanguageData, "contractions are their function words, not unknown fragments",
                 "[language]") {
  const auto& a = *analyzer();
  CHECK(a.terms("I haven't received it") == a.terms("I have not received it"));
  CHECK(a.terms("you’re late, it doesn't work") == a.terms("you are late, it does not work"));
  CHECK(a.terms("I can't log in") == a.terms("I can not log in"));
  CHECK(a.terms("it won't ship") == a.terms("it will not ship"));
  CHECK_FALSE(contains(a.terms("we're sure"), "re"));
  CHECK(a.terms("rock 'n' roll") == a.terms("rock n roll"));  // a lone quote stays a separator
}

TEST_CASE_METHOD(LanguageData,
                 "contractions typed without the apostrophe are 'not' after their auxiliary",
                 "[language]") {
  const auto& a = *analyzer();
  CHECK(a.terms("cant log in") == a.terms("can't log in"));
  CHECK(a.terms("I dont remember, it isnt here") == a.terms("I don't remember, it isn't here"));
  // Words that merely end in "nt" stay themselves.
  CHECK(contains(a.terms("I went to the tent"), a.word_term("went")));
  CHECK(contains(a.terms("I want a refund"), a.word_term("want")));
}

TEST_CASE_METHOD(LanguageData, "nouns: WordNet's things and the jieba dictionary's n, nt, nz tags",
                 "[language]") {
  const auto& a = *analyzer();
  const WordNetSynonyms& wordnet = *WordNetSynonyms::shared(
      "/usr/share/wordnet", [](std::string_view w) { return english_stem(w); });
  CHECK(wordnet.is_noun(english_stem("hospital")));
  CHECK(wordnet.is_noun(english_stem("router")));
  CHECK(wordnet.is_noun(english_stem("police")));
  CHECK_FALSE(wordnet.is_noun(english_stem("pay")));     // mostly a verb
  CHECK_FALSE(wordnet.is_noun(english_stem("today")));   // a time
  CHECK_FALSE(wordnet.is_noun(english_stem("canada")));  // a place
  const auto segmenter = ChineseSegmenter::shared("/usr/lib/python3/dist-packages/jieba/dict.txt");
  CHECK(segmenter->is_noun("医院"));
  CHECK(segmenter->is_noun("路由器"));
  CHECK_FALSE(segmenter->is_noun("日本"));  // ns: a place
  CHECK_FALSE(segmenter->is_noun("退款"));
  // Words that name no thing: verbs, idioms, numbers; not a noun, nor a word the
  // dictionary lacks (比特币 may be anything).
  CHECK(segmenter->names_no_thing("进去"));
  CHECK(segmenter->names_no_thing("开门"));
  CHECK_FALSE(segmenter->names_no_thing("医院"));
  CHECK_FALSE(segmenter->names_no_thing("日本"));
  CHECK_FALSE(segmenter->names_no_thing("比特币"));
  CHECK(a.names_no_thing("进去"));
}

TEST_CASE_METHOD(LanguageData,
                 "a word the knowledge base has, attached to a noun it lacks, is that noun's",
                 "[language]") {
  const auto& a = *analyzer();
  // The knowledge base of this test: a shop's phone number, password and email.
  const std::unordered_set<std::string> kb{a.word_term("phone"),
                                           a.word_term("number"),
                                           a.word_term("password"),
                                           a.word_term("email"),
                                           a.word_term("reset"),
                                           "电话",
                                           "密码",
                                           "邮箱",
                                           "多少",
                                           "电",
                                           "话",
                                           "密",
                                           "码"};
  auto known = [&](const std::string& term) { return kb.count(term) > 0; };
  auto attached = [&](const char* text) { return a.attached_to_unknown_nouns(text, known); };
  const auto password = a.word_term("password");
  const auto phone = a.word_term("phone");
  const auto number = a.word_term("number");
  CHECK(attached("how do I reset my router password").count(password));
  // A possessive is an owner too: the neighbour's phone is not the shop's.
  CHECK(attached("what's my neighbour's phone number").count(phone));
  CHECK(attached("what's the phone number of the nearest hospital").count(phone));
  CHECK(attached("what's the phone number of the nearest hospital").count(number));
  CHECK(attached("路由器密码忘了怎么办").count("密码"));
  CHECK(attached("附近医院的电话是多少").count("电话"));
  CHECK(attached("附近医院的电话是多少").count("话"));
  CHECK_FALSE(attached("附近医院的电话是多少").count("多少"));
  // Any word the knowledge base has, right after the noun: the bank's hours.
  const std::unordered_set<std::string> hours_kb{"几点", "几", "点", "开"};
  const auto bank = a.attached_to_unknown_nouns(
      "银行几点开门", [&](const std::string& term) { return hours_kb.count(term) > 0; });
  CHECK(bank.count("几点"));
  CHECK_FALSE(bank.count("开"));
  // The shop's own, and questions that only mention other things.
  CHECK(attached("how do I reset my password").empty());
  CHECK(attached("what's your support email").empty());
  CHECK(attached("what is the phone number of your shop").empty());
  CHECK(attached("I bought a lamp, what is your phone number").empty());
  CHECK(attached("我在日本，电话是多少").empty());
  CHECK(attached("你们的电话是多少").empty());
  // A thing the knowledge base lacks keeps its characters (火车票's 票 is not 发票's),
  // unless a word it has is inside it (电话号码 is a 电话).
  CHECK(attached("火车票怎么退").count("票"));
  CHECK(attached("电话号码是多少").empty());
}

TEST_CASE_METHOD(LanguageData,
                 "a thing whose stem's root word is no thing still owns what follows it",
                 "[language]") {
  const auto& a = *analyzer();
  const WordNetSynonyms& wordnet = *WordNetSynonyms::shared(
      "/usr/share/wordnet", [](std::string_view w) { return english_stem(w); });
  // "electricity" shares its stem with the adjective "electric": the stem is no
  // thing, the word is.
  const auto electricity = english_stem("electricity");
  CHECK_FALSE(wordnet.is_noun(electricity));
  CHECK(wordnet.is_noun_word("electricity", electricity));
  CHECK_FALSE(wordnet.is_noun_word("electric", english_stem("electric")));
  CHECK_FALSE(wordnet.is_noun_word("pay", english_stem("pay")));
  const std::unordered_set<std::string> kb{a.word_term("bill"), a.word_term("pay")};
  auto known = [&](const std::string& term) { return kb.count(term) > 0; };
  CHECK(a.attached_to_unknown_nouns("how do I pay my electricity bill", known)
            .count(a.word_term("bill")));
  CHECK(a.attached_to_unknown_nouns("how do I pay my bill", known).empty());
}

TEST_CASE_METHOD(
    LanguageData,
    "WordNet and the jieba dictionary say which words name times, institutions, amounts",
    "[language]") {
  // Held here: shared() keeps only a weak reference.
  const auto held = WordNetSynonyms::shared("/usr/share/wordnet",
                                            [](std::string_view w) { return english_stem(w); });
  const WordNetSynonyms& wordnet = *held;
  // Most of their noun senses are times ("time" is first an occasion, then mostly times).
  for (const char* word : {"time", "day", "weekend", "saturday", "christmas", "hour"})
    CHECK(wordnet.is_time_noun(english_stem(word)));
  for (const char* word : {"office", "refund", "order", "hospital", "phone"})
    CHECK_FALSE(wordnet.is_time_noun(english_stem(word)));
  // An institution among their two commonest senses.
  for (const char* word : {"police", "hospital", "bank", "office"})
    CHECK(wordnet.is_institution(english_stem(word)));
  for (const char* word : {"shoe", "item", "order", "support", "refund"})
    CHECK_FALSE(wordnet.is_institution(english_stem(word)));

  const auto jieba = ChineseSegmenter::shared(TextAnalyzerFiles{}.jieba_dictionary);
  for (const char* word : {"几点", "多久", "周末", "现在", "怎么", "吗", "多少"})
    CHECK(jieba->is_asking_word(word));
  for (const char* word : {"客服", "上班", "退款", "营业", "国外", "地址"})
    CHECK_FALSE(jieba->is_asking_word(word));
  CHECK(jieba->is_time_word("周末"));
  CHECK_FALSE(jieba->is_time_word("几点"));
  for (const char* word : {"多久", "几天", "多少", "几点"}) CHECK(jieba->is_amount_word(word));
  // "How long" in the words the dictionary tags as nouns asks an amount too.
  for (const char* word : {"多长", "多长时间"}) {
    CAPTURE(word);
    CHECK(jieba->is_amount_word(word));
    CHECK(jieba->is_asking_word(word));
    CHECK_FALSE(jieba->is_noun(word));
    CHECK_FALSE(jieba->is_thing_word(word));
  }
  for (const char* word : {"周末", "怎么", "一", "退款"}) CHECK_FALSE(jieba->is_amount_word(word));
}

TEST_CASE_METHOD(LanguageData,
                 "words that ask what kind of answer is wanted say nothing about the topic",
                 "[language]") {
  const auto& a = *analyzer();
  for (const char* word : {"what", "how", "when", "time", "weekend", "many", "long"})
    CHECK_FALSE(a.names_topic(a.word_term(word), false));
  // Prepositions of time the stop words keep: a time is asked about, not a topic
  // ("how many days until christmas" shares no topic with the refund time's "how many
  // business days until the refund is back").
  for (const char* word : {"until", "till", "since"}) {
    CAPTURE(word);
    REQUIRE_FALSE(a.word_term(word).empty());
    CHECK_FALSE(a.names_topic(a.word_term(word), false));
    CHECK(a.names_topic(a.word_term(word), true));
  }
  for (const char* word : {"refund", "open", "service", "address", "hours"})
    CHECK(a.names_topic(a.word_term(word), true));
  CHECK(a.names_topic(a.word_term("refund"), false));
  CHECK_FALSE(a.names_topic("几点", false));
  CHECK_FALSE(a.names_topic("周末", false));
  CHECK(a.names_topic("客服", false));
  CHECK(a.names_topic("上班", false));
  // A time is the topic when the message speaks of the business's own: its hours.
  CHECK(a.names_topic(a.word_term("hours"), true));
  CHECK(a.names_topic("周末", true));
  CHECK_FALSE(a.names_topic("几点", true));
  CHECK_FALSE(a.names_topic(a.word_term("what"), true));
  CHECK(a.speaks_of_business("What are your business hours?"));
  CHECK(a.speaks_of_business("你们周末有人吗"));
  CHECK_FALSE(a.speaks_of_business("what time is it in London"));
  CHECK_FALSE(a.speaks_of_business("运费贵点无所谓"));
}

TEST_CASE_METHOD(
    LanguageData,
    "an abstract noun after a known noun says what about it is asked, and owns nothing",
    "[language]") {
  const auto& a = *analyzer();
  const std::unordered_set<std::string> kb{a.word_term("payment"), a.word_term("contact"),
                                           a.word_term("email"),   a.word_term("password"),
                                           a.word_term("gift"),    a.word_term("card")};
  auto known = [&](const std::string& term) { return kb.count(term) > 0; };
  // WordNet's most common noun sense: a thing, a group or an act can own; an option,
  // information or a status is what is asked.
  const auto& wordnet = *WordNetSynonyms::shared(
      TextAnalyzerFiles{}.wordnet_directory, [](std::string_view w) { return english_stem(w); });
  for (const char* word : {"router", "police", "apple", "support", "hospital"})
    CHECK(wordnet.is_concrete(english_stem(word)));
  for (const char* word : {"option", "info", "method", "status"}) {
    INFO(word);
    CHECK_FALSE(wordnet.is_concrete(english_stem(word)));
  }
  CHECK(a.aspects_of_known_nouns("payment options?", known).count(a.word_term("options")));
  CHECK(a.aspects_of_known_nouns("contact info pls", known).count(a.word_term("info")));
  CHECK(a.aspects_of_known_nouns("options for payment", known).empty());  // no noun before
  CHECK(a.aspects_of_known_nouns("router password", known).empty());
  CHECK(a.aspects_of_known_nouns("email support", known).empty());  // support is a service
  // Only after a noun that begins its phrase: a gift card's balance is about the gift
  // card, which no entry has (it got the gift-wrap answer).
  CHECK(a.aspects_of_known_nouns("gift card balance", known).empty());
  CHECK(a.aspects_of_known_nouns("card balance", known).count(a.word_term("balance")));
  // ...so the known noun before it is the message's own, while a concrete head keeps it.
  CHECK(a.attached_to_unknown_nouns("payment options", known).empty());
  CHECK(a.attached_to_unknown_nouns("email support", known).count(a.word_term("email")));
}
