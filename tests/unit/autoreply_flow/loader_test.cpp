// The flow files a tenant admin writes: what loads, and errors that name the file,
// the flow, the node and the field, so a mistake is found without reading code.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "flow_loader.hpp"

using namespace switchboard::flow;

namespace {

constexpr const char* kValid = R"(
[flows.order_status]
start = "ask"
keywords = ["Where is my order", "订单"]
intents = ["order_status"]
expire_after_s = 60
max_fallbacks = 1

[flows.order_status.nodes.ask]
message = { en = "Your order number?", zh = "您的订单号？" }
capture = { param = "order_id", pattern = 'SB-\d{5}', next = "lookup", retry = "Like SB-12345", max_retries = 1, on_max_retries = "human" }
options = [{ label = { en = "Human", zh = "人工" }, next = "human" }]

[flows.order_status.nodes.lookup]
lookup = { table = "orders", key = "order_id", into = "status", found = "found", missing = "human" }

[flows.order_status.nodes.found]
message = "Order {order_id}: {status}"

[flows.order_status.nodes.human]
handoff = "support"

[tables.orders]
"SB-10001" = "shipped"
)";

// Parses `text` as one file expecting an error; returns it.
FlowLoadError error_of(const std::string& text) {
  try {
    parse_flows({{"tenant/flows.toml", text}});
  } catch (const FlowLoadError& e) {
    return e;
  }
  FAIL("no error for:\n" << text);
  throw std::logic_error("unreachable");
}

