// The [bot] table: defaults, every key read, and errors naming the key.
#include <catch2/catch.hpp>

#include "tenant_test_support.hpp"

using namespace sb::tenants;
using namespace sb::tenants::test;

TEST_CASE("a tenant without [bot] has no bot, a minimal [bot] takes the defaults") {
  auto none = load("name = \"Shop\"\n");
  REQUIRE(none.config);
  CHECK_FALSE(none.config->bot);

  auto minimal = load(R"(name = "Shop"
[bot]
pipeline = ["autoreply-faq"]
)");
  INFO(minimal.all());
  REQUIRE(minimal.config);
  REQUIRE(minimal.config->bot);
  const BotConfig& bot = *minimal.config->bot;
  CHECK(bot.pipeline == std::vector<std::string>{"autoreply-faq"});
  CHECK(bot.timeout_ms == 3000);
  CHECK(bot.daily_token_budget == 0);
  CHECK_FALSE(bot.bot_first);
  // The bot's own texts come in both languages of the product unless the tenant's say.
  CHECK(bot.holding_reply.in("en") == "One moment please, I am looking into it.");
  CHECK(bot.handoff_reply.in("zh-CN") == "正在为您转接人工客服，请稍候。");
  CHECK(bot.handoff_intents == std::vector<std::string>{"human"});
  CHECK(std::find(bot.handoff_phrases.begin(), bot.handoff_phrases.end(), "转人工") !=
        bot.handoff_phrases.end());
  CHECK_FALSE(bot.feedback);
  CHECK(bot.low_confidence == 0.4);
}

TEST_CASE("every [bot] key is read") {
  auto loaded = load(R"(name = "Shop"
[bot]
pipeline = ["autoreply-flow", "autoreply-faq", "llm-openai"]
name = "Ada"
bot_first = true
timeout_ms = 1500
stage_timeout_ms = 9000
holding_reply = "Hold on"
handoff_reply = "A colleague takes over"
system_prompt = "Be brief."
faq_context_entries = 5
max_tokens = 300
daily_token_budget = 200000
breaker_failures = 4
breaker_cooldown_s = 30
handoff_phrases = ["Operator", "人工"]
handoff_intents = ["human", "complaint"]
feedback = true
low_confidence = 0.55
)");
  INFO(loaded.all());
  REQUIRE(loaded.config);
  const BotConfig& bot = *loaded.config->bot;
  CHECK(bot.pipeline.size() == 3);
  CHECK(bot.name == "Ada");
  CHECK(bot.bot_first);
  CHECK(bot.timeout_ms == 1500);
  CHECK(bot.stage_timeout_ms == 9000);
  CHECK(bot.holding_reply == "Hold on");
  CHECK(bot.feedback);
  CHECK(bot.low_confidence == 0.55);
  CHECK(bot.handoff_reply == "A colleague takes over");
  CHECK(bot.system_prompt == "Be brief.");
  CHECK(bot.faq_context_entries == 5);
  CHECK(bot.max_tokens == 300);
  CHECK(bot.daily_token_budget == 200000);
  CHECK(bot.breaker_failures == 4);
  CHECK(bot.breaker_cooldown_s == 30);
  CHECK(bot.handoff_phrases == std::vector<std::string>{"operator", "人工"});
  CHECK(bot.handoff_intents == std::vector<std::string>{"human", "complaint"});
}

TEST_CASE("[bot] errors name the key: stages of the wrong kind, unknown keys, bad values") {
  auto loaded = load(R"(name = "Shop"
[bot]
pipeline = ["autoreply-faq", "routing-sticky", "autoreply-faq", "autoreply-nope"]
timeout_ms = 5
holding = "typo"
)");
  INFO(loaded.all());
  CHECK_FALSE(loaded.config);
  REQUIRE(loaded.error("bot.pipeline[1]"));
  CHECK_THAT(loaded.error("bot.pipeline[1]")->message,
             Catch::Contains("not an auto-reply or llm plugin"));
  REQUIRE(loaded.error("bot.pipeline[2]"));
  CHECK_THAT(loaded.error("bot.pipeline[2]")->message, Catch::Contains("already"));
  REQUIRE(loaded.error("bot.pipeline[3]"));
  CHECK_THAT(loaded.error("bot.pipeline[3]")->message, Catch::Contains("not installed"));
  REQUIRE(loaded.error("bot.timeout_ms"));
  CHECK(loaded.error("bot.timeout_ms")->line == 4);
  REQUIRE(loaded.error("bot.holding"));

  auto no_pipeline = load("name = \"Shop\"\n[bot]\nname = \"Ada\"\n");
  CHECK_FALSE(no_pipeline.config);
  CHECK(no_pipeline.error("bot.pipeline"));
}

