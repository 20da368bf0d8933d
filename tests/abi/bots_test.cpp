// ABI 1.1's bot kinds through the real host: auto-reply and LLM plugins load beside
// 1.0 plugins, a plain-C auto-reply plugin answers, and sb_autoreply_cpp.hpp's
// trampolines keep the "exactly once" promise whatever the plugin class does.
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <catch2/catch.hpp>
#include <optional>

#include "abi_test_support.hpp"
#include "common/clock.hpp"
#include "plugin_host/bot_clients.hpp"
#include "plugin_host/plugin_host.hpp"
#include "plugin_host/routing_client.hpp"
#include "support/fake_openai.hpp"
#include "switchboard/sb_plugin_cpp.hpp"

using namespace sb::plugin_host;
using namespace sb::abi_test;
using namespace std::chrono_literals;

namespace {

struct Fixture {
  TempDir dir;
  CapturedLog log;
  boost::asio::io_context io;
  std::unique_ptr<PluginHost> host;

  Fixture() {
    copy_test_plugins(dir.path(), {"abi-c-router", "abi-faulty-storage", "abi-c-autoreply",
                                   "abi-cpp-bot", "abi-cpp-llm"});
    HostOptions options;
    options.call_timeout = 150ms;
    options.logger = log.logger;
    host = std::make_unique<PluginHost>(dir.path(), options);
    host->scan();
  }

  std::shared_ptr<Instance> instance(const char* plugin, InstanceConfig config = {}) {
    std::string error;
    auto made = host->create_instance(plugin, "acme", config, dir.path() / "data" / plugin, error);
    INFO(error);
    REQUIRE(made);
    return made;
  }

  // One reply through AutoreplyClient within budget; waits for its one callback,
  // checks no second one follows and that it ran on the strand it was given.
  BotResult reply(const std::shared_ptr<Instance>& bot, const std::string& text,
                  const std::string& state = "", std::chrono::milliseconds budget = 150ms) {
    AutoreplyQuery query;
    query.conversation_id = "c_1";
    query.text = text;
    query.state_json = state;
    return await([&](auto strand, auto cb) {
      AutoreplyClient(bot).reply(query, sb::monotonic_ms() + budget.count(), strand, cb);
    });
  }

  BotResult chat(const std::shared_ptr<Instance>& llm, const std::string& command,
                 std::chrono::milliseconds budget = 150ms) {
    const std::string messages = R"([{"role":"user","content":")" + command + R"("}])";
    LlmQuery query;
    query.messages_json = messages;
    return await([&](auto strand, auto cb) {
      LlmClient(llm).chat(query, sb::monotonic_ms() + budget.count(), strand, cb);
    });
  }

  template <class Start>
  BotResult await(Start&& start) {
    auto strand = boost::asio::make_strand(io);
    int calls = 0;
    bool on_strand = true;
    BotResult got;
    start(boost::asio::any_io_executor(strand), [&, strand](BotResult r) {
      ++calls;
      on_strand = on_strand && strand.running_in_this_thread();
      got = std::move(r);
    });
    CHECK(calls == 0);  // never inside the call
    REQUIRE(run_until(io, [&] { return calls == 1; }));
    run_for(io, 20ms);
    REQUIRE(calls == 1);
    CHECK(on_strand);
    return got;
  }
};

}  // namespace

TEST_CASE_METHOD(Fixture, "auto-reply and LLM plugins load beside 1.0 plugins on the 1.1 host") {
  std::map<std::string, PluginInfo> loaded;
  for (const auto& info : host->plugins()) loaded[info.name] = info;
  REQUIRE(loaded.size() == 5);
  CHECK(loaded["abi-c-autoreply"].kind == SB_KIND_AUTOREPLY);
  CHECK(loaded["abi-cpp-bot"].kind == SB_KIND_AUTOREPLY);
  CHECK(loaded["abi-cpp-llm"].kind == SB_KIND_LLM);
  CHECK(loaded["abi-cpp-llm"].abi_minor == 1);
  // The 1.0 plugins still load and still work on the 1.1 host.
  CHECK(loaded["abi-c-router"].abi_minor == 0);
  CHECK(loaded["abi-faulty-storage"].abi_minor == 0);
  CHECK(log.count("loaded plugin abi-c-router 0.1.0 (routing, ABI 1.0)") == 1);
  CHECK(log.count("loaded plugin abi-c-autoreply 0.1.0 (auto-reply, ABI 1.1)") == 1);
  CHECK(log.count("loaded plugin abi-cpp-llm 0.1.0 (llm, ABI 1.1)") == 1);
  const std::vector<AgentCandidate> candidates = {{"agent-a", "A", 2, 3}, {"agent-b", "B", 0, 3}};
  RouteQuery query;
  query.candidates = &candidates;
  auto outcome = RoutingClient(instance("abi-c-router")).route(query, io.get_executor(), {});
  CHECK(outcome.status == SB_OK);
  CHECK(outcome.index == 1);

  // The helper declares the class's config keys.
  const PluginSchema* schema = host->schema("abi-cpp-bot");
  REQUIRE(schema);
  CHECK(schema->keys == std::vector<std::pair<std::string, int32_t>>{{"url", SB_CONFIG_STRING}});
}

