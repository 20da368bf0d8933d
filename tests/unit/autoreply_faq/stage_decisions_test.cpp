// What the FAQ stage decides for a visitor with the language handling on: it answers
// when one entry explains the message, asks when two are close, and leaves alone a
// message about a thing, an owner or an amount the entries do not cover.
#include <catch2/catch.hpp>

#include "faq_stage.hpp"
#include "language_fixture.hpp"

using namespace switchboard::faq;
using namespace faq_test;

TEST_CASE_METHOD(LanguageData,
                 "two close entries: the stage asks which one, with a quick reply for each",
                 "[stage]") {
  Dir dir;
  dir.write("faq.toml", R"(
[[entries]]
id = "account-email"
questions = ["How do I change my email address?", "修改邮箱"]
answer = "Account > Profile."

[[entries]]
id = "contact"
questions = ["What is your email address?", "客服邮箱"]
answer = "help@example.com"

[[entries]]
id = "refund"
questions = ["How long does a refund take?"]
answer = "5-7 days."
)");
  FaqStageOptions options;
  options.files = {"faq.toml"};
  const FaqStage stage(options, dir.path);

  const auto close = stage.reply("email address", "en", "{}");
  REQUIRE(close.answered);
  const auto result = boost::json::parse(close.result_json).as_object();
  CHECK(result.at("source").as_string() == "clarify");
  const auto& options_shown = result.at("quick_replies").as_array();
  REQUIRE(options_shown.size() == 2);
  std::vector<std::string> shown{std::string(options_shown[0].as_string()),
                                 std::string(options_shown[1].as_string())};
  CHECK(contains(shown, "How do I change my email address?"));
  CHECK(contains(shown, "What is your email address?"));

  // Choosing an option sends that question, which its entry answers outright.
  const auto chosen = stage.reply("What is your email address?", "en", "{}");
  REQUIRE(chosen.answered);
  CHECK(boost::json::parse(chosen.result_json).at("reply").as_string() == "help@example.com");

  // A clear question is answered, not asked about.
  const auto clear = stage.reply("how long do refunds take", "en", "{}");
  REQUIRE(clear.answered);
  CHECK(boost::json::parse(clear.result_json).at("reply").as_string() == "5-7 days.");

  // With clarify = false the stage does not ask.
  options.clarify = false;
  const FaqStage no_questions(options, dir.path);
  const auto deferred = no_questions.reply("email address", "en", "{}");
  CHECK_FALSE(boost::json::parse(deferred.result_json.empty() ? "{}" : deferred.result_json)
                  .as_object()
                  .contains("quick_replies"));
}

TEST_CASE_METHOD(LanguageData,
                 "close in score but not in what they explain: the one that explains more answers",
                 "[stage]") {
  Dir dir;
  dir.write("faq.toml", R"(
[[entries]]
id = "shipping-time"
questions = ["When will the parcel I ordered with you last week finally arrive at my home address?"]
answer = "In 2-4 business days."

[[entries]]
id = "parcel-size"
questions = ["Parcel", "Parcel size", "Big parcel", "Parcel weight", "Heavy parcel"]
answer = "Up to 30 kg."

[[entries]]
id = "contact"
questions = ["What is your phone number?"]
answer = "+1 555 0100"
)");
  FaqStageOptions options;
  options.files = {"faq.toml"};
  const FaqStage stage(options, dir.path);
  // The short questions that say "parcel" again and again score nearly as high as the
  // one that has both words: a near tie in score, not in what each explains.
  const auto matches = stage.index().search("parcel arrive", 2);
  REQUIRE(matches.size() == 2);
  CHECK(matches[0].entry_id == "shipping-time");
  CHECK(matches[1].score >= options.clarify_ratio * matches[0].score);
  CHECK(matches[1].coverage < options.clarify_ratio * matches[0].coverage);
  CHECK(answered_by(stage, "parcel arrive") == "faq.toml#shipping-time");
  // Still below the threshold such a winner does not answer (the message's other words
  // are nothing the entries know).
  CHECK(answered_by(stage, "parcel arrive kangaroo zebra") != "faq.toml#shipping-time");
}

