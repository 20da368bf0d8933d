#include "server/tenant_runtime.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <map>

#include "bots/pipeline.hpp"
#include "bots/trial.hpp"
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

hub::VisitorTrust trust_of(const tenants::TenantConfig& c) {
  hub::VisitorTrust t;
  t.identity_secret = c.visitors.identity_secret;
  t.unsigned_attributes.insert(c.visitors.unsigned_attributes.begin(),
                               c.visitors.unsigned_attributes.end());
  return t;
}

engine::EnginePolicy policy_of(const tenants::TenantConfig& c) {
  engine::EnginePolicy p;
  p.agent_offline_grace = std::chrono::seconds(c.conversation.agent_offline_grace_s);
  p.requeue_when_agent_offline = c.conversation.on_agent_offline == "requeue";
  p.visitor_offline_grace = std::chrono::seconds(c.conversation.visitor_offline_grace_s);
  p.reroute_unanswered = std::chrono::seconds(c.conversation.reroute_unanswered_s);
  p.bot_first = c.bot && c.bot->bot_first;
  p.reopen_window = std::chrono::seconds(c.conversation.reopen_window_s);
  p.keep_closed = std::chrono::hours(24) * c.retention.closed_conversations_days;
  p.transfer_offer = std::chrono::seconds(c.conversation.transfer_offer_s);
  p.max_message_bytes = c.limits.max_message_bytes;
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

// Every routing plugin the tenant uses, once each: its chain's, then those the rules
// of its routing graph name. One instance each, shared by every chain that names it.
std::vector<std::string> routing_plugins(const tenants::TenantConfig& config) {
  std::vector<std::string> names = config.routing_chain;
  auto add = [&](const std::vector<routing_graph::Action>& actions) {
    for (const auto& action : actions)
      for (const auto& name : action.chain)
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  };
  for (const auto& rule : config.routing_graph.rules) add(rule.actions);
  add(config.routing_graph.fallback.actions);
  return names;
}

// Instances in routing_plugins() order; empty when one cannot be created.
std::vector<std::shared_ptr<plugin_host::Instance>> routing_instances(
    const tenants::TenantConfig& config, plugin_host::PluginHost& plugins,
    const std::filesystem::path& data_dir, std::string& error) {
  std::vector<std::shared_ptr<plugin_host::Instance>> out;
  for (const auto& name : routing_plugins(config)) {
    auto instance = plugin_instance(config, name, plugins, data_dir, error);
    if (!instance) {
      error = "routing plugin " + name + ": " + error;
      return {};
    }
    out.push_back(std::move(instance));
  }
  return out;
}

// The plugin instances of the [bot] pipeline; empty without a bot. false and a
// reason when one cannot be created.
bool bot_instances(const tenants::TenantConfig& config, plugin_host::PluginHost& plugins,
                   const std::filesystem::path& data_dir,
                   std::vector<std::shared_ptr<plugin_host::Instance>>& out, std::string& error) {
  out.clear();
  if (!config.bot) return true;
  for (const auto& name : config.bot->pipeline) {
    auto instance = plugin_instance(config, name, plugins, data_dir, error);
    if (!instance) {
      error = "bot plugin " + name + ": " + error;
      out.clear();
      return false;
    }
    out.push_back(std::move(instance));
  }
  return true;
}

// The pipeline's stages over the tenant's stage instances.
std::vector<bots::Stage> stages_of(const TenantRuntime& runtime) {
  std::vector<bots::Stage> stages;
  for (const auto& instance : runtime.bot_stages) {
    bots::Stage stage;
    stage.name = instance->plugin_name();
    if (instance->llm_api()) {
      stage.llm = std::make_shared<PluginLlmStage>(instance, runtime.strand);
    } else {
      stage.autoreply = std::make_shared<PluginAutoreplyStage>(instance, runtime.strand);
    }
    stages.push_back(std::move(stage));
  }
  return stages;
}

// The engine's bot, and the admin's trial of it, over the tenant's stage instances;
// neither without a bot.
void apply_bot(TenantRuntime& runtime, const tenants::TenantConfig& config) {
  if (!config.bot) {
    runtime.engine->set_bot(nullptr);
    runtime.bot_trial = nullptr;
    return;
  }
  runtime.engine->set_bot(std::make_shared<bots::Pipeline>(config.id, bot_settings_of(*config.bot),
                                                           stages_of(runtime), runtime.token_budget,
                                                           runtime.strand));
  runtime.bot_trial =
      std::make_shared<const bots::Trial>(config.id, bot_settings_of(*config.bot),
                                          stages_of(runtime), runtime.token_budget, runtime.strand);
}

// The budget lives on the tenant's strand, like the pipeline that spends it.
void apply_token_budget(const TenantRuntime& runtime, const tenants::TenantConfig& config) {
  const uint64_t limit = config.bot ? config.bot->daily_token_budget : 0;
  boost::asio::post(runtime.strand, [budget = runtime.token_budget, limit] {
    budget->set_daily_limit(limit);
    budget->load();
  });
}

// The default chain, each rule's chain and the graph, over the runtime's instances.
void apply_routing(TenantRuntime& runtime) {
  const tenants::TenantConfig& config = *runtime.config;
  const auto names = routing_plugins(config);
  std::map<std::string, engine::RouterPtr> by_name;
  for (size_t i = 0; i < names.size() && i < runtime.routing.size(); ++i)
    by_name[names[i]] = std::make_shared<PluginRouter>(runtime.routing[i], runtime.strand);
  auto chain = [&](const std::vector<std::string>& plugins) {
    std::vector<engine::RouterPtr> out;
    for (const auto& name : plugins)
      if (auto it = by_name.find(name); it != by_name.end()) out.push_back(it->second);
    return out;
  };
  std::map<std::string, std::vector<engine::RouterPtr>> rule_chains;
  auto add = [&](const std::vector<routing_graph::Action>& actions) {
    for (const auto& action : actions)
      if (!action.chain.empty())
        rule_chains.emplace(engine::chain_key(action.chain), chain(action.chain));
  };
  for (const auto& rule : config.routing_graph.rules) add(rule.actions);
  add(config.routing_graph.fallback.actions);
  runtime.engine->set_routing_graph(
      std::make_shared<const routing_graph::Graph>(config.routing_graph), std::move(rule_chains));
  runtime.engine->set_routing_chain(chain(config.routing_chain));
}

}  // namespace

