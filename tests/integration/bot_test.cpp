// The bot through the real server, with scripted test plugins as its stages
// (tests/integration/bot_plugins): what a visitor and an agent see when the bot
// answers, is slow, fails, runs out of budget, hands off, and survives a restart.
#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;
namespace fs = std::filesystem;

namespace {

// The server's plugins plus the two scripted bot plugins.
struct BotPlugins {
  sb::test::TempDir dir{"switchboard-bot-plugins"};
  BotPlugins() {
    for (const auto& entry : fs::directory_iterator(SWITCHBOARD_PLUGIN_DIR))
      if (entry.path().extension() == ".so")
        fs::copy_file(entry.path(), dir.path() / entry.path().filename());
    for (const fs::path plugin : {SB_TEST_BOT_AUTOREPLY, SB_TEST_BOT_LLM})
      fs::copy_file(plugin, dir.path() / plugin.filename());
  }
};

std::string bot_table(int breaker_failures, const std::string& extra) {
  return R"(
[bot]
pipeline = ["test-bot-autoreply", "test-bot-llm"]
name = "Testbot"
bot_first = true
timeout_ms = 400
stage_timeout_ms = 3000
holding_reply = "One moment please."
handoff_reply = "Connecting you to a person."
system_prompt = "You are the test bot."
breaker_cooldown_s = 1
breaker_failures = )" +
         std::to_string(breaker_failures) + "\n" + extra;
}

TenantSpec bot_tenant(const std::string& extra = {}, int breaker_failures = 2) {
  TenantSpec tenant = acme_tenant();
  tenant.extra_toml = bot_table(breaker_failures, extra);
  return tenant;
}

DeploymentOptions with_plugins(const BotPlugins& plugins) {
  DeploymentOptions options;
  options.plugin_dir = plugins.dir.path();
  return options;
}

// The next message frame from the bot.
json::object scripted_bot_says(sb::test::WsClient& ws, std::chrono::milliseconds timeout = 5000ms) {
  return message_from(ws, "bot", timeout);
}

std::string scripted_bot_text(sb::test::WsClient& ws, std::chrono::milliseconds timeout = 5000ms) {
  return str(scripted_bot_says(ws, timeout), "text");
}

}  // namespace

TEST_CASE("the bot answers a visitor with stored, sequenced bot messages", "[bots]") {
  BotPlugins plugins;
  Deployment deployment({bot_tenant()}, with_plugins(plugins));
  auto visitor = deployment.connect_visitor("acme");
  auto ack = visitor.send_message("echo hello there");
  const std::string cid = str(ack, "conversation_id");

  auto reply = scripted_bot_says(visitor.ws);
  CHECK(str(reply, "text") == "echo: hello there");
  CHECK(num(reply, "seq") == 2);
  CHECK(str(obj(reply, "from"), "name") == "Testbot");
  REQUIRE(arr(reply, "quick_replies").size() == 2);
  visitor.ws.expect_no_frame_of_type("conversation.queued", 300ms);

  // The LLM stage answers what the auto-reply stage passes on, with the tenant's prompt.
  visitor.send_message("llm prompt");
  CHECK(scripted_bot_text(visitor.ws) == "You are the test bot.");
  visitor.send_message("what is up");
  CHECK(scripted_bot_text(visitor.ws) == "LLM: what is up");

  // Stored like any message: the visitor's history has both sides, in order.
  const auto history = deployment.history("acme", cid, visitor.visitor_token);
  REQUIRE(history.status == 200);
  const auto messages = json::parse(history.body).at("messages").as_array();
  REQUIRE(messages.size() == 6);
  CHECK(messages[1].at("from").at("role") == "bot");
  CHECK(messages[1].at("text") == "echo: hello there");
  CHECK(messages[5].at("text") == "LLM: what is up");
}

TEST_CASE("the bot's name is the tenant's for the visitor's language", "[bots]") {
  BotPlugins plugins;
  TenantSpec tenant = bot_tenant();
  const std::string plain = "name = \"Testbot\"";
  tenant.extra_toml.replace(tenant.extra_toml.find(plain), plain.size(),
                            "name = { en = \"Testbot\", zh = \"测试助手\" }");
  Deployment deployment({tenant}, with_plugins(plugins));
  auto zh = deployment.connect_visitor("acme", {{"meta", {{"lang", "zh-CN"}}}});
  zh.send_message("echo 你好");
  CHECK(str(obj(scripted_bot_says(zh.ws), "from"), "name") == "测试助手");
  auto en = deployment.connect_visitor("acme", {{"meta", {{"lang", "en"}}}});
  en.send_message("echo hello there");
  CHECK(str(obj(scripted_bot_says(en.ws), "from"), "name") == "Testbot");
}

