#include "plugin_host/plugin_host.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "plugin_host/descriptor_check.hpp"
#include "plugin_host/loaded_plugin.hpp"

namespace sb::plugin_host {

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> shared_objects_in(const fs::path& dir, std::error_code& ec) {
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->path().extension() == ".so" && it->is_regular_file(type_ec))
      files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string abi_text(const LoadRefusal& refusal) {
  if (!refusal.plugin_abi) return "unknown";
  return std::to_string(refusal.plugin_abi->first) + "." +
         std::to_string(refusal.plugin_abi->second);
}

}  // namespace

PluginHost::PluginHost(fs::path plugin_dir, HostOptions options)
    : plugin_dir_(std::move(plugin_dir)), options_(std::move(options)), copies_(options_.copy_dir) {
  if (!options_.logger) options_.logger = spdlog::default_logger();
}

PluginHost::~PluginHost() = default;

void PluginHost::remove_private_copies() {
  std::lock_guard lock(mutex_);
  copies_.remove_all();
}

spdlog::logger& PluginHost::logger() const {
  return *options_.logger;
}

ScanReport PluginHost::scan() {
  return scan_directory(false);
}

ScanReport PluginHost::rescan() {
  return scan_directory(true);
}

ScanReport PluginHost::scan_directory(bool settled_only) {
  ScanReport report;
  {
    std::lock_guard lock(mutex_);
    // Made (and emptied of an earlier run's copies) at the first scan; one line while
    // it cannot be, each file's refusal says why too.
    std::string copies_error;
    size_t leftovers = 0;
    if (!copies_.prepare(copies_error, &leftovers) && copies_error != copies_error_)
      logger().error("plugins cannot be loaded: {}", copies_error);
    copies_error_ = copies_error;
    if (leftovers > 0)
      logger().info("removed {} private plugin cop{} left in {} by an earlier run", leftovers,
                    leftovers == 1 ? "y" : "ies", copies_.dir().string());
  }
  std::error_code ec;
  if (!fs::is_directory(plugin_dir_, ec)) {
    // Logged once per start-up; while running, a directory that went away (an
    // unmounted volume) unloads nothing: everything loaded stays as it is.
    if (!settled_only)
      logger().error("plugin directory {} does not exist or is not a directory; no plugins loaded",
                     plugin_dir_.string());
    return report;
  }
  const auto files = shared_objects_in(plugin_dir_, ec);
  if (ec) {
    // Out of descriptors, say, the poll fails every second: one line until it changes.
    std::lock_guard lock(mutex_);
    if (listing_error_ != ec.message())
      logger().error("cannot list plugin directory {}: {}", plugin_dir_.string(), ec.message());
    listing_error_ = ec.message();
    return report;
  }
  const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();

  std::lock_guard lock(mutex_);
  if (!listing_error_.empty()) {
    logger().info("plugin directory {} can be listed again", plugin_dir_.string());
    listing_error_.clear();
  }
  for (const auto& file : files) {
    const FileIdentity identity = identity_of(file);
    if (identity == FileIdentity{}) continue;  // gone since the listing
    const auto loaded = std::find_if(plugins_.begin(), plugins_.end(), [&](const auto& entry) {
      return entry.second->info.path == file.string();
    });
    if (loaded != plugins_.end() && loaded->second->file == identity) continue;
    if (auto refused = refused_.find(file.string());
        refused != refused_.end() && refused->second == identity)
      continue;
    if (settled_only && now_ns - identity.mtime_ns < kSettle.count() * 1'000'000) continue;

    if (loaded != plugins_.end()) {
      if (reload(loaded->second, file)) {
        report.replaced.push_back(loaded->first);
        refused_.erase(file.string());
      } else {
        refused_[file.string()] = identity;
      }
      continue;
    }

    LoadRefusal refusal;
    auto plugin = load_plugin(file, copies_, refusal);
    if (refusal.still_changing) continue;  // looked at again at the next scan
    if (plugin && plugins_.count(plugin->info.name)) {
      refusal.why = "a plugin named " + plugin->info.name + " is already loaded from " +
                    plugins_.find(plugin->info.name)->second->info.path;
      plugin.reset();
    }
    if (!plugin) {
      logger().warn("refused plugin {}: {} (plugin ABI {}, host ABI {}.{})", file.string(),
                    refusal.why, abi_text(refusal), SB_ABI_MAJOR, SB_ABI_MINOR);
      refused_[file.string()] = identity;
      continue;
    }
    refused_.erase(file.string());
    plugin->info.generation = ++generations_[plugin->info.name];
    schemas_.push_back(plugin->schema);
    const auto& info = plugin->info;
    logger().info("loaded plugin {} {} ({}, ABI {}.{}) from {}, generation {}", info.name,
                  info.version, kind_name(info.kind), info.abi_major, info.abi_minor, info.path,
                  info.generation);
    report.added.push_back(info.name);
    plugins_.emplace(info.name, std::move(plugin));
  }

  // A loaded plugin whose file is gone: no new instances, but the running ones keep
  // their code (it stays mapped until the last of them is freed).
  for (auto it = plugins_.begin(); it != plugins_.end();) {
    const bool present = std::any_of(files.begin(), files.end(), [&](const fs::path& file) {
      return file.string() == it->second->info.path;
    });
    if (present) {
      ++it;
      continue;
    }
    const auto& info = it->second->info;
    // Everything holding the build but this map is an instance.
    const long instances = it->second.use_count() - 1;
    if (instances > 0) {
      logger().warn(
          "plugin {} {}: its file {} was removed while {} instance(s) use it; the removal is "
          "refused for them: they keep running the loaded code until their tenants stop or move "
          "to a new build, while new instances naming {} fail as an unknown plugin",
          info.name, info.version, info.path, instances, info.name);
    } else {
      logger().info("plugin {} {}: its file {} was removed; no instance used it", info.name,
                    info.version, info.path);
    }
    report.removed.push_back(info.name);
    retire(it->second);
    it = plugins_.erase(it);
  }
  std::erase_if(refused_, [&](const auto& entry) {
    return std::find(files.begin(), files.end(), fs::path(entry.first)) == files.end();
  });
  return report;
}

