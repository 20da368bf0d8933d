// What the FAQ stage decides on the demo shop's own knowledge base (tenants/demo),
// whose entries are near neighbours: which one a message means, when a flow the intent
// stage offered should start instead, and what is left to a person. The stage's rules
// on small knowledge bases of their own are in stage_decisions_test.cpp.
#include <catch2/catch.hpp>

#include "faq_stage.hpp"
#include "language_fixture.hpp"

using namespace switchboard::faq;
using namespace faq_test;

namespace {

// The demo shop's knowledge base as shipped (tenants/demo/faq.toml and its synonyms):
// its near neighbours, whose words the development sets' questions mix
// (tests/bench/quality/dev_near.tsv).
FaqStageOptions demo_options() {
  FaqStageOptions options;
  options.files = {"demo/faq.toml"};
  options.synonyms = "demo/synonyms.toml";
  options.clear_winner_threshold = 0.2;  // as tenants/demo.toml sets it
  return options;
}

FaqStage demo_stage() {
  return FaqStage(demo_options(), FAQ_DEMO_TENANTS_DIR);
}

// The same with one option changed (a rule switched off, to show what it does).
template <typename Change>
FaqStage demo_stage_with(Change change) {
  auto options = demo_options();
  change(options);
  return FaqStage(options, FAQ_DEMO_TENANTS_DIR);
}

// The context autoreply-flow leaves for the FAQ stage when the order-status flow's
// intent was among the intent stage's guesses (context.flow_offers).
std::string order_status_offered(double confidence, int rank, const char* text) {
  return R"({"flow_offers": [{"flow": "order_status", "intent": "order_status", )"
         R"("confidence": )" +
         std::to_string(confidence) + R"(, "rank": )" + std::to_string(rank) + R"(, "text": ")" +
         text + R"("}]})";
}

// The entry that answered, "clarify: a, b" for a clarifying question, or "-".
std::string decision_of(const FaqStage& stage, const char* text, const char* context = "{}") {
  const auto turn = stage.reply(text, "", context);
  if (!turn.answered) return "-";
  const auto result = boost::json::parse(turn.result_json).as_object();
  const std::string source(result.at("source").as_string());
  if (source != "clarify") return source.substr(source.find('#') + 1);
  std::string options;
  for (const auto& c : result.at("candidates").as_array())
    options += (options.empty() ? "" : ", ") + std::string(c.at("id").as_string());
  return "clarify: " + options;
}

}  // namespace

TEST_CASE_METHOD(LanguageData,
                 "a message asking when or how long is not answered by a near neighbour that "
                 "answers something else",
                 "[stage]") {
  const auto stage = demo_stage();

  // Asked for a time or a duration, in words no entry uses; the entry that shares the
  // topic answers whether, not when (development sets: dev_near, heldout, heldout4).
  CHECK(decision_of(stage, "What hours can I call you?") != "contact");
  CHECK(decision_of(stage, "寄到国外要多长时间") != "shipping-international");
  // Has it shipped yet: a question of time, not of cancelling before it ships.
  CHECK(decision_of(stage, "订单发货了没") != "order-cancel");
  CHECK(decision_of(stage, "发货了没？") != "order-cancel");

  // The neighbours still answer what they are asked.
  const std::pair<const char*, const char*> own[] = {
      {"Can I call you?", "contact"},
      {"what is your phone number", "contact"},
      {"When are you open?", "opening-hours"},
      {"可以寄到国外吗", "shipping-international"},
      {"怎么取消订单", "order-cancel"},
      {"还没发货可以取消吗", "order-cancel"},
      {"多久能送到", "shipping-time"},
      // "when" opening a clause asks nothing about time.
      {"can I cancel my order when it has not shipped", "order-cancel"}};
  for (const auto& [text, entry] : own) {
    CAPTURE(text);
    CHECK(decision_of(stage, text) == entry);
  }
}

TEST_CASE_METHOD(LanguageData,
                 "the intent's tag does not choose an entry over a close one that explains more "
                 "of what the message is about",
                 "[stage]") {
  const auto stage = demo_stage();
  const char* shipping = R"({"intent": {"name": "shipping", "faq_tag": "shipping"}})";
  const char* refunds = R"({"intent": {"name": "refund", "faq_tag": "refunds"}})";

  // Return shipping is the return policy's ("Who pays return shipping..."); the intent
  // heard "how much ... shipping". Both are offered, not the shipping costs alone.
  CHECK(decision_of(stage, "How much is return shipping?", shipping) ==
        "clarify: shipping-cost, return-policy");
  // The tag still breaks a near tie the words leave open.
  CHECK(decision_of(stage, "How much is shipping?", shipping) == "shipping-cost");
  CHECK(decision_of(stage, "refund 多久能到我卡上", refunds) == "refund-time");
}

