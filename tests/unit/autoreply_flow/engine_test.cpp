// The flow engine turn by turn: which transition a message takes, what the bot says,
// when it gives up, and that the state it returns resumes the flow elsewhere.
#include <catch2/catch.hpp>

#include "conversation.hpp"
#include "flow_loader.hpp"

using namespace switchboard::flow;
using flow_test::Conversation;

namespace {

constexpr const char* kShop = R"(
[flows.menu]
start = "hello"
default = true
max_fallbacks = 2
expire_after_s = 600

[flows.menu.nodes.hello]
message = { en = "Hi! What can I do for you?", zh = "您好！有什么可以帮您？" }
fallback = { en = "Please pick one of the options.", zh = "请选择一个选项。" }
options = [
  { label = { en = "Returns", zh = "退货" }, next = "returns" },
  { label = { en = "Talk to a human", zh = "转人工" }, next = "human" },
]
on_keyword = [{ keywords = ["refund", "退款"], next = "refund" }]
on_intent = [{ intent = "complaint", next = "human" }]

[flows.menu.nodes.returns]
message = "Returns are free within 30 days."
set_attributes = { topic = "returns" }
close = true

[flows.menu.nodes.refund]
message = "Refunds take 3-5 days."
next = "anything_else"

[flows.menu.nodes.anything_else]
message = "Anything else?"
options = [{ label = "No, thanks", next = "bye" }, { label = "Ask the assistant", next = "llm" }]

[flows.menu.nodes.bye]
message = "Bye!"

[flows.menu.nodes.llm]
ask_llm = true

[flows.menu.nodes.human]
message = "Connecting you to a person."
handoff = "support"

[flows.order]
start = "ask"
keywords = ["order", "订单"]
intents = ["order_status"]
expire_after_s = 60

[flows.order.nodes.ask]
message = "Order number?"
capture = { param = "order_id", pattern = '\b(SB-\d{5})\b', next = "thanks", max_retries = 2, retry = "Like SB-12345, please." }

[flows.order.nodes.thanks]
message = "Got {order_id}."
set_attributes = { order = "{order_id}" }
)";

const FlowEngine& shop() {
  static const FlowEngine engine(parse_flows({{"shop.toml", kShop}}).flows);
  return engine;
}

}  // namespace

TEST_CASE("the default flow greets the first message once, with quick replies", "[engine]") {
  Conversation c{&shop()};
  auto hello = c.say("hi there");
  CHECK(hello.answered);
  CHECK(hello.reply == "Hi! What can I do for you?");
  CHECK(hello.quick_replies == std::vector<std::string>{"Returns", "Talk to a human"});
  CHECK(hello.source == "flow:menu/hello");

  // The visitor leaves the menu unanswered; once it gave up, the menu is not forced
  // on them again.
  for (int i = 0; i < 2; ++i) {
    const auto fallback = c.say("blah");
    CHECK(fallback.answered);
    CHECK(fallback.reply == "Please pick one of the options.");
    CHECK(fallback.quick_replies == std::vector<std::string>{"Returns", "Talk to a human"});
  }
  const auto gave_up = c.say("what are your opening hours");
  CHECK_FALSE(gave_up.answered);
  CHECK(gave_up.reply.empty());
  CHECK(gave_up.state_changed);
  const auto later = c.say("hello again");
  CHECK_FALSE(later.answered);
  CHECK_FALSE(later.state_changed);
}

TEST_CASE("an option is taken by its label in any language or by its number", "[engine]") {
  for (const std::string answer : {"Returns", "returns!", "退货", "1", " 1. "}) {
    Conversation c{&shop()};
    c.say("hi");
    const auto out = c.say(answer);
    INFO(answer);
    CHECK(out.reply == "Returns are free within 30 days.");
    CHECK(out.close);
    CHECK(out.set_attributes ==
          std::vector<std::pair<std::string, std::string>>{{"topic", "returns"}});
    CHECK(out.quick_replies.empty());
  }
  Conversation c{&shop()};
  c.say("hi");
  const auto human = c.say("2");
  CHECK(human.handoff);
  CHECK(human.handoff->group == "support");
  CHECK(human.reply == "Connecting you to a person.");
}

TEST_CASE("a keyword transition forwards through next and waits at the next question", "[engine]") {
  Conversation c{&shop()};
  c.say("hi");
  const auto out = c.say("I want a REFUND please");
  CHECK(out.reply == "Refunds take 3-5 days.\n\nAnything else?");
  CHECK(out.quick_replies == std::vector<std::string>{"No, thanks", "Ask the assistant"});
  const auto llm = c.say("ask the assistant");
  CHECK(llm.answered);
  CHECK(llm.ask_llm);
  CHECK(llm.reply.empty());
  CHECK_FALSE(llm.handoff);
}

TEST_CASE("a Chinese keyword works inside a sentence", "[engine]") {
  Conversation c{&shop()};
  c.say("你好");
  CHECK(c.say("我想申请退款可以吗").reply == "Refunds take 3-5 days.\n\nAnything else?");
}

