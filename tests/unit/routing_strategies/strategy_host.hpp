// A plugin host with the four strategy plugins loaded from a private directory, and
// a way to route through one of them or through a chain, as the conversation engine
// does: the first strategy that does not defer decides.
#pragma once

#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "plugin_host/plugin_host.hpp"
#include "plugin_host/routing_client.hpp"
#include "switchboard/sb_plugin.h"

namespace sb::routing_strategies_test {

using plugin_host::AgentCandidate;
using plugin_host::RoutingClient;

// What one visitor asks for.
struct Visitor {
  std::string group;                   // empty = any
  std::string attributes_json = "{}";  // as the widget sent it
};

// One route call's answer. agent_id is set only for SB_OK; refused: the SB_ERROR was
// the plugin refusing the request (SB_REFUSED), not counted by its breaker.
struct Decision {
  int32_t status = SB_ERROR;
  std::string agent_id;
  std::string error;
  bool refused = false;
};

class StrategyHost {
 public:
  StrategyHost() {
    std::random_device seed;
    dir_ = std::filesystem::temp_directory_path() /
           ("sb-routing-strategies-" + std::to_string(seed()) + "-" + std::to_string(seed()));
    std::filesystem::create_directories(dir_);
    for (const char* so : {LOAD_BALANCING_SO, LOAD_ROTATION_SO, SKILLS_SO, STICKY_SO})
      std::filesystem::copy_file(so, dir_ / std::filesystem::path(so).filename());
    plugin_host::HostOptions options;
    options.logger = std::make_shared<spdlog::logger>(
        "routing-strategies-test", std::make_shared<spdlog::sinks::ostream_sink_st>(log_));
    options.logger->set_level(spdlog::level::debug);
    host_ = std::make_unique<plugin_host::PluginHost>(dir_, options);
    host_->scan();
  }
  ~StrategyHost() {
    host_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  StrategyHost(const StrategyHost&) = delete;
  StrategyHost& operator=(const StrategyHost&) = delete;

  const plugin_host::PluginSchema* schema(const std::string& plugin) const {
    return host_->schema(plugin);
  }

  // The instance a tenant naming `plugin` gets.
  RoutingClient router(const std::string& plugin, const std::string& tenant_id = "acme") {
    std::string error;
    auto instance = host_->create_instance(plugin, tenant_id, {}, dir_ / tenant_id, error);
    if (!instance) throw std::runtime_error("cannot create " + plugin + ": " + error);
    return RoutingClient(instance);
  }

  // The host's options: its circuit breaker opens after this many failures in a row.
  static uint32_t breaker_failures() { return plugin_host::HostOptions{}.breaker_failures; }

  Decision route(RoutingClient& router, const std::vector<AgentCandidate>& candidates,
                 const Visitor& visitor = {}) {
    plugin_host::RouteQuery query;
    query.conversation_id = "c_" + std::to_string(++conversations_);
    query.visitor_id = "v_1";
    query.group = visitor.group;
    query.attributes_json = visitor.attributes_json;
    query.candidates = &candidates;
    const auto outcome = router.route(query, io_.get_executor(), [](plugin_host::CallResult) {});
    Decision decision{outcome.status, {}, outcome.error, outcome.refused};
    if (outcome.status == SB_OK) decision.agent_id = candidates.at(outcome.index).agent_id;
    return decision;
  }

  // Asks each strategy in turn while they defer (an error counts as a deferral, as
  // in the engine). Returns the first choice, or "" when every strategy deferred.
  std::string route_chain(const std::vector<RoutingClient*>& chain,
                          const std::vector<AgentCandidate>& candidates, const Visitor& visitor,
                          size_t* decided_by = nullptr) {
    for (size_t i = 0; i < chain.size(); ++i) {
      const Decision decision = route(*chain[i], candidates, visitor);
      if (decision.status == SB_OK) {
        if (decided_by) *decided_by = i;
        return decision.agent_id;
      }
    }
    if (decided_by) *decided_by = chain.size();
    return {};
  }

  // Everything the plugins and the host logged so far.
  std::string log() const { return log_.str(); }

 private:
  std::filesystem::path dir_;
  std::ostringstream log_;
  boost::asio::io_context io_;
  std::unique_ptr<plugin_host::PluginHost> host_;
  uint64_t conversations_ = 0;
};

// A free agent (the host offers only online agents below max_concurrent).
inline AgentCandidate free_agent(std::string id, uint32_t open_conversations = 0,
                                 int64_t last_assigned_ms = 0, std::string groups_json = "[]",
                                 std::string skills_json = "{}") {
  AgentCandidate c;
  c.agent_id = std::move(id);
  c.name = "Agent " + c.agent_id;
  c.open_conversations = open_conversations;
  c.max_concurrent = 50;
  c.last_assigned_ms = last_assigned_ms;
  c.online_since_ms = 1;
  c.groups_json = std::move(groups_json);
  c.skills_json = std::move(skills_json);
  return c;
}

}  // namespace sb::routing_strategies_test