TEST_CASE_METHOD(LanguageData,
                 "a clarifying question offers the flow an earlier stage guessed the visitor "
                 "may mean, as a keyword that starts it",
                 "[stage]") {
  const auto stage = demo_stage();
  // 发货了没？ (has it shipped yet): the intent stage's second guess, order_status 0.27,
  // too unsure to start the order-status flow, which offers itself (autoreply-flow).
  const auto offered = [](double confidence, int rank) {
    return order_status_offered(confidence, rank, "订单状态");
  };
  const auto context = offered(0.27, 1);
  const auto turn = stage.reply("发货了没？", "", context);
  REQUIRE(turn.answered);
  const auto result = boost::json::parse(turn.result_json).as_object();
  CHECK(result.at("source").as_string() == "clarify");
  // The entries the words are close to, and the flow, last, as its keyword.
  const auto& options = result.at("quick_replies").as_array();
  REQUIRE(options.size() >= 3);
  CHECK(options.back().as_string() == "订单状态");
  const auto& candidates = result.at("candidates").as_array();
  REQUIRE(candidates.size() == options.size());
  CHECK(candidates.back().at("id").as_string() == "flow:order_status");
  CHECK(candidates.back().at("intent").as_string() == "order_status");
  CHECK(candidates.back().at("score").to_number<double>() == 0.27);
  CHECK(decision_of(stage, "发货了没？", context.c_str()) ==
        "clarify: order-cancel, shipping-time, flow:order_status");

  // A weak or a far guess is not offered: the question is the entries' alone.
  CHECK(decision_of(stage, "发货了没？", offered(0.1, 1).c_str()) ==
        "clarify: order-cancel, shipping-time");
  CHECK(decision_of(stage, "发货了没？", offered(0.27, 2).c_str()) ==
        "clarify: order-cancel, shipping-time");
  FaqStageOptions no_offers;
  no_offers.files = {"demo/faq.toml"};
  no_offers.synonyms = "demo/synonyms.toml";
  no_offers.flow_offers = false;
  CHECK(decision_of(FaqStage(no_offers, FAQ_DEMO_TENANTS_DIR), "发货了没？", context.c_str()) ==
        "clarify: order-cancel, shipping-time");
  // An offer changes no answer: what the stage answers, it answers.
  CHECK(decision_of(stage, "怎么取消订单", context.c_str()) == "order-cancel");
  CHECK(decision_of(stage, "多久能送到", context.c_str()) == "shipping-time");
  // Nor does the best guess at 0.9.
  CHECK(decision_of(stage, "怎么取消订单", offered(0.9, 0).c_str()) == "order-cancel");
}

TEST_CASE_METHOD(LanguageData,
                 "a message no entry answers is asked about a flow the intent stage all but "
                 "recognised, instead of handed over",
                 "[stage]") {
  const auto stage = demo_stage();
  const auto offered = [](double confidence, int rank) {
    return order_status_offered(confidence, rank, "where is my order");
  };
  // The intent stage's best guess, 0.68, under the flow's 0.8 (development set heldout2).
  const char* text = "Order 88123 - has it shipped yet?";
  CHECK(decision_of(stage, text) == "-");
  const auto context = offered(0.68, 0);
  CHECK(decision_of(stage, text, context.c_str()) == "clarify: flow:order_status");
  const auto turn = stage.reply(text, "", context);
  const auto result = boost::json::parse(turn.result_json).as_object();
  CHECK(result.at("reply").as_string() == "Do you mean this?");
  CHECK(result.at("quick_replies") == boost::json::array{"where is my order"});
  CHECK(result.at("candidates").at(0).at("intent").as_string() == "order_status");
  CHECK(boost::json::parse(stage.reply("订单88123发了吗", "zh-CN", context).result_json)
            .at("reply")
            .as_string() == "您是指这个吗？");
  // A guess under flow_offer_alone, or not the best one: handed over as before.
  CHECK(decision_of(stage, text, offered(0.5, 0).c_str()) == "-");
  CHECK(decision_of(stage, text, offered(0.68, 1).c_str()) == "-");

  // A tenant turns it off (flow_offer_alone = 0), or all offers (flow_offers = false).
  const auto off = read_faq_stage_options(
      R"({"files": ["demo/faq.toml"], "synonyms": "demo/synonyms.toml", "flow_offer_alone": 0})");
  CHECK(off.flow_offers);
  CHECK(decision_of(FaqStage(off, FAQ_DEMO_TENANTS_DIR), text, context.c_str()) == "-");
  CHECK_FALSE(
      read_faq_stage_options(R"({"files": ["faq.toml"], "flow_offers": false})").flow_offers);
  CHECK_THROWS_AS(read_faq_stage_options(R"({"files": ["faq.toml"], "flow_offer_alone": 2})"),
                  std::invalid_argument);
}

