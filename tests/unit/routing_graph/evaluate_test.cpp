// Evaluation: which rule fires for a visitor, with a fake clock and fake presence.
#include "routing_graph/evaluate.hpp"

#include <catch2/catch.hpp>

#include "graph_fixture.hpp"

using namespace sb::routing_graph;
using namespace sb::routing_graph::test;
namespace json = boost::json;

namespace {

// A plain visitor on Monday 2 March 2026 at 10:00 Berlin (09:00 UTC): support is open
// and staffed, nothing special about them.
Context visitor() {
  Context c;
  c.page_url = "https://shop.example/home";
  c.language = "en-GB";
  c.first_message = "Hello, a question about shipping";
  c.now_wall_ms = utc_ms(2, 9);
  c.opened_wall_ms = c.now_wall_ms;
  c.groups = &fixture_groups();
  c.group_available = [](const std::string&) { return true; };
  return c;
}

std::string fired(const Context& c) {
  return evaluate(rich_graph(), c).rule_id;
}

}  // namespace

TEST_CASE("with no rule firing the fallback decides, with its actions") {
  Context c = visitor();
  // bot-first is a catch-all; without it the fallback decides.
  Graph graph = rich_graph();
  graph.rules.pop_back();
  Decision d = evaluate(graph, c);
  CHECK(d.rule_index == -1);
  CHECK(d.rule_id == "fallback");
  CHECK(d.actions.empty());
  // A graph with no rules at all: the default routing (no actions).
  CHECK(evaluate(Graph{}, c).actions.empty());
}

TEST_CASE("a VIP visitor gets the VIP rule, its message then its route") {
  Context c = visitor();
  c.attributes["vip"] = true;
  c.attributes["plan"] = "gold";
  Decision d = evaluate(rich_graph(), c);
  CHECK(d.rule_id == "vip");
  CHECK(d.rule_index == 0);
  REQUIRE(d.actions.size() == 2);
  CHECK(d.actions[0].type == ActionType::message);
  CHECK(d.actions[1].type == ActionType::route);
  CHECK(d.actions[1].group == "vip");
  CHECK(d.actions[1].chain ==
        std::vector<std::string>{"routing-sticky", "routing-skills", "routing-least-busy"});
}

TEST_CASE("attribute comparisons: eq, in, neq, exists, and text against typed values") {
  Context c = visitor();
  c.attributes["vip"] = "true";  // a website that sends strings still matches true
  c.attributes["plan"] = 3;      // in ["gold","platinum",3]
  CHECK(fired(c) == "vip");
  c.attributes["plan"] = "silver";
  CHECK(fired(c) != "vip");  // all conditions must hold
  c.attributes["vip"] = false;
  c.attributes["plan"] = "gold";
  CHECK(fired(c) != "vip");

  c = visitor();
  c.language = "de-AT";
  CHECK(fired(c) != "german");  // no account attribute
  c.attributes["account"] = "42";
  CHECK(fired(c) == "german");
  c.attributes["env"] = "test";  // neq fails
  CHECK(fired(c) != "german");
  c.attributes["env"] = "prod";
  CHECK(fired(c) == "german");
  c.language = "DE_ch";
  CHECK(fired(c) == "german");
  c.language = "dea";  // not a subtag of "de"
  CHECK(fired(c) != "german");
}

TEST_CASE("business hours follow the group's time zone and a fake clock") {
  Context c = visitor();
  c.now_wall_ms = utc_ms(2, 8, 0);  // Monday 09:00 Berlin: open
  CHECK(fired(c) != "closed");
  c.now_wall_ms = utc_ms(2, 7, 59);  // 08:59 Berlin: closed
  CHECK(fired(c) == "closed");
  REQUIRE(evaluate(rich_graph(), c).actions.size() == 1);
  CHECK(evaluate(rich_graph(), c).actions[0].type == ActionType::offline);
  c.now_wall_ms = utc_ms(2, 16, 0);  // 17:00 Berlin: closed again
  CHECK(fired(c) == "closed");
  c.now_wall_ms = utc_ms(7, 10, 0);  // Saturday
  CHECK(fired(c) == "closed");
  c.now_wall_ms = utc_ms(30, 15, 30);  // Monday 30 March, 17:30 summer time: closed
  CHECK(fired(c) == "closed");
  c.now_wall_ms = utc_ms(30, 14, 30);  // 16:30 summer time: open
  CHECK(fired(c) != "closed");
}

TEST_CASE("keywords match case-insensitively, in any language, any or all") {
  Context c = visitor();
  c.first_message = "I want a REFUND please";
  CHECK(fired(c) == "refunds");
  c.first_message = "我想要退款，谢谢";
  CHECK(fired(c) == "refunds");
  c.first_message = "我想要退货";
  CHECK(fired(c) != "refunds");

  Condition all_words;
  all_words.type = ConditionType::keywords;
  all_words.values = {"Order", "late"};
  all_words.all = true;
  c.first_message = "my order is LATE";
  CHECK(holds(all_words, c));
  c.first_message = "my order is here";
  CHECK_FALSE(holds(all_words, c));
  all_words.all = false;
  CHECK(holds(all_words, c));
}

TEST_CASE("intent and page conditions fire the refunds rule") {
  Context c = visitor();
  c.intent = "billing.refund";
  CHECK(fired(c) == "refunds");
  c = visitor();
  c.intent = "billing.invoice";
  CHECK(fired(c) != "refunds");
  c.page_url = "https://shop.example/orders/1234";
  CHECK(fired(c) == "refunds");
}

TEST_CASE("group availability and time waited") {
  Context c = visitor();
  c.group_available = [](const std::string& group) { return group != "support"; };
  CHECK(fired(c) != "busy");  // nobody in support, but waited 0 s
  c.now_wall_ms = c.opened_wall_ms + 119'999;
  CHECK(fired(c) != "busy");
  c.now_wall_ms = c.opened_wall_ms + 120'000;
  CHECK(fired(c) == "busy");
  c.group_available = [](const std::string&) { return true; };
  CHECK(fired(c) != "busy");
}

TEST_CASE("rules fire in order: the first that holds wins") {
  Context c = visitor();
  c.attributes["vip"] = true;
  c.attributes["plan"] = "gold";
  c.now_wall_ms = utc_ms(8, 12);  // Sunday: support closed, but vip comes first
  CHECK(fired(c) == "vip");
  c.attributes.erase("vip");
  CHECK(fired(c) == "closed");
  // With nothing else matching, the catch-all rule (no conditions) fires.
  CHECK(fired(visitor()) == "bot-first");
}

TEST_CASE("after a bot handed over, rules that would give it back to a bot are passed over") {
  Context c = visitor();
  c.bot_allowed = false;
  Decision d = evaluate(rich_graph(), c);
  CHECK(d.rule_id == "fallback");  // bot-first skipped
  CHECK(d.actions.empty());

  Graph bot_fallback;
  Action bot;
  bot.id = "b";
  bot.type = ActionType::bot;
  bot_fallback.fallback.actions = {bot};
  CHECK(evaluate(bot_fallback, visitor()).actions.size() == 1);
  CHECK(evaluate(bot_fallback, c).actions.empty());  // the default routing instead
}

TEST_CASE("any-of rules fire on one condition, and the page glob needs a page") {
  Context c = visitor();
  c.page_url.clear();
  Condition page;
  page.type = ConditionType::page;
  page.glob = "*";
  CHECK_FALSE(holds(page, c));
  c.page_url = "https://x";
  CHECK(holds(page, c));
}