TEST_CASE("[bot] low_confidence is a number from 0 to 1, 0 and 1 may be written as integers") {
  auto one = load("name = \"Shop\"\n[bot]\npipeline = [\"autoreply-faq\"]\nlow_confidence = 1\n");
  INFO(one.all());
  REQUIRE(one.config);
  CHECK(one.config->bot->low_confidence == 1.0);
  auto too_high =
      load("name = \"Shop\"\n[bot]\npipeline = [\"autoreply-faq\"]\nlow_confidence = 1.5\n");
  CHECK_FALSE(too_high.config);
  REQUIRE(too_high.error("bot.low_confidence"));
  CHECK_THAT(too_high.error("bot.low_confidence")->message, Catch::Contains("between 0 and 1"));
  auto text =
      load("name = \"Shop\"\n[bot]\npipeline = [\"autoreply-faq\"]\nlow_confidence = \"high\"\n");
  REQUIRE(text.error("bot.low_confidence"));
  auto feedback =
      load("name = \"Shop\"\n[bot]\npipeline = [\"autoreply-faq\"]\nfeedback = \"yes\"\n");
  CHECK(feedback.error("bot.feedback"));
}

TEST_CASE("[bot] texts may be one per language, a plain string serves every language") {
  auto loaded = load(R"(name = "Shop"
[bot]
pipeline = ["autoreply-faq"]
name = { en = "Shop helper", zh = "小助手" }
holding_reply = "Un instant"
handoff_reply = { en = "A colleague takes over", zh = "同事马上接手", zh-TW = "同事馬上接手" }
)");
  INFO(loaded.all());
  REQUIRE(loaded.config);
  const BotConfig& bot = *loaded.config->bot;
  CHECK(bot.name.in("zh-CN") == "小助手");  // the bot's name too
  CHECK(bot.name.in("en") == "Shop helper");
  CHECK(bot.name.in("") == "Shop helper");
  CHECK(bot.holding_reply.in("zh") == "Un instant");
  CHECK(bot.holding_reply.in("en") == "Un instant");
  CHECK(bot.handoff_reply.in("zh") == "同事马上接手");
  CHECK(bot.handoff_reply.in("zh-TW") == "同事馬上接手");
  CHECK(bot.handoff_reply.in("zh-HK") == "同事马上接手");
  CHECK(bot.handoff_reply.in("fr") == "A colleague takes over");  // else English
  // An empty string says nothing (no holding reply).
  auto silent =
      load("name = \"Shop\"\n[bot]\npipeline = [\"autoreply-faq\"]\nholding_reply = \"\"\n");
  REQUIRE(silent.config);
  CHECK(silent.config->bot->holding_reply.empty());

  auto bad = load(R"(name = "Shop"
[bot]
pipeline = ["autoreply-faq"]
name = { zh = "" }
holding_reply = { en = 5, zh = "" }
handoff_reply = {}
)");
  INFO(bad.all());
  CHECK_FALSE(bad.config);
  REQUIRE(bad.error("bot.holding_reply.en"));
  CHECK_THAT(bad.error("bot.holding_reply.en")->message, Catch::Contains("must be a string"));
  REQUIRE(bad.error("bot.holding_reply.zh"));
  CHECK_THAT(bad.error("bot.holding_reply.zh")->message, Catch::Contains("must not be empty"));
  REQUIRE(bad.error("bot.handoff_reply"));
  CHECK_THAT(bad.error("bot.handoff_reply")->message, Catch::Contains("at least one language"));
  REQUIRE(bad.error("bot.name.zh"));
  CHECK_THAT(bad.error("bot.name.zh")->message, Catch::Contains("must not be empty"));
  auto number = load("name = \"Shop\"\n[bot]\npipeline = [\"autoreply-faq\"]\nhandoff_reply = 3\n");
  REQUIRE(number.error("bot.handoff_reply"));
  CHECK_THAT(number.error("bot.handoff_reply")->message, Catch::Contains("a string or a table"));
}
