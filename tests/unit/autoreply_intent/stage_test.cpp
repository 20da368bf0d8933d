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