std::shared_ptr<plugin_host::Instance> plugin_instance(
    const tenants::TenantConfig& config, const std::string& plugin,
    plugin_host::PluginHost& plugins, const std::filesystem::path& data_dir, std::string& error,
    const plugin_host::PluginBuild& build, const std::map<std::string, std::string>& settings,
    plugin_host::RetryAfter* retry_after) {
  plugin_host::InstanceConfig instance_config;
  if (const auto* section = config.section(plugin)) {
    instance_config.config_json = section->config_json;
    instance_config.values_as_text = section->values_as_text;
  }
  for (const auto& [key, value] : settings) instance_config.values_as_text[key] = value;
  instance_config.config_dir = config.file.parent_path().string();
  // Each instance gets a directory of its own: tenants never share files.
  const auto dir = data_dir / "tenants" / config.id / plugin;
  if (build)
    return plugins.create_instance(build, config.id, instance_config, dir, error, retry_after);
  return plugins.create_instance(plugin, config.id, instance_config, dir, error, retry_after);
}

void subscribe_to_events(const TenantRuntime& runtime,
                         const std::vector<std::shared_ptr<plugin_host::Instance>>& instances) {
  std::vector<std::shared_ptr<plugin_host::Instance>> listeners;
  for (const auto& instance : instances)
    if (instance && instance->wants_events()) listeners.push_back(instance);
  if (listeners.empty()) return;
  // Weak: an instance replaced later (reload, new build) is not kept alive by the
  // bus; its subscription then does nothing.
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

bots::PipelineSettings bot_settings_of(const tenants::BotConfig& b) {
  bots::PipelineSettings s;
  s.display_name = b.name;
  s.holding_after = std::chrono::milliseconds(b.timeout_ms);
  s.stage_timeout = std::chrono::milliseconds(b.stage_timeout_ms);
  s.holding_reply = b.holding_reply;
  s.handoff_reply = b.handoff_reply;
  s.system_prompt = b.system_prompt;
  s.faq_context_entries = b.faq_context_entries;
  s.llm_max_tokens = b.max_tokens;
  s.breaker_failures = b.breaker_failures;
  s.breaker_cooldown = std::chrono::seconds(b.breaker_cooldown_s);
  s.handoff_phrases = b.handoff_phrases;
  s.handoff_intents = b.handoff_intents;
  s.feedback = b.feedback;
  s.low_confidence = b.low_confidence;
  return s;
}

std::shared_ptr<TenantRuntime> build_tenant(
    std::shared_ptr<const tenants::TenantConfig> config, plugin_host::PluginHost& plugins,
    const std::filesystem::path& data_dir, boost::asio::any_io_executor strand,
    metrics::Registry& metrics, std::string& error,
    const std::map<std::string, std::string>& storage_settings,
    plugin_host::RetryAfter* storage_retry_after) {
  auto runtime = std::make_shared<TenantRuntime>();
  runtime->config = config;
  runtime->strand = strand;
  runtime->storage = plugin_instance(*config, config->storage_plugin, plugins, data_dir, error, {},
                                     storage_settings, storage_retry_after);
  if (!runtime->storage) {
    error = "storage plugin " + config->storage_plugin + ": " + error;
    return nullptr;
  }
  runtime->routing = routing_instances(*config, plugins, data_dir, error);
  if (runtime->routing.size() != routing_plugins(*config).size()) return nullptr;

  auto tenant_metrics = metrics.tenant(config->id);
  auto store = std::make_shared<PluginStore>(runtime->storage, strand);
  runtime->store = store;
  runtime->plugin_store = store;
  runtime->engine =
      std::make_shared<engine::TenantEngine>(config->id, strand, store, tenant_metrics);
  runtime->engine->set_policy(policy_of(*config));
  runtime->engine->set_groups(config->groups);
  runtime->agents = std::make_shared<agents::AgentDirectory>(
      store, [engine = std::weak_ptr(runtime->engine)](std::vector<engine::AgentState> merged) {
        if (auto e = engine.lock()) e->set_agents(std::move(merged));
      });
  runtime->agents->set_file_agents(agents_of(*config));
  apply_routing(*runtime);
  if (!bot_instances(*config, plugins, data_dir, runtime->bot_stages, error)) return nullptr;
  runtime->token_budget = std::make_shared<bots::TokenBudget>(store, config->id);
  apply_token_budget(*runtime, *config);
  apply_bot(*runtime, *config);
  std::vector<std::shared_ptr<plugin_host::Instance>> listeners{runtime->storage};
  listeners.insert(listeners.end(), runtime->routing.begin(), runtime->routing.end());
  subscribe_to_events(*runtime, listeners);
  runtime->gate = std::make_shared<hub::TenantGate>(config->id, runtime->engine, tenant_metrics,
                                                    limits_of(*config));
  runtime->gate->update_visitor_trust(trust_of(*config));
  runtime->gate->update_allowed_origins(config->widget.allowed_origins);
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
  runtime.gate->update_visitor_trust(trust_of(*config));
  runtime.gate->update_allowed_origins(config->widget.allowed_origins);
  runtime.agents->set_file_agents(agents_of(*config));
  runtime.engine->set_policy(policy_of(*config));
  runtime.engine->set_groups(config->groups);

  // Plugins may read files from the tenant's own directory: an edit there means new
  // instances, as an edit of their config table does.
  const bool own_files_changed = config->own_files_stamp != old.own_files_stamp;
  const auto wanted = routing_plugins(*config);
  const bool plugins_changed =
      wanted != routing_plugins(old) || own_files_changed ||
      std::any_of(wanted.begin(), wanted.end(), [&](const std::string& name) {
        return section_json(*config, name) != section_json(old, name);
      });
  bool routing_kept = false;
  if (plugins_changed) {
    std::string error;
    auto routing = routing_instances(*config, plugins, data_dir, error);
    if (routing.size() == wanted.size()) {
      runtime.routing = std::move(routing);
      subscribe_to_events(runtime, runtime.routing);
    } else {
      warning += (warning.empty() ? "" : "; ") + ("routing chain kept as it was: " + error);
      routing_kept = true;
    }
  }
  auto bot_sections = [&](const tenants::TenantConfig& c) {
    std::vector<std::string> out;
    if (c.bot)
      for (const auto& name : c.bot->pipeline) out.push_back(section_json(c, name));
    return out;
  };
  bool bot_kept = false;
  if (config->bot != old.bot || bot_sections(*config) != bot_sections(old) || own_files_changed) {
    std::string error;
    std::vector<std::shared_ptr<plugin_host::Instance>> stages;
    if (bot_instances(*config, plugins, data_dir, stages, error)) {
      runtime.bot_stages = std::move(stages);
      apply_token_budget(runtime, *config);
      apply_bot(runtime, *config);
    } else {
      warning += (warning.empty() ? "" : "; ") + ("bot kept as it was: " + error);
      bot_kept = true;
    }
  }
  if (!storage_kept && !routing_kept && !bot_kept) {
    runtime.config = std::move(config);
    apply_routing(runtime);
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
    // The graph's chains need the plugins that could not be created: it stays too.
    merged->routing_chain = old.routing_chain;
    merged->own_files_stamp = old.own_files_stamp;
    merged->routing_graph = old.routing_graph;
    for (const auto& name : routing_plugins(old)) keep_section(name);
  }
  if (bot_kept) {
    merged->bot = old.bot;
    merged->own_files_stamp = old.own_files_stamp;
    if (old.bot)
      for (const auto& name : old.bot->pipeline) keep_section(name);
  }
  runtime.config = std::move(merged);
  apply_routing(runtime);
  return false;
}

bool renew_stale_instances(TenantRuntime& runtime, plugin_host::PluginHost& plugins,
                           const std::filesystem::path& data_dir, std::vector<std::string>& moved,
                           std::string& warning) {
  const tenants::TenantConfig& config = *runtime.config;
  // Only a plugin that is loaded can be moved to; one whose file was removed keeps
  // running on its old build.
  auto stale = [&](const std::shared_ptr<plugin_host::Instance>& instance) {
    return !plugins.is_current(*instance) && plugins.has(instance->plugin_name());
  };
  auto describe = [](const plugin_host::Instance& from, const plugin_host::Instance& to) {
    return from.plugin_name() + " " + from.info().version + " (generation " +
           std::to_string(from.info().generation) + ") -> " + to.info().version + " (generation " +
           std::to_string(to.info().generation) + ")";
  };
  bool ok = true;

  // One instance at a time: the others keep their state (a round-robin position).
  std::vector<std::shared_ptr<plugin_host::Instance>> renewed_routers;
  for (auto& instance : runtime.routing) {
    if (!stale(instance)) continue;
    std::string error;
    auto fresh = plugin_instance(config, instance->plugin_name(), plugins, data_dir, error);
    if (!fresh) {
      warning += (warning.empty() ? "" : "; ") + ("routing plugin " + instance->plugin_name() +
                                                  " keeps its running build: " + error);
      ok = false;
      continue;
    }
    moved.push_back(describe(*instance, *fresh));
    instance = fresh;
    renewed_routers.push_back(std::move(fresh));
  }
  if (!renewed_routers.empty()) {
    apply_routing(runtime);
    subscribe_to_events(runtime, renewed_routers);
  }

  bool bot_renewed = false;
  for (auto& instance : runtime.bot_stages) {
    if (!stale(instance)) continue;
    std::string error;
    auto fresh = plugin_instance(config, instance->plugin_name(), plugins, data_dir, error);
    if (!fresh) {
      warning += (warning.empty() ? "" : "; ") +
                 ("bot plugin " + instance->plugin_name() + " keeps its running build: " + error);
      ok = false;
      continue;
    }
    moved.push_back(describe(*instance, *fresh));
    instance = std::move(fresh);
    bot_renewed = true;
  }
  if (bot_renewed) apply_bot(runtime, config);
  return ok;
}

}  // namespace sb::server