TEST_CASE_METHOD(LanguageData,
                 "the stage answers long questions of general words, not specific things it lacks",
                 "[stage]") {
  Dir dir;
  dir.write("faq.toml", R"(
[[entries]]
id = "refund-time"
questions = ["How long does a refund take?", "退款多久到账"]
answer = "Refunds reach your card within 5-7 business days after we receive the return."

[[entries]]
id = "payment-methods"
questions = ["Which payment methods do you accept?", "Can I pay with PayPal?", "支持哪些支付方式"]
answer = "Visa, Mastercard, PayPal, Alipay."

[[entries]]
id = "contact"
questions = ["What is your phone number?", "客服电话是多少"]
answer = "Call +1 555 0100."

[[entries]]
id = "opening-hours"
questions = ["What are your opening hours?", "客服几点上班"]
answer = "Monday to Friday, 9:00-18:00."
)");
  FaqStageOptions options;
  options.files = {"faq.toml"};
  const FaqStage stage(options, dir.path);
  // Many words the entries lack, all of them general ones.
  CHECK(answered_by(stage,
                    "I sent it back last week and still have not seen my refund, how long "
                    "does it usually take?") == "faq.toml#refund-time");
  CHECK(answered_by(stage, "退款一般要多久才能到账呢") == "faq.toml#refund-time");
  // One specific word the shop does not have outweighs the word it shares.
  CHECK(answered_by(stage, "can I pay with bitcoin") == "");
  CHECK(answered_by(stage, "能用比特币支付吗") == "");
  // A word the entries lack (reimbursed) does not hide what the rest asks: how long
  // it takes.
  const auto reimbursed = stage.reply("how long does it take to get reimbursed", "", "{}");
  REQUIRE(reimbursed.answered);
  CHECK(boost::json::parse(reimbursed.result_json).at("source").as_string() ==
        "faq.toml#refund-time");
}

TEST_CASE_METHOD(
    LanguageData,
    "a second look just below the threshold answers a clear winner in the message's words",
    "[stage]") {
  Dir dir;
  dir.write("faq.toml", R"(
[[entries]]
id = "password-reset"
questions = ["How do I reset my password?", "I forgot my password",
             "I can't get into my account"]
answer = "Use 'Forgot password' on the sign-in page."

[[entries]]
id = "payment-methods"
questions = ["Which payment methods do you accept?", "Can I pay with PayPal?"]
answer = "Cards and PayPal."

[[entries]]
id = "opening-hours"
questions = ["What are your opening hours?", "What time do you open?"]
answer = "9 to 5."
)");
  FaqStageOptions options;
  options.files = {"faq.toml"};
  options.threshold = 0;
  options.second_look_band = 0;
  // Only the second look's own checks here: the rule for a thing the entry does not
  // speak of (next test) would leave "can I pay with bitcoin" alone at any threshold.
  options.unknown_subject = 0;
  auto score_of = [&](const char* text) {
    const FaqStage stage(options, dir.path);
    const auto turn = stage.reply(text, "", "{}");
    REQUIRE(turn.answered);
    return boost::json::parse(turn.result_json).at("score").to_number<double>();
  };
  // The threshold just above each message's confidence: only the second look answers.
  auto answered_just_below = [&](const char* text, double band, double unknown_thing = 0.3,
                                 double as_written = 0.5) -> std::string {
    auto near = options;
    near.threshold = score_of(text) + 0.01;
    near.second_look_band = band;
    near.second_look_unknown_thing = unknown_thing;
    near.second_look_as_written = as_written;
    const FaqStage stage(near, dir.path);
    const auto turn = stage.reply(text, "", "{}");
    if (!turn.answered) return "";
    return std::string(boost::json::parse(turn.result_json).at("source").as_string());
  };
  const char* locked = "sadly I forgot the password of my account";
  CHECK(answered_just_below(locked, 0.05) == "faq.toml#password-reset");
  CHECK(answered_just_below(locked, 0) == "");
  // A thing the entries lack (bitcoin, France as a country), or a match only through
  // a guess (a typo's correction), is no clear winner.
  CHECK(answered_just_below("can I pay with bitcoin", 0.05) == "");
  CHECK(answered_just_below("can I pay in France", 0.05) == "");
  CHECK(answered_just_below("pasword", 0.05) == "");
  // Each is answered without its check: the checks, not the band, leave them alone.
  CHECK(answered_just_below("can I pay with bitcoin", 0.05, 1.0) == "faq.toml#payment-methods");
  CHECK(answered_just_below("can I pay in France", 0.05, 1.0) == "faq.toml#payment-methods");
  CHECK(answered_just_below("pasword", 0.05, 0.3, 0) == "faq.toml#password-reset");
}