TEST_CASE_METHOD(LanguageData,
                 "a flow is offered alone only for a message that shares with the knowledge "
                 "base a word about what it is about",
                 "[stage]") {
  const auto stage = demo_stage();
  const auto offered = [](double confidence) {
    return order_status_offered(confidence, 0, "where is my order");
  };
  // The intent stage's guesses on "order" alone (0.71, 0.69): the entries meet these
  // messages only through "what is", no word of the shop's.
  CHECK(decision_of(stage, "what is the order of the planets", offered(0.71).c_str()) == "-");
  CHECK(decision_of(stage, "what is the order of operations in math", offered(0.69).c_str()) ==
        "-");
  // Messages about one's order still are asked about (development sets dev_near, heldout3).
  CHECK(decision_of(stage, "Has my order been dispatched yet?", offered(0.85).c_str()) ==
        "clarify: flow:order_status");
  CHECK(decision_of(stage, "My parcel still hasn't arrived, where is it right now? Order #48213",
                    offered(0.82).c_str()) == "clarify: flow:order_status");
}

TEST_CASE_METHOD(LanguageData,
                 "a visitor the intent stage heard ask for a person is answered only by an entry "
                 "about the human service",
                 "[stage]") {
  const auto stage = demo_stage();
  // What autoreply-intent leaves with handoff_about_tag = "contact" for a message its
  // hand-off examples explain only in part.
  const char* person = R"({"intent": {"name": "human", "confidence": 0.93, "faq_tag": "contact", )"
                       R"("handoff": "unless_answered"}})";
  // Asked about the human service: when it works, its number (development sets dev_near,
  // heldout, heldout3).
  CHECK(decision_of(stage, "周末有人工客服吗", person) == "opening-hours");
  CHECK(decision_of(stage, "你们周末有人工客服吗", person) == "opening-hours");
  CHECK(decision_of(stage, "customer service number?", person) == "contact");
  // A person wanted about something else: no other entry answers instead, nor a question
  // (without the intent these are answered or asked about).
  CHECK(decision_of(stage, "please refund my order") == "refund-how");
  CHECK(decision_of(stage, "please refund my order", person) == "-");
  CHECK(decision_of(stage, "发货了没？") != "-");
  CHECK(decision_of(stage, "发货了没？", person) == "-");
  CHECK(decision_of(stage, "Has my order been dispatched yet?",
                    (std::string(person).substr(0, std::string(person).size() - 1) + ", " +
                     order_status_offered(0.85, 0, "where is my order").substr(1))
                        .c_str()) == "-");
}

TEST_CASE_METHOD(LanguageData,
                 "no clarifying question when the message names a thing none of its options "
                 "speaks of",
                 "[stage]") {
  // Without the visitor's place rule, which makes 我在加拿大 the visitor's country (the
  // test case "a place the visitor says they are in ..."), nor the one that reads 下单 in
  // 下单后怎么改地址 as a time ("ordering at all is not changing the address ..."), which
  // leaves 可以下单吗 to a person before any option is weighed.
  const auto stage = demo_stage_with([](FaqStageOptions& o) {
    o.visitor_place_weight = 0;
    o.times_of_acts_off_topic = false;
  });
  const auto without = demo_stage_with([](FaqStageOptions& o) {
    o.clarify_unknown_thing = 0;
    o.visitor_place_weight = 0;
    o.times_of_acts_off_topic = false;
  });
  // A country the knowledge base lacks, and 下单 (place an order), which changing the
  // address, the shipping time and cancelling share: a question offering those has no
  // right option (international shipping, which no word of the message reaches). Without
  // the rule the stage asked it.
  for (const char* text : {"人在澳大利亚，能下单吗", "我在加拿大，可以下单吗"}) {
    CAPTURE(text);
    CHECK(decision_of(without, text).rfind("clarify: ", 0) == 0);
    CHECK(decision_of(without, text).find("shipping-international") == std::string::npos);
    CHECK(decision_of(stage, text) == "-");
  }
  // A place an option speaks of by its broader word (香港 -> 地区) is still asked about,
  // and so is a near tie whose message names nothing the knowledge base lacks.
  // (International shipping first: 香港 is a place, which meets its "countries" too.)
  CHECK(decision_of(stage, "可以送到香港嗎？") == "clarify: shipping-international, shipping-time");
  CHECK(decision_of(stage, "可以送到香港嗎？") == decision_of(without, "可以送到香港嗎？"));
  // With the visitor's place rule (the default) the visitor in Canada is answered.
  CHECK(decision_of(demo_stage(), "我在加拿大，可以下单吗") == "shipping-international");
  CHECK(decision_of(demo_stage(), "人在澳大利亚，能下单吗") == "-");
}

TEST_CASE_METHOD(LanguageData,
                 "a message that shares only how many days and 'until' with an entry is not "
                 "about it",
                 "[stage]") {
  const auto stage = demo_stage();
  // The refund time's "How many business days until the refund is back on my card?"
  // shares "how many days until" with these; none of it says what they are about.
  CHECK(decision_of(stage, "how many days until new year") == "-");
  CHECK(decision_of(stage, "how many days till my birthday") == "-");
  // Questions about the refund still get its time.
  CHECK(decision_of(stage, "how many days until my refund arrives") == "refund-time");
  CHECK(decision_of(stage, "how long until I get my refund") == "refund-time");
}