TEST_CASE_METHOD(Fixture, "a plain C auto-reply plugin answers and gets the tenant's directory") {
  InstanceConfig config;
  config.config_dir = (dir.path() / "tenants").string();
  auto bot = instance("abi-c-autoreply", config);
  CHECK(log.count("c autoreply ready, config_dir=" + (dir.path() / "tenants").string()) == 1);

  const auto first = reply(bot, "hello");
  CHECK(first.status == BotStatus::ok);
  CHECK(first.body == R"({"reply":"hello from C","state":{"turns":1}})");
  CHECK(reply(bot, "hello", R"({"turns":4})").body ==
        R"({"reply":"hello from C","state":{"turns":5}})");
  const auto other = reply(bot, "what are your opening hours?");
  CHECK(other.status == BotStatus::defer);
  CHECK(other.body.empty());
}

TEST_CASE_METHOD(Fixture, "a relative config directory reaches the plugin as an absolute path") {
  InstanceConfig config;
  config.config_dir = "tenants";
  auto bot = instance("abi-cpp-bot", config);
  const auto got = reply(bot, "config");
  REQUIRE(got.status == BotStatus::ok);
  const std::string expected_dir = (std::filesystem::current_path() / "tenants").string();
  CHECK_THAT(got.body, Catch::Contains("\"config_dir\":\"" + expected_dir + "\""));
  CHECK_THAT(got.body, Catch::Contains((dir.path() / "data" / "abi-cpp-bot").string()));
}

TEST_CASE_METHOD(Fixture, "the C++ helper answers exactly once whatever the plugin class does") {
  auto bot = instance("abi-cpp-bot");

  const auto now = reply(bot, "now");
  CHECK(now.status == BotStatus::ok);
  CHECK(now.body == R"({"reply":"bot says hi"})");

  const auto later = reply(bot, "later");
  CHECK(later.status == BotStatus::ok);
  CHECK(later.body == R"({"reply":"bot says hi"})");

  const auto deferred = reply(bot, "defer");
  CHECK(deferred.status == BotStatus::defer);
  CHECK(deferred.body == R"({"state":{"step":2}})");

  const auto dropped = reply(bot, "drop");
  CHECK(dropped.status == BotStatus::error);
  CHECK_THAT(dropped.error, Catch::Contains("dropped the operation without an answer"));

  const auto thrown = reply(bot, "throw");
  CHECK(thrown.status == BotStatus::error);
  CHECK(thrown.error == "bot boom");

  // Past the host's timeout: the timeout answers, the late answer is dropped.
  const auto slow = reply(bot, "slow");
  CHECK(slow.status == BotStatus::timeout);
  CHECK_THAT(slow.error, Catch::Contains("timed out"));
  run_for(io, 400ms);  // the late completion arrives and must change nothing

  // The instance still answers after all that.
  CHECK(reply(bot, "now").status == BotStatus::ok);
}

TEST_CASE_METHOD(Fixture, "an LLM plugin written with the helper chats through the host") {
  auto llm = instance("abi-cpp-llm");
  const auto now = chat(llm, "now");
  CHECK(now.status == BotStatus::ok);
  CHECK(now.body == R"({"text":"llm says hi","usage":{"prompt_tokens":3,"completion_tokens":3}})");
  const auto later = chat(llm, "later");
  CHECK(later.status == BotStatus::ok);
  const auto thrown = chat(llm, "throw");
  CHECK(thrown.status == BotStatus::error);
  CHECK(thrown.error == "bot boom");
}

TEST_CASE_METHOD(Fixture,
                 "the helper keeps exceptions of the constructor and on_event in the plugin") {
  std::string error;
  auto refused = host->create_instance("abi-cpp-bot", "acme", instance_config(R"({"refuse":true})"),
                                       dir.path() / "data", error);
  CHECK_FALSE(refused);
  CHECK_THAT(error, Catch::Contains("refusing tenant acme"));

  auto bot = instance("abi-cpp-bot");
  CHECK(bot->wants_events());
  sb_event event{
      sizeof(sb_event), sb_str_from("throw"), sb_str_from("acme"), {}, sb_str_from("{}"), 0};
  bot->deliver_event(event);
  CHECK(log.count("on_event boom") == 1);
  CHECK(reply(bot, "now").status == BotStatus::ok);
}

