// A plugin built for another ABI major in the plugin directory is refused with one
// log line; the server starts and serves chat with the good plugins.
#include <catch2/catch.hpp>
#include <filesystem>
#include <sstream>
#include <thread>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;
namespace fs = std::filesystem;

namespace {

// Built by tests/abi as abi-major-two.so; empty when that target is not part of the build.
fs::path wrong_abi_plugin() {
#ifdef SWITCHBOARD_WRONG_ABI_PLUGIN
  return SWITCHBOARD_WRONG_ABI_PLUGIN;
#else
  return {};
#endif
}

}  // namespace

TEST_CASE("a plugin with a wrong ABI major is rejected with one log line and chat still works",
          "[plugins]") {
  const auto bad_plugin = wrong_abi_plugin();
  if (bad_plugin.empty()) {
    WARN(
        "no wrong-ABI test plugin (target abi-major-two from tests/abi) in this build, nothing to "
        "test");
    return;
  }
  REQUIRE(fs::exists(bad_plugin));
  sb::test::TempDir plugins("switchboard-plugins");
  for (const auto& entry : fs::directory_iterator(SWITCHBOARD_PLUGIN_DIR))
    if (entry.path().extension() == ".so")
      fs::copy_file(entry.path(), plugins.path() / entry.path().filename());
  fs::copy_file(bad_plugin, plugins.path() / bad_plugin.filename());

  DeploymentOptions options;
  options.plugin_dir = plugins.path();
  Deployment deployment({acme_tenant()}, options);

  // Exactly one log line names the rejected file.
  const auto log = deployment.server().log();
  std::istringstream lines(log);
  int mentions = 0;
  for (std::string line; std::getline(lines, line);)
    if (line.find(bad_plugin.filename().string()) != std::string::npos) ++mentions;
  INFO("server log:\n" << log);
  CHECK(mentions == 1);

  auto agent = deployment.connect_agent("acme", "alice");
  auto visitor = deployment.connect_visitor("acme");
  auto ack = visitor.send_message("plugins fine?");
  CHECK(num(ack, "seq") == 1);
  CHECK(str(obj(agent.ws.next_of_type("conversation.assigned"), "conversation"), "id") ==
        str(ack, "conversation_id"));
  CHECK(sb::test::http_get(deployment.port(), "/readyz").status == 200);
}

TEST_CASE("a plain C plugin routes a tenant's chats and sees its events through the ABI",
          "[plugins][events]") {
#ifndef SWITCHBOARD_C_ROUTER_PLUGIN
  WARN(
      "no C router test plugin (target abi-c-router from tests/abi) in this build, nothing to "
      "test");
#else
  const fs::path c_router = SWITCHBOARD_C_ROUTER_PLUGIN;
  REQUIRE(fs::exists(c_router));
  sb::test::TempDir plugins("switchboard-plugins");
  for (const auto& entry : fs::directory_iterator(SWITCHBOARD_PLUGIN_DIR))
    if (entry.path().extension() == ".so")
      fs::copy_file(entry.path(), plugins.path() / entry.path().filename());
  fs::copy_file(c_router, plugins.path() / c_router.filename());

  auto tenant = acme_tenant();
  tenant.routing_chain = {"abi-c-router"};
  DeploymentOptions options;
  options.plugin_dir = plugins.path();
  Deployment deployment({tenant}, options);

  auto agent = deployment.connect_agent("acme", "alice");
  auto visitor = deployment.connect_visitor("acme");
  const auto conversation = str(visitor.send_message("routed by C"), "conversation_id");
  CHECK(str(obj(agent.ws.next_of_type("conversation.assigned"), "conversation"), "id") ==
        conversation);

  // The plugin logs every event type it is given; the log shows the whole path.
  std::string log;
  for (int i = 0; i < 20; ++i) {
    log = deployment.server().log();
    if (log.find("c router saw conversation.assigned") != std::string::npos) break;
    std::this_thread::sleep_for(100ms);
  }
  INFO("server log:\n" << log);
  CHECK(log.find("c router saw agent.status") != std::string::npos);
  CHECK(log.find("c router saw conversation.opened") != std::string::npos);
  CHECK(log.find("c router saw message.created") != std::string::npos);
  CHECK(log.find("c router saw conversation.assigned") != std::string::npos);
#endif
}