TEST_CASE_METHOD(LanguageData,
                 "an entry that meets none of the message's words as typed, only words WordNet "
                 "relates to them, does not answer",
                 "[stage]") {
  const auto stage = demo_stage();
  const auto without =
      demo_stage_with([](FaqStageOptions& o) { o.need_a_word_as_written = false; });
  // "visit" meets the tracking entry's "Where can I see my tracking number?" only as
  // WordNet's synonym of "see"; "office" is in no entry.
  CHECK(decision_of(without, "can I visit your office") == "order-tracking");
  CHECK(decision_of(stage, "can I visit your office") == "-");
  // A typo's correction is the visitor's word as meant: still answered, or asked about.
  CHECK(decision_of(stage, "pasword") == "password-reset");
  CHECK(decision_of(stage, "refnud?") == decision_of(without, "refnud?"));
  CHECK(decision_of(stage, "Where can I see my tracking number?") == "order-tracking");
}

TEST_CASE_METHOD(LanguageData,
                 "an entry reached through a message's context is not its answer when what it "
                 "asks names another entry's thing",
                 "[stage]") {
  const auto stage = demo_stage();
  const auto without = demo_stage_with([](FaqStageOptions& o) { o.request_clause = false; });
  // "Shipped the item back" reaches the return policy; what is asked, "how long till I
  // see my money", names money, which the refund time has and the return policy not.
  const auto* context_first = "Shipped the item back to you, how long till I see my money?";
  CHECK(decision_of(without, context_first) == "return-policy");
  CHECK(decision_of(stage, context_first) == "-");
  // Context that names the topic while the request names nothing ("it") still answers.
  for (const auto* text :
       {"My order already shipped but I moved, can you redirect it?",
        "I put the wrong delivery address, can I fix it?",
        "I sent the parcel back last week, when does the money land in my account?",
        "用微信付的，想退款，怎么申请"}) {
    CAPTURE(text);
    CHECK(decision_of(stage, text) == decision_of(without, text));
  }
  CHECK(decision_of(stage, "I put the wrong delivery address, can I fix it?") ==
        "order-change-address");
  // The same when the intent stage's tag picks among the account entries: "Locked out of
  // my account" reaches the account email, what is asked the password.
  const auto* account = R"({"intent": {"faq_tag": "account"}})";
  const auto* locked_out = "Locked out of my account, how do I set a new password?";
  CHECK(decision_of(without, locked_out, account) == "account-email");
  CHECK(decision_of(stage, locked_out, account) == "-");
}

TEST_CASE_METHOD(LanguageData,
                 "a message about the shop's own thing is not answered by an entry about the "
                 "visitor's",
                 "[stage]") {
  // The account email entry asks about "my email", 个人资料里的邮箱; the contact entry about
  // "your email address", 联系你们. These ask for the shop's address: the account entry
  // answers them only with the rule off.
  for (const bool rule : {false, true}) {
    const auto stage = demo_stage_with([rule](FaqStageOptions& o) { o.whose_thing = rule; });
    CAPTURE(rule);
    CHECK((decision_of(stage, "你们的邮箱是啥") == "account-email") == !rule);
    // Emailing "you" is contacting the shop (TextAnalyzer::terms): the contact entry
    // then ranks first whatever the rule (the account entry answered it with the rule
    // off before that).
    CHECK(decision_of(stage, "Can I email you about a problem?") == "contact");
  }
  const auto stage = demo_stage();
  // The visitor's own email is still the account entry's, the shop's the contact's.
  for (const auto* text :
       {"How do I change my email address?", "怎么修改邮箱", "绑定的邮箱怎么换"}) {
    CAPTURE(text);
    CHECK(decision_of(stage, text) == "account-email");
  }
  CHECK(decision_of(stage, "What is your email address?") == "contact");
}

TEST_CASE_METHOD(LanguageData, "calling an order off is cancelling it, not calling the shop",
                 "[stage]") {
  const auto stage = demo_stage();
  CHECK(decision_of(stage, "I'd like to call off my order") == "order-cancel");
  CHECK(decision_of(stage, "Can I call you?") == "contact");
  // With the order as a pronoun between the verb and its particle.
  CHECK(decision_of(stage, "I ordered by mistake, please call it off") == "order-cancel");
}

TEST_CASE_METHOD(LanguageData, "the card the shop takes is known by its short name too",
                 "[stage]") {
  // tenants/demo/synonyms.toml: "Amex" is American Express, which the answers name
  // (WordNet knows AMEX only as the stock exchange).
  const auto stage = demo_stage();
  for (const char* text : {"Do you take Amex?", "can I use Amex"}) {
    CAPTURE(text);
    CHECK(decision_of(stage, text) == "payment-methods");
  }
}

