// What stages answer, read against the result contract of sb_plugin.h: every field
// that breaks it is named (with its path), keys this host does not know are left
// alone, and an LLM answer needs its text.
#include "bots/result_json.hpp"

#include <catch2/catch.hpp>

using sb::bots::parse_autoreply_result;
using sb::bots::parse_llm_result;

TEST_CASE("an auto-reply result is read field by field") {
  auto a = parse_autoreply_result(
      R"({"reply":"Hi","quick_replies":["Yes","No"],"handoff":{"group":"sales","reason":"asked"},)"
      R"("state":{"step":2},"score":0.8,"source":"faq#x","later_key":1})");
  CHECK(a.error.empty());
  CHECK(a.reply == "Hi");
  CHECK(a.quick_replies == std::vector<std::string>{"Yes", "No"});
  CHECK(a.handoff);
  CHECK(a.handoff_group == "sales");
  CHECK(a.handoff_reason == "asked");
  CHECK(a.state == std::optional<std::string>(R"({"step":2})"));
  CHECK(a.score == Approx(0.8));
  CHECK(a.source == "faq#x");
  CHECK(a.acts());

  CHECK(parse_autoreply_result("").error.empty());
  CHECK(parse_autoreply_result(R"({"reply":""})").error.empty());  // says nothing
  CHECK_FALSE(parse_autoreply_result(R"({"reply":""})").acts());
  CHECK(parse_autoreply_result("[1]").error == "the result is not a JSON object");
}

TEST_CASE("every field that breaks the contract is named, not only the first") {
  auto a = parse_autoreply_result(
      R"({"reply":7,"close":"yes","quick_replies":["ok",2],"handoff":{"group":1}})");
  CHECK_THAT(a.error, Catch::Contains("reply must be a string, not a number"));
  CHECK_THAT(a.error, Catch::Contains("close must be true or false, not a string"));
  CHECK_THAT(a.error, Catch::Contains("quick_replies[1] must be a string, not a number"));
  CHECK_THAT(a.error, Catch::Contains("handoff: group must be a string, not a number"));
  CHECK_THAT(parse_autoreply_result(R"({"handoff":"now"})").error,
             Catch::Contains("handoff must be true, false or an object, not a string"));
}

TEST_CASE("an LLM result needs a text that says something") {
  auto a =
      parse_llm_result(R"({"text":"Hello","usage":{"prompt_tokens":10,"completion_tokens":5}})");
  CHECK(a.error.empty());
  CHECK(a.text == "Hello");
  CHECK(a.tokens == 15);
  CHECK_THAT(parse_llm_result("{}").error, Catch::Contains("text is required"));
  CHECK_THAT(parse_llm_result(R"({"text":3})").error,
             Catch::Contains("text must be a string, not a number"));
  CHECK(parse_llm_result(R"({"text":"  "})").error == "the answer is empty");
}