TEST_CASE_METHOD(
    LanguageData,
    "an entry that shares no thing with a message about something else does not answer it",
    "[stage]") {
  Dir dir;
  dir.write("faq.toml", R"(
[[entries]]
id = "return-policy"
questions = ["What is your return policy?", "Can I return an item?",
             "How long do I have to send an item back?"]
answer = "30 days."

[[entries]]
id = "shipping-international"
questions = ["Do you ship internationally?", "Which countries do you ship to?"]
answer = "Over 40 countries."

[[entries]]
id = "payment-methods"
questions = ["Which payment methods do you accept?", "Can I pay with PayPal?"]
answer = "Cards and PayPal."
)");
  // Australia meets "countries" only as any broader word here (place_weight 0), as when
  // this test was written: the named-place rule's own tests are in demo_decisions_test.
  auto source_of = [&](const char* text, double unknown_subject) -> std::string {
    FaqStageOptions options;
    options.files = {"faq.toml"};
    options.threshold = 0;  // whatever the confidence: this rule alone decides
    options.unknown_subject = unknown_subject;
    options.place_weight = 0;
    const FaqStage stage(options, dir.path);
    const auto turn = stage.reply(text, "", "{}");
    if (!turn.answered) return "";
    return std::string(boost::json::parse(turn.result_json).at("source").as_string());
  };
  // Australia and bitcoin are things these entries lack, and "send", "pay" name none:
  // answering would mislead (the first is a shipping question, the second asks for a
  // payment method the shop may not take).
  CHECK(source_of("I live in Australia, can you send it there?", 0.8) == "");
  CHECK(source_of("can I pay with bitcoin", 0.8) == "");
  // Without the rule both are answered: the rule, not the threshold, leaves them.
  CHECK(source_of("I live in Australia, can you send it there?", 0) == "faq.toml#return-policy");
  CHECK(source_of("can I pay with bitcoin", 0) == "faq.toml#payment-methods");
  // Goods the shop may have sold are no other subject ("kettle"), and an entry that
  // shares a thing with the message still answers ("return", "item").
  CHECK(source_of("can I send back a kettle", 0.8) == "faq.toml#return-policy");
  CHECK(source_of("can I return an item bought in Australia", 0.8) == "faq.toml#return-policy");
}

TEST_CASE_METHOD(LanguageData,
                 "the stage leaves questions about someone else's phone or password alone",
                 "[stage]") {
  Dir dir;
  dir.write("faq.toml", R"(
[[entries]]
id = "contact"
questions = ["What is your phone number?", "客服电话是多少"]
answer = "Call +1 555 0100."

[[entries]]
id = "password-reset"
questions = ["How do I reset my password?", "忘记密码怎么办"]
answer = "Use 'Forgot password' on the sign-in page."
)");
  FaqStageOptions options;
  options.files = {"faq.toml"};
  const FaqStage stage(options, dir.path);
  CHECK(answered_by(stage, "what is your phone number") == "faq.toml#contact");
  CHECK(answered_by(stage, "电话是多少") == "faq.toml#contact");
  CHECK(answered_by(stage, "I forgot my password, how do I reset it") == "faq.toml#password-reset");
  CHECK(answered_by(stage, "what's the phone number of the nearest hospital") == "");
  CHECK(answered_by(stage, "医院电话是多少") == "");
  CHECK(answered_by(stage, "how do I reset my router password") == "");
  CHECK(answered_by(stage, "路由器密码忘了怎么办") == "");
}

TEST_CASE_METHOD(LanguageData, "Chinese words the entries lack weigh less when they name no thing",
                 "[stage]") {
  Dir dir;
  dir.write("faq.toml", R"(
[[entries]]
id = "password-reset"
questions = ["忘记密码怎么办", "登录不了怎么办"]
answer = "在登录页点击“忘记密码”。"

[[entries]]
id = "payment-methods"
questions = ["支持哪些支付方式"]
answer = "支持支付宝、微信和银行卡。"
)");
  FaqStageOptions options;
  options.files = {"faq.toml"};
  const FaqStage stage(options, dir.path);
  auto answered = [&](const char* text) { return stage.reply(text, "", "{}").answered; };
  // 记不起来 (cannot remember) and 进去 (get in) are verbs: the question is still about
  // a forgotten password.
  CHECK(answered("密码记不起来了，登录不进去"));
  CHECK(answered("密码想不起来了，怎么弄"));
  CHECK(answered("试了好几次还是登录不了，密码记不起来"));
  CHECK(answered("忘记密码了，急死了"));
  // 比特币 (bitcoin), a thing the shop does not take, still outweighs 支付.
  CHECK_FALSE(answered("能用比特币支付吗"));
}

