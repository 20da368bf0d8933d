// Loads one routing plugin into a private directory and routes through the host,
// the way the conversation engine does.
#pragma once

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "plugin_host/plugin_host.hpp"
#include "plugin_host/routing_client.hpp"

namespace sb::routing_test {

namespace fs = std::filesystem;
using plugin_host::AgentCandidate;

class RoutingHarness {
 public:
  RoutingHarness(const char* so_path, const std::string& plugin_name) : plugin_name_(plugin_name) {
    std::random_device rd;
    dir_ = fs::temp_directory_path() /
           ("sb-routing-test-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(dir_);
    fs::copy_file(so_path, dir_ / fs::path(so_path).filename());
    host_ = std::make_unique<plugin_host::PluginHost>(dir_, plugin_host::HostOptions{});
    host_->scan();
  }
  ~RoutingHarness() {
    host_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  const plugin_host::PluginSchema* schema() const { return host_->schema(plugin_name_); }

  // A new instance, as for a tenant that names the plugin.
  plugin_host::RoutingClient client(const std::string& tenant_id) {
    std::string error;
    auto instance = host_->create_instance(plugin_name_, tenant_id, {}, dir_ / tenant_id, error);
    if (!instance) throw std::runtime_error(error);
    return plugin_host::RoutingClient(instance);
  }

  // Routes once; returns the chosen agent id, or "" for SB_DEFER. Anything else fails.
  std::string route(plugin_host::RoutingClient& client,
                    const std::vector<AgentCandidate>& candidates) {
    plugin_host::RouteQuery query;
    query.conversation_id = "c_1";
    query.candidates = &candidates;
    const auto outcome = client.route(query, io_.get_executor(), [](plugin_host::CallResult) {});
    if (outcome.status == SB_DEFER) return {};
    if (outcome.status != SB_OK) throw std::runtime_error("route failed: " + outcome.error);
    return candidates.at(outcome.index).agent_id;
  }

 private:
  std::string plugin_name_;
  fs::path dir_;
  boost::asio::io_context io_;
  std::unique_ptr<plugin_host::PluginHost> host_;
};

inline AgentCandidate agent(std::string id, uint32_t open = 0, int64_t last_assigned_ms = 0) {
  AgentCandidate c;
  c.agent_id = std::move(id);
  c.name = c.agent_id;
  c.open_conversations = open;
  c.max_concurrent = 100;
  c.last_assigned_ms = last_assigned_ms;
  return c;
}

}  // namespace sb::routing_test
