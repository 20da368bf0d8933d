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
    : plugin_dir_(std::move(plugin_dir)), options_(std::move(options)) {
  if (!options_.logger) options_.logger = spdlog::default_logger();
}

PluginHost::~PluginHost() = default;

spdlog::logger& PluginHost::logger() const {
  return *options_.logger;
}

void PluginHost::scan() {
  std::error_code ec;
  if (!fs::is_directory(plugin_dir_, ec)) {
    logger().error("plugin directory {} does not exist or is not a directory; no plugins loaded",
                   plugin_dir_.string());
    return;
  }
  const auto files = shared_objects_in(plugin_dir_, ec);
  if (ec) {
    logger().error("cannot list plugin directory {}: {}", plugin_dir_.string(), ec.message());
    return;
  }

  std::lock_guard lock(mutex_);
  for (const auto& file : files) {
    const auto loaded = std::find_if(plugins_.begin(), plugins_.end(), [&](const auto& entry) {
      return entry.second->info.path == file.string();
    });
    if (loaded != plugins_.end()) {
      if (!(loaded->second->file == identity_of(file))) reload(loaded->second, file);
      continue;
    }

    LoadRefusal refusal;
    auto plugin = load_plugin(file, 0, refusal);
    if (plugin && plugins_.count(plugin->info.name)) {
      refusal.why = "a plugin named " + plugin->info.name + " is already loaded from " +
                    plugins_.find(plugin->info.name)->second->info.path;
      plugin.reset();
    }
    if (!plugin) {
      logger().warn("refused plugin {}: {} (plugin ABI {}, host ABI {}.{})", file.string(),
                    refusal.why, abi_text(refusal), SB_ABI_MAJOR, SB_ABI_MINOR);
      continue;
    }
    const auto& info = plugin->info;
    logger().info("loaded plugin {} {} ({}, ABI {}.{}) from {}", info.name, info.version,
                  kind_name(info.kind), info.abi_major, info.abi_minor, info.path);
    plugins_.emplace(info.name, std::move(plugin));
  }
}

void PluginHost::reload(std::shared_ptr<const LoadedPlugin>& current, const fs::path& file) {
  LoadRefusal refusal;
  auto plugin = load_plugin(file, ++reload_generation_, refusal);
  if (plugin && plugin->descriptor == current->descriptor) {
    refusal.why =
        "the file was overwritten in place, so the loader handed back the running code; replace "
        "plugins with install(1) or mv, never cp over a loaded one";
    plugin.reset();
  } else if (plugin && plugin->info.name != current->info.name) {
    refusal.why = "the new file is plugin " + plugin->info.name + ", not " + current->info.name;
    plugin.reset();
  }
  if (!plugin) {
    logger().warn(
        "refused replacement of plugin {} from {}: {} (plugin ABI {}, host ABI {}.{}); version {} "
        "stays "
        "in use",
        current->info.name, file.string(), refusal.why, abi_text(refusal), SB_ABI_MAJOR,
        SB_ABI_MINOR, current->info.version);
    return;
  }
  logger().info("reloaded plugin {} {} -> {} from {}; instances created before keep the old code",
                current->info.name, current->info.version, plugin->info.version, file.string());
  // The old code stays mapped: instances made from it may live on, and schema()
  // pointers into it stay valid.
  retired_.push_back(std::move(current));
  current = std::move(plugin);
}

const PluginSchema* PluginHost::schema(std::string_view name) const {
  std::lock_guard lock(mutex_);
  const auto it = plugins_.find(name);
  return it == plugins_.end() ? nullptr : &it->second->schema;
}

std::vector<PluginInfo> PluginHost::plugins() const {
  std::lock_guard lock(mutex_);
  std::vector<PluginInfo> infos;
  for (const auto& [name, plugin] : plugins_) infos.push_back(plugin->info);
  return infos;
}

std::shared_ptr<Instance> PluginHost::create_instance(std::string_view plugin_name,
                                                      std::string_view tenant_id,
                                                      const InstanceConfig& config,
                                                      const fs::path& data_dir,
                                                      std::string& error) {
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
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) {
    error = "cannot create data directory " + data_dir.string() + ": " + ec.message();
    return nullptr;
  }
  auto instance =
      std::make_shared<Instance>(std::move(plugin), std::string(tenant_id), config, options_);
  if (!instance->open(config, data_dir.string(), error)) {
    error = "plugin " + std::string(plugin_name) + " refused tenant " + std::string(tenant_id) +
            ": " + error;
    return nullptr;
  }
  return instance;
}

}  // namespace sb::plugin_host
