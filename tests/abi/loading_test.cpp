// Loading through the C ABI: good plugins load (one written in plain C), bad ones
// are refused with one log line each, and the server keeps going.
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <optional>

#include "abi_test_support.hpp"
#include "plugin_host/plugin_host.hpp"
#include "plugin_host/routing_client.hpp"
#include "plugin_host/storage_client.hpp"

using namespace sb::plugin_host;
using namespace sb::abi_test;

namespace {

HostOptions options_with(const CapturedLog& log) {
  HostOptions options;
  options.logger = log.logger;
  return options;
}

std::vector<std::string> names_of(const std::vector<PluginInfo>& infos) {
  std::vector<std::string> names;
  for (const auto& info : infos) names.push_back(info.name);
  return names;
}

// The single log line about a file, or "" when there is not exactly one.
std::string only_line_about(const CapturedLog& log, const std::string& file) {
  if (log.count(file) != 1) return {};
  std::istringstream in(log.text());
  for (std::string line; std::getline(in, line);) {
    if (line.find(file) != std::string::npos) return line;
  }
  return {};
}

}  // namespace

TEST_CASE("bad plugins are refused with one line each and the good ones beside them load") {
  TempDir dir;
  copy_test_plugins(dir.path(), {"abi-c-router", "abi-faulty-router", "abi-faulty-storage",
                                 "abi-major-two", "abi-minor-newer", "abi-no-instance-new",
                                 "abi-no-route", "abi-small-api", "abi-not-a-plugin"});
  std::ofstream(dir.path() / "garbage.so") << "this is not an ELF file";
  std::filesystem::copy_file(dir.path() / "abi-c-router.so", dir.path() / "zz-duplicate.so");

  CapturedLog log;
  PluginHost host(dir.path(), options_with(log));
  host.scan();

  CHECK(names_of(host.plugins()) ==
        std::vector<std::string>{"abi-c-router", "abi-faulty-router", "abi-faulty-storage"});

  // The host's version is the header's; the refused plugin claims one minor more.
  const std::string host_abi = "host ABI 1." + std::to_string(SB_ABI_MINOR);
  const std::string newer = "plugin ABI 1." + std::to_string(SB_ABI_MINOR + 1);
  const auto major_two = only_line_about(log, "abi-major-two.so");
  CHECK_THAT(major_two, Catch::Contains("warning") && Catch::Contains("major") &&
                            Catch::Contains("plugin ABI 2.0") && Catch::Contains(host_abi));
  const auto minor_newer = only_line_about(log, "abi-minor-newer.so");
  CHECK_THAT(minor_newer,
             Catch::Contains("minor") && Catch::Contains(newer) && Catch::Contains(host_abi));
  CHECK_THAT(only_line_about(log, "abi-no-instance-new.so"),
             Catch::Contains("instance_new is missing"));
  CHECK_THAT(only_line_about(log, "abi-no-route.so"), Catch::Contains("route is missing"));
  CHECK_THAT(only_line_about(log, "abi-small-api.so"), Catch::Contains("smaller than in ABI 1.0"));
  CHECK_THAT(only_line_about(log, "abi-not-a-plugin.so"),
             Catch::Contains("no sb_plugin_entry") && Catch::Contains("plugin ABI unknown"));
  CHECK_THAT(only_line_about(log, "garbage.so"), Catch::Contains("not a loadable library"));
  CHECK_THAT(only_line_about(log, "zz-duplicate.so"), Catch::Contains("already loaded"));

  // The schema tenants validate against.
  const PluginSchema* schema = host.schema("abi-c-router");
  REQUIRE(schema != nullptr);
  CHECK(schema->kind == SB_KIND_ROUTING);
  CHECK(schema->keys == std::vector<std::pair<std::string, int32_t>>{{"pick", SB_CONFIG_STRING}});
  CHECK(host.schema("abi-major-two") == nullptr);

  // A second scan (a reload) loads nothing twice.
  host.scan();
  CHECK(host.plugins().size() == 3);
}

TEST_CASE("a missing plugin directory is reported, not a crash") {
  CapturedLog log;
  PluginHost host("/nonexistent/switchboard-plugins", options_with(log));
  host.scan();
  CHECK(host.plugins().empty());
  CHECK(log.count("/nonexistent/switchboard-plugins does not exist") == 1);
}