TEST_CASE_METHOD(LanguageData,
                 "an entry that only says when does not answer a message that asks no time",
                 "[stage]") {
  const auto stage = demo_stage();
  const auto without =
      demo_stage_with([](FaqStageOptions& o) { o.only_when_answers_when = false; });
  // Every question of the shipping time and the refund time asks when or how long; these
  // share their topic, not what they ask (whether a service exists, where to do it).
  // (The intent stage tags the first a shipping question, which picks the shipping
  // entries.)
  const auto* shipping = R"({"intent": {"faq_tag": "shipping"}})";
  const auto* next_day = "Do you offer express or next-day shipping?";
  CHECK(decision_of(without, next_day, shipping) == "shipping-time");
  CHECK(decision_of(stage, next_day, shipping) == "-");
  CHECK(decision_of(without, "我想把钱退回来，在哪里操作？") == "refund-time");
  CHECK(decision_of(stage, "我想把钱退回来，在哪里操作？") == "-");
  // Asking when or how long in any words, naming a time or a speed, or asking nothing
  // (a few words of the topic) still gets them.
  for (const auto* text : {"How long does shipping take?", "今天下单明天能到吗", "退款还没到账",
                           "do refunds take long?", "发货快吗", "delivery arrive"}) {
    CAPTURE(text);
    CHECK(decision_of(stage, text) == decision_of(without, text));
  }
  CHECK(decision_of(stage, "今天下单明天能到吗") == "shipping-time");
  CHECK(decision_of(stage, "退款还没到账") == "refund-time");
  CHECK(decision_of(stage, "do refunds take long?") == "refund-time");
}

TEST_CASE_METHOD(LanguageData,
                 "an act shared only through a question about another thing does not answer",
                 "[stage]") {
  const auto stage = demo_stage();
  const auto without = demo_stage_with([](FaqStageOptions& o) { o.verb_with_its_thing = false; });
  // The refund is what has not arrived; the password entry's "did not arrive" is said of
  // its reset email. No entry says when a refund arrives in these words: handed off.
  const auto* refund = "my refund still has not arrived";
  CHECK(decision_of(without, refund) == "password-reset");
  CHECK(decision_of(stage, refund) == "-");
  // The entry's own thing named, an order's arriving (every order entry's thing), or a
  // parcel (the tenant's synonym of a shipment) keep what they got.
  for (const auto* text :
       {"the reset email did not arrive", "my password reset email never arrived",
        "when will my parcel arrive", "重置邮件没收到", "退款还没到账"}) {
    CAPTURE(text);
    CHECK(decision_of(stage, text) == decision_of(without, text));
  }
  CHECK(decision_of(stage, "the reset email did not arrive") == "password-reset");
  CHECK(decision_of(stage, "when will my parcel arrive") == "shipping-time");
}

TEST_CASE_METHOD(LanguageData, "how fast the shop ships is the shipping time", "[stage]") {
  const auto stage = demo_stage();
  for (const char* text :
       {"How fast is shipping?", "how fast do you ship", "How quickly do you dispatch orders?"}) {
    CAPTURE(text);
    CHECK(decision_of(stage, text) == "shipping-time");
  }
  // A speed of something the shop does not do is still no question for it.
  CHECK(decision_of(stage, "how fast can a cheetah run") == "-");
}

TEST_CASE_METHOD(LanguageData, "the shop's support is its customer service", "[stage]") {
  // tenants/demo/synonyms.toml: the demo shop calls its customer service support too.
  const auto stage = demo_stage();
  CHECK(decision_of(stage, "email support") == "contact");
  CHECK(decision_of(stage, "what's your support email address") == "contact");
  // What a product supports is no question for customer service.
  CHECK(decision_of(stage, "does this speaker support bluetooth") == "-");
}

TEST_CASE_METHOD(LanguageData, "the time of a thing asks how long it takes", "[stage]") {
  const auto stage = demo_stage();
  CHECK(decision_of(stage, "shipping time?") == "shipping-time");
  CHECK(decision_of(stage, "refund processing time?") == "refund-time");
  // A time of day of the shop's is still its hours.
  CHECK(decision_of(stage, "what is your closing time") == "opening-hours");
  CHECK(decision_of(stage, "opening times please") == "opening-hours");
}

TEST_CASE_METHOD(LanguageData, "a named place the shop lacks is the country it is", "[stage]") {
  const auto stage = demo_stage();
  const auto without = demo_stage_with([](FaqStageOptions& o) { o.place_weight = 0; });
  // Places the demo knowledge base does not name: the international shipping entry's
  // questions ask about "countries" (English) and 国外 (Chinese); a place in either
  // language meets the former through what it is.
  for (const char* text :
       {"有寄送到台灣嗎？", "ship to 马来西亚 吗？",
        "I live in Brazil, is it possible to get your products delivered here?"}) {
    CAPTURE(text);
    CHECK(decision_of(stage, text) == "shipping-international");
    CHECK(decision_of(without, text) == "-");
  }
  CHECK(decision_of(stage, "do you ship to Chile") == "shipping-international");
  // A place is no reason to answer what the shop does not speak of.
  for (const char* text :
       {"I live in Brazil, what is the weather like", "I live in Brazil, what is the capital",
        "我在日本，天气怎么样", "best restaurants in Italy", "明天上海天气怎么样"}) {
    CAPTURE(text);
    CHECK(decision_of(stage, text) == "-");
  }
  // How long delivery to a place takes is still the shipping time, whose answer tells
  // the days abroad.
  CHECK(decision_of(stage, "how long does delivery to France take") == "shipping-time");
  CHECK(decision_of(stage, "how long for delivery to Australia") == "shipping-time");
}