TEST_CASE_METHOD(Fixture, "a bot call's deadline, not the host's default timeout, limits it") {
  auto bot = instance("abi-cpp-bot");
  // "slow" answers after 400 ms: past the host's default (150 ms here), within 2 s.
  const auto patient = reply(bot, "slow", "", 2000ms);
  CHECK(patient.status == BotStatus::ok);
  CHECK(patient.body == R"({"reply":"bot says hi"})");

  // 50 ms against 400: a wide margin, so a loaded machine that runs the deadline's
  // timer late cannot see the answer first (5 ms against 10 once failed under load).
  const auto hurried = reply(bot, "slow", "", 50ms);
  CHECK(hurried.status == BotStatus::timeout);
  CHECK_THAT(hurried.error, Catch::Contains("timed out after"));

  // A deadline already gone: the plugin is not asked at all.
  const auto late = reply(bot, "throw", "", -1ms);
  CHECK(late.status == BotStatus::timeout);
  CHECK(late.error == "the deadline had passed before the call");

  auto llm = instance("abi-cpp-llm");
  const auto slow_llm = chat(llm, "slow", 100ms);
  CHECK(slow_llm.status == BotStatus::timeout);
  CHECK(chat(llm, "slow", 2000ms).status == BotStatus::ok);
  run_for(io, 450ms);  // let the dropped answers arrive before the plugins go
}

TEST_CASE_METHOD(Fixture, "a failing bot stage is never refused by the host's breaker") {
  // The tenant's bot pipeline keeps the breaker for its stages, by the tenant's
  // numbers: the host's own (5 failures here) would second-guess it.
  auto bot = instance("abi-cpp-bot");
  for (int i = 0; i < 8; ++i) {
    const auto failed = reply(bot, "throw");
    CHECK(failed.status == BotStatus::error);
    CHECK_THAT(failed.error, Catch::Contains("bot boom"));  // the plugin was asked
  }
  CHECK_FALSE(bot->breaker_open());
  CHECK(reply(bot, "now").status == BotStatus::ok);
  CHECK(log.count("circuit open") == 0);
}

// A bot stage answers through its completion, so its refusal (ABI 1.11) comes late:
// it reaches the pipeline marked refused, which the tenant's bot breaker then does
// not count (unit_bots). From a plugin that states 1.1 the same completion is a
// failure (ABI rule 7).
TEST_CASE_METHOD(Fixture, "a bot stage's refusal through its completion reaches the pipeline") {
  const auto refused = reply(instance("abi-cpp-bot"), "refuse");  // states 1.11
  CHECK(refused.status == BotStatus::error);
  CHECK(refused.refused);
  CHECK(refused.error == "cannot take this request");
  const auto failed = chat(instance("abi-cpp-llm"), "refuse");  // states 1.1
  CHECK(failed.status == BotStatus::error);
  CHECK_FALSE(failed.refused);
  CHECK(failed.error == "cannot take this request");
  CHECK(log.count("the plugin states ABI 1.1 but answered SB_REFUSED") == 1);
}

TEST_CASE("the bot clients refuse an instance of another kind") {
  TempDir dir;
  copy_test_plugins(dir.path(), {"abi-c-router"});
  PluginHost host(dir.path(), {});
  host.scan();
  std::string error;
  auto router = host.create_instance("abi-c-router", "acme", {}, dir.path() / "data", error);
  REQUIRE(router);
  CHECK_THROWS_AS(AutoreplyClient(router), std::invalid_argument);
  CHECK_THROWS_AS(LlmClient(router), std::invalid_argument);
}

TEST_CASE_METHOD(Fixture,
                 "a plugin's request through the host's sb_http_v1 reaches a real server") {
  sb::test::FakeOpenAiServer server;
  server.enqueue(sb::test::FakeReply::raw(200, "text/plain", "pong"));
  InstanceConfig config;
  const std::string url = server.base_url() + "/chat/completions";
  config.values_as_text = {{"url", url}};
  auto bot = instance("abi-cpp-bot", config);
  const auto got = reply(bot, "http", "", 3000ms);
  REQUIRE(got.status == BotStatus::ok);
  CHECK(got.body == R"({"status":200,"body":"pong","error":""})");

  SECTION("the instance is not freed while its request is outstanding") {
    server.enqueue(sb::test::FakeReply::raw(200, "text/plain", "late").after(300ms));
    CHECK(reply(bot, "fire").status == BotStatus::ok);  // answered before the response
    std::weak_ptr<Instance> weak = bot;
    bot.reset();
    CHECK_FALSE(weak.expired());  // the request holds it
    CHECK(log.count("bot freed") == 0);
    REQUIRE(run_until(
        io, [&] { return weak.expired(); }, 3s));
    const std::string text = log.text();
    const auto done_at = text.find("http done 200");
    const auto freed_at = text.find("bot freed");
    REQUIRE(done_at != std::string::npos);
    REQUIRE(freed_at != std::string::npos);
    CHECK(done_at < freed_at);
  }
  SECTION("a refused connection comes back as the response's error") {
    InstanceConfig nowhere;
    nowhere.values_as_text = {{"url", "http://127.0.0.1:1/"}};
    auto lost = instance("abi-cpp-bot", nowhere);
    const auto refused = reply(lost, "http", "", 3000ms);
    REQUIRE(refused.status == BotStatus::ok);
    CHECK_THAT(refused.body, Catch::Contains(R"("status":0)") && Catch::Contains("connect: "));
  }
}