// kValid with one line replaced.
std::string valid_with(const std::string& from, const std::string& to) {
  std::string text = kValid;
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("a valid file loads with flows, nodes and tables as written", "[loader]") {
  const auto loaded = parse_flows({{"flows.toml", kValid}});
  CHECK(loaded.warnings.empty());
  REQUIRE(loaded.flows.flows.size() == 1);
  const Flow& flow = loaded.flows.flows[0];
  CHECK(flow.name == "order_status");
  CHECK(flow.keywords == std::vector<std::string>{"where is my order", "订单"});
  CHECK(flow.expire_after_ms == 60'000);
  CHECK(flow.max_fallbacks == 1);
  REQUIRE(flow.nodes.size() == 4);
  const Node& ask = *flow.node("ask");
  REQUIRE(ask.capture);
  CHECK(ask.capture->param == "order_id");
  CHECK(ask.capture->on_max_retries == Target{"order_status", "human"});
  CHECK(ask.options[0].label.at("zh") == "人工");
  CHECK(flow.node("human")->handoff->group == "support");
  CHECK(loaded.flows.tables.at("orders").contains("sb-10001"));
}

TEST_CASE("a target that names no node is an error naming flow, node and field", "[loader]") {
  const auto e = error_of(valid_with(R"(found = "found")", R"(found = "fund")"));
  CHECK(e.file() == "tenant/flows.toml");
  CHECK(e.key() == "flows.order_status.nodes.lookup.lookup.found");
  CHECK(e.line() == 15);
  CHECK_THAT(e.what(), Catch::Contains("has no node named 'fund'"));
  CHECK_THAT(e.what(), Catch::StartsWith("[unknown_node flow=order_status node=fund] "
                                         "tenant/flows.toml:15: "));

  const auto other_flow = error_of(valid_with(R"(missing = "human")", R"(missing = "faq/x")"));
  CHECK(other_flow.key() == "flows.order_status.nodes.lookup.lookup.missing");
  CHECK_THAT(other_flow.what(), Catch::Contains("no flow named 'faq'"));
  CHECK_THAT(other_flow.what(), Catch::StartsWith("[unknown_flow flow=faq] "));

  const auto start = error_of(valid_with(R"(start = "ask")", R"(start = "begin")"));
  CHECK(start.key() == "flows.order_status.start");
  CHECK(start.line() == 3);
  CHECK_THAT(start.what(), Catch::StartsWith("[unknown_node flow=order_status node=begin] "));
}

TEST_CASE("a bad regex and one that accepts anything are errors", "[loader]") {
  const auto bad = error_of(valid_with(R"('SB-\d{5}')", R"('SB-(\d{5}')"));
  CHECK(bad.key() == "flows.order_status.nodes.ask.capture.pattern");
  CHECK_THAT(bad.what(), Catch::Contains("not a valid regular expression"));
  // The regex library's words on where it broke go along, for a page to show.
  REQUIRE(bad.problem().values.size() == 1);
  CHECK(bad.problem().code == "bad_pattern");
  CHECK(bad.problem().values[0].first == "detail");
  CHECK_THAT(bad.what(), Catch::Contains(bad.problem().values[0].second));
  CHECK_THAT(bad.what(), Catch::StartsWith("[bad_pattern detail=") &&
                             Catch::Contains("] tenant/flows.toml:11: "));

  const auto empty = error_of(valid_with(R"('SB-\d{5}')", R"('\d*')"));
  CHECK(empty.key() == "flows.order_status.nodes.ask.capture.pattern");
  CHECK_THAT(empty.what(), Catch::Contains("matches an empty message"));
  CHECK(empty.problem().code == "pattern_matches_empty");
}

TEST_CASE("a node that asks or ends silently must have a message", "[loader]") {
  const auto asks =
      error_of(valid_with(R"(message = { en = "Your order number?", zh = "您的订单号？" })", ""));
  CHECK(asks.key() == "flows.order_status.nodes.ask.message");
  CHECK_THAT(asks.what(), Catch::Contains("waits for an answer"));
  CHECK(asks.problem().code == "question_missing");

  const auto silent = error_of(valid_with(R"(message = "Order {order_id}: {status}")", ""));
  CHECK(silent.key() == "flows.order_status.nodes.found.message");
  CHECK(silent.problem().code == "message_missing");

  const auto no_default = error_of(valid_with(
      R"({ en = "Your order number?", zh = "您的订单号？" })", R"({ zh = "您的订单号？" })"));
  CHECK(no_default.key() == "flows.order_status.nodes.ask.message");
  CHECK_THAT(no_default.what(), Catch::Contains("default language 'en'"));
  CHECK_THAT(no_default.what(), Catch::StartsWith("[no_default_language language=en] "));
}

TEST_CASE("parameters, tables, keys and node shapes are checked", "[loader]") {
  const auto param = error_of(valid_with("{status}", "{state}"));
  CHECK(param.key() == "flows.order_status.nodes.found.message");
  CHECK_THAT(param.what(), Catch::Contains("{state} is not captured anywhere"));
  CHECK_THAT(param.what(), Catch::StartsWith("[unknown_param name=state] "));

  const auto table = error_of(valid_with(R"(table = "orders")", R"(table = "order")"));
  CHECK(table.key() == "flows.order_status.nodes.lookup.lookup.table");
  CHECK_THAT(table.what(), Catch::StartsWith("[unknown_table table=order] "));

  const auto typo = error_of(valid_with(R"(handoff = "support")", R"(hand_off = "support")"));
  CHECK(typo.key() == "flows.order_status.nodes.human.hand_off");
  CHECK_THAT(typo.what(), Catch::Contains("unknown key"));
  CHECK(typo.problem().code == "unknown_key");

  const auto two_roles =
      error_of(valid_with(R"(handoff = "support")", "handoff = \"support\"\nclose = true"));
  CHECK(two_roles.key() == "flows.order_status.nodes.human");
  CHECK_THAT(two_roles.what(), Catch::Contains("handoff and close"));
  CHECK_THAT(two_roles.what(), Catch::StartsWith("[two_actions first=handoff second=close] "));

  const auto syntax = error_of("[flows.x\nstart = 1");
  CHECK(syntax.file() == "tenant/flows.toml");
  CHECK(syntax.line() == 1);
  CHECK_THAT(syntax.what(), Catch::StartsWith("[syntax] tenant/flows.toml:1: "));
}

TEST_CASE("forwarding in a circle is an error, unreachable nodes are warnings", "[loader]") {
  const auto circle = error_of(R"(
[flows.loop]
start = "a"
keywords = ["loop"]
[flows.loop.nodes.a]
message = "a"
next = "b"
[flows.loop.nodes.b]
next = "a"
)");
  CHECK_THAT(circle.what(), Catch::Contains("forwards in a circle"));
  CHECK_THAT(circle.what(), Catch::Contains("loop/a -> loop/b -> loop/a"));
  CHECK(circle.line() == 5);
  CHECK(circle.key() == "flows.loop.nodes.a");
  CHECK_THAT(circle.what(), Catch::StartsWith("[forwarding_cycle "
                                              "circle=loop/a%20->%20loop/b%20->%20loop/a] "));

  const auto loaded = parse_flows({{"f.toml", std::string(kValid) + R"(
[flows.order_status.nodes.orphan]
message = "nobody comes here"

[flows.lonely]
start = "only"
[flows.lonely.nodes.only]
message = "hi"
)"}});
  REQUIRE(loaded.warnings.size() == 2);
  CHECK_THAT(
      loaded.warnings[0],
      Catch::StartsWith("[unreachable] f.toml:26: flows.order_status.nodes.orphan: unreachable"));
  CHECK_THAT(loaded.warnings[1], Catch::StartsWith("[not_started] ") &&
                                     Catch::Contains("flows.lonely: nothing starts this flow"));
}

TEST_CASE("several files share flow names, and each error names its file", "[loader]") {
  const std::string menu = R"(
[flows.menu]
start = "hello"
default = true
[flows.menu.nodes.hello]
message = "Hi!"
options = [{ label = "Order status", next = "order_status/ask" }]
)";
  const auto loaded = parse_flows({{"a.toml", kValid}, {"b.toml", menu}});
  CHECK(loaded.flows.flows.size() == 2);
  CHECK(loaded.flows.flow("menu")->is_default);

  const std::string flows_only(kValid, std::string_view(kValid).find("[tables.orders]"));
  try {
    parse_flows({{"a.toml", kValid}, {"b.toml", flows_only}});
    FAIL("a flow defined twice loaded");
  } catch (const FlowLoadError& e) {
    CHECK(e.file() == "b.toml");
    CHECK(e.key() == "flows.order_status");
    CHECK_THAT(e.what(), Catch::Contains("already defined in a.toml"));
    CHECK_THAT(e.what(), Catch::StartsWith("[defined_twice other_file=a.toml] b.toml:"));
  }
  try {
    parse_flows({{"a.toml", kValid}, {"b.toml", menu + "[tables.orders]\nx = \"y\"\n"}});
    FAIL("a table defined twice loaded");
  } catch (const FlowLoadError& e) {
    CHECK(e.key() == "tables.orders");
    CHECK_THAT(e.what(), Catch::Contains("already defined in a.toml"));
    CHECK(e.problem().code == "defined_twice");
  }
}

TEST_CASE("a file that cannot be read is named", "[loader]") {
  const auto path = std::filesystem::temp_directory_path() / "no-such-dir" / "flows.toml";
  try {
    load_flow_files({path});
    FAIL("a missing file loaded");
  } catch (const FlowLoadError& e) {
    CHECK(e.file() == path.string());
    CHECK_THAT(e.what(), Catch::Contains("cannot open"));
    CHECK(e.problem().code == "unreadable");
  }
}

TEST_CASE("intent_confidence: read as written, 0 by default, outside 0..1 an error", "[loader]") {
  CHECK(parse_flows({{"f.toml", kValid}}).flows.flows.front().intent_confidence == 0);
  const auto loaded = parse_flows(
      {{"f.toml", valid_with("intents = [\"order_status\"]",
                             "intents = [\"order_status\"]\nintent_confidence = 0.8")}});
  CHECK(loaded.flows.flows.front().intent_confidence == Approx(0.8));
  const auto e = error_of(valid_with("intents = [\"order_status\"]",
                                     "intents = [\"order_status\"]\nintent_confidence = 1.5"));
  CHECK(e.key() == "flows.order_status.intent_confidence");
  CHECK_THAT(e.what(), Catch::StartsWith("[out_of_range min=0 max=1] "));
}

TEST_CASE("every refusal has its code and the values its sentence needs", "[loader]") {
  // A flow that loads; each case changes or adds something.
  const std::string one = "[flows.f]\nstart = \"a\"\nkeywords = [\"hi\"]\n";
  const std::string node = "[flows.f.nodes.a]\nmessage = \"Hello\"\n";
  struct Case {
    std::string text;
    const char* key;
    const char* tag;
  };
  const Case cases[] = {
      {"tables = 3\n" + one + node, "tables", "[not_table] "},
      {"[flows.f]\nstart = 1\n" + node, "flows.f.start", "[not_string] "},
      {"[flows.f]\nstart = \" \"\n" + node, "flows.f.start", "[empty] "},
      {"[flows.f]\nkeywords = [\"hi\"]\n" + node, "flows.f.start", "[missing] "},
      {one + "default = \"yes\"\n" + node, "flows.f.default", "[not_boolean] "},
      {one + "expire_after_s = \"60\"\n" + node, "flows.f.expire_after_s", "[not_integer] "},
      {one + "max_fallbacks = 99\n" + node, "flows.f.max_fallbacks",
       "[out_of_range min=0 max=10] "},
      {"[flows.f]\nstart = \"a\"\nkeywords = \"hi\"\n" + node, "flows.f.keywords",
       "[not_string_list] "},
      {"[flows.f]\nstart = \"a\"\nkeywords = []\n" + node, "flows.f.keywords", "[empty] "},
      {one, "flows.f.nodes", "[missing] "},
      {one + "nodes = {}\n", "flows.f.nodes", "[empty] "},
      {one + "[flows.f.nodes.a]\nmessage = { en = \"Hello\", ZH = \"x\" }\n",
       "flows.f.nodes.a.message.ZH", "[bad_language value=ZH] "},
      {one + "[flows.f.nodes.a]\nmessage = { zh = \"你好\" }\n", "flows.f.nodes.a.message",
       "[no_default_language language=en] "},
      {one + "[flows.f.nodes.a]\nmessage = 3\n", "flows.f.nodes.a.message", "[not_text] "},
      {one + "[flows.f.nodes.a]\nmessage = \"Hello {name\"\n", "flows.f.nodes.a.message",
       "[unclosed_brace] "},
      {one + "[flows.f.nodes.a]\nmessage = \"Hello }\"\n", "flows.f.nodes.a.message",
       "[stray_brace] "},
      {one + "[flows.f.nodes.a]\nmessage = \"Hello {na-me}\"\n", "flows.f.nodes.a.message",
       "[bad_param_name name=na-me] "},
      {one + "[flows.f.nodes.a]\nmessage = \"Hi\"\nset_attributes = { x = \"{\" }\n",
       "flows.f.nodes.a.set_attributes.x", "[unclosed_brace] "},
      {one + node + "next = \"x y\"\n", "flows.f.nodes.a.next", "[bad_target value=x%20y] "},
      {one + node + "next = \"b\"\n", "flows.f.nodes.a.next", "[unknown_node flow=f node=b] "},
      {one + node + "next = \"g/b\"\n", "flows.f.nodes.a.next", "[unknown_flow flow=g] "},
      {"[flows.\"f g\"]\nstart = \"a\"\n", "flows.f g", "[bad_name name=f%20g] "},
      {one + "[flows.f.nodes.\"a b\"]\nmessage = \"Hello\"\n", "flows.f.nodes.a b",
       "[bad_name name=a%20b] "},
      {"[tables.\"o:o\"]\nx = \"y\"\n" + one + node, "tables.o:o", "[bad_name name=o%3Ao] "},
      {"[tables.t]\n\"A b\" = \"x\"\n\"a  B\" = \"y\"\n" + one + node, "tables.t.a  B",
       "[duplicate_row] "},
      {"[tables.t]\n\" \" = \"x\"\n" + one + node, "tables.t. ", "[empty] "},
      {"[tables.t]\na = \"x {p}\"\n" + one + node, "tables.t.a", "[params_not_allowed] "},
      {one + node + "options = [{ label = \"{p}\", next = \"a\" }]\n",
       "flows.f.nodes.a.options[0].label", "[params_not_allowed] "},
      {one + node + "options = \"a\"\n", "flows.f.nodes.a.options", "[not_table_list] "},
      {one + node + "options = []\n", "flows.f.nodes.a.options", "[empty] "},
      {one + node + "on_keyword = [{ next = \"a\" }]\n", "flows.f.nodes.a.on_keyword[0].keywords",
       "[missing] "},
      {one + node + "on_intent = [{ intent = \"x\" }]\n", "flows.f.nodes.a.on_intent[0].next",
       "[missing] "},
      {one + "default = true\n" + node + "[flows.g]\nstart = \"b\"\ndefault = true\n" +
           "[flows.g.nodes.b]\nmessage = \"Hi\"\n",
       "flows.g.default", "[second_default flow=f] "},
      {one + node + "capture = { pattern = \"x\", next = \"a\" }\n",
       "flows.f.nodes.a.capture.param", "[missing] "},
      {one + node + "capture = { param = \"order-id\", pattern = \"x\", next = \"a\" }\n",
       "flows.f.nodes.a.capture.param", "[bad_param_name name=order-id] "},
      {one + node + "handoff = 3\n", "flows.f.nodes.a.handoff", "[not_handoff] "},
      {one + node + "close = true\nask_llm = true\n", "flows.f.nodes.a",
       "[two_actions first=close second=ask_llm] "},
      {one + node + "nxt = \"a\"\n", "flows.f.nodes.a.nxt",
       "[unknown_key expected=message,%20fallback,%20options,%20on_keyword,%20on_intent,%20capture,"
       "%20lookup,%20set_attributes,%20handoff,%20close,%20ask_llm,%20next] "},
      {"title = \"x\"\n" + one + node, "title", "[unknown_key expected=flows,%20tables] "},
      {"# no flows\n", "flows", "[missing] "},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const auto e = error_of(c.text);
    CHECK(e.key() == c.key);
    CHECK(switchboard::autoreply::problem_tag(e.problem()) == c.tag);
    CHECK_THAT(e.what(), Catch::StartsWith(std::string(c.tag) + "tenant/flows.toml:"));
  }
}

TEST_CASE("the plugin's own settings have codes too", "[loader]") {
  CHECK_THROWS_WITH(parse_flows({{"f.toml", kValid}}, "EN"),
                    Catch::StartsWith("[bad_language value=EN] :0: default_language: "));
  CHECK_THROWS_WITH(parse_flows({}), Catch::StartsWith("[missing] :0: files: "));
}
