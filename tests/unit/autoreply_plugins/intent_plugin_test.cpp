// autoreply-intent through the plugin host with the demo tenant's intents
// (tenants/demo/intents.toml): who asks for a human is handed off, other intents
// become context for the later stages. The messages are not the file's examples.
#include <fstream>

#include "bot_host.hpp"

using namespace autoreply_test;

namespace {

constexpr const char* kIntentPluginDemoConfig = R"({"file":"demo/intents.toml"})";

}  // namespace

TEST_CASE("asking for a human hands off, in Chinese and in English") {
  BotHost host;
  const auto intent = host.create("autoreply-intent", kIntentPluginDemoConfig);
  for (const char* text : {"转人工", "talk to a human", "请帮我转人工客服",
                           "I'd like to speak with an agent please"}) {
    INFO(text);
    const auto handed = host.reply(intent, text);
    REQUIRE(handed.status == SB_OK);
    const auto& handoff = handed.result.at("handoff").as_object();
    CHECK_THAT(text_at(handoff, "reason"), Catch::StartsWith("intent human"));
    CHECK_FALSE(handoff.contains("group"));
    CHECK(text_at(handed.result, "source") == "demo/intents.toml#human");
    CHECK(handed.result.at("score").to_number<double>() >= 0.55);
  }

  // With a group and a parting message configured.
  const auto grouped = host.create(
      "autoreply-intent",
      R"({"file":"demo/intents.toml","handoff_group":"support","handoff_reply":"稍等，正在为您转接人工客服。"})");
  const auto handed = host.reply(grouped, "转人工");
  REQUIRE(handed.status == SB_OK);
  CHECK(text_at(handed.result.at("handoff").as_object(), "group") == "support");
  CHECK(text_at(handed.result, "reply") == "稍等，正在为您转接人工客服。");
}

TEST_CASE("other intents become context for the later stages, unrelated text nothing") {
  BotHost host;
  const auto intent = host.create("autoreply-intent", kIntentPluginDemoConfig);

  const auto refund = host.reply(intent, "I would like a refund for my order");
  REQUIRE(refund.status == SB_DEFER);
  const auto& recognised = refund.result.at("context").at("intent").as_object();
  CHECK(text_at(recognised, "name") == "refund");
  CHECK(text_at(recognised, "faq_tag") == "refunds");
  CHECK(recognised.at("confidence").to_number<double>() >= 0.55);

  const auto order = host.reply(intent, "我的包裹现在到哪了");
  REQUIRE(order.status == SB_DEFER);
  CHECK(text_at(order.result.at("context").at("intent").as_object(), "name") == "order_status");

  const auto unrelated = host.reply(intent, "the sky is blue today");
  CHECK(unrelated.status == SB_DEFER);
  CHECK(unrelated.result.empty());

  // `handoff` makes another intent hand off too.
  const auto strict = host.create("autoreply-intent",
                                  R"({"file":"demo/intents.toml","handoff":["human","refund"]})");
  CHECK(host.reply(strict, "I would like a refund for my order").status == SB_OK);
}

TEST_CASE("the intent's context steers the FAQ stage that follows it") {
  BotHost host;
  const auto intent = host.create("autoreply-intent", kIntentPluginDemoConfig);
  const auto faq = host.create("autoreply-faq", R"({"files":["demo/faq.toml"]})");
  const auto first = host.reply(intent, "how long will my refund take");
  REQUIRE(first.status == SB_DEFER);
  const auto context = boost::json::serialize(first.result.at("context"));
  const auto answer = host.reply(faq, "how long will my refund take", context);
  REQUIRE(answer.status == SB_OK);
  CHECK(text_at(answer.result, "source") == "demo/faq.toml#refund-time");
}

TEST_CASE("a malformed intents file or config refuses the instance with a clear error") {
  BotHost host;
  sb::test::TempDir tenants("autoreply-intents");
  std::ofstream(tenants.path() / "intents.toml") << R"([[intents]]
name = "human"
examples = ["talk to a human", "转人工", "real person"]

[[intents]]
name = "refund"
examples = ["refund", "money back"]
)";
  std::string error;
  CHECK_FALSE(host.create("autoreply-intent", R"({"file":"intents.toml"})", tenants.path(), error));
  CHECK_THAT(error, Catch::Contains((tenants.path() / "intents.toml").string() +
                                    ":7: intents[1].examples: needs at least 3 examples"));

  CHECK_FALSE(host.create("autoreply-intent",
                          R"({"file":"demo/intents.toml","handoff":["humans"]})", kTenantsDir,
                          error));
  CHECK_THAT(error, Catch::Contains("handoff: 'humans' is not an intent in demo/intents.toml"));

  CHECK_FALSE(host.create("autoreply-intent", "{}", kTenantsDir, error));
  CHECK_THAT(error, Catch::Contains("file: missing"));
}
