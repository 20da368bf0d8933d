// One running tenant: its config, its plugin instances, its engine and the gate
// the hub checks. Built from a TenantConfig at start-up or when a tenant file
// appears; updated in place when the file changes.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "agents/agent_directory.hpp"
#include "bots/token_budget.hpp"
#include "bots/trial.hpp"
#include "engine/tenant_engine.hpp"
#include "hub/tenant_gate.hpp"
#include "metrics/metrics.hpp"
#include "plugin_host/plugin_host.hpp"
#include "tenants/tenant_config.hpp"

namespace sb::server {

struct TenantRuntime {
  std::shared_ptr<const tenants::TenantConfig> config;
  std::shared_ptr<plugin_host::Instance> storage;
  std::vector<std::shared_ptr<plugin_host::Instance>> routing;
  std::vector<std::shared_ptr<plugin_host::Instance>> bot_stages;  // [bot] pipeline, in order
  std::shared_ptr<bots::TokenBudget> token_budget;                 // outlives reloads
  std::shared_ptr<const bots::Trial> bot_trial;  // the admin's "try it"; nullptr without [bot]
  std::shared_ptr<engine::TenantEngine> engine;
  std::shared_ptr<agents::AgentDirectory> agents;
  std::shared_ptr<engine::Store> store;
  std::shared_ptr<hub::TenantGate> gate;
  boost::asio::any_io_executor strand;
};

// Creates the tenant's plugin instances and engine (not started). nullptr and a
// reason when a plugin instance cannot be created.
std::shared_ptr<TenantRuntime> build_tenant(std::shared_ptr<const tenants::TenantConfig> config,
                                            plugin_host::PluginHost& plugins,
                                            const std::filesystem::path& data_dir,
                                            boost::asio::any_io_executor strand,
                                            metrics::Registry& metrics, std::string& error);

// Applies an edited config to a running tenant: limits, agents, routing chain, bot. A
// changed own_files_stamp (a file in the tenant's own directory was edited) creates
// the plugin instances again, so they read the new files.
// Returns false with a reason when the edit needs something that cannot change
// live (the storage plugin or its settings), or a routing chain or bot pipeline
// whose plugins cannot be created (the running one stays); the rest is applied.
bool update_tenant(TenantRuntime& runtime, std::shared_ptr<const tenants::TenantConfig> config,
                   plugin_host::PluginHost& plugins, const std::filesystem::path& data_dir,
                   std::string& warning);

}  // namespace sb::server