TEST_CASE_METHOD(LanguageData,
                 "English words the entries lack weigh less when WordNet knows them as no thing",
                 "[stage]") {
  Dir dir;
  dir.write("faq.toml", R"(
[[entries]]
id = "order-cancel"
questions = ["How do I cancel my order?", "Can I cancel an order?"]
answer = "Orders can be cancelled until they ship."

[[entries]]
id = "payment-methods"
questions = ["Which payment methods do you accept?"]
answer = "Visa, Mastercard, PayPal."
)");
  FaqStageOptions options;
  options.files = {"faq.toml"};
  const FaqStage stage(options, dir.path);
  auto answered = [&](const char* text) { return stage.reply(text, "", "{}").answered; };
  // Adjectives and verbs ("wrong", "late", "duplicate") do not hide the topic.
  CHECK(answered("is it too late to cancel the order I placed"));
  CHECK(answered("ordered the wrong size, can I cancel"));
  CHECK(answered("can I still cancel my order, I placed it late yesterday"));
  CHECK(answered("cancel the duplicate order I made"));
  // A thing the shop does not sell still does.
  CHECK_FALSE(answered("can I cancel my gym membership"));
}

TEST_CASE_METHOD(LanguageData,
                 "the stage leaves alone a message that shares only what it asks with an entry",
                 "[stage]") {
  Dir dir;
  dir.write("faq.toml", R"(
[[entries]]
id = "opening-hours"
questions = ["What are your opening hours?", "What time does customer service work?",
             "客服几点上班", "周末有客服吗"]
answer = "Monday to Friday, 9:00-18:00."

[[entries]]
id = "contact"
questions = ["How can I contact you?", "客服电话是多少"]
answer = "Call +1 555 0100."
)");
  FaqStageOptions options;
  options.files = {"faq.toml"};
  const FaqStage stage(options, dir.path);
  CHECK(answered_by(stage, "what time is it in London") == "");
  CHECK(answered_by(stage, "现在几点了") == "");
  CHECK(answered_by(stage, "周末去哪玩比较好") == "");
  CHECK(answered_by(stage, "hi how are you") == "");
  CHECK(answered_by(stage, "What time does customer service start?") == "faq.toml#opening-hours");
  CHECK(answered_by(stage, "客服几点下班") == "faq.toml#opening-hours");
  CHECK(answered_by(stage, "你们周末有人吗") == "faq.toml#opening-hours");
  CHECK(answered_by(stage, "What are your business hours?") == "faq.toml#opening-hours");
  // A time word alone can only mean the business's times.
  CHECK(answered_by(stage, "hours?") == "faq.toml#opening-hours");
  CHECK(answered_by(stage, "time?") == "faq.toml#opening-hours");
}

TEST_CASE_METHOD(LanguageData,
                 "an entry that does not ask for the amount a message asks for is no answer",
                 "[stage]") {
  Dir dir;
  dir.write("faq.toml", R"(
[[entries]]
id = "shipping-international"
questions = ["可以寄到国外吗", "你们发货到国外吗", "支持国际配送吗"]
answer = "可以，我们配送到 40 多个国家。"
tags = ["shipping"]

[[entries]]
id = "shipping-time"
questions = ["快递要几天", "多久能送到", "下单后多久发货"]
answer = "国内 2-4 个工作日送达，海外 7-14 天。"
tags = ["shipping"]

[[entries]]
id = "warranty"
questions = ["有保修吗", "商品坏了怎么办"]
answer = "保修一年。"
)");
  FaqStageOptions options;
  options.files = {"faq.toml"};
  const FaqStage stage(options, dir.path);
  CHECK(answered_by(stage, "可以寄到国外吗") == "faq.toml#shipping-international");
  CHECK(answered_by(stage, "寄到国外要多久啊") != "faq.toml#shipping-international");
  // Nor through the intent's tag.
  CHECK(answered_by(stage, "寄到国外要多久啊", R"({"intent":{"faq_tag":"shipping"}})") !=
        "faq.toml#shipping-international");
  // An amount no candidate asks for is a statement, not the question.
  CHECK(answered_by(stage, "东西坏了怎么办，才买几个月") == "faq.toml#warranty");
}