TEST_CASE("an intent from an earlier stage takes a transition and starts a flow", "[engine]") {
  Conversation c{&shop()};
  c.say("hi");
  CHECK(c.say("this is outrageous", "complaint").handoff);

  Conversation d{&shop(), R"({"v":1})"};
  const auto started = d.say("can you check something for me", "order_status");
  CHECK(started.reply == "Order number?");
  CHECK(started.source == "flow:order/ask");
}

TEST_CASE("a named flow node starts there, over whatever was waiting", "[engine]") {
  Conversation c{&shop()};
  c.say("hi");
  CHECK(c.say("hello", "", "order").reply == "Order number?");
  CHECK(c.say("SB-10001").reply == "Got SB-10001.");
  Conversation d{&shop()};
  CHECK(d.say("hello", "", "menu/anything_else").reply == "Anything else?");
  // An unknown name is ignored: the message is handled as usual.
  Conversation e{&shop()};
  CHECK(e.say("hi", "", "nowhere/x").source == "flow:menu/hello");
}

TEST_CASE("a captured value is validated, retried, then given up on", "[engine]") {
  Conversation c{&shop(), R"({"v":1})"};
  CHECK(c.say("where is my order").reply == "Order number?");
  const auto retry = c.say("it is 12345");
  CHECK(retry.answered);
  CHECK(retry.reply == "Like SB-12345, please.");
  const auto got = c.say("sorry, SB-10001!");
  CHECK(got.reply == "Got SB-10001.");
  CHECK(got.set_attributes ==
        std::vector<std::pair<std::string, std::string>>{{"order", "SB-10001"}});

  Conversation d{&shop(), R"({"v":1})"};
  d.say("order");
  CHECK(d.say("no").reply == "Like SB-12345, please.");
  CHECK(d.say("no").reply == "Like SB-12345, please.");
  // max_retries = 2 and no on_max_retries: the flow ends and the next stage answers.
  const auto third = d.say("no");
  CHECK_FALSE(third.answered);
  CHECK_FALSE(parse_state(third.state_json).at);
  CHECK_FALSE(d.say("SB-10001").answered);
}

TEST_CASE("changing the subject mid-flow starts the other flow", "[engine]") {
  Conversation c{&shop()};
  c.say("hi");
  CHECK(c.say("actually, my order").reply == "Order number?");
}

TEST_CASE("the state resumes the flow in another engine loaded from the same file",
          "[engine][persistence]") {
  Conversation first{&shop(), R"({"v":1})"};
  first.language = "zh-CN";
  first.say("查一下订单");
  CHECK(first.say("12345").reply == "Like SB-12345, please.");

  // A restart: a new engine from the same file, the host hands back what it stored.
  const FlowEngine restarted(parse_flows({{"shop.toml", kShop}}).flows);
  Conversation second{&restarted, first.state};
  second.now_ms = first.now_ms + 1000;
  CHECK(second.say("SB-20002").reply == "Got SB-20002.");

  // The retry count was kept across the restart: one more invalid answer is the
  // last retry, the next ends the flow.
  Conversation third{&restarted, first.state};
  third.now_ms = first.now_ms + 1000;
  CHECK(third.say("nope").answered);
  CHECK_FALSE(third.say("nope").answered);
}

TEST_CASE("a flow past its expiry starts over", "[engine][expiry]") {
  Conversation c{&shop(), R"({"v":1})"};
  c.say("order");
  c.now_ms += 59'000;
  CHECK(c.say("nope").reply == "Like SB-12345, please.");  // the wait restarts at every answer
  c.now_ms += 60'000;
  // The order flow waited 60 s: the number is no longer taken as its answer.
  const auto late = c.say("SB-10001");
  CHECK_FALSE(late.answered);
  CHECK(late.state_changed);
  CHECK(c.say("order again").reply == "Order number?");
}

TEST_CASE("a state the loaded flows no longer match starts over safely", "[engine]") {
  const std::string gone_node =
      R"({"v":1,"flow":"order","node":"removed","params":{},"retries":0,"fallbacks":0,"expires_ms":9000000000000})";
  Conversation c{&shop(), gone_node};
  const auto out = c.say("SB-10001");
  CHECK_FALSE(out.answered);
  CHECK(out.state_json == R"({"v":1})");
  CHECK(c.say("order").reply == "Order number?");

  for (const std::string junk :
       {"not json", "[1,2]", R"({"v":99,"flow":"order","node":"ask"})",
        R"({"v":1,"flow":"gone","node":"ask","expires_ms":9000000000000})"}) {
    Conversation d{&shop(), junk};
    INFO(junk);
    const auto o = d.say("hello");
    CHECK_FALSE(o.answered);  // not the first message: no default menu
    CHECK(d.state == R"({"v":1})");
  }
}

TEST_CASE("the result JSON carries what the host acts on", "[engine]") {
  Conversation c{&shop()};
  c.say("hi");
  const auto json = to_result_json(c.say("2"));
  CHECK(
      json ==
      R"({"reply":"Connecting you to a person.","handoff":{"group":"support","reason":"flow:menu/human"},"state":{"v":1,"lang":"en"},"score":1E0,"source":"flow:menu/human"})");
}
