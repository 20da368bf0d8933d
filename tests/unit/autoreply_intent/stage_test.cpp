// The intent stage as the pipeline calls it: traditional Chinese is recognised as its
// simplified form (OpenCC t2s), in the messages and in the examples.
#include <algorithm>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <utility>
#include <vector>

#include "intent_stage.hpp"

using namespace switchboard::intent;

namespace {

struct Dir {
  std::filesystem::path path;
  Dir() {
    std::random_device rd;
    path = std::filesystem::temp_directory_path() / ("intent-stage-" + std::to_string(rd()));
    std::filesystem::create_directories(path);
  }
  ~Dir() { std::filesystem::remove_all(path); }
};

// The recognised intent's name and confidence, or {"", 0}.
std::pair<std::string, double> intent_of(const IntentStage& stage, const char* text) {
  const auto turn = stage.reply(text);
  if (turn.result_json.empty()) return {"", 0};
  const auto result = boost::json::parse(turn.result_json);
  const auto& context = result.at("context").as_object();
  if (!context.contains("intent")) return {"", 0};  // only guesses (intent_candidates)
  const auto& intent = context.at("intent");
  return {std::string(intent.at("name").as_string()), intent.at("confidence").to_number<double>()};
}

// context.intent_candidates: (name, confidence), in order.
std::vector<std::pair<std::string, double>> guesses_of(const IntentStage& stage, const char* text) {
  std::vector<std::pair<std::string, double>> out;
  const auto turn = stage.reply(text);
  if (turn.result_json.empty()) return out;
  const auto result = boost::json::parse(turn.result_json);
  const auto& context = result.at("context").as_object();
  if (!context.contains("intent_candidates")) return out;
  for (const auto& guess : context.at("intent_candidates").as_array()) {
    const auto& g = guess.as_object();
    out.emplace_back(std::string(g.at("name").as_string()), g.at("confidence").to_number<double>());
  }
  return out;
}

// True when the stage hands the message to a person itself (SB_OK with "handoff").
bool hands_off(const IntentStage& stage, const char* text) {
  const auto turn = stage.reply(text);
  return turn.answered && boost::json::parse(turn.result_json).as_object().contains("handoff");
}

// Whether the demo's order-status flow starts on the message: its intent named, at
// least as sure as tenants/demo/flows.toml's intent_confidence asks.
bool starts_order_status(const IntentStage& stage, const char* text) {
  constexpr double kFlowStarts = 0.8;
  const auto [name, confidence] = intent_of(stage, text);
  return name == "order_status" && confidence >= kFlowStarts;
}

// The demo tenant's intents file as shipped, the stage's defaults otherwise.
IntentStageOptions demo_options() {
  IntentStageOptions options;
  options.file = "demo/intents.toml";
  return options;
}

}  // namespace

TEST_CASE("traditional Chinese is recognised as its simplified form", "[stage]") {
  Dir dir;
  std::ofstream(dir.path / "intents.toml") << R"(
[[intents]]
name = "order_status"
examples = ["我的订单到哪了", "查一下订单", "订单状态", "包裹到哪里了"]

[[intents]]
name = "refund"
examples = ["我要退款", "怎么退货", "退款什么时候到账"]

[[intents]]
name = "account"
examples = ["忘记密码", "重置密码", "修改邮箱", "帳號被鎖了"]
)";
  IntentStageOptions options;
  options.file = "intents.toml";
  options.threshold = 0;
  const IntentStage stage(options, dir.path);
  const auto simplified = intent_of(stage, "我的订单现在到哪里了");
  const auto traditional = intent_of(stage, "我的訂單現在到哪裡了");
  CHECK(simplified.first == "order_status");
  CHECK(traditional == simplified);
  // An example in traditional characters teaches the simplified form too.
  CHECK(intent_of(stage, "帐号被锁了") == intent_of(stage, "帳號被鎖了"));
  CHECK(intent_of(stage, "帐号被锁了").first == "account");
}