TEST_CASE_METHOD(LanguageData, "a long message is answered from the long-message threshold",
                 "[stage]") {
  Dir dir;
  dir.write("faq.toml", R"(
[[entries]]
id = "refund-time"
questions = ["How long does a refund take?", "When will I get my money back?"]
answer = "5-7 business days after we receive the return."

[[entries]]
id = "opening-hours"
questions = ["What are your opening hours?"]
answer = "9 to 5."
)");
  FaqStageOptions options;
  options.files = {"faq.toml"};
  const char* long_question =
      "I posted the parcel with my return last Monday and you confirmed it arrived, so how long "
      "does the refund take now";
  auto confidence = [&] {
    auto plain = options;
    plain.threshold = 0;
    const FaqStage stage(plain, dir.path);
    const auto turn = stage.reply(long_question, "", "{}");
    REQUIRE(turn.answered);
    return boost::json::parse(turn.result_json).at("score").to_number<double>();
  }();
  // Between the two thresholds: only the long-message rule answers it.
  options.threshold = confidence + 0.02;
  options.long_message_threshold = confidence - 0.02;
  options.long_message_words = 13;
  CHECK(FaqStage(options, dir.path).reply(long_question, "", "{}").answered);
  options.long_message_words = 0;
  CHECK_FALSE(FaqStage(options, dir.path).reply(long_question, "", "{}").answered);
  options.long_message_words = 40;  // longer than the message
  CHECK_FALSE(FaqStage(options, dir.path).reply(long_question, "", "{}").answered);

  // The tenant keys, within 0..threshold.
  const auto read = read_faq_stage_options(
      R"({"files": ["faq.toml"], "long_message_words": 20, "long_message_threshold": 0.25})");
  CHECK(read.long_message_words == 20);
  CHECK(read.long_message_threshold == Approx(0.25));
  CHECK(read_faq_stage_options(R"({"files": ["faq.toml"]})").long_message_words == 13);
  CHECK_THROWS_AS(
      read_faq_stage_options(
          R"({"files": ["faq.toml"], "threshold": 0.3, "long_message_threshold": 0.4})"),
      std::invalid_argument);
}

TEST_CASE_METHOD(LanguageData,
                 "a Chinese place name is a country or region, as WordNet makes Germany a country",
                 "[stage]") {
  const auto& a = *analyzer();
  CHECK(contains(a.broader("日本"), "国家"));
  CHECK(contains(a.broader("新加坡"), "地区"));
  CHECK(a.broader("医院").empty());
  CHECK(a.broader("退款").empty());
  CHECK(contains(a.broader(a.word_term("Germany")), "countri"));

  Dir dir;
  dir.write("faq.toml", R"(
[[entries]]
id = "shipping-international"
questions = ["可以寄到国外吗", "支持国际配送吗", "能发货到海外吗"]
answer = "可以，我们配送到 40 多个国家和地区。"

[[entries]]
id = "shipping-time"
questions = ["快递要几天", "多久能送到"]
answer = "国内 2-4 个工作日送达。"
)");
  FaqStageOptions options;
  options.files = {"faq.toml"};
  const FaqStage stage(options, dir.path);
  const auto turn = stage.reply("可以发货到日本吗", "", "{}");
  REQUIRE(turn.answered);
  CHECK(boost::json::parse(turn.result_json).at("source").as_string() ==
        "faq.toml#shipping-international");
  // How long to a place asks what the delivery-time entry answers.
  const auto how_long = stage.reply("寄到日本要几天", "", "{}");
  CHECK_FALSE((how_long.answered && boost::json::parse(how_long.result_json).at("source") ==
                                        "faq.toml#shipping-international"));
}

