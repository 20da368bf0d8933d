// autoreply-faq through the plugin host with the demo tenant's knowledge base
// (tenants/demo/faq.toml). The visitor messages are paraphrases, not the questions
// written in the file, so the answers come from retrieval, not from string equality.
#include <fstream>

#include "bot_host.hpp"

using namespace autoreply_test;

namespace {

constexpr const char* kDemoConfig = R"({"files":["demo/faq.toml"]})";

}  // namespace

TEST_CASE("the demo knowledge base answers English and Chinese paraphrases in their language") {
  BotHost host;
  const auto faq = host.create("autoreply-faq", kDemoConfig);

  const auto english = host.reply(faq, "I forgot the password for my account");
  REQUIRE(english.status == SB_OK);
  CHECK(text_at(english.result, "source") == "demo/faq.toml#password-reset");
  CHECK_THAT(text_at(english.result, "reply"), Catch::StartsWith("On the sign-in page"));
  CHECK(english.result.at("score").to_number<double>() >= 0.30);

  // No language from the widget: the Chinese characters pick the Chinese answer.
  const auto chinese = host.reply(faq, "密码忘了");
  REQUIRE(chinese.status == SB_OK);
  CHECK(text_at(chinese.result, "source") == "demo/faq.toml#password-reset");
  CHECK_THAT(text_at(chinese.result, "reply"), Catch::StartsWith("在登录页点击"));

  const auto contact = host.reply(faq, "怎么联系客服");
  REQUIRE(contact.status == SB_OK);
  CHECK(text_at(contact.result, "source") == "demo/faq.toml#contact");
  CHECK_THAT(text_at(contact.result, "reply"), Catch::Contains("help@demo-shop.example"));

  // The widget's language wins: an English question from a zh-CN visitor.
  const auto zh_visitor = host.reply(faq, "do you deliver to Canada", "{}", "zh-CN");
  REQUIRE(zh_visitor.status == SB_OK);
  CHECK(text_at(zh_visitor.result, "source") == "demo/faq.toml#shipping-international");
  CHECK_THAT(text_at(zh_visitor.result, "reply"), Catch::StartsWith("可以，我们配送到"));
}

TEST_CASE("below the threshold it defers and hands the closest entries to later stages") {
  BotHost host;
  const auto faq = host.create("autoreply-faq", kDemoConfig);

  const auto unsure = host.reply(faq, "can I return my shoes after two weeks");
  REQUIRE(unsure.status == SB_DEFER);
  CHECK_FALSE(unsure.result.contains("reply"));
  const auto& entries = unsure.result.at("context").at("faq").as_array();
  REQUIRE(!entries.empty());
  CHECK(entries.size() <= 3);
  // The return policy is among the entries the model stage is given (the refund
  // timing entry, which also speaks of returns, may rank above it), each with its
  // source, answer and a score below the threshold.
  const boost::json::object* policy = nullptr;
  for (const auto& e : entries) {
    const auto& entry = e.as_object();
    CHECK(entry.at("score").to_number<double>() < 0.30);
    CHECK(!text_at(entry, "question").empty());
    if (text_at(entry, "id") == "return-policy") policy = &entry;
  }
  REQUIRE(policy != nullptr);
  CHECK(text_at(*policy, "source") == "demo/faq.toml#return-policy");
  CHECK_THAT(text_at(*policy, "answer"), Catch::Contains("30 days"));

  // context_entries = 0: nothing for the LLM stage, and still no answer.
  const auto quiet =
      host.create("autoreply-faq", R"({"files":["demo/faq.toml"],"context_entries":0})");
  const auto nothing = host.reply(quiet, "can I return my shoes after two weeks");
  CHECK(nothing.status == SB_DEFER);
  CHECK(nothing.result.empty());

  // A stricter threshold turns an answer into a deferral.
  const auto strict =
      host.create("autoreply-faq", R"({"files":["demo/faq.toml"],"threshold":0.95})");
  CHECK(host.reply(strict, "I forgot the password for my account").status == SB_DEFER);

  const auto unrelated = host.reply(faq, "what's the weather in Paris");
  CHECK(unrelated.status == SB_DEFER);
  CHECK_FALSE(unrelated.result.contains("reply"));
}

TEST_CASE("an intent's FAQ tag picks among the entries with that tag") {
  BotHost host;
  const auto faq = host.create("autoreply-faq", kDemoConfig);
  // "how long" alone is about warranties as much as refunds or delivery; the intent
  // stage's tag (context.intent.faq_tag) says which.
  const auto refunds = host.reply(
      faq, "how long", R"({"intent":{"name":"refund","confidence":0.9,"faq_tag":"refunds"}})");
  REQUIRE(refunds.status == SB_OK);
  CHECK(text_at(refunds.result, "source") == "demo/faq.toml#refund-time");
  const auto shipping = host.reply(
      faq, "how long", R"({"intent":{"name":"shipping","confidence":0.9,"faq_tag":"shipping"}})");
  REQUIRE(shipping.status == SB_OK);
  CHECK(text_at(shipping.result, "source") == "demo/faq.toml#shipping-time");
  const auto untagged = host.reply(faq, "how long");
  CHECK(text_at(untagged.result, "source") != "demo/faq.toml#refund-time");
}

TEST_CASE("a malformed knowledge base refuses the instance, naming file, line and entry") {
  BotHost host;
  sb::test::TempDir tenants("autoreply-kb");
  std::ofstream(tenants.path() / "kb.toml") << R"([[entries]]
id = "hours"
questions = ["When are you open?"]
answer = "9 to 5."

[[entries]]
id = "refunds"
questions = ["How long does a refund take?"]
)";
  std::string error;
  CHECK_FALSE(host.create("autoreply-faq", R"({"files":["kb.toml"]})", tenants.path(), error));
  CHECK_THAT(error, Catch::Contains((tenants.path() / "kb.toml").string() +
                                    ":6: entries[1].answer: missing"));

  CHECK_FALSE(host.create("autoreply-faq", R"({"files":["missing.toml"]})", tenants.path(), error));
  CHECK_THAT(error, Catch::Contains("missing.toml") && Catch::Contains("cannot open the file"));

  CHECK_FALSE(host.create("autoreply-faq", R"({"files":["kb.toml"],"threshold":1.5})",
                          tenants.path(), error));
  CHECK_THAT(error, Catch::Contains("threshold: must be between 0 and 1 (is 1.5)"));

  CHECK_FALSE(host.create("autoreply-faq", "{}", tenants.path(), error));
  CHECK_THAT(error, Catch::Contains("files: missing"));
}
