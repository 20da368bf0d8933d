#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "faq_loader.hpp"

using namespace switchboard::faq;

namespace {

// Runs parse_faq and returns the error it must raise.
FaqLoadError load_error(const std::string& text) {
  try {
    parse_faq(text, "kb.toml");
  } catch (const FaqLoadError& e) {
    return e;
  }
  FAIL("no error for:\n" << text);
  throw;  // unreachable
}

}  // namespace

TEST_CASE("a valid knowledge base loads with all fields", "[loader]") {
  const auto entries = parse_faq(R"(
[[entries]]
id = "refund-time"
questions = ["How long does a refund take?", "退款多久到账"]
answer = "5-7 business days."
tags = ["refunds"]

[[entries]]
id = "hours"
questions = ["When are you open?"]
answer = "9 to 5."
)",
                                 "kb.toml");
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].id == "refund-time");
  CHECK(entries[0].questions.size() == 2);
  CHECK(entries[0].tags == std::vector<std::string>{"refunds"});
  CHECK(entries[1].tags.empty());
  CHECK(parse_faq("", "empty.toml").empty());
}

TEST_CASE("the fixture file loads", "[loader]") {
  CHECK(load_faq_file(FAQ_FIXTURE_DIR "/shop_faq.toml").size() >= 60);
}

TEST_CASE("errors name file, line and key", "[loader]") {
  SECTION("duplicate id, pointing at both lines") {
    const auto e = load_error(R"([[entries]]
id = "a"
questions = ["q one"]
answer = "x"

[[entries]]
id = "a"
questions = ["q two"]
answer = "y"
)");
    CHECK(e.file() == "kb.toml");
    CHECK(e.line() == 7);
    CHECK(e.key() == "entries[1].id");
    CHECK_THAT(e.what(), Catch::StartsWith("[duplicate first_line=2] kb.toml:7: entries[1].id: "
                                           "duplicate id 'a'") &&
                             Catch::Contains("line 2"));
    CHECK(e.problem().code == "duplicate");
  }
  SECTION("empty question") {
    const auto e = load_error(R"([[entries]]
id = "a"
questions = ["fine",
             "  "]
answer = "x"
)");
    CHECK(e.line() == 4);
    CHECK(e.key() == "entries[0].questions[1]");
    CHECK_THAT(e.what(), Catch::Contains("must not be empty"));
    CHECK(e.problem().code == "empty");
  }
  SECTION("empty question list") {
    const auto e = load_error("[[entries]]\nid = \"a\"\nquestions = []\nanswer = \"x\"\n");
    CHECK(e.line() == 3);
    CHECK(e.key() == "entries[0].questions");
    CHECK(e.problem().code == "empty");
  }
  SECTION("empty answer") {
    const auto e =
        load_error("[[entries]]\nid = \"a\"\nquestions = [\"refund?\"]\nanswer = \"\"\n");
    CHECK(e.line() == 4);
    CHECK(e.key() == "entries[0].answer");
    CHECK(e.problem().code == "empty");
  }
  SECTION("missing answer names the entry's line") {
    const auto e = load_error(
        "[[entries]]\nid = \"a\"\nquestions = [\"refund?\"]\n\n[[entries]]\nid = \"b\"\nquestions "
        "= [\"returns\"]\n");
    CHECK(e.key() == "entries[0].answer");
    CHECK_THAT(e.what(), Catch::Contains("missing"));
    CHECK(e.problem().code == "missing");
  }
  SECTION("a question with nothing searchable") {
    const auto e =
        load_error("[[entries]]\nid = \"a\"\nquestions = [\"🙂 ?!\"]\nanswer = \"x\"\n");
    CHECK(e.line() == 3);
    CHECK_THAT(e.what(), Catch::Contains("no searchable words"));
    CHECK(e.problem().code == "no_words");
  }
  SECTION("unknown key, e.g. a typo") {
    const auto e = load_error("[[entries]]\nid = \"a\"\nquestion = [\"q\"]\nanswer = \"x\"\n");
    CHECK(e.line() == 3);
    CHECK(e.key() == "entries[0].question");
    CHECK_THAT(e.what(),
               Catch::StartsWith("[unknown_key expected=id,%20questions,%20answer,%20tags] "));
    CHECK(e.problem().values == std::vector<std::pair<std::string, std::string>>{
                                    {"expected", "id, questions, answer, tags"}});
  }
  SECTION("unknown top-level key") {
    const auto e = load_error("title = \"kb\"\n");
    CHECK(e.line() == 1);
    CHECK(e.key() == "title");
    CHECK(e.problem().code == "unknown_key");
    CHECK(e.problem().values == std::vector<std::pair<std::string, std::string>>{
                                    {"expected", "[[entries]], not_for_bot"}});
  }
  SECTION("wrong type") {
    const auto e = load_error("[[entries]]\nid = 7\nquestions = [\"refund?\"]\nanswer = \"x\"\n");
    CHECK(e.line() == 2);
    CHECK_THAT(e.what(), Catch::Contains("must be a string"));
    CHECK(e.problem().code == "not_string");
  }
  SECTION("questions that are not a list") {
    const auto e = load_error("[[entries]]\nid = \"a\"\nquestions = \"refund?\"\nanswer = \"x\"\n");
    CHECK(e.key() == "entries[0].questions");
    CHECK(e.problem().code == "not_string_list");
  }
  SECTION("entries that are not a list of tables") {
    const auto e = load_error("entries = [\"refund?\"]\n");
    CHECK(e.key() == "entries");
    CHECK_THAT(e.what(), Catch::StartsWith("[not_table_list] kb.toml:1: entries: "));
  }
  SECTION("an answer per language with none given") {
    const auto e = load_error("[[entries]]\nid = \"a\"\nquestions = [\"refund?\"]\nanswer = {}\n");
    CHECK(e.key() == "entries[0].answer");
    CHECK(e.problem().code == "empty");
  }
  SECTION("an answer in one language that is not text") {
    const auto e =
        load_error("[[entries]]\nid = \"a\"\nquestions = [\"refund?\"]\nanswer = { en = 1 }\n");
    CHECK(e.key() == "entries[0].answer.en");
    CHECK(e.problem().code == "not_string");
  }
  SECTION("TOML syntax error") {
    const auto e =
        load_error("[[entries]]\nid = \"a\"\nquestions = [\"refund?\"\nanswer = \"x\"\n");
    CHECK(e.line() >= 3);
    CHECK_THAT(e.what(), Catch::StartsWith("[syntax] kb.toml:"));
    CHECK(e.problem().code == "syntax");
  }
}