void PluginHost::retire(const std::shared_ptr<const LoadedPlugin>& plugin) {
  // Instances hold the build, not the host: the last one to go unmaps it, and the
  // build says so in the log.
  plugin->retired_logger = options_.logger;
  std::erase_if(retired_, [](const auto& weak) { return weak.expired(); });
  retired_.push_back(plugin);
}

bool PluginHost::reload(std::shared_ptr<const LoadedPlugin>& current, const fs::path& file) {
  LoadRefusal refusal;
  auto plugin = load_plugin(file, copies_, refusal);
  if (refusal.still_changing) return false;
  if (plugin && plugin->info.name != current->info.name) {
    refusal.why = "the new file is plugin " + plugin->info.name + ", not " + current->info.name;
    plugin.reset();
  }
  if (!plugin) {
    logger().warn(
        "refused replacement of plugin {} from {}: {} (plugin ABI {}, host ABI {}.{}); version {} "
        "stays in use",
        current->info.name, file.string(), refusal.why, abi_text(refusal), SB_ABI_MAJOR,
        SB_ABI_MINOR, current->info.version);
    return false;
  }
  plugin->info.generation = ++generations_[plugin->info.name];
  schemas_.push_back(plugin->schema);
  logger().info(
      "reloaded plugin {} {} -> {} (generation {}) from {}; instances created before keep the "
      "old code until their tenants move to the new one",
      current->info.name, current->info.version, plugin->info.version, plugin->info.generation,
      file.string());
  retire(current);
  current = std::move(plugin);
  return true;
}

const PluginSchema* PluginHost::schema(std::string_view name) const {
  std::lock_guard lock(mutex_);
  const auto it = plugins_.find(name);
  // schemas_ keeps it alive after the build is gone.
  return it == plugins_.end() ? nullptr : it->second->schema.get();
}

std::vector<PluginInfo> PluginHost::plugins() const {
  std::lock_guard lock(mutex_);
  std::vector<PluginInfo> infos;
  for (const auto& [name, plugin] : plugins_) infos.push_back(plugin->info);
  return infos;
}

std::vector<LoadedBuild> PluginHost::builds() const {
  std::lock_guard lock(mutex_);
  std::vector<LoadedBuild> out;
  for (const auto& [name, plugin] : plugins_)
    out.push_back(LoadedBuild{plugin->info, true, plugin.use_count() - 1});
  for (const auto& weak : retired_)
    if (auto plugin = weak.lock())
      out.push_back(LoadedBuild{plugin->info, false, plugin.use_count() - 1});
  return out;
}

bool PluginHost::is_current(const Instance& instance) const {
  std::lock_guard lock(mutex_);
  const auto it = plugins_.find(instance.plugin_name());
  return it != plugins_.end() && it->second == instance.build();
}

bool PluginHost::has(std::string_view name) const {
  std::lock_guard lock(mutex_);
  return plugins_.count(name) != 0;
}

std::shared_ptr<Instance> PluginHost::create_instance(std::string_view plugin_name,
                                                      std::string_view tenant_id,
                                                      const InstanceConfig& config,
                                                      const fs::path& data_dir, std::string& error,
                                                      RetryAfter* retry_after) {
  std::shared_ptr<const LoadedPlugin> plugin;
  {
    std::lock_guard lock(mutex_);
    const auto it = plugins_.find(plugin_name);
    if (it != plugins_.end()) plugin = it->second;
  }
  if (!plugin) {
    error =
        "no plugin named " + std::string(plugin_name) + " is loaded from " + plugin_dir_.string();
    return nullptr;
  }
  return create_instance(plugin, tenant_id, config, data_dir, error, retry_after);
}

std::shared_ptr<Instance> PluginHost::create_instance(const PluginBuild& plugin,
                                                      std::string_view tenant_id,
                                                      const InstanceConfig& config,
                                                      const fs::path& data_dir, std::string& error,
                                                      RetryAfter* retry_after) {
  const std::string& plugin_name = plugin->info.name;
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) {
    error = "cannot create data directory " + data_dir.string() + ": " + ec.message();
    return nullptr;
  }
  auto instance = std::make_shared<Instance>(plugin, std::string(tenant_id), config, options_);
  if (!instance->open(config, data_dir.string(), error, retry_after)) {
    error = "plugin " + plugin_name + " refused tenant " + std::string(tenant_id) + ": " + error;
    return nullptr;
  }
  return instance;
}

}  // namespace sb::plugin_host