TEST_CASE("a hand-off intent acts on asking for a person, not on questions about the service",
          "[stage]") {
  Dir dir;
  std::ofstream(dir.path / "intents.toml") << R"(
[[intents]]
name = "human"
examples = ["talk to a human", "I want an agent", "can I speak to a real person",
            "connect me to customer service", "let me talk to someone",
            "转人工", "人工客服", "我要找人工", "转接客服", "找真人"]

[[intents]]
name = "refund"
examples = ["I want a refund", "how do I get my money back", "退款", "我要退款"]
)";
  IntentStageOptions options;
  options.file = "intents.toml";
  options.threshold = 0.3;
  const IntentStage stage(options, dir.path);
  const auto asks_person = [&](const char* text) { return hands_off(stage, text); };
  // Asking for a person: handed off.
  CHECK(asks_person("let me talk to someone"));
  CHECK(asks_person("can I speak to a real person?"));
  CHECK(asks_person("connect me to customer service please"));
  CHECK(asks_person("我要找人工"));
  CHECK(asks_person("转接客服"));
  // Asking about the human service: more of the message is what the examples never
  // say, so the later stages answer it (and hand off when they cannot).
  CHECK_FALSE(asks_person("customer service phone number?"));
  CHECK_FALSE(asks_person("我想找真人客服，怎么联系"));
  CHECK_FALSE(asks_person("I need to speak to someone about a problem, how do I reach you?"));
  // ...and names no intent: a hand-off intent in the context would hand off after all
  // (its guesses, context.intent_candidates, act on nothing).
  CHECK(intent_of(stage, "customer service phone number?").first.empty());
  CHECK_FALSE(stage.reply("customer service phone number?").answered);
}

TEST_CASE("an intent that starts a flow says so only for a message its examples mostly explain",
          "[stage]") {
  Dir dir;
  std::ofstream(dir.path / "intents.toml") << R"(
[[intents]]
name = "order_status"
examples = ["where is my order", "track my order", "has my order shipped",
            "what is the status of my order", "我的订单到哪了", "查一下订单"]

[[intents]]
name = "refund"
examples = ["I want a refund", "refund my order", "退款", "我要退款"]
action = { faq_tag = "refunds" }
)";
  IntentStageOptions options;
  options.file = "intents.toml";
  options.threshold = 0.3;
  const IntentStage stage(options, dir.path);
  CHECK(intent_of(stage, "where is my order now").first == "order_status");
  CHECK(intent_of(stage, "我的订单到哪了").first == "order_status");
  // Character pairs across two words (的包, 在到) are none the examples lack.
  CHECK(intent_of(stage, "我的订单现在到哪了").first == "order_status");
  // "cancel" is nothing the order-status examples say: no flow on half a message.
  CHECK(intent_of(stage, "cancel my order").first.empty());
  // An intent that only points the knowledge base at its entries still does.
  CHECK(intent_of(stage, "refund for the shoes please").first == "refund");
}

TEST_CASE(
    "the demo's order-status flow starts on a question about one order, not on when "
    "orders ship",
    "[stage][demo]") {
  const auto options = demo_options();
  const IntentStage stage(options, DEMO_TENANTS_DIR);
  const auto starts_flow = [&](const char* text) { return starts_order_status(stage, text); };
  // When orders ship or arrive is the shipping-time entry's answer; the flow would ask
  // for an order number instead.
  CHECK_FALSE(starts_flow("When will you dispatch my order?"));
  CHECK_FALSE(starts_flow("when will my order be delivered"));
  CHECK_FALSE(starts_flow("When will my order ship after I pay?"));
  // Whether one's own order has shipped, in either language, is the flow's.
  CHECK(starts_flow("订单发货了没"));
  CHECK(starts_flow("Has my order shipped yet?"));
  CHECK(starts_flow("where is my order"));
  CHECK(starts_flow("我的订单到哪了"));
  CHECK(starts_flow("what's the status of my order"));
}

TEST_CASE("the demo's order-status flow does not start on a request to cancel or change an order",
          "[stage][demo]") {
  const IntentStage stage(demo_options(), DEMO_TENANTS_DIR);
  const auto starts_flow = [&](const char* text) { return starts_order_status(stage, text); };
  // Doing something to one's order is the knowledge base's (order-cancel,
  // order-change-address, return-policy): the flow would ask for an order number to
  // tell its status. Issue 15: "a request to stop an order before it ships started the
  // order-status flow".
  for (const char* text :
       {"我的订单怎么取消", "取消我的订单", "我的订单能取消吗", "修改订单地址", "订单能退吗",
        "how do I cancel my order", "can I cancel my order before it ships", "change my order"}) {
    INFO(text);
    CHECK_FALSE(starts_flow(text));
  }
  // Asking where one's order is, or whether it has shipped, still starts it.
  for (const char* text : {"我的订单到哪了", "我的订单发货了吗", "订单发货了没",
                           "where is my order", "Has my order shipped yet?"}) {
    INFO(text);
    CHECK(starts_flow(text));
  }
}

