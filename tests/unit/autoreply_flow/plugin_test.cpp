// autoreply-flow.so through the real plugin host: the host loads it as an auto-reply
// plugin, the tenant's config names the flow files relative to the tenant file's
// directory, a mistake in them fails the instance with a message naming file and
// key, and the state it returns resumes the flow in a fresh instance (a restart).
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <optional>

#include "abi_test_support.hpp"
#include "plugin_host/plugin_host.hpp"
#include "switchboard/sb_plugin_cpp.hpp"

using namespace sb::plugin_host;
using namespace sb::abi_test;
namespace json = boost::json;

namespace {

// A plugin directory holding only the flow plugin, and a tenants directory with
// tenants/demo/flows.toml copied from the source tree.
struct Setup {
  TempDir dir;
  CapturedLog log;
  std::unique_ptr<PluginHost> host;
  std::filesystem::path tenants = dir.path() / "tenants";

  Setup() {
    std::filesystem::create_directories(dir.path() / "plugins");
    std::filesystem::create_directories(tenants / "demo");
    std::filesystem::copy_file(FLOW_PLUGIN_FILE, dir.path() / "plugins" / "autoreply-flow.so");
    std::filesystem::copy_file(DEMO_FLOWS_FILE, tenants / "demo" / "flows.toml");
    HostOptions options;
    options.logger = log.logger;
    host = std::make_unique<PluginHost>(dir.path() / "plugins", options);
    host->scan();
  }

  std::shared_ptr<Instance> instance(const std::string& config_json, std::string& error) {
    InstanceConfig config;
    config.config_json = config_json;
    config.config_dir = tenants.string();
    return host->create_instance("autoreply-flow", "demo", config, dir.path() / "data", error);
  }

