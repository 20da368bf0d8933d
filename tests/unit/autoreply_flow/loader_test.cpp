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

  const auto other_flow = error_of(valid_with(R"(missing = "human")", R"(missing = "faq/x")"));
  CHECK(other_flow.key() == "flows.order_status.nodes.lookup.lookup.missing");
  CHECK_THAT(other_flow.what(), Catch::Contains("no flow named 'faq'"));

  const auto start = error_of(valid_with(R"(start = "ask")", R"(start = "begin")"));
  CHECK(start.key() == "flows.order_status.start");
  CHECK(start.line() == 3);
}

TEST_CASE("a bad regex and one that accepts anything are errors", "[loader]") {
  const auto bad = error_of(valid_with(R"('SB-\d{5}')", R"('SB-(\d{5}')"));
  CHECK(bad.key() == "flows.order_status.nodes.ask.capture.pattern");
  CHECK_THAT(bad.what(), Catch::Contains("not a valid regular expression"));
  CHECK_THAT(bad.what(), Catch::StartsWith("tenant/flows.toml:11: "));

  const auto empty = error_of(valid_with(R"('SB-\d{5}')", R"('\d*')"));
  CHECK(empty.key() == "flows.order_status.nodes.ask.capture.pattern");
  CHECK_THAT(empty.what(), Catch::Contains("matches an empty message"));
}

TEST_CASE("a node that asks or ends silently must have a message", "[loader]") {
  const auto asks =
      error_of(valid_with(R"(message = { en = "Your order number?", zh = "您的订单号？" })", ""));
  CHECK(asks.key() == "flows.order_status.nodes.ask.message");
  CHECK_THAT(asks.what(), Catch::Contains("waits for an answer"));

  const auto silent = error_of(valid_with(R"(message = "Order {order_id}: {status}")", ""));
  CHECK(silent.key() == "flows.order_status.nodes.found.message");

  const auto no_default = error_of(valid_with(
      R"({ en = "Your order number?", zh = "您的订单号？" })", R"({ zh = "您的订单号？" })"));
  CHECK(no_default.key() == "flows.order_status.nodes.ask.message");
  CHECK_THAT(no_default.what(), Catch::Contains("default language 'en'"));
}

TEST_CASE("parameters, tables, keys and node shapes are checked", "[loader]") {
  const auto param = error_of(valid_with("{status}", "{state}"));
  CHECK(param.key() == "flows.order_status.nodes.found.message");
  CHECK_THAT(param.what(), Catch::Contains("{state} is not captured anywhere"));

  const auto table = error_of(valid_with(R"(table = "orders")", R"(table = "order")"));
  CHECK(table.key() == "flows.order_status.nodes.lookup.lookup.table");

  const auto typo = error_of(valid_with(R"(handoff = "support")", R"(hand_off = "support")"));
  CHECK(typo.key() == "flows.order_status.nodes.human.hand_off");
  CHECK_THAT(typo.what(), Catch::Contains("unknown key"));

  const auto two_roles =
      error_of(valid_with(R"(handoff = "support")", "handoff = \"support\"\nclose = true"));
  CHECK(two_roles.key() == "flows.order_status.nodes.human");
  CHECK_THAT(two_roles.what(), Catch::Contains("handoff and close"));

  const auto syntax = error_of("[flows.x\nstart = 1");
  CHECK(syntax.file() == "tenant/flows.toml");
  CHECK(syntax.line() == 1);
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

  const auto loaded = parse_flows({{"f.toml", std::string(kValid) + R"(
[flows.order_status.nodes.orphan]
message = "nobody comes here"

[flows.lonely]
start = "only"
[flows.lonely.nodes.only]
message = "hi"
)"}});
  REQUIRE(loaded.warnings.size() == 2);
  CHECK_THAT(loaded.warnings[0],
             Catch::StartsWith("f.toml:26: flows.order_status.nodes.orphan: unreachable"));
  CHECK_THAT(loaded.warnings[1], Catch::Contains("flows.lonely: nothing starts this flow"));
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
  }
  try {
    parse_flows({{"a.toml", kValid}, {"b.toml", menu + "[tables.orders]\nx = \"y\"\n"}});
    FAIL("a table defined twice loaded");
  } catch (const FlowLoadError& e) {
    CHECK(e.key() == "tables.orders");
    CHECK_THAT(e.what(), Catch::Contains("already defined in a.toml"));
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
}
