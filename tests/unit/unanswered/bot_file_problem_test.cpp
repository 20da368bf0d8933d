// A refused bot file as the admin API describes it: the plugin's location read into
// line and field, and the stable problem code the server finds at that place.
#include "api/bot_file_problem.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using sb::api::read_bot_file_problem;

namespace {
constexpr const char* kPrefix = "plugin autoreply-faq refused tenant demo: ";
std::string refused(const std::string& rest) {
  return kPrefix + rest;
}
// The knowledge base demo/faq.toml refused at "LINE: KEY: REASON", and its text.
sb::api::BotFileProblem faq(const std::string& at, std::string_view text) {
  return read_bot_file_problem(refused("demo/faq.toml:" + at), "demo/faq.toml", text);
}
}  // namespace

TEST_CASE("a refused knowledge base: where, and what the server finds there",
          "[bot_file_problem]") {
  SECTION("a blank answer is empty") {
    const auto p =
        faq("4: entries[0].answer: must not be empty",
            "[[entries]]\nid = \"a\"\nquestions = [\"refund policy\"]\nanswer = \"   \"\n");
    CHECK(p.file == "demo/faq.toml");
    CHECK(p.line == 4);
    CHECK(p.field == "entries[0].answer");
    CHECK(p.reason == "must not be empty");
    CHECK(p.problem == "empty");
  }
  SECTION("an answer per language, one of them blank") {
    const auto p =
        faq("4: entries[0].answer.zh: must not be empty",
            "[[entries]]\nid = \"a\"\nquestions = [\"refund policy\"]\nanswer = { en = \"x\", zh = "
            "\"\" }\n");
    CHECK(p.field == "entries[0].answer.zh");
    CHECK(p.problem == "empty");
  }
  SECTION("an id used twice: duplicate, with the first one's line") {
    const auto p = faq(
        "6: entries[1].id: duplicate id 'a' (first used on line 2)",
        "[[entries]]\nid = \"a\"\nquestions = [\"refund policy\"]\nanswer = \"x\"\n[[entries]]\n"
        "id = \"a\"\nquestions = [\"shipping cost\"]\nanswer = \"y\"\n");
    CHECK(p.line == 6);
    CHECK(p.field == "entries[1].id");
    CHECK(p.problem == "duplicate");
    CHECK(p.first_line == 2);
  }
  SECTION("no answer at all is missing") {
    const auto p = faq("1: entries[0].answer: missing",
                       "[[entries]]\nid = \"a\"\nquestions = [\"refund policy\"]\n");
    CHECK(p.problem == "missing");
    CHECK(p.reason == "missing");
  }
  SECTION("not TOML: syntax, at the line and column the reader stopped") {
    const auto p = faq("1: Error while parsing table header: expected ']', saw '\\n'",
                       "# answers\n[[entries]\nid = \"a\"\n");
    CHECK(p.problem == "syntax");
    CHECK(p.line == 2);
    CHECK(p.column > 0);
    CHECK(p.field.empty());
  }
  SECTION("what only the plugin can judge keeps its words and has no code") {
    const auto unknown = read_bot_file_problem(
        refused("demo/faq.toml:3: entries[0].question: unknown key (expected id, questions, "
                "answer, tags)"),
        "demo/faq.toml", "[[entries]]\nid = \"a\"\nquestion = [\"hello\"]\nanswer = \"x\"\n");
    CHECK(unknown.field == "entries[0].question");
    CHECK(unknown.reason == "unknown key (expected id, questions, answer, tags)");
    CHECK(unknown.problem.empty());
    const auto few = read_bot_file_problem(
        "plugin autoreply-intent refused tenant demo: demo/intents.toml:3: intents[0].examples: "
        "needs at least 3 examples (has 1)",
        "demo/intents.toml", "[[intents]]\nname = \"a\"\nexamples = [\"x y\"]\n");
    CHECK(few.line == 3);
    CHECK(few.field == "intents[0].examples");
    CHECK(few.problem.empty());
  }
  SECTION("a place the text does not have as a table is not called missing") {
    const auto p = read_bot_file_problem(
        "plugin autoreply-flow refused tenant demo: demo/flows.toml:9: "
        "flows.order.nodes.ask.capture.pattern: not a valid regular expression",
        "demo/flows.toml", "[flows.order]\nstart = \"ask\"\n");
    CHECK(p.field == "flows.order.nodes.ask.capture.pattern");
    CHECK(p.problem.empty());
  }
  SECTION("a refusal without a location is the reason itself") {
    const auto p = read_bot_file_problem("cannot write beside demo/faq.toml", "demo/faq.toml",
                                         "[[entries]]\n");
    CHECK(p.line == 0);
    CHECK(p.field.empty());
    CHECK(p.reason == "cannot write beside demo/faq.toml");
  }
}

