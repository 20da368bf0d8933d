// The intent stage as the pipeline calls it: traditional Chinese is recognised as its
// simplified form (OpenCC t2s), in the messages and in the examples.
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>

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
  const auto intent = boost::json::parse(turn.result_json).at("context").at("intent");
  return {std::string(intent.at("name").as_string()), intent.at("confidence").to_number<double>()};
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
  auto hands_off = [&](const char* text) {
    const auto turn = stage.reply(text);
    return turn.answered && boost::json::parse(turn.result_json).as_object().contains("handoff");
  };
  // Asking for a person: handed off.
  CHECK(hands_off("let me talk to someone"));
  CHECK(hands_off("can I speak to a real person?"));
  CHECK(hands_off("connect me to customer service please"));
  CHECK(hands_off("我要找人工"));
  CHECK(hands_off("转接客服"));
  // Asking about the human service: more of the message is what the examples never
  // say, so the later stages answer it (and hand off when they cannot).
  CHECK_FALSE(hands_off("customer service phone number?"));
  CHECK_FALSE(hands_off("我想找真人客服，怎么联系"));
  CHECK_FALSE(hands_off("I need to speak to someone about a problem, how do I reach you?"));
  // ...and says nothing: a hand-off intent in the context would hand off after all.
  CHECK(stage.reply("customer service phone number?").result_json.empty());
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
  IntentStageOptions options;
  options.file = "demo/intents.toml";
  const IntentStage stage(options, DEMO_TENANTS_DIR);
  // What tenants/demo/flows.toml asks of the intent before the order-status flow starts
  // (intent_confidence).
  constexpr double kFlowStarts = 0.8;
  const auto starts_flow = [&](const char* text) {
    const auto [name, confidence] = intent_of(stage, text);
    return name == "order_status" && confidence >= kFlowStarts;
  };
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