TEST_CASE("a plugin written in plain C routes through the host") {
  TempDir dir;
  copy_test_plugins(dir.path(), {"abi-c-router"});
  CapturedLog log;
  PluginHost host(dir.path(), options_with(log));
  host.scan();
  boost::asio::io_context io;
  const std::vector<AgentCandidate> candidates = {
      {"agent-a", "A", 2, 3}, {"agent-b", "B", 0, 3}, {"agent-c", "C", 1, 3}};
  RouteQuery query;
  query.candidates = &candidates;

  std::string error;
  auto instance = host.create_instance("abi-c-router", "acme", {}, dir.path() / "data", error);
  REQUIRE(instance);
  CHECK(log.count("[abi-c-router acme] c router ready") == 1);
  RoutingClient router(instance);
  auto outcome = router.route(query, io.get_executor(), [](CallResult) {});
  CHECK(outcome.status == SB_OK);
  CHECK(outcome.index == 1);  // agent-b has the most free slots

  SECTION("its config comes through host->config_get") {
    auto config = instance_config(R"({"pick":"last"})", {{"pick", "last"}});
    auto picky = host.create_instance("abi-c-router", "acme", config, dir.path() / "data", error);
    REQUIRE(picky);
    CHECK(RoutingClient(picky).route(query, io.get_executor(), [](CallResult) {}).index == 2);
  }
  SECTION("no candidate defers to the next strategy") {
    const std::vector<AgentCandidate> none;
    query.candidates = &none;
    CHECK(router.route(query, io.get_executor(), [](CallResult) {}).status == SB_DEFER);
  }
}

TEST_CASE("create_instance reports an unknown plugin and a plugin that throws") {
  TempDir dir;
  copy_test_plugins(dir.path(), {"abi-faulty-storage"});
  CapturedLog log;
  PluginHost host(dir.path(), options_with(log));
  host.scan();

  std::string error;
  CHECK_FALSE(host.create_instance("storage-nowhere", "acme", {}, dir.path() / "data", error));
  CHECK_THAT(error, Catch::Contains("storage-nowhere"));

  error.clear();
  auto refusing = instance_config(R"({"refuse":true})");
  CHECK_FALSE(
      host.create_instance("abi-faulty-storage", "acme", refusing, dir.path() / "data", error));
  CHECK_THAT(error, Catch::Contains("acme") && Catch::Contains("refusing this tenant"));
}

TEST_CASE("a refusal says when it ends from ABI 1.8, an older plugin's words are only words") {
  // A cluster node tries a tenant again when the storage plugin says its refusal
  // ends (another node's lease), else at its next heartbeat (core/cluster/take_retries).
  TempDir dir;
  copy_test_plugins(dir.path(), {"abi-faulty-storage", "abi-faulty-storage-1-8"});
  CapturedLog log;
  PluginHost host(dir.path(), options_with(log));
  host.scan();
  const InstanceConfig held{R"({"held":true})", {}, ""};

  std::string error;
  RetryAfter retry_after;
  CHECK_FALSE(host.create_instance("abi-faulty-storage-1-8", "acme", held, dir.path() / "new",
                                   error, &retry_after));
  CHECK_THAT(error, Catch::Contains("held by node 'n'"));
  CHECK(retry_after == std::chrono::milliseconds(691));

  // The same refusal from a 1.0 plugin loads and fails the same way, and says no
  // time, whatever its text reads like: the caller falls back to its own schedule.
  error.clear();
  retry_after.reset();
  CHECK_FALSE(host.create_instance("abi-faulty-storage", "acme", held, dir.path() / "old", error,
                                   &retry_after));
  CHECK_THAT(error, Catch::Contains("for another 691 ms"));
  CHECK_FALSE(retry_after);
  // And it still serves tenants it does not refuse.
  CHECK(host.create_instance("abi-faulty-storage", "acme", {}, dir.path() / "old", error));

  // A plugin writes the time only where the host's sb_error has room for it (rule 4).
  char buffer[8] = {};
  sb_error small{static_cast<uint32_t>(offsetof(sb_error, retry_after_ms)), buffer, sizeof buffer,
                 0};
  sb_error_set_retry_after(&small, 691);
  CHECK(small.retry_after_ms == 0);
  sb_error full{sizeof(sb_error), buffer, sizeof buffer, 0};
  sb_error_set_retry_after(&full, 0);  // "now" is still a time: at least 1 ms
  CHECK(full.retry_after_ms == 1);
}

