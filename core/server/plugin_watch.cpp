// Plugins that change while the server serves. The reload thread calls
// watch_plugins() every tenant_reload_interval_ms:
//  - a .so dropped into the plugin directory is loaded (PluginHost::rescan) and its
//    schema offered to tenant files; files that failed before are checked again, so
//    one that named the plugin before it arrived is served now;
//  - a replaced .so is loaded beside the running build, and every tenant using the
//    plugin moves to new instances: routing and bot instances at once
//    (renew_stale_instances), storage through a handover (below). Calls in flight
//    finish on the old code; the old build is unmapped with its last instance;
//  - a removed .so offers no new instances, and running ones keep its code.
#include <spdlog/spdlog.h>

#include <future>

#include "server/server.hpp"

namespace sb::server {

namespace {

// A move that could not be made (storage still busy, a build refusing a tenant) is
// tried again after this, not every tick: each try holds the tenant's storage calls.
constexpr auto kMoveRetry = std::chrono::seconds(30);

// Besides the plugin's own call timeout, what closing a storage instance may take.
constexpr auto kCloseAllowance = std::chrono::seconds(5);

bool same_schema(const tenants::PluginSchema& a, const tenants::PluginSchema& b) {
  return a.name == b.name && a.kind == b.kind && a.keys == b.keys;
}

std::string build_text(const plugin_host::PluginInfo& info) {
  return info.name + " " + info.version + " (generation " + std::to_string(info.generation) + ")";
}

// A Prometheus label value: backslash, quote and newline escaped.
std::string label_value(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

void Server::watch_plugins() {
  const auto report = plugins_.rescan();
  if (report.any()) {
    refresh_schemas();
    // A tenant file that named a plugin before it arrived becomes valid now.
    directory_.recheck_failed();
  }
  const auto now = std::chrono::steady_clock::now();
  if (!report.added.empty() || !report.replaced.empty()) {
    tenants_to_move_ = true;
    next_move_attempt_ = now;
  }
  if (!tenants_to_move_ || now < next_move_attempt_) return;
  tenants_to_move_ = !move_tenants_to_new_builds();
  if (tenants_to_move_) next_move_attempt_ = now + kMoveRetry;
}

void Server::refresh_schemas() {
  std::map<std::string, std::shared_ptr<const tenants::PluginSchema>, std::less<>> fresh;
  for (const auto& info : plugins_.plugins())
    if (const auto* schema = plugins_.schema(info.name))
      fresh.emplace(info.name, std::make_shared<const tenants::PluginSchema>(tenants::PluginSchema{
                                   schema->name, schema->kind, schema->keys}));
  std::lock_guard lock(schemas_mutex_);
  for (auto& [name, schema] : fresh) {
    auto it = schemas_.find(name);
    if (it != schemas_.end() && same_schema(*it->second, *schema)) schema = it->second;
  }
  // A loader on another thread may still hold a pointer to a schema that left.
  for (const auto& [name, schema] : schemas_)
    if (auto it = fresh.find(name); it == fresh.end() || it->second != schema)
      old_schemas_.push_back(schema);
  schemas_ = std::move(fresh);
}

const tenants::PluginSchema* Server::schema_of(std::string_view plugin) const {
  std::lock_guard lock(schemas_mutex_);
  auto it = schemas_.find(plugin);
  return it == schemas_.end() ? nullptr : it->second.get();
}

bool Server::move_tenants_to_new_builds() {
  bool all_moved = true;
  for (const auto& runtime : running_tenants()) {
    std::vector<std::string> moved;
    std::string warning;
    std::string id;
    {
      std::unique_lock lock(tenants_mutex_);  // readers copy the bot trial under this lock
      id = runtime->config->id;
      // A build that refuses the tenant is not asked again until another one arrives.
      renew_stale_instances(*runtime, plugins_, config_.data_dir, moved, warning);
    }
    for (const auto& move : moved)
      spdlog::info("tenant {}: plugin {}: new instance running the new build", id, move);
    if (!warning.empty()) spdlog::warn("tenant {}: {}", id, warning);

    std::shared_ptr<plugin_host::Instance> storage;
    {
      std::shared_lock lock(tenants_mutex_);
      storage = runtime->storage;
    }
    if (storage && !plugins_.is_current(*storage) && plugins_.has(storage->plugin_name())) {
      storage.reset();  // the handover must hold the only references
      if (!hand_over_storage(runtime)) all_moved = false;
    }
  }
  return all_moved;
}

// The storage handover. The old instance must have closed the tenant's storage
// before the new one opens it: an embedded database (storage-sqlite) must not be
// written through two instances with separate queues at once, and the new instance
// must read everything the old one acknowledged. So:
//  1. the tenant's PluginStore holds every new call (in order; the engine waits for
//     their answers as it waits for any write);
//  2. the old instance finishes what it has in flight (its own code completes each
//     call; instance_free commits what it queued) and is freed, which closes the
//     file; Instance::after_free says when;
//  3. the new build opens the storage, and the held calls go to it, in order, on
//     the tenant's strand.
// If the old instance does not finish in time (a plugin that never completes a
// call), it stays in service and the move is tried again later (false). If the new
// build refuses to open the storage, the old build opens it again.
bool Server::hand_over_storage(const std::shared_ptr<TenantRuntime>& runtime) {
  const auto started = std::chrono::steady_clock::now();
  std::shared_ptr<const tenants::TenantConfig> config;
  {
    std::shared_lock lock(tenants_mutex_);
    config = runtime->config;
  }
  const std::string& id = config->id;
  auto old = runtime->plugin_store->hold();
  if (!old) return true;  // no storage to hand over (lost in an earlier handover)
  const plugin_host::PluginBuild old_build = old->build();
  const std::string plugin = old->plugin_name();
  const std::string from = build_text(old->info());

  auto freed = std::make_shared<std::promise<void>>();
  auto closed = freed->get_future();
  old->after_free([freed] { freed->set_value(); });
  std::weak_ptr<plugin_host::Instance> held = old;
  {
    std::unique_lock lock(tenants_mutex_);
    runtime->storage.reset();
  }
  old.reset();

  const auto drain = std::chrono::milliseconds(config_.plugin_call_timeout_ms) + kCloseAllowance;
  if (closed.wait_for(drain) != std::future_status::ready) {
    if (auto back = held.lock()) {
      back->after_free(nullptr);
      {
        std::unique_lock lock(tenants_mutex_);
        runtime->storage = back;
      }
      runtime->plugin_store->resume(std::move(back));
      spdlog::warn(
          "tenant {}: storage stays on {}: it still had calls outstanding after {} ms; the move "
          "to the new build is tried again in {} s",
          id, from, std::chrono::duration_cast<std::chrono::milliseconds>(drain).count(),
          std::chrono::duration_cast<std::chrono::seconds>(kMoveRetry).count());
      return false;
    }
    // The last reference went just now: instance_free is running.
    closed.wait();
  }

  // In a cluster the new instance is this node to PostgreSQL as the old one was: the
  // same node_id (its lease), read-only where another node owns the tenant.
  const auto settings = config_.cluster ? storage_settings(*config, !runtime->relayed)
                                        : std::map<std::string, std::string>{};
  std::string error;
  auto fresh = plugin_instance(*config, plugin, plugins_, config_.data_dir, error, {}, settings);
  const bool moved = fresh != nullptr;
  if (!fresh) {
    spdlog::error(
        "tenant {}: the new build of {} could not open the tenant's storage ({}); {} opens it "
        "again",
        id, plugin, error, from);
    std::string back_error;
    fresh = plugin_instance(*config, plugin, plugins_, config_.data_dir, back_error, old_build,
                            settings);
    if (!fresh) {
      spdlog::critical(
          "tenant {}: no build of {} can open the tenant's storage any more ({}); its storage "
          "calls "
          "fail until the tenant is reloaded or the server restarted",
          id, plugin, back_error);
      runtime->plugin_store->resume(nullptr);
      return true;  // nothing left to try
    }
  }
  const size_t waited = runtime->plugin_store->waiting_calls();
  {
    std::unique_lock lock(tenants_mutex_);
    runtime->storage = fresh;
  }
  runtime->plugin_store->resume(fresh);
  subscribe_to_events(*runtime, {fresh});
  if (moved)
    spdlog::info(
        "tenant {}: storage moved from {} to {}: the old instance finished its calls and closed "
        "before the new one opened; {} call(s) waited {} ms",
        id, from, build_text(fresh->info()), waited,
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                              started)
            .count());
  // Back on the old build: the new one is not asked again until another arrives.
  return true;
}

void Server::collect_plugin_metrics(std::string& out) const {
  out +=
      "# HELP switchboard_plugin_instances Plugin instances alive per loaded build; "
      "current=\"true\" "
      "is the build new instances get, a replaced or removed build is unloaded when it reaches 0.\n"
      "# TYPE switchboard_plugin_instances gauge\n";
  for (const auto& build : plugins_.builds()) {
    const auto& info = build.info;
    out += "switchboard_plugin_instances{plugin=\"" + label_value(info.name) + "\",version=\"" +
           label_value(info.version) + "\",generation=\"" + std::to_string(info.generation) +
           "\",file=\"" + label_value(info.path) + "\",current=\"" +
           (build.current ? "true" : "false") + "\"} " + std::to_string(build.instances) + "\n";
  }
}

}  // namespace sb::server
