// The intents file: what a tenant admin writes, and errors that point at the line.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "fixture.hpp"
#include "intent_loader.hpp"

using namespace switchboard::intent;

namespace {

constexpr const char* kTwoIntents = R"(
[[intents]]
name = "human"
examples = ["talk to a human", "转人工", "real person"]

[[intents]]
name = "order_status"
examples = ["where is my order", "订单到哪了", "track my parcel"]
action = { flow_node = "order_status" }
)";

// Parses `text` expecting an error; returns it.
IntentLoadError error_of(const std::string& text) {
  try {
    parse_intents(text, "tenant/intents.toml");
  } catch (const IntentLoadError& e) {
    return e;
  }
  FAIL("no error for:\n" << text);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("the shop fixture loads with its actions", "[loader]") {
  const auto intents = intent_test::shop_intents();
  REQUIRE(intents.size() >= 8);
  for (const auto& intent : intents) {
    INFO(intent.name);
    CHECK(intent.examples.size() >= 8);
    CHECK(intent.examples.size() <= 15);
  }
  CHECK(intents[0].name == "human");
  CHECK(intents[0].action.kind == IntentAction::Kind::handoff);
  CHECK(intents[1].action.kind == IntentAction::Kind::flow_node);
  CHECK(intents[1].action.target == "order_status");
  CHECK(intents[2].action.kind == IntentAction::Kind::faq_tag);
  CHECK(intents[2].action.target == "refunds");
}

TEST_CASE("'human' hands off without an action, others without one are only reported", "[loader]") {
  const auto intents = parse_intents(kTwoIntents, "t.toml");
  REQUIRE(intents.size() == 2);
  CHECK(intents[0].action.kind == IntentAction::Kind::handoff);
  CHECK(intents[1].action.kind == IntentAction::Kind::flow_node);
  const auto no_action = parse_intents(R"(
[[intents]]
name = "greeting"
examples = ["hi", "hello", "你好"]
[[intents]]
name = "thanks"
examples = ["thanks", "thank you", "谢谢"]
action = { handoff = true }
)",
                                       "t.toml");
  CHECK(no_action[0].action.kind == IntentAction::Kind::none);
  CHECK(no_action[1].action.kind == IntentAction::Kind::handoff);
}

TEST_CASE("loader errors name file, line and key", "[loader]") {
  struct Case {
    const char* text;
    std::uint32_t line;
    const char* key;
    const char* reason;
  };
  const Case cases[] = {
      // line 1 is the empty line after R"(
      {R"(
[[intents]]
name = "a"
examples = ["x one", "x two", "x three"]
[[intents]]
name = "b"
exampels = ["y one", "y two", "y three"]
)",
       7, "intents[1].exampels", "unknown key"},
      {R"(
[[intents]]
name = "a"
examples = ["x one", "x two"]
[[intents]]
name = "b"
examples = ["y one", "y two", "y three"]
)",
       4, "intents[0].examples", "at least 3 examples"},
      {R"(
[[intents]]
name = "a"
examples = ["x one", "x two", "x three"]
)",
       2, "intents", "2 to 256 intents"},
      {R"(
[[intents]]
name = "a"
examples = ["x one", "x two", "x three"]
[[intents]]
name = "a"
examples = ["y one", "y two", "y three"]
)",
       6, "intents[1].name", "first defined on line 3"},
      {R"(
[[intents]]
name = "a"
examples = ["x one", "x two", "x three"]
action = { flow_node = "" }
[[intents]]
name = "b"
examples = ["y one", "y two", "y three"]
)",
       5, "intents[0].action.flow_node", "non-empty string"},
      {R"(
[[intents]]
name = "a"
examples = ["x one", "x two", "x three"]
action = { goto = "x" }
[[intents]]
name = "b"
examples = ["y one", "y two", "y three"]
)",
       5, "intents[0].action.goto", "unknown action"},
      {R"(
[[intents]]
name = "a"
examples = ["x one", "x two", "x three"]
action = { handoff = true, faq_tag = "x" }
[[intents]]
name = "b"
examples = ["y one", "y two", "y three"]
)",
       5, "intents[0].action", "exactly one"},
      {R"(
[[intents]]
name = "human"
examples = ["x one", "x two", "x three"]
action = { faq_tag = "people" }
[[intents]]
name = "b"
examples = ["y one", "y two", "y three"]
)",
       5, "intents[0].action.faq_tag", "always hands off"},
      {R"(
[[intents]]
name = "a"
examples = [
  "x one",
  "x two",
  "?!",
]
[[intents]]
name = "b"
examples = ["y one", "y two", "y three"]
)",
       7, "intents[0].examples[2]", "has no words"},
      {R"(
[[intents]]
name = "a"
examples = ["x one", "x two", "x three"]
[[intents]]
examples = ["y one", "y two", "y three"]
)",
       5, "intents[1].name", "missing"},
      {R"(
threshold = 0.5
[[intents]]
name = "a"
examples = ["x one", "x two", "x three"]
)",
       2, "threshold", "unknown key"},
      {R"(
[[intents]]
name = "a"
examples = ["x one", "x two", "x three"
)",
       4, "", ""},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const auto e = error_of(c.text);
    CHECK(e.file() == "tenant/intents.toml");
    CHECK(e.line() == c.line);
    CHECK(e.key() == c.key);
    CHECK_THAT(e.what(),
               Catch::StartsWith("tenant/intents.toml:" + std::to_string(c.line) + ": ") &&
                   Catch::Contains(c.reason));
  }
}

TEST_CASE("a missing file is an error naming it", "[loader]") {
  const auto path = std::filesystem::temp_directory_path() / "no-such-dir-intents" / "x.toml";
  CHECK_THROWS_WITH(load_intent_file(path),
                    Catch::Contains(path.string()) && Catch::Contains("cannot open"));
}