TEST_CASE("a slow answer: the holding reply at the time limit, then the answer", "[bots]") {
  BotPlugins plugins;
  Deployment deployment({bot_tenant()}, with_plugins(plugins));
  auto visitor = deployment.connect_visitor("acme");
  const auto sent = std::chrono::steady_clock::now();
  visitor.send_message("slow 1500 echo worth the wait");
  CHECK(scripted_bot_text(visitor.ws, 1000ms) == "One moment please.");
  CHECK(std::chrono::steady_clock::now() - sent < 1200ms);
  CHECK(scripted_bot_text(visitor.ws, 3000ms) == "echo: worth the wait");

  // A slow LLM the same way.
  visitor.send_message("slow 1200 a deep question");
  CHECK(scripted_bot_text(visitor.ws, 1000ms) == "One moment please.");
  CHECK(scripted_bot_text(visitor.ws, 3000ms) == "LLM: a deep question");
}

TEST_CASE("a bot stage is bound by the tenant's stage time limit, not the plugin call timeout",
          "[bots]") {
  // The server's generic plugin call timeout is far below the stage's answer time.
  BotPlugins plugins;
  DeploymentOptions options = with_plugins(plugins);
  options.config =
      server_config_with(plugins.dir.path(), "call_timeout_ms = 5000", "call_timeout_ms = 300");
  Deployment deployment({bot_tenant()}, options);

  auto visitor = deployment.connect_visitor("acme");
  visitor.send_message("slow 1000 echo worth the wait");
  CHECK(scripted_bot_text(visitor.ws, 1000ms) == "One moment please.");
  CHECK(scripted_bot_text(visitor.ws, 3000ms) == "echo: worth the wait");
  visitor.send_message("slow 800 an LLM question");
  CHECK(scripted_bot_text(visitor.ws, 1000ms) == "One moment please.");
  CHECK(scripted_bot_text(visitor.ws, 3000ms) == "LLM: an LLM question");
}

TEST_CASE("the stages get the language of the visitor's hello", "[bots]") {
  BotPlugins plugins;
  Deployment deployment({bot_tenant()}, with_plugins(plugins));
  auto chinese = deployment.connect_visitor("acme", {{"meta", {{"lang", "zh-CN"}}}});
  chinese.send_message("lang");
  CHECK(scripted_bot_text(chinese.ws) == "language: zh-CN");
  auto unsaid = deployment.connect_visitor("acme");
  unsaid.send_message("lang");
  CHECK(scripted_bot_text(unsaid.ws) == "language: ");

  // A later hello (the visitor switched the page's language) counts from then on.
  auto again = deployment.connect_visitor(
      "acme", {{"visitor_token", chinese.visitor_token}, {"meta", {{"lang", "en"}}}});
  again.send_message("lang");
  CHECK(scripted_bot_text(again.ws) == "language: en");
}

TEST_CASE(
    "failing, malformed and empty answers pass the turn on, when nothing is left a human "
    "takes over",
    "[bots]") {
  BotPlugins plugins;
  Deployment deployment({bot_tenant({}, 10)}, with_plugins(plugins));
  auto visitor = deployment.connect_visitor("acme");
  visitor.send_message("malformed");
  CHECK(scripted_bot_text(visitor.ws) == "LLM: malformed");
  visitor.send_message("empty");
  CHECK(scripted_bot_text(visitor.ws) == "LLM: empty");
  visitor.send_message("fail");
  CHECK(scripted_bot_text(visitor.ws) == "LLM: fail");

  // The LLM fails too: hand-off, with the reply and a place in the queue.
  visitor.send_message("llm malformed");
  CHECK(scripted_bot_text(visitor.ws) == "Connecting you to a person.");
  CHECK(num(visitor.ws.next_of_type("conversation.queued"), "position") == 1);
}

TEST_CASE("a stage that keeps failing is skipped for the cool-down, then used again", "[bots]") {
  BotPlugins plugins;
  Deployment deployment({bot_tenant()}, with_plugins(plugins));
  auto visitor = deployment.connect_visitor("acme");
  visitor.send_message("malformed");
  CHECK(scripted_bot_text(visitor.ws) == "LLM: malformed");
  visitor.send_message("malformed");
  CHECK(scripted_bot_text(visitor.ws) == "LLM: malformed");
  // Two failures in a row: the auto-reply stage is skipped, the LLM answers instead.
  visitor.send_message("echo skipped");
  CHECK(scripted_bot_text(visitor.ws) == "LLM: echo skipped");
  std::this_thread::sleep_for(1200ms);
  visitor.send_message("echo back");
  CHECK(scripted_bot_text(visitor.ws) == "echo: back");
}