TEST_CASE("an instance sees its own config and its tenant's events") {
  TempDir dir;
  copy_test_plugins(dir.path(), {"abi-faulty-storage"});
  CapturedLog log;
  PluginHost host(dir.path(), options_with(log));
  host.scan();
  std::string error;
  auto instance =
      host.create_instance("abi-faulty-storage", "acme",
                           instance_config(R"({"greeting":"hello"})", {{"greeting", "hello"}}),
                           dir.path() / "data", error);
  REQUIRE(instance);
  CHECK(std::filesystem::is_directory(dir.path() / "data"));

  sb_event event{sizeof(sb_event),    sb_str_from("message.created"),
                 sb_str_from("acme"), sb_str_from("c_1"),
                 sb_str_from("{}"),   0};
  instance->deliver_event(event);
  instance->deliver_event(event);
  sb_event throwing = event;
  throwing.type = sb_str_from("throw");
  instance->deliver_event(throwing);  // swallowed and logged
  CHECK(log.count("[abi-faulty-storage acme] on_event threw") == 1);

  boost::asio::io_context io;
  std::optional<CallResult> got;
  StorageClient(instance).kv_get("ns", "key", io.get_executor(), [&](CallResult r) { got = r; });
  REQUIRE(run_until(io, [&] { return got.has_value(); }));
  CHECK(got->status == SB_OK);
  CHECK(got->result == "2:hello");
}

TEST_CASE(
    "a replaced plugin file is loaded beside the old code, existing instances keep the old code") {
  TempDir dir;
  copy_test_plugins(dir.path(), {"abi-c-router"});
  CapturedLog log;
  PluginHost host(dir.path(), options_with(log));
  host.scan();
  boost::asio::io_context io;
  const std::vector<AgentCandidate> candidates = {{"agent-a", "A", 0, 3}, {"agent-b", "B", 2, 3}};
  RouteQuery query;
  query.candidates = &candidates;
  std::string error;
  auto before = host.create_instance("abi-c-router", "acme", {}, dir.path() / "data", error);
  REQUIRE(before);
  const PluginSchema* schema_before = host.schema("abi-c-router");

  // Replaced the way installers do it: a new file renamed over the old one.
  std::filesystem::copy_file(std::filesystem::path(SB_TEST_PLUGIN_DIR) / "abi-c-router-v2.so",
                             dir.path() / "incoming.tmp");
  std::filesystem::rename(dir.path() / "incoming.tmp", dir.path() / "abi-c-router.so");
  host.scan();

  CHECK(log.count("reloaded plugin abi-c-router 0.1.0 -> 0.2.0") == 1);
  REQUIRE(host.plugins().size() == 1);
  CHECK(host.plugins()[0].version == "0.2.0");
  auto after = host.create_instance("abi-c-router", "acme", {}, dir.path() / "data", error);
  REQUIRE(after);
  CHECK(RoutingClient(after).route(query, io.get_executor(), [](CallResult) {}).index ==
        1);  // new code
  CHECK(RoutingClient(before).route(query, io.get_executor(), [](CallResult) {}).index ==
        0);                                      // old code
  CHECK(schema_before->name == "abi-c-router");  // still valid

  // Nothing changed since: a further scan reloads nothing.
  host.scan();
  CHECK(log.count("reloaded plugin") == 1);

  SECTION("a refused replacement leaves the loaded version in use") {
    std::filesystem::copy_file(std::filesystem::path(SB_TEST_PLUGIN_DIR) / "abi-no-route.so",
                               dir.path() / "incoming.tmp");
    std::filesystem::rename(dir.path() / "incoming.tmp", dir.path() / "abi-c-router.so");
    host.scan();
    CHECK(log.count("refused replacement of plugin abi-c-router") == 1);
    CHECK(host.plugins()[0].version == "0.2.0");
  }
}