TEST_CASE(
    "below the threshold the demo's intent stage names no intent but lists its best guesses, "
    "the order-status flow's among them for 'has it shipped'",
    "[stage][demo]") {
  const auto options = demo_options();
  const IntentStage stage(options, DEMO_TENANTS_DIR);
  // Too unsure to act on (RESULTS.md, "The order-status flow": shipping 0.33, order_status
  // 0.27), yet the flow's intent is one of the two best guesses: a later stage that asks
  // the visitor can offer the flow (autoreply-flow's context.flow_offers).
  for (const char* text : {"发货了没？", "我买的东西发货了没", "我的货发出去没有"}) {
    INFO(text);
    CHECK(intent_of(stage, text).first.empty());
    const auto guesses = guesses_of(stage, text);
    REQUIRE_FALSE(guesses.empty());
    CHECK(guesses.size() <= 3);
    const auto best_two = guesses.begin() + std::min<std::ptrdiff_t>(2, guesses.size());
    const auto flow = std::find_if(guesses.begin(), best_two,
                                   [](const auto& g) { return g.first == "order_status"; });
    REQUIRE(flow != best_two);
    CHECK(flow->second < options.threshold);
    CHECK(flow->second >= options.candidate_floor);
    for (std::size_t i = 1; i < guesses.size(); ++i)
      CHECK(guesses[i].second <= guesses[i - 1].second);
  }
  // A sure intent comes with its guesses too, itself the first.
  const auto sure = guesses_of(stage, "where is my order");
  REQUIRE_FALSE(sure.empty());
  CHECK(sure.front().first == "order_status");
  CHECK(intent_of(stage, "where is my order").first == "order_status");
  // Nothing close to any intent: no guesses either.
  auto strict = options;
  strict.candidate_floor = 0.99;
  CHECK(IntentStage(strict, DEMO_TENANTS_DIR).reply("发货了没？").result_json.empty());
}

TEST_CASE(
    "with handoff_about_tag, a request for a person that says more waits for the entries "
    "about the human service, and a plain request is handed off at once",
    "[stage][demo]") {
  auto options = demo_options();
  options.handoff_about_tag = "contact";
  const IntentStage stage(options, DEMO_TENANTS_DIR);
  const auto asks_person = [&](const char* text) { return hands_off(stage, text); };
  // {"name", "faq_tag", "handoff"} of the named intent, or empty strings.
  const auto named = [&](const char* text) {
    std::vector<std::string> out{"", "", ""};
    const auto turn = stage.reply(text);
    if (turn.answered || turn.result_json.empty()) return out;
    const auto result = boost::json::parse(turn.result_json);
    const auto& context = result.at("context").as_object();
    const auto* intent = context.if_contains("intent");
    if (!intent) return out;
    const auto& i = intent->as_object();
    out[0] = i.at("name").as_string();
    if (const auto* tag = i.if_contains("faq_tag")) out[1] = tag->as_string();
    if (const auto* mode = i.if_contains("handoff")) out[2] = mode->as_string();
    return out;
  };
  const std::vector<std::string> waits{"human", "contact", "unless_answered"};
  // Most of the message asks for the human service, and it says more: when, which number.
  CHECK(named("周末有人工客服吗") == waits);
  CHECK(named("你们周末有人工客服吗") == waits);
  CHECK(named("customer service number?") == waits);
  CHECK_FALSE(asks_person("周末有人工客服吗"));
  // Every word of these is the hand-off examples': a request, handed off at once.
  CHECK(asks_person("I want to talk to a person"));
  CHECK(asks_person("我要人工客服"));
  CHECK(asks_person("let me talk to someone"));
  CHECK(asks_person("人工客服"));
  CHECK(asks_person("can I speak to a real person"));
  // Without the tag every message the examples mostly explain is handed off, as before.
  const IntentStage plain(demo_options(), DEMO_TENANTS_DIR);
  CHECK(hands_off(plain, "周末有人工客服吗"));
}

TEST_CASE(
    "the demo's order-status flow still starts on a question about one's order, with its number",
    "[stage][demo]") {
  const IntentStage stage(demo_options(), DEMO_TENANTS_DIR);
  for (const char* text : {"where is my order 12345", "我的订单 12345 到哪了"}) {
    INFO(text);
    CHECK(intent_of(stage, text).first == "order_status");
    CHECK(intent_of(stage, text).second >= 0.8);  // tenants/demo/flows.toml's intent_confidence
  }
}
