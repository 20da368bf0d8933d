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
    const char* tag;  // the code and values in front, as they cross the ABI
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
       7, "intents[1].exampels", "unknown key",
       "[unknown_key expected=name,%20examples,%20action] "},
      {R"(
[[intents]]
name = "a"
examples = ["x one", "x two"]
[[intents]]
name = "b"
examples = ["y one", "y two", "y three"]
)",
       4, "intents[0].examples", "at least 3 examples", "[too_few_examples min=3 has=2] "},
      {R"(
[[intents]]
name = "a"
examples = ["x one", "x two", "x three"]
)",
       2, "intents", "2 to 256 intents", "[too_few_intents min=2 has=1] "},
      {R"(
[[intents]]
name = "a"
examples = ["x one", "x two", "x three"]
[[intents]]
name = "a"
examples = ["y one", "y two", "y three"]
)",
       6, "intents[1].name", "first defined on line 3", "[duplicate first_line=3] "},
      {R"(
[[intents]]
name = "a"
examples = ["x one", "x two", "x three"]
action = { flow_node = "" }
[[intents]]
name = "b"
examples = ["y one", "y two", "y three"]
)",
       5, "intents[0].action.flow_node", "non-empty string", "[empty] "},
      {R"(
[[intents]]
name = "a"
examples = ["x one", "x two", "x three"]
action = { goto = "x" }
[[intents]]
name = "b"
examples = ["y one", "y two", "y three"]
)",
       5, "intents[0].action.goto", "unknown action",
       "[unknown_action expected=handoff,%20flow_node,%20faq_tag] "},
      {R"(
[[intents]]
name = "a"
examples = ["x one", "x two", "x three"]
action = { handoff = true, faq_tag = "x" }
[[intents]]
name = "b"
examples = ["y one", "y two", "y three"]
)",
       5, "intents[0].action", "exactly one",
       "[one_action expected=handoff,%20flow_node,%20faq_tag] "},
      {R"(
[[intents]]
name = "human"
examples = ["x one", "x two", "x three"]
action = { faq_tag = "people" }
[[intents]]
name = "b"
examples = ["y one", "y two", "y three"]
)",
       5, "intents[0].action.faq_tag", "always hands off", "[human_hands_off] "},
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
       7, "intents[0].examples[2]", "has no words", "[no_words] "},
      {R"(
[[intents]]
name = "a"
examples = ["x one", "x two", "x three"]
[[intents]]
examples = ["y one", "y two", "y three"]
)",
       5, "intents[1].name", "missing", "[missing] "},
      {R"(
threshold = 0.5
[[intents]]
name = "a"
examples = ["x one", "x two", "x three"]
)",
       2, "threshold", "unknown key", "[unknown_key expected=%5B%5Bintents%5D%5D] "},
      {R"(
[[intents]]
name = "a"
examples = ["x one", "x two", "x three"
)",
       4, "", "", "[syntax] "},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const auto e = error_of(c.text);
    CHECK(e.file() == "tenant/intents.toml");
    CHECK(e.line() == c.line);
    CHECK(e.key() == c.key);
    CHECK_THAT(e.what(), Catch::StartsWith(std::string(c.tag) + "tenant/intents.toml:" +
                                           std::to_string(c.line) + ": ") &&
                             Catch::Contains(c.reason));
    CHECK(switchboard::autoreply::problem_tag(e.problem()) == c.tag);
  }
}

TEST_CASE("each refusal's code, with the values its sentence needs", "[loader]") {
  // The first intent as each case writes it, then one that loads.
  const std::string examples = "examples = [\"x one\", \"x two\", \"x three\"]\n";
  const std::string second =
      "[[intents]]\nname = \"b\"\nexamples = [\"y one\", \"y two\", \"y three\"]\n";
  struct Case {
    std::string first;
    const char* key;
    const char* tag;
  };
  const Case cases[] = {
      {"name = \"a\"\nexamples = \"x one\"\n", "intents[0].examples", "[not_string_list] "},
      {"name = 7\n" + examples, "intents[0].name", "[not_string] "},
      {"name = \"a\"\n" + examples + "action = \"handoff\"\n", "intents[0].action", "[not_table] "},
      {"name = \"a\"\n" + examples + "action = { handoff = false }\n", "intents[0].action.handoff",
       "[handoff_not_true] "},
      {"name = \"a\"\n" + examples + "action = { faq_tag = 3 }\n", "intents[0].action.faq_tag",
       "[not_string] "},
      {"name = \"a\"\nexamples = [\"x one\", \" \", \"x three\"]\n", "intents[0].examples[1]",
       "[empty] "},
  };
  for (const auto& c : cases) {
    const auto text = "[[intents]]\n" + c.first + second;
    INFO(text);
    const auto e = error_of(text);
    CHECK(e.key() == c.key);
    CHECK(switchboard::autoreply::problem_tag(e.problem()) == c.tag);
    CHECK_THAT(e.what(), Catch::StartsWith(std::string(c.tag) + "tenant/intents.toml:"));
  }
  // Mistakes of the file, not of one intent.
  CHECK_THAT(error_of("intents = 3\n").what(),
             Catch::StartsWith("[not_table_list] tenant/intents.toml:1: intents: "));
  CHECK_THAT(
      error_of("[[intents]]\nname = \"a\"\n" + examples + "[[intents]]\nname = \"b\"\n").what(),
      Catch::StartsWith("[missing] tenant/intents.toml:4: intents[1].examples: "));
  CHECK_THAT(error_of("# no intents\n").what(),
             Catch::StartsWith("[missing] tenant/intents.toml:0: intents: "));
}

TEST_CASE("too many intents or examples: the limits travel with the code", "[loader]") {
  std::string many_examples = "[[intents]]\nname = \"a\"\nexamples = [";
  for (std::size_t i = 0; i <= kMaxExamplesPerIntent; ++i)
    many_examples += "\"word" + std::to_string(i) + "\", ";
  many_examples += "]\n[[intents]]\nname = \"b\"\nexamples = [\"y one\", \"y two\", \"y three\"]\n";
  const auto examples = error_of(many_examples);
  CHECK(examples.key() == "intents[0].examples");
  CHECK(examples.problem().code == "too_many_examples");
  CHECK(examples.problem().values ==
        std::vector<std::pair<std::string, std::string>>{{"max", "1000"}, {"has", "1001"}});
  CHECK_THAT(examples.what(), Catch::StartsWith("[too_many_examples max=1000 has=1001] "));

  std::string many_intents;
  for (std::size_t i = 0; i <= kMaxIntents; ++i)
    many_intents += "[[intents]]\nname = \"i" + std::to_string(i) +
                    "\"\nexamples = [\"x one\", \"x two\", \"x three\"]\n";
  const auto intents = error_of(many_intents);
  CHECK(intents.key() == "intents");
  CHECK(intents.problem().code == "too_many_intents");
  CHECK(intents.problem().values ==
        std::vector<std::pair<std::string, std::string>>{{"max", "256"}, {"has", "257"}});
}

TEST_CASE("a missing file is an error naming it", "[loader]") {
  const auto path = std::filesystem::temp_directory_path() / "no-such-dir-intents" / "x.toml";
  CHECK_THROWS_WITH(load_intent_file(path), Catch::StartsWith("[unreadable] ") &&
                                                Catch::Contains(path.string()) &&
                                                Catch::Contains("cannot open"));
}