  std::shared_ptr<Instance> demo_instance() {
    std::string error;
    auto made = instance(R"({"files":["demo/flows.toml"]})", error);
    INFO(error);
    REQUIRE(made);
    return made;
  }
};

struct Reply {
  int32_t status = 0;
  json::object result;  // empty when the stage deferred without a result
};

// One visitor message through the instance's reply hook, as the bot pipeline sends it.
Reply ask(Instance& instance, const std::string& text, const std::string& state,
          const std::string& language = "", const std::string& context = "{}") {
  const sb_autoreply_api* api = instance.autoreply_api();
  REQUIRE(api);
  sb_autoreply_request req{};
  req.struct_size = sizeof(req);
  req.conversation_id = sb::str("c1");
  req.visitor_id = sb::str("v1");
  req.text = sb::str(text);
  req.language = sb::str(language);
  req.attributes_json = sb::str("{}");
  req.state_json = sb::str(state);
  req.context_json = sb::str(context);
  boost::asio::io_context io;
  std::optional<CallResult> done;
  instance.call_async(
      [&](sb_instance* inst, sb_op* op, sb_error* err) { return api->reply(inst, &req, op, err); },
      io.get_executor(), [&](CallResult r) { done = std::move(r); });
  REQUIRE(run_until(io, [&] { return done.has_value(); }));
  INFO(done->error);
  Reply out;
  out.status = done->status;
  if (!done->result.empty()) out.result = json::parse(done->result).as_object();
  return out;
}

std::string text_of(const json::object& result, const char* key) {
  const auto* value = result.if_contains(key);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

std::string state_of(const Reply& reply) {
  return json::serialize(reply.result.at("state"));
}

}  // namespace

TEST_CASE("the host loads autoreply-flow as an auto-reply plugin with its config keys",
          "[plugin]") {
  Setup setup;
  const PluginSchema* schema = setup.host->schema("autoreply-flow");
  REQUIRE(schema);
  CHECK(schema->kind == SB_KIND_AUTOREPLY);
  CHECK(schema->keys == std::vector<std::pair<std::string, int32_t>>{
                            {"files", SB_CONFIG_ARRAY}, {"default_language", SB_CONFIG_STRING}});
}

TEST_CASE("the demo order flow runs through the host, and its state resumes in a new instance",
          "[plugin]") {
  Setup setup;
  auto first = setup.demo_instance();
  const auto ask_number = ask(*first, "where is my order?", "", "en");
  CHECK(ask_number.status == SB_OK);
  CHECK_THAT(text_of(ask_number.result, "reply"), Catch::Contains("What is your order number?"));
  CHECK(ask_number.result.at("quick_replies") == json::parse(R"(["Talk to a human"])"));
  CHECK(text_of(ask_number.result, "source") == "flow:order_status/ask_number");

  // The tenant is reloaded (or the server restarted): a fresh instance gets the
  // state the host stored and finishes the flow.
  const std::string stored = state_of(ask_number);
  first.reset();
  auto second = setup.demo_instance();
  const auto answer = ask(*second, "SB-10003", stored, "en");
  CHECK(answer.status == SB_OK);
  CHECK(text_of(answer.result, "reply") == "Order SB-10003: delivered on 28 February.");
  CHECK(answer.result.at("set_attributes") == json::parse(R"({"last_order":"SB-10003"})"));

  // In Chinese, an unknown number hands off to the support group.
  const auto zh = ask(*second, "我的订单到哪了", "", "zh-CN");
  const auto unknown = ask(*second, "SB-55555", state_of(zh), "zh-CN");
  CHECK_THAT(text_of(unknown.result, "reply"), Catch::StartsWith("没有找到订单 SB-55555。"));
  CHECK(unknown.result.at("handoff") ==
        json::parse(R"({"group":"support","reason":"flow:order_status/not_found"})"));
}

TEST_CASE("through the host, unrelated messages defer and an expired flow starts over",
          "[plugin]") {
  Setup setup;
  auto instance = setup.demo_instance();
  CHECK(ask(*instance, "do you sell gift cards?", "", "en").status == SB_DEFER);

  // The host's wall clock decides expiry: a state whose expiry has passed is dropped
  // (the order number is no longer taken), and the new state says so.
  const auto waiting = ask(*instance, "order status", "", "en");
  json::object expired = json::parse(state_of(waiting)).as_object();
  expired["expires_ms"] = 1000;
  const auto late = ask(*instance, "SB-10001", json::serialize(expired), "en");
  CHECK(late.status == SB_DEFER);
  CHECK_FALSE(late.result.at("state").as_object().contains("flow"));

  // An intent from an earlier stage starts the flow, and so does a named flow node.
  CHECK(ask(*instance, "hmm", "", "en", R"({"intent":{"name":"order_status","confidence":0.9}})")
            .status == SB_OK);
  const auto jumped = ask(*instance, "hi", "", "en", R"({"flow_node":"order_status/human"})");
  CHECK(jumped.result.contains("handoff"));
}

TEST_CASE("a mistake in a flow file fails the instance with the file and key named", "[plugin]") {
  Setup setup;
  std::ofstream(setup.tenants / "demo" / "broken.toml") << R"(
[flows.f]
start = "a"
keywords = ["x"]
[flows.f.nodes.a]
message = "hi"
next = "b"
)";
  std::string error;
  CHECK_FALSE(setup.instance(R"({"files":["demo/broken.toml"]})", error));
  CHECK_THAT(error, Catch::Contains("demo/broken.toml:7: flows.f.nodes.a.next: flow 'f' has no "
                                    "node named 'b'"));

  CHECK_FALSE(setup.instance(R"({"files":["demo/missing.toml"]})", error));
  CHECK_THAT(error, Catch::Contains("missing.toml") && Catch::Contains("cannot open"));

  CHECK_FALSE(setup.instance("{}", error));
  CHECK_THAT(error, Catch::Contains("plugins.autoreply-flow.files: missing"));
}

TEST_CASE("load warnings reach the host's log under the plugin's name", "[plugin]") {
  Setup setup;
  std::ofstream(setup.tenants / "demo" / "draft.toml") << R"(
[flows.f]
start = "a"
keywords = ["x"]
[flows.f.nodes.a]
message = "hi"
[flows.f.nodes.draft]
message = "not linked yet"
)";
  std::string error;
  CHECK(setup.instance(R"({"files":["demo/draft.toml"]})", error));
  CHECK(setup.log.count("warning: [autoreply-flow demo] ") == 1);
  CHECK(setup.log.count("draft.toml:7: flows.f.nodes.draft: unreachable") == 1);
}