namespace {

// The demo shop's refund entry (tenants/demo/faq.toml), which answers another shop's
// refunds for 申请退款 ("淘宝怎么申请退款", held-out set 6), and one more.
constexpr const char* kRefundEntries = R"(
[[entries]]
id = "refund-how"
questions = ["How do I ask for a refund?", "I want a refund", "怎么申请退款", "我要退款", "退款在哪里申请"]
answer = { en = "Open the order and choose Request refund.", zh = "在订单里点击“申请退款”。" }

[[entries]]
id = "hours"
questions = ["When are you open?", "营业时间"]
answer = { en = "We are open 9 to 5.", zh = "我们九点到五点营业。" }
)";

// The outcome as the admin reads it: the id of the entry that answered, "declined:
// <the dismissed question>", or "" (passed on without either).
std::string outcome_of(const FaqStage& stage, const std::string& text) {
  const auto turn = stage.reply(text, "", "{}");
  if (turn.answered) {
    const auto result = boost::json::parse(turn.result_json).as_object();
    const std::string source(result.at("source").as_string());
    return source.substr(source.find('#') + 1);
  }
  if (turn.result_json.empty()) return "";
  const auto result = boost::json::parse(turn.result_json).as_object();
  if (const auto* declined = result.if_contains("declined")) {
    CHECK(declined->at("why").as_string() == "not_for_bot");
    // Nothing for the LLM stage to ground an answer in.
    CHECK_FALSE(result.contains("context"));
    return "declined: " + std::string(declined->at("example").as_string());
  }
  return "";
}

}  // namespace

TEST_CASE_METHOD(LanguageData,
                 "a message like a question an admin dismissed is left alone, the entries' own "
                 "questions and their paraphrases are still answered",
                 "[stage]") {
  const std::string taobao = "淘宝怎么申请退款";
  const std::string refund = "refund-how";
  Dir dir;
  dir.write("before.toml", kRefundEntries);
  dir.write("after.toml", "not_for_bot = [\"How do I return something to Amazon?\", \"" + taobao +
                              "\"]\n" + kRefundEntries);
  FaqStageOptions options;
  options.files = {"before.toml"};
  const FaqStage before(options, dir.path);
  options.files = {"after.toml"};
  const FaqStage after(options, dir.path);

  // Answered wrongly while nobody said otherwise: 申请退款 is the entry's.
  REQUIRE(outcome_of(before, taobao) == refund);
  REQUIRE(outcome_of(before, "在淘宝上怎么申请退款") == refund);
  REQUIRE(outcome_of(before, "淘宝上的订单怎么退款") == refund);

  // Dismissed: the question and paraphrases of it are left alone.
  CHECK(outcome_of(after, taobao) == "declined: " + taobao);
  CHECK(outcome_of(after, "在淘宝上怎么申请退款") == "declined: " + taobao);
  CHECK(outcome_of(after, "淘宝上的订单怎么退款") == "declined: " + taobao);

  // The entries' own questions and close paraphrases keep their answers.
  for (const auto* own : {"怎么申请退款", "我想申请退款", "退款怎么申请",
                          "How do I ask for a refund?", "how can I ask for my refund"})
    CHECK(outcome_of(after, own) == refund);
  CHECK(outcome_of(after, "营业时间") == "hours");

  // not_for_bot_likeness = 0: the list is not used.
  options.not_for_bot_likeness = 0;
  CHECK(outcome_of(FaqStage(options, dir.path), taobao) == refund);
  CHECK(read_faq_stage_options(R"({"files": ["faq.toml"], "not_for_bot_likeness": 0.7})")
            .not_for_bot_likeness == Approx(0.7));
  CHECK_THROWS_AS(read_faq_stage_options(R"({"files": ["faq.toml"], "not_for_bot_likeness": 1.5})"),
                  std::invalid_argument);
}

TEST_CASE_METHOD(LanguageData, "a dismissed question that is an entry's own does not silence it",
                 "[stage]") {
  Dir dir;
  dir.write("faq.toml", std::string("not_for_bot = [\"怎么申请退款\"]\n") + kRefundEntries);
  FaqStageOptions options;
  options.files = {"faq.toml"};
  const FaqStage stage(options, dir.path);
  // Alike 1 to both: a tie goes to the entry.
  CHECK(outcome_of(stage, "怎么申请退款") == "refund-how");
}

