// One running tenant: its config, its plugin instances, its engine and the gate
// the hub checks. Built from a TenantConfig at start-up or when a tenant file
// appears; updated in place when the file changes.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agents/agent_directory.hpp"
#include "bots/pipeline_settings.hpp"
#include "bots/token_budget.hpp"
#include "bots/trial.hpp"
#include "engine/tenant_engine.hpp"
#include "hub/tenant_gate.hpp"
#include "metrics/metrics.hpp"
#include "plugin_host/plugin_host.hpp"
#include "server/plugin_adapters.hpp"
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
  std::shared_ptr<engine::Store> store;  // plugin_store, as the engine sees it
  std::shared_ptr<PluginStore> plugin_store;
  std::shared_ptr<hub::TenantGate> gate;
  boost::asio::any_io_executor strand;
  // Cluster mode: another node owns the tenant. The engine is never started (the
  // storage instance is read-only); connections are relayed to the owner.
  bool relayed = false;
};

// How the bot pipeline behaves, from the tenant's [bot] table.
bots::PipelineSettings bot_settings_of(const tenants::BotConfig& bot);

// Creates the tenant's plugin instances and engine (not started). nullptr and a
// reason when a plugin instance cannot be created.
// storage_settings: keys of the storage plugin's table that the server decides
// (cluster mode: node_id, lease_ms, read_only), over what the tenant file says.
// storage_retry_after: when the storage plugin refused, how long it said that lasts.
std::shared_ptr<TenantRuntime> build_tenant(
    std::shared_ptr<const tenants::TenantConfig> config, plugin_host::PluginHost& plugins,
    const std::filesystem::path& data_dir, boost::asio::any_io_executor strand,
    metrics::Registry& metrics, std::string& error,
    const std::map<std::string, std::string>& storage_settings = {},
    plugin_host::RetryAfter* storage_retry_after = nullptr);

// Applies an edited config to a running tenant: limits, agents, routing chain, bot. A
// changed own_files_stamp (a file in the tenant's own directory was edited) creates
// the plugin instances again, so they read the new files.
// Returns false with a reason when the edit needs something that cannot change
// live (the storage plugin or its settings), or a routing chain or bot pipeline
// whose plugins cannot be created (the running one stays); the rest is applied.
bool update_tenant(TenantRuntime& runtime, std::shared_ptr<const tenants::TenantConfig> config,
                   plugin_host::PluginHost& plugins, const std::filesystem::path& data_dir,
                   std::string& warning);

// One plugin instance for the tenant, configured from its [plugins.NAME] table, in
// a data directory of its own (<data_dir>/tenants/<id>/<plugin>). From `build`
// when given (a build that is no longer current), else from the current one.
std::shared_ptr<plugin_host::Instance> plugin_instance(
    const tenants::TenantConfig& config, const std::string& plugin,
    plugin_host::PluginHost& plugins, const std::filesystem::path& data_dir, std::string& error,
    const plugin_host::PluginBuild& build = {},
    const std::map<std::string, std::string>& settings = {},
    plugin_host::RetryAfter* retry_after = nullptr);

// Moves the tenant's routing and bot plugin instances whose plugin has a newer build
// loaded to new instances of that build (the storage instance moves through a
// handover instead, see plugin_watch.cpp). The engine takes the new routers and bot
// at once; calls in flight finish on the old instances, which are freed (and their
// build unmapped, if nothing else runs it) when the last of them completes. An
// instance that cannot be created leaves the old one in place: false and a reason.
// Returns true with `moved` empty when nothing was stale. Call with the server's
// tenants lock held, like update_tenant.
bool renew_stale_instances(TenantRuntime& runtime, plugin_host::PluginHost& plugins,
                           const std::filesystem::path& data_dir, std::vector<std::string>& moved,
                           std::string& warning);

// Plugins see the tenant's events through their on_event hook: subscribes these
// instances (those without the hook are skipped).
void subscribe_to_events(const TenantRuntime& runtime,
                         const std::vector<std::shared_ptr<plugin_host::Instance>>& instances);

}  // namespace sb::server