TEST_CASE_METHOD(LanguageData,
                 "a place the visitor says they are in is their country, when nothing else is "
                 "unknown",
                 "[stage]") {
  const auto stage = demo_stage();
  const auto without = demo_stage_with([](FaqStageOptions& o) { o.visitor_place_weight = 0; });
  // "I am in X, can I order?" asks whether X is served: the place, not the act of ordering
  // six entries speak of, is what the message is about (development sets: dev_fresh,
  // heldout2-4; handed off without the rule).
  for (const char* text : {"I live in Brazil, can I order from you", "我在日本，可以下单吗",
                           "我在澳大利亚，能下单吗？", "我人在澳洲，能不能寄过来",
                           "Hi! I'm in Portugal — can I order from you?"}) {
    CAPTURE(text);
    CHECK(decision_of(stage, text) == "shipping-international");
    CHECK(decision_of(without, text) == "-");
  }
  // Where the visitor is does not make the shop's business of what it does not sell or
  // speak of (a thing the knowledge base lacks besides the place), nor take a question
  // it answers elsewhere.
  for (const char* text :
       {"I live in Brazil, what is the weather like", "I'm in France, how do I get a visa",
        "I live in Germany, can you recommend a good doctor", "我住在澳大利亚，怎么办签证",
        "我在日本，能订机票吗", "I live in Japan, do you sell train tickets"}) {
    CAPTURE(text);
    CHECK(decision_of(stage, text) == "-");
  }
  CHECK(decision_of(stage, "我在日本，运费多少") == "shipping-cost");
  CHECK(decision_of(stage, "I live in Italy, how do I return an item?") == "return-policy");
  CHECK(decision_of(stage, "I'm in Canada, how long does shipping take?") == "shipping-time");
}

TEST_CASE_METHOD(LanguageData, "a place named in two words is the country it is", "[stage]") {
  const auto stage = demo_stage();
  // "New Zealand" was "new" and "zealand" (a Danish island, no country): development set
  // heldout2 and own phrasings, handed off before the name was one term.
  for (const char* text :
       {"Can you deliver to New Zealand?", "I live in New Zealand, can I order from you?",
        "do you ship to South Korea?", "I'm in the United States, can I order from you",
        "do you deliver to the United Kingdom"}) {
    CAPTURE(text);
    CHECK(decision_of(stage, text) == "shipping-international");
  }
  // A place does not make the shop's business of what it does not speak of.
  for (const char* text :
       {"flights to New Zealand", "I live in Hong Kong, what's the weather",
        "I live in New Zealand, what is the weather like", "what time is it in New York",
        "best restaurants in South Korea", "I live in South Korea, how do I get a visa",
        "how do I get a visa for the United States", "cheap hotels in Hong Kong"}) {
    CAPTURE(text);
    CHECK(decision_of(stage, text) == "-");
  }
  CHECK(decision_of(stage, "how long does delivery to New Zealand take") == "shipping-time");
  // A city of two words is where a parcel goes abroad (own phrasings; handed off
  // while Hong Kong was a city and no country).
  for (const char* text :
       {"I live in Hong Kong, can I order from you", "do you ship to Hong Kong"}) {
    CAPTURE(text);
    CHECK(decision_of(stage, text) == "shipping-international");
  }
  CHECK(decision_of(stage, "how much is shipping to South Africa") == "shipping-cost");
}

TEST_CASE_METHOD(LanguageData, "the shop named as itself is no thing the shop lacks", "[stage]") {
  // "store", "shop" (the demo's business_names) and "you guys" had weighed as things
  // the questions lack, which keeps the visitor's place a place like any (own
  // phrasings; development sets dev_long, heldout3 and heldout4 have such questions).
  const auto stage = demo_stage();
  for (const char* text : {"I live in Canada, can I order from your store?",
                           "I live in Kenya, can you guys ship here"}) {
    CAPTURE(text);
    CHECK(decision_of(stage, text) == "shipping-international");
  }
  // A place with a question the shop does not answer is still left alone.
  CHECK(decision_of(stage, "I live in Canada, what is the weather like at your store") == "-");
}

TEST_CASE_METHOD(LanguageData, "a login is logging in", "[stage]") {
  // "login", a word no dictionary has, weighed as a thing the knowledge base lacks
  // (development set dev_near; handed off before).
  const auto stage = demo_stage();
  CHECK(decision_of(stage, "How do I reset my login?") == "password-reset");
  CHECK(decision_of(stage, "How do I change my email address?") == "account-email");
}

