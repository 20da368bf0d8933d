#include "server/tenant_runtime.hpp"

#include <spdlog/spdlog.h>

#include "bus/event_bus.hpp"
#include "server/plugin_adapters.hpp"
#include "switchboard/sb_plugin.h"

namespace sb::server {

namespace {

hub::TenantLimits limits_of(const tenants::TenantConfig& c) {
  hub::TenantLimits l;
  l.max_connections = c.limits.max_connections;
  l.messages_per_second = c.limits.messages_per_second;
  l.connection_messages_per_second = c.limits.connection_messages_per_second;
  l.max_message_bytes = c.limits.max_message_bytes;
  l.visitor_token_ttl_s = c.visitor_token_ttl_s;
  return l;
}

engine::EnginePolicy policy_of(const tenants::TenantConfig& c) {
  engine::EnginePolicy p;
  p.agent_offline_grace = std::chrono::seconds(c.conversation.agent_offline_grace_s);
  p.requeue_when_agent_offline = c.conversation.on_agent_offline == "requeue";
  p.reroute_unanswered = std::chrono::seconds(c.conversation.reroute_unanswered_s);
  return p;
}

std::vector<agents::AgentRecord> agents_of(const tenants::TenantConfig& c) {
  std::vector<agents::AgentRecord> out;
  for (const auto& a : c.agents) {
    agents::AgentRecord r;
    r.id = a.id;
    r.email = a.email;
    r.name = a.name;
    r.role = a.role;
    r.password_hash = a.password_hash;
    r.groups = a.groups;
    r.skills = a.skills;
    r.max_concurrent = a.max_concurrent;
    out.push_back(std::move(r));
  }
  return out;
}

std::shared_ptr<plugin_host::Instance> instance_for(const tenants::TenantConfig& config,
                                                    const std::string& plugin,
                                                    plugin_host::PluginHost& plugins,
                                                    const std::filesystem::path& data_dir,
                                                    std::string& error) {
  plugin_host::InstanceConfig instance_config;
  if (const auto* section = config.section(plugin)) {
    instance_config.config_json = section->config_json;
    instance_config.values_as_text = section->values_as_text;
  }
  instance_config.config_dir = config.file.parent_path().string();
  // Each instance gets a directory of its own: tenants never share files.
  const auto dir = data_dir / "tenants" / config.id / plugin;
  return plugins.create_instance(plugin, config.id, instance_config, dir, error);
}

std::vector<std::shared_ptr<plugin_host::Instance>> routing_instances(
    const tenants::TenantConfig& config, plugin_host::PluginHost& plugins,
    const std::filesystem::path& data_dir, std::string& error) {
  std::vector<std::shared_ptr<plugin_host::Instance>> out;
  for (const auto& name : config.routing_chain) {
    auto instance = instance_for(config, name, plugins, data_dir, error);
    if (!instance) {
      error = "routing plugin " + name + ": " + error;
      return {};
    }
    out.push_back(std::move(instance));
  }
  return out;
}

std::vector<engine::RouterPtr> routers_of(
    const std::vector<std::shared_ptr<plugin_host::Instance>>& instances,
    const boost::asio::any_io_executor& strand) {
  std::vector<engine::RouterPtr> out;
  for (const auto& instance : instances)
    out.push_back(std::make_shared<PluginRouter>(instance, strand));
  return out;
}

// Plugins see the tenant's events through their on_event hook.
void subscribe_plugins(TenantRuntime& runtime) {
  std::vector<std::shared_ptr<plugin_host::Instance>> listeners;
  if (runtime.storage && runtime.storage->wants_events()) listeners.push_back(runtime.storage);
  for (const auto& r : runtime.routing)
    if (r->wants_events()) listeners.push_back(r);
  if (listeners.empty()) return;
  runtime.engine->with_bus([listeners](bus::EventBus& bus) {
    for (const auto& instance : listeners) {
      bus.subscribe([weak = std::weak_ptr(instance)](const bus::Event& e) {
        auto instance = weak.lock();
        if (!instance) return;
        auto s = [](const std::string& v) { return sb_str{v.data(), v.size()}; };
        sb_event ev{sizeof(sb_event),     s(e.type),         s(e.tenant_id),
                    s(e.conversation_id), s(e.payload_json), e.ts_ms};
        instance->deliver_event(ev);
      });
    }
  });
}

}  // namespace

std::shared_ptr<TenantRuntime> build_tenant(std::shared_ptr<const tenants::TenantConfig> config,
                                            plugin_host::PluginHost& plugins,
                                            const std::filesystem::path& data_dir,
                                            boost::asio::any_io_executor strand,
                                            metrics::Registry& metrics, std::string& error) {
  auto runtime = std::make_shared<TenantRuntime>();
  runtime->config = config;
  runtime->strand = strand;
  runtime->storage = instance_for(*config, config->storage_plugin, plugins, data_dir, error);
  if (!runtime->storage) {
    error = "storage plugin " + config->storage_plugin + ": " + error;
    return nullptr;
  }
  runtime->routing = routing_instances(*config, plugins, data_dir, error);
  if (runtime->routing.size() != config->routing_chain.size()) return nullptr;

  auto tenant_metrics = metrics.tenant(config->id);
  auto store = std::make_shared<PluginStore>(runtime->storage, strand);
  runtime->store = store;
  runtime->engine =
      std::make_shared<engine::TenantEngine>(config->id, strand, store, tenant_metrics);
  runtime->engine->set_policy(policy_of(*config));
  runtime->engine->set_groups(config->groups);
  runtime->agents = std::make_shared<agents::AgentDirectory>(
      store, [engine = std::weak_ptr(runtime->engine)](std::vector<engine::AgentState> merged) {
        if (auto e = engine.lock()) e->set_agents(std::move(merged));
      });
  runtime->agents->set_file_agents(agents_of(*config));
  runtime->engine->set_routing_chain(routers_of(runtime->routing, strand));
  subscribe_plugins(*runtime);
  runtime->gate = std::make_shared<hub::TenantGate>(config->id, runtime->engine, tenant_metrics,
                                                    limits_of(*config));
  return runtime;
}

bool update_tenant(TenantRuntime& runtime, std::shared_ptr<const tenants::TenantConfig> config,
                   plugin_host::PluginHost& plugins, const std::filesystem::path& data_dir,
                   std::string& warning) {
  const auto& old = *runtime.config;
  auto section_json = [](const tenants::TenantConfig& c, const std::string& name) {
    const auto* section = c.section(name);
    return section ? section->config_json : std::string();
  };
  const bool storage_kept =
      config->storage_plugin != old.storage_plugin ||
      section_json(*config, config->storage_plugin) != section_json(old, old.storage_plugin);
  if (storage_kept)
    warning =
        "the storage plugin and its settings change only with a restart; the running "
        "tenant keeps " +
        old.storage_plugin;

  runtime.gate->update_limits(limits_of(*config));
  runtime.agents->set_file_agents(agents_of(*config));
  runtime.engine->set_policy(policy_of(*config));
  runtime.engine->set_groups(config->groups);

  const bool chain_changed =
      config->routing_chain != old.routing_chain ||
      std::any_of(config->routing_chain.begin(), config->routing_chain.end(),
                  [&](const std::string& name) {
                    return section_json(*config, name) != section_json(old, name);
                  });
  bool routing_kept = false;
  if (chain_changed) {
    std::string error;
    auto routing = routing_instances(*config, plugins, data_dir, error);
    if (routing.size() == config->routing_chain.size()) {
      runtime.routing = std::move(routing);
      runtime.engine->set_routing_chain(routers_of(runtime.routing, runtime.strand));
    } else {
      warning += (warning.empty() ? "" : "; ") + ("routing chain kept as it was: " + error);
      routing_kept = true;
    }
  }
  if (!storage_kept && !routing_kept) {
    runtime.config = std::move(config);
    return true;
  }
  // The live config says what actually runs, so the next edit is compared with it.
  auto merged = std::make_shared<tenants::TenantConfig>(*config);
  auto keep_section = [&](const std::string& name) {
    merged->plugin_sections.erase(name);
    if (const auto* section = old.section(name)) merged->plugin_sections[name] = *section;
  };
  if (storage_kept) {
    merged->storage_plugin = old.storage_plugin;
    keep_section(old.storage_plugin);
  }
  if (routing_kept) {
    merged->routing_chain = old.routing_chain;
    for (const auto& name : old.routing_chain) keep_section(name);
  }
  runtime.config = std::move(merged);
  return false;
}

}  // namespace sb::server
