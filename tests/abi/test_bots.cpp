// ABI 1.1's bot kinds through the real host: auto-reply and LLM plugins load beside
// 1.0 plugins, a plain-C auto-reply plugin answers, and sb_autoreply_cpp.hpp's
// trampolines keep the "exactly once" promise whatever the plugin class does.
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <optional>

#include "abi_test_support.hpp"
#include "plugin_host/plugin_host.hpp"
#include "plugin_host/routing_client.hpp"
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

  // One reply() call; waits for its one callback and checks no second one follows.
  CallResult reply(const std::shared_ptr<Instance>& bot, const std::string& text,
                   const std::string& state = "") {
    const sb_autoreply_api* api = bot->autoreply_api();
    REQUIRE(api);
    sb_autoreply_request req{};
    req.struct_size = sizeof(req);
    req.text = sb::str(text);
    req.state_json = sb::str(state);
    int calls = 0;
    CallResult got;
    bot->call_async([&](sb_instance* inst, sb_op* op,
                        sb_error* err) { return api->reply(inst, &req, op, err); },
                    io.get_executor(),
                    [&](CallResult r) {
                      ++calls;
                      got = std::move(r);
                    });
    REQUIRE(run_until(io, [&] { return calls == 1; }));
    run_for(io, 20ms);
    REQUIRE(calls == 1);
    return got;
  }

  CallResult chat(const std::shared_ptr<Instance>& llm, const std::string& command) {
    const sb_llm_api* api = llm->llm_api();
    REQUIRE(api);
    const std::string messages = R"([{"role":"user","content":")" + command + R"("}])";
    sb_llm_request req{};
    req.struct_size = sizeof(req);
    req.messages_json = sb::str(messages);
    std::optional<CallResult> got;
    llm->call_async(
        [&](sb_instance* inst, sb_op* op, sb_error* err) { return api->chat(inst, &req, op, err); },
        io.get_executor(), [&](CallResult r) { got = std::move(r); });
    REQUIRE(run_until(io, [&] { return got.has_value(); }));
    return *got;
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
  CHECK(first.status == SB_OK);
  CHECK(first.result == R"({"reply":"hello from C","state":{"turns":1}})");
  CHECK(reply(bot, "hello", R"({"turns":4})").result ==
        R"({"reply":"hello from C","state":{"turns":5}})");
  const auto other = reply(bot, "what are your opening hours?");
  CHECK(other.status == SB_DEFER);
  CHECK(other.result.empty());
}

TEST_CASE_METHOD(Fixture, "a relative config directory reaches the plugin as an absolute path") {
  InstanceConfig config;
  config.config_dir = "tenants";
  auto bot = instance("abi-cpp-bot", config);
  const auto got = reply(bot, "config");
  REQUIRE(got.status == SB_OK);
  const std::string expected_dir = (std::filesystem::current_path() / "tenants").string();
  CHECK_THAT(got.result, Catch::Contains("\"config_dir\":\"" + expected_dir + "\""));
  CHECK_THAT(got.result, Catch::Contains((dir.path() / "data" / "abi-cpp-bot").string()));
}

TEST_CASE_METHOD(Fixture, "the C++ helper answers exactly once whatever the plugin class does") {
  auto bot = instance("abi-cpp-bot");

  const auto now = reply(bot, "now");
  CHECK(now.status == SB_OK);
  CHECK(now.result == R"({"reply":"bot says hi"})");

  const auto later = reply(bot, "later");
  CHECK(later.status == SB_OK);
  CHECK(later.result == R"({"reply":"bot says hi"})");

  const auto deferred = reply(bot, "defer");
  CHECK(deferred.status == SB_DEFER);
  CHECK(deferred.result == R"({"state":{"step":2}})");

  const auto dropped = reply(bot, "drop");
  CHECK(dropped.status == SB_ERROR);
  CHECK_THAT(dropped.error, Catch::Contains("dropped the operation without an answer"));

  const auto thrown = reply(bot, "throw");
  CHECK(thrown.status == SB_ERROR);
  CHECK(thrown.error == "bot boom");

  // Past the host's timeout: the timeout answers, the late answer is dropped.
  const auto slow = reply(bot, "slow");
  CHECK(slow.status == SB_ERROR);
  CHECK_THAT(slow.error, Catch::Contains("timed out"));
  run_for(io, 400ms);  // the late completion arrives and must change nothing

  // The instance still answers after all that.
  CHECK(reply(bot, "now").status == SB_OK);
}

TEST_CASE_METHOD(Fixture, "an LLM plugin written with the helper chats through the host") {
  auto llm = instance("abi-cpp-llm");
  const auto now = chat(llm, "now");
  CHECK(now.status == SB_OK);
  CHECK(now.result ==
        R"({"text":"llm says hi","usage":{"prompt_tokens":3,"completion_tokens":3}})");
  const auto later = chat(llm, "later");
  CHECK(later.status == SB_OK);
  const auto thrown = chat(llm, "throw");
  CHECK(thrown.status == SB_ERROR);
  CHECK(thrown.error == "bot boom");
}

TEST_CASE_METHOD(Fixture,
                 "the helper keeps exceptions of the constructor and on_event in the plugin") {
  std::string error;
  auto refused = host->create_instance("abi-cpp-bot", "acme", {R"({"refuse":true})", {}, ""},
                                       dir.path() / "data", error);
  CHECK_FALSE(refused);
  CHECK_THAT(error, Catch::Contains("refusing tenant acme"));

  auto bot = instance("abi-cpp-bot");
  CHECK(bot->wants_events());
  sb_event event{
      sizeof(sb_event), sb_str_from("throw"), sb_str_from("acme"), {}, sb_str_from("{}"), 0};
  bot->deliver_event(event);
  CHECK(log.count("on_event boom") == 1);
  CHECK(reply(bot, "now").status == SB_OK);
}