TEST_CASE_METHOD(LanguageData, "asking whether the shop has an email is asking for its email",
                 "[stage]") {
  // The account-email entry answered "do you have an email" (its questions say "email"
  // four times, the contact entry's once): what the shop has is the shop's.
  const auto stage = demo_stage();
  CHECK(decision_of(stage, "do you have an email") != "account-email");
  // In chat spelling (development set dev_near; handed off while "ur" was a city).
  CHECK(decision_of(stage, "whats ur support emial") == "contact");
  CHECK(decision_of(stage, "How do I change my email address?") == "account-email");
}

TEST_CASE_METHOD(LanguageData, "emailing or phoning the shop is contacting it", "[stage]") {
  // "email" is the account-email entry's word too (its questions have it four times);
  // emailing "you" is reaching the shop (development set heldout; handed off before).
  // The visitor's own email stays the account's, and someone else's is no one's here.
  const std::pair<const char*, const char*> expected[] = {
      {"Can I email you about a problem?", "contact"},
      {"Can I call you?", "contact"},
      {"How do I change my email address?", "account-email"},
      {"I want to email my friend", "-"},
  };
  const auto stage = demo_stage();
  for (const auto& [text, entry] : expected) {
    CAPTURE(text);
    CHECK(decision_of(stage, text) == entry);
  }
}

TEST_CASE_METHOD(LanguageData, "the demo shop's own Chinese words for its things", "[stage]") {
  // tenants/demo/synonyms.toml: 收件地址 is the 收货地址 of the address entry (the
  // dictionary's noun 收件 otherwise owns the 地址 after it), 专票 and 普票 are the shop's
  // kinds of 发票, 质保期 its warranty period, 退钱 a 退款, 美国运通 and 运通卡
  // the American Express card, 追踪号码 the tracking number (单号). Phrasings of no question set.
  const std::pair<const char*, const char*> expected[] = {
      {"收件地址能换吗", "order-change-address"},
      {"能改一下收件地址吗", "order-change-address"},
      {"可以开专票吗", "invoice"},
      {"专票怎么开", "invoice"},
      {"有质保期吗", "warranty"},
      {"退钱在哪里申请", "refund-how"},
      {"运通卡能用吗", "payment-methods"},
      {"可以用美國運通付款嗎", "payment-methods"},
      {"追踪号码在哪看", "order-tracking"},
  };
  const auto stage = demo_stage();
  for (const auto& [text, entry] : expected) {
    CAPTURE(text);
    CHECK(decision_of(stage, text) == entry);
  }
  // 退钱 asked with nothing but the act is a refund question, if not yet which one.
  const auto want = decision_of(stage, "我想退钱");
  CHECK(want.find("refund-how") != std::string::npos);
  // A person named on a parcel, or a wallet, is no question for the shop.
  CHECK(decision_of(stage, "快递员把我的收件人名字写错了") == "-");
  CHECK(decision_of(stage, "钱包丢了怎么办") == "-");
}

TEST_CASE_METHOD(LanguageData, "how long in Chinese is a question and not a thing the shop lacks",
                 "[stage]") {
  // The jieba dictionary tags 多长 ("how long") as a noun; as one the knowledge base
  // lacks it weighed against every entry. Phrasings of no question set.
  const auto stage = demo_stage();
  CHECK(decision_of(stage, "保修期多长") == "warranty");
  CHECK(decision_of(stage, "質保期有多長") == "warranty");
  // Still a question of the shop's only about the shop's things.
  CHECK(decision_of(stage, "长城有多长") == "-");
  CHECK(decision_of(stage, "从北京到上海多远") == "-");
}

TEST_CASE_METHOD(LanguageData,
                 "a question whether it has still not shipped is not answered by cancelling",
                 "[stage]") {
  // "Has it still not shipped?" asks about the visitor's order, not whether it can be
  // cancelled before it ships (还没发货可以取消吗 shares every word). Phrasings of no set.
  const auto stage = demo_stage();
  for (const char* text : {"还没发货吗", "怎么还没发货呢"}) {
    CAPTURE(text);
    CHECK(decision_of(stage, text) != "order-cancel");
  }
  // The entry's own question still gets it.
  CHECK(decision_of(stage, "还没发货可以取消吗") == "order-cancel");
  CHECK(decision_of(stage, "没发货的订单能取消吗") == "order-cancel");
}