TEST_CASE("a plugin's code: what it judged, with the values its sentence needs",
          "[bot_file_problem]") {
  constexpr std::string_view kIntents =
      "[[intents]]\nname = \"a\"\nexamples = [\"x one\", \"x two\", \"x three\"]\n[[intents]]\n"
      "name = \"b\"\nexamples = [\"y\"]\n";
  SECTION("too few examples: the code and its numbers, the reason without the tag") {
    const auto p = read_bot_file_problem(
        "plugin autoreply-intent refused tenant demo: [too_few_examples min=3 has=1] "
        "demo/intents.toml:6: intents[1].examples: needs at least 3 examples (has 1)",
        "demo/intents.toml", kIntents);
    CHECK(p.line == 6);
    CHECK(p.field == "intents[1].examples");
    CHECK(p.reason == "needs at least 3 examples (has 1)");
    CHECK(p.problem == "too_few_examples");
    CHECK(p.values == std::vector<std::pair<std::string, std::string>>{{"min", "3"}, {"has", "1"}});
  }
  SECTION("the plugin's code comes before what the server sees there") {
    const auto p = read_bot_file_problem(
        "plugin autoreply-intent refused tenant demo: [too_few_examples min=3 has=0] "
        "demo/intents.toml:3: intents[0].examples: needs at least 3 examples (has 0)",
        "demo/intents.toml", "[[intents]]\nname = \"a\"\nexamples = []\n");
    CHECK(p.problem == "too_few_examples");  // the server alone would say "empty"
  }
  SECTION("values are decoded, and a flow's unknown node names both") {
    const auto p = read_bot_file_problem(
        "plugin autoreply-flow refused tenant demo: [unknown_node flow=order node=ask%20again] "
        "demo/flows.toml:4: flows.order.nodes.ask.next: flow 'order' has no node named 'ask "
        "again'",
        "demo/flows.toml",
        "[flows.order]\nstart = \"ask\"\n[flows.order.nodes.ask]\nnext = \"ask again\"\n");
    CHECK(p.field == "flows.order.nodes.ask.next");
    CHECK(p.problem == "unknown_node");
    CHECK(p.values == std::vector<std::pair<std::string, std::string>>{{"flow", "order"},
                                                                       {"node", "ask again"}});
    CHECK(p.reason == "flow 'order' has no node named 'ask again'");
  }
  SECTION("a duplicate the plugin names keeps the server's first line, else the plugin's") {
    const std::string text =
        "[[entries]]\nid = \"a\"\nquestions = [\"refund policy\"]\nanswer = \"x\"\n[[entries]]\n"
        "id = \"a\"\nquestions = [\"shipping cost\"]\nanswer = \"y\"\n";
    const auto p = faq("6: entries[1].id: duplicate id 'a' (first used on line 2)", text);
    CHECK(p.first_line == 2);
    const auto tagged = read_bot_file_problem(
        refused("[duplicate first_line=2] demo/faq.toml:6: entries[1].id: duplicate id 'a'"),
        "demo/faq.toml", text);
    CHECK(tagged.problem == "duplicate");
    CHECK(tagged.first_line == 2);
  }
  SECTION("text that is not TOML is syntax, whatever the plugin says") {
    const auto p =
        read_bot_file_problem(refused("[unknown_key expected=x] demo/faq.toml:1: y: unknown key"),
                              "demo/faq.toml", "[[entries]\n");
    CHECK(p.problem == "syntax");
    CHECK(p.values.empty());
  }
  SECTION("what is not a tag is left alone") {
    for (const char* prefix : {"[Not a code] ", "[bad value=%Z1] ", "[bad value] ", "[] "}) {
      INFO(prefix);
      const auto p = read_bot_file_problem(
          refused(std::string(prefix) + "demo/faq.toml:3: entries[0].question: unknown key"),
          "demo/faq.toml", "[[entries]]\nid = \"a\"\nquestion = [\"hello\"]\nanswer = \"x\"\n");
      CHECK(p.field == "entries[0].question");
      CHECK(p.problem.empty());
      CHECK(p.values.empty());
      CHECK(p.tag.empty());
    }
  }
}

TEST_CASE("the refusal's body: the code and values, the message without the tag",
          "[bot_file_problem]") {
  const std::string message = refused(
      "[unknown_key expected=id,%20questions,%20answer,%20tags] demo/faq.toml:3: "
      "entries[0].question: unknown key (expected id, questions, answer, tags)");
  const auto response = sb::api::bot_file_refusal(
      "invalid_kb", message,
      read_bot_file_problem(message, "demo/faq.toml",
                            "[[entries]]\nid = \"a\"\nquestion = [\"hello\"]\nanswer = \"x\"\n"));
  const auto error = boost::json::parse(response.body).at("error").as_object();
  CHECK(error.at("message").as_string() ==
        refused("demo/faq.toml:3: entries[0].question: unknown key (expected id, questions, "
                "answer, tags)"));
  CHECK(error.at("problem") == "unknown_key");
  CHECK(error.at("values") == boost::json::object{{"expected", "id, questions, answer, tags"}});
  CHECK(error.at("reason") == "unknown key (expected id, questions, answer, tags)");
}

TEST_CASE("the refusal's body keeps the message and adds the fields", "[bot_file_problem]") {
  const std::string message = refused("demo/faq.toml:4: entries[0].answer: must not be empty");
  const auto response = sb::api::bot_file_refusal(
      "invalid_kb", message,
      read_bot_file_problem(message, "demo/faq.toml",
                            "[[entries]]\nid = \"a\"\nquestions = [\"q w\"]\nanswer = \"\"\n"));
  CHECK(response.status == 422);
  const auto error = boost::json::parse(response.body).at("error").as_object();
  CHECK(error.at("code") == "invalid_kb");
  CHECK(error.at("message").as_string() == message);
  CHECK(error.at("file") == "demo/faq.toml");
  CHECK(error.at("line") == 4);
  CHECK(error.at("field") == "entries[0].answer");
  CHECK(error.at("reason") == "must not be empty");
  CHECK(error.at("problem") == "empty");
  CHECK(!error.contains("first_line"));
  CHECK(!error.contains("values"));
}
