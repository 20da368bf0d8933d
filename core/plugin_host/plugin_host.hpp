// The plugin host: finds plugins in a directory, checks their ABI, and creates one
// instance per tenant that uses a plugin. See instance.hpp for the guard around
// every call, storage_client.hpp and routing_client.hpp for typed calls.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "plugin_host/instance.hpp"
#include "plugin_host/plugin_info.hpp"

namespace sb::plugin_host {

struct LoadedPlugin;

class PluginHost {
 public:
  PluginHost(std::filesystem::path plugin_dir, HostOptions options);
  ~PluginHost();

  // Loads every *.so in the directory (in name order) that is not loaded yet. A file
  // that is not a plugin, was written for another ABI major or a newer minor, lacks
  // a mandatory hook, has a too-small struct or reuses a loaded plugin's name is
  // refused with one warning naming the file, both ABI versions and why; scanning
  // goes on. A missing directory is logged as an error. Start-up / reload path.
  //
  // A loaded plugin whose file was replaced (by rename: install, mv) is loaded again
  // beside the old code: instances created afterwards run the new code, existing
  // ones keep the old until they are freed (the tenant reload recreates them). A
  // replacement that is refused leaves the loaded version in use.
  void scan();

  // The config keys of a loaded plugin; nullptr if no plugin has that name. The
  // pointer stays valid for the host's life.
  const PluginSchema* schema(std::string_view name) const;
  std::vector<PluginInfo> plugins() const;

  // One instance of the plugin for one tenant (calls instance_new; blocking).
  // data_dir is created if missing. nullptr and error text on failure, including
  // an unknown plugin name or an exception thrown by the plugin.
  std::shared_ptr<Instance> create_instance(std::string_view plugin, std::string_view tenant_id,
                                            const InstanceConfig& config,
                                            const std::filesystem::path& data_dir,
                                            std::string& error);

 private:
  spdlog::logger& logger() const;
  void reload(std::shared_ptr<const LoadedPlugin>& current, const std::filesystem::path& file);

  std::filesystem::path plugin_dir_;
  HostOptions options_;
  mutable std::mutex mutex_;  // guards plugins_ (start-up and reload paths only)
  std::map<std::string, std::shared_ptr<const LoadedPlugin>, std::less<>> plugins_;  // by name
  std::vector<std::shared_ptr<const LoadedPlugin>> retired_;  // replaced, kept mapped
  unsigned reload_generation_ = 0;
};

}  // namespace sb::plugin_host