// The admin page writes `entries = []` when an admin deletes every entry and saves;
// it was refused as "must be an array of tables", while a file of nothing loaded.
TEST_CASE("an empty list of entries is a knowledge base with none", "[loader]") {
  CHECK(parse_faq("entries = []\n", "kb.toml").empty());
  CHECK(parse_faq("# nothing yet\n", "kb.toml").empty());
}

TEST_CASE("a missing file is an error naming it", "[loader]") {
  const auto path = std::filesystem::temp_directory_path() / "autoreply-faq-does-not-exist.toml";
  CHECK_THROWS_WITH(load_faq_file(path), Catch::Contains(path.string()));
}

TEST_CASE("an answer may be given per language", "[loader]") {
  const auto entries = parse_faq(R"([[entries]]
id = "hours"
questions = ["When are you open?", "营业时间"]
answer = { zh = "九点到五点。", en = "9 to 5." }

[[entries]]
id = "refunds"
questions = ["refund"]
answer = { zh = "五个工作日。", de = "Fünf Werktage." }
)",
                                 "kb.toml");
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].answer == "9 to 5.");  // English is the default when given
  CHECK(entries[0].answer_in("zh-CN") == "九点到五点。");
  CHECK(entries[0].answer_in("zh") == "九点到五点。");
  CHECK(entries[0].answer_in("en-GB") == "9 to 5.");
  CHECK(entries[0].answer_in("fr") == "9 to 5.");
  CHECK(entries[0].answer_in("") == "9 to 5.");
  CHECK(entries[1].answer == "五个工作日。");  // else the first given
  CHECK(entries[1].answer_in("de") == "Fünf Werktage.");

  try {
    parse_faq(
        "[[entries]]\nid = \"a\"\nquestions = [\"q one\"]\nanswer = { en = \"x\", zh = \"\" }\n",
        "kb.toml");
    FAIL("an empty translation loaded");
  } catch (const FaqLoadError& e) {
    CHECK(e.line() == 4);
    CHECK(e.key() == "entries[0].answer.zh");
    CHECK_THAT(e.what(), Catch::Contains("must not be empty"));
  }
}

TEST_CASE("questions an admin dismissed are read from not_for_bot", "[loader]") {
  const auto file =
      parse_faq_file(R"(not_for_bot = ["How do I return something to Amazon?", "淘宝怎么退款"]

[[entries]]
id = "returns"
questions = ["How do I return an item?"]
answer = "From your orders page."
)",
                     "kb.toml");
  CHECK(file.entries.size() == 1);
  CHECK(file.not_for_bot ==
        std::vector<std::string>{"How do I return something to Amazon?", "淘宝怎么退款"});
  CHECK(parse_faq_file("[[entries]]\nid = \"a\"\nquestions = [\"refund\"]\nanswer = \"c\"\n",
                       "kb.toml")
            .not_for_bot.empty());
  CHECK_THROWS_WITH(parse_faq_file("not_for_bot = \"Amazon\"\n", "kb.toml"),
                    "[not_string_list] kb.toml:1: not_for_bot: must be an array of strings");
  CHECK_THROWS_WITH(parse_faq_file("not_for_bot = [\"ok\", 3]\n", "kb.toml"),
                    "[not_string] kb.toml:1: not_for_bot[1]: must be a string");
  CHECK_THROWS_WITH(parse_faq_file("not_for_bot = [\"?!\"]\n", "kb.toml"),
                    "[no_words] kb.toml:1: not_for_bot[0]: has no searchable words");
  // Any other top-level key is still a mistake.
  CHECK_THROWS_WITH(parse_faq_file("not_for_the_bot = []\n", "kb.toml"),
                    Catch::Contains("not_for_the_bot: unknown key"));
}

TEST_CASE("a code's values are written so that the tag cannot be misread", "[loader]") {
  using switchboard::autoreply::Problem;
  using switchboard::autoreply::problem_tag;
  CHECK(problem_tag({}).empty());
  CHECK(problem_tag({"empty", {}}) == "[empty] ");
  // Space, ':', '=', '[', ']', '%' and control bytes escaped; paths and UTF-8 kept.
  CHECK(problem_tag(
            {"x", {{"a", "b c:d=e[f]g%h\n"}, {"p", "/srv/t/demo/faq.toml"}, {"n", "退款"}}}) ==
        "[x a=b%20c%3Ad%3De%5Bf%5Dg%25h%0A p=/srv/t/demo/faq.toml n=退款] ");
}