TEST_CASE_METHOD(LanguageData,
                 "a clear winner of a message the knowledge base knows answers below the threshold",
                 "[stage]") {
  const auto stage = demo_stage();
  const auto without = demo_stage_with([](FaqStageOptions& o) { o.clear_winner_threshold = 0; });
  // Low in confidence for what they say beside the entry's question, every word of them
  // one the knowledge base has, one entry far ahead (heldout2 and heldout4; the second
  // a phrasing of no set).
  const std::pair<const char*, const char*> answered[] = {
      {"Is it too late to cancel if it already shipped?", "order-cancel"},
      {"my manager needs a receipt for the purchase", "invoice"},
  };
  for (const auto& [text, entry] : answered) {
    CAPTURE(text);
    CHECK(decision_of(without, text) == "-");
    CHECK(decision_of(stage, text) == entry);
  }
  // Their share of words the knowledge base lacks is what tells them from a message
  // about something the shop has no entry for.
  const auto known = stage.index().search("Is it too late to cancel if it already shipped?", 3);
  REQUIRE_FALSE(known.empty());
  CHECK(known.front().unknown_share < 0.1);
  const auto gym = stage.index().search("I want to cancel my gym membership", 3);
  REQUIRE_FALSE(gym.empty());
  CHECK(gym.front().unknown_share > 0.5);
  // Left alone either way: a thing the shop has no entry for (a lead, but words it
  // lacks), and a near tie (confidence 0.2, no clear lead).
  for (const char* text :
       {"I want to cancel my gym membership", "is it too late to cancel my hotel booking",
        "how much does it cost to ship a car overseas", "Can I pay in instalments?"}) {
    CAPTURE(text);
    CHECK(decision_of(without, text) == "-");
    CHECK(decision_of(stage, text) == "-");
  }
  // Off unless a tenant sets it, and never above the tenant's threshold.
  CHECK(read_faq_stage_options(R"({"files": ["faq.toml"]})").clear_winner_threshold == 0);
  CHECK(read_faq_stage_options(R"({"files": ["faq.toml"], "clear_winner_threshold": 0.2})")
            .clear_winner_threshold == Approx(0.2));
  CHECK_THROWS(read_faq_stage_options(
      R"({"files": ["faq.toml"], "threshold": 0.3, "clear_winner_threshold": 0.4})"));
}

TEST_CASE_METHOD(LanguageData, "asking how to do an act in everyday verbs is asking how to do it",
                 "[stage]") {
  // 怎么操作, 把钱退了: the refund asked for in everyday words. The stage alone (no intent
  // stage's tag here) may still ask which refund entry is meant, but puts how to get one
  // first, and does not answer how long it takes. Phrasings of no question set.
  const auto stage = demo_stage();
  const auto how = decision_of(stage, "退款怎么操作");
  CHECK((how == "refund-how" || how.rfind("clarify: refund-how", 0) == 0));
  CHECK(decision_of(stage, "麻烦把钱退了") != "refund-time");
  CHECK(decision_of(stage, "帮我退个款").find("refund-how") != std::string::npos);
  // The entries' own verbs still decide.
  CHECK(decision_of(stage, "订单怎么取消") == "order-cancel");
  CHECK(decision_of(stage, "密码忘了咋办") == "password-reset");
}

TEST_CASE_METHOD(LanguageData, "ordering at all is not changing the address after ordering",
                 "[stage]") {
  // 下单 is in 下单后怎么改地址 as the time of the change; 可以下单吗 asks whether one can
  // order, which no entry answers (it was answered with the address change).
  const auto stage = demo_stage();
  CHECK(decision_of(stage, "可以下单吗") == "-");
  CHECK(decision_of(stage, "下单后能改地址吗") == "order-change-address");
  // Switched off, the old answer.
  const auto without =
      demo_stage_with([](FaqStageOptions& o) { o.times_of_acts_off_topic = false; });
  CHECK(decision_of(without, "可以下单吗") == "order-change-address");
}

TEST_CASE_METHOD(LanguageData, "the shop's own email is answered by the entry about the shop's",
                 "[stage]") {
  // "do you have an email" asks for the shop's (what the shop has is its own); the
  // account-email entry, first on its words, is about the visitor's. The candidate whose
  // questions speak to the shop answers instead of a hand-off (it was handed off).
  const auto stage = demo_stage();
  CHECK(decision_of(stage, "do you have an email") == "contact");
  CHECK(decision_of(stage, "How do I change my email address?") == "account-email");
  CHECK(decision_of(stage, "我的邮箱怎么改") == "account-email");
  // Switched off, the hand-off as before.
  const auto without = demo_stage_with([](FaqStageOptions& o) { o.business_own_instead = false; });
  CHECK(decision_of(without, "do you have an email") == "-");
}

TEST_CASE_METHOD(LanguageData, "the demo shop's bare 退 is returning the goods", "[stage]") {
  // tenants/demo/synonyms.toml: 退 alone is 退货 in the demo shop's words; the money
  // as its object makes it the refund (退钱). Phrasings of no question set; both were
  // handed off.
  const auto stage = demo_stage();
  CHECK(decision_of(stage, "用过一次的东西还能退吗") == "return-policy");
  CHECK(decision_of(stage, "鞋子穿过还能退吗") == "return-policy");
  CHECK(decision_of(stage, "钱能退吗") != "return-policy");
  CHECK(decision_of(stage, "退款多久到账") == "refund-time");
}