TEST_CASE_METHOD(LanguageData, "likeness weighs the words a text shares by how rare they are",
                 "[stage]") {
  Dir dir;
  dir.write("faq.toml", kRefundEntries);
  FaqStageOptions options;
  options.files = {"faq.toml"};
  const FaqStage stage(options, dir.path);
  const auto& index = stage.index();
  const auto message = index.term_weights("How do I get a refund from Amazon?");
  CHECK(likeness(message, message) == Approx(1.0));
  CHECK(likeness(message, index.term_weights("what's the weather in Paris")) == Approx(0.0));
  // "amazon", a word the entries never use, weighs more than "ask", which they do.
  CHECK(likeness(message, index.term_weights("Amazon refund")) >
        likeness(message, index.term_weights("How do I ask for a refund?")));
}

TEST_CASE_METHOD(LanguageData, "a short English request with chat words or 'anywhere' is answered",
                 "[stage]") {
  Dir dir;
  dir.write("faq.toml", R"(
[[entries]]
id = "refund-how"
questions = ["How do I ask for a refund?", "Where do I request a refund?"]
answer = "In My Orders, choose Request refund."

[[entries]]
id = "payment-methods"
questions = ["Which payment methods do you accept?", "Can I pay by card?"]
answer = "Cards, PayPal and Alipay."

[[entries]]
id = "opening-hours"
questions = ["When are you open?"]
answer = "9:00-18:00."
)");
  FaqStageOptions options;
  options.files = {"faq.toml"};
  const FaqStage stage(options, dir.path);
  auto answer = [&](const char* text) {
    const auto turn = stage.reply(text, "en", "{}");
    if (!turn.answered) return std::string("-");
    return std::string(boost::json::parse(turn.result_json).at("reply").as_string());
  };
  CHECK(answer("refund pls") == "In My Orders, choose Request refund.");
  CHECK(answer("where do I request a refund? cant find it anywhere") ==
        "In My Orders, choose Request refund.");
  CHECK(answer("what else can I pay with besides a card?") == "Cards, PayPal and Alipay.");
  // Still left alone: a thing the entries lack.
  CHECK(answer("can I pay with bitcoin pls") == "-");
}

TEST_CASE_METHOD(LanguageData,
                 "an id used in two knowledge-base files is refused, naming the other file",
                 "[stage]") {
  Dir dir;
  dir.write("faq.toml", R"(
[[entries]]
id = "refund"
questions = ["How long does a refund take?"]
answer = "5-7 days."
)");
  dir.write("more.toml", R"(
[[entries]]
id = "refund"
questions = ["Can I get my money back?"]
answer = "Yes."
)");
  FaqStageOptions options;
  options.files = {"faq.toml", "more.toml"};
  try {
    const FaqStage stage(options, dir.path);
    FAIL("the second file's 'refund' was accepted");
  } catch (const FaqLoadError& e) {
    // The admin page words the code in the page's language, with the other file's name.
    CHECK(e.problem().code == "defined_twice");
    REQUIRE(e.problem().values.size() == 1);
    CHECK(e.problem().values[0].first == "other_file");
    CHECK(e.problem().values[0].second == "faq.toml");
    CHECK(e.key() == "entries[0].id");
  }
}

TEST_CASE_METHOD(LanguageData, "a shop's own country, named in its entries, is not abroad",
                 "[stage]") {
  // A shop in Germany that says so: a visitor there is asking about delivery at home,
  // however the international entry speaks of other countries.
  Dir dir;
  dir.write("faq.toml", R"(
[[entries]]
id = "delivery-home"
questions = ["How long does delivery within Germany take?", "Do you deliver in Germany?"]
answer = "Delivery within Germany takes 2 days."

[[entries]]
id = "international"
questions = ["Do you ship to other countries?", "Can you deliver abroad?"]
answer = "Yes, to 30 countries; 7-10 days."
)");
  FaqStageOptions options;
  options.files = {"faq.toml"};
  const FaqStage stage(options, dir.path);
  CHECK(answered_by(stage, "I live in Germany, do you deliver here?") == "faq.toml#delivery-home");
  CHECK(answered_by(stage, "do you deliver to Germany") == "faq.toml#delivery-home");
  // Another country the shop does not name is one of the "other countries".
  CHECK(answered_by(stage, "I live in Brazil, do you deliver here?") == "faq.toml#international");
  CHECK(answered_by(stage, "do you deliver to Brazil") == "faq.toml#international");
}