TEST_CASE("past the day's token budget the LLM is skipped, also after a restart", "[bots]") {
  BotPlugins plugins;
  Deployment deployment({bot_tenant("daily_token_budget = 60\n")}, with_plugins(plugins));
  auto first = deployment.connect_visitor("acme");
  first.send_message("question one");
  CHECK(scripted_bot_text(first.ws) == "LLM: question one");  // 60 tokens: the day's budget
  first.send_message("question two");
  CHECK(scripted_bot_text(first.ws) == "Connecting you to a person.");

  CHECK(deployment.server().stop() == 0);
  deployment.server().start();
  auto second = deployment.connect_visitor("acme");
  second.send_message("echo the other stages still work");
  CHECK(scripted_bot_text(second.ws) == "echo: the other stages still work");
  second.send_message("question three");
  CHECK(scripted_bot_text(second.ws) == "Connecting you to a person.");
}

TEST_CASE("asking for a human: hand-off, queued, the agent sees the bot part, the bot is silent",
          "[bots]") {
  BotPlugins plugins;
  Deployment deployment({bot_tenant()}, with_plugins(plugins));
  auto visitor = deployment.connect_visitor("acme");
  const std::string cid = str(visitor.send_message("echo my parcel is late"), "conversation_id");
  CHECK(scripted_bot_text(visitor.ws) == "echo: my parcel is late");
  visitor.send_message("I want to talk to a human");
  CHECK(scripted_bot_text(visitor.ws) == "Connecting you to a person.");
  CHECK(num(visitor.ws.next_of_type("conversation.queued"), "position") == 1);

  auto agent = deployment.connect_agent("acme", "alice");
  auto assigned = agent.ws.next_of_type("conversation.assigned");
  CHECK(str(obj(assigned, "conversation"), "id") == cid);
  const auto& history = arr(assigned, "history");
  REQUIRE(history.size() == 4);
  CHECK(history[1].at("from").at("role") == "bot");
  CHECK(history[1].at("text") == "echo: my parcel is late");
  CHECK(history[3].at("text") == "Connecting you to a person.");
  CHECK(str(obj(visitor.ws.next_of_type("conversation.assigned"), "agent"), "id") == "alice");

  // The bot says nothing more: even a command it would answer goes to the agent only.
  visitor.send_message("echo are you there");
  auto to_agent = agent.ws.next_of_type("message");
  CHECK(str(to_agent, "text") == "echo are you there");
  agent.send_message(cid, "Hi, Alice here.");
  CHECK(str(visitor.ws.next_of_type("message"), "text") == "Hi, Alice here.");
  visitor.ws.expect_no_frame_of_type("message", 800ms);
}

TEST_CASE("a stage's own hand-off and close", "[bots]") {
  BotPlugins plugins;
  Deployment deployment({bot_tenant()}, with_plugins(plugins));
  auto visitor = deployment.connect_visitor("acme");
  visitor.send_message("bye");
  CHECK(scripted_bot_text(visitor.ws) == "Goodbye!");
  CHECK(str(visitor.ws.next_of_type("conversation.closed"), "by") == "bot");

  // A new conversation starts with the bot again.
  visitor.send_message("human-ish");
  CHECK(scripted_bot_text(visitor.ws) == "A specialist will take it from here.");
  CHECK(num(visitor.ws.next_of_type("conversation.queued"), "position") == 1);
}

TEST_CASE("a restart while the bot holds the conversation resumes with the bot", "[bots]") {
  BotPlugins plugins;
  Deployment deployment({bot_tenant()}, with_plugins(plugins));
  auto visitor = deployment.connect_visitor("acme");
  const std::string cid = str(visitor.send_message("count"), "conversation_id");
  CHECK(scripted_bot_text(visitor.ws) == "count 1");
  // The server stops while the bot is still working on this one.
  visitor.send_message("slow 1500 echo after the restart");
  CHECK(deployment.server().stop() == 0);
  deployment.server().start();

  // The unanswered message gets its turn after the restart (visible in the history),
  // and the stage's state is what it was.
  const auto deadline = std::chrono::steady_clock::now() + 8s;
  bool answered = false;
  while (!answered && std::chrono::steady_clock::now() < deadline) {
    const auto history = json::parse(deployment.history("acme", cid, visitor.visitor_token).body);
    for (const auto& m : history.at("messages").as_array())
      answered = answered || m.at("text") == "echo: after the restart";
    if (!answered) std::this_thread::sleep_for(100ms);
  }
  CHECK(answered);
  auto back = deployment.connect_visitor("acme", {{"visitor_token", visitor.visitor_token}});
  CHECK(str(back.welcome, "conversation_id") == cid);
  CHECK(str(obj(back.welcome, "conversation"), "status") == "bot");
  back.send_message("count");
  CHECK(scripted_bot_text(back.ws) == "count 2");
}
