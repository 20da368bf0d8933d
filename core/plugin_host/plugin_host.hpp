// The plugin host: finds plugins in a directory, checks their ABI, and creates one
// instance per tenant that uses a plugin. See instance.hpp for the guard around
// every call, storage_client.hpp and routing_client.hpp for typed calls.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "plugin_host/file_identity.hpp"
#include "plugin_host/instance.hpp"
#include "plugin_host/plugin_info.hpp"
#include "plugin_host/private_copies.hpp"

namespace sb::plugin_host {

struct LoadedPlugin;

// What one scan of the plugin directory changed, by plugin name.
struct ScanReport {
  std::vector<std::string> added;     // loaded (first seen, or back after a removal)
  std::vector<std::string> replaced;  // a new build loaded beside the running one
  std::vector<std::string> removed;   // the file is gone: no new instances from it
  bool any() const { return !added.empty() || !replaced.empty() || !removed.empty(); }
};

class PluginHost {
 public:
  PluginHost(std::filesystem::path plugin_dir, HostOptions options);
  ~PluginHost();

  // Loads every *.so in the directory (in name order) that is not loaded yet. A file
  // that is not a plugin, was written for another ABI major or a newer minor, lacks
  // a mandatory hook, has a too-small struct or reuses a loaded plugin's name is
  // refused with one warning naming the file, both ABI versions and why, and is not
  // tried again until it changes; scanning goes on. A missing directory is logged
  // as an error. Start-up path: every file is taken as it is.
  //
  // Every library is mapped from a private copy of its file (private_copies.hpp),
  // never from the directory, so a file written over in place (cp), truncated or
  // deleted changes no running code.
  //
  // A loaded plugin whose file was replaced (renamed over: install, mv; or written
  // over in place: cp) is loaded again beside the old code: instances created
  // afterwards run the new code, existing ones keep the old until they are freed,
  // and the old library is unmapped with the last of them. A replacement that is
  // refused leaves the loaded version in use.
  //
  // A loaded plugin whose file is gone is no longer offered to new instances (its
  // name becomes unknown); instances running it keep it mapped and working. Its
  // removal is logged, naming how many instances still use it.
  ScanReport scan();

  // The same while the server runs (the reload thread calls it every tick): a
  // file changed in the last kSettle is left for a later scan, and one that
  // changes while it is copied is left too, so one still being written (cp,
  // install) is not loaded half-written; one seen complete-looking but cut short
  // (a cp that paused longer than kSettle) is refused with its line and tried
  // again when it changes, so the end of the copy loads it.
  ScanReport rescan();
  static constexpr std::chrono::milliseconds kSettle{1000};

  // The config keys of a loaded plugin; nullptr if no plugin has that name. The
  // pointer stays valid for the host's life (also after a replacement).
  const PluginSchema* schema(std::string_view name) const;
  std::vector<PluginInfo> plugins() const;
  // Every build mapped now: the current ones, and the replaced or removed ones that
  // instances still use.
  std::vector<LoadedBuild> builds() const;

  // One instance of the plugin for one tenant (calls instance_new; blocking).
  // data_dir is created if missing. nullptr and error text on failure, including
  // an unknown plugin name or an exception thrown by the plugin.
  // retry_after, when given, receives how long the plugin said its refusal lasts.
  std::shared_ptr<Instance> create_instance(std::string_view plugin, std::string_view tenant_id,
                                            const InstanceConfig& config,
                                            const std::filesystem::path& data_dir,
                                            std::string& error, RetryAfter* retry_after = nullptr);
  // The same from a given build (Instance::build()), current or not: the way back
  // to the old code when a new build refuses a tenant.
  std::shared_ptr<Instance> create_instance(const PluginBuild& build, std::string_view tenant_id,
                                            const InstanceConfig& config,
                                            const std::filesystem::path& data_dir,
                                            std::string& error, RetryAfter* retry_after = nullptr);

  // True when the instance runs the build new instances of its plugin get now;
  // false once a newer build was loaded or its file was removed.
  bool is_current(const Instance& instance) const;
  // True when a build of the named plugin is offered to new instances.
  bool has(std::string_view name) const;

  // Removes the private copies' directory, mapped libraries' copies included: for
  // a process that ends without unloading its plugins (the server's stop). The
  // destructor does the same.
  void remove_private_copies();

 private:
  ScanReport scan_directory(bool settled_only);
  spdlog::logger& logger() const;
  // Loads the file beside `current`; true when the new build took its place.
  bool reload(std::shared_ptr<const LoadedPlugin>& current, const std::filesystem::path& file);
  // A build leaves the name's slot: it stays mapped while instances use it.
  void retire(const std::shared_ptr<const LoadedPlugin>& plugin);

  std::filesystem::path plugin_dir_;
  HostOptions options_;
  mutable std::mutex mutex_;  // guards everything below (start-up and reload paths only)
  PrivateCopies copies_;
  std::map<std::string, std::shared_ptr<const LoadedPlugin>, std::less<>> plugins_;  // by name
  std::vector<std::weak_ptr<const LoadedPlugin>> retired_;    // replaced or removed, maybe mapped
  std::vector<std::shared_ptr<const PluginSchema>> schemas_;  // every one handed out
  std::map<std::string, FileIdentity> refused_;               // by path, as they were refused
  std::string copies_error_;   // why the private copies' directory cannot be made ("" when it can)
  std::string listing_error_;  // why the directory last could not be listed ("" when it could)
  std::map<std::string, uint32_t, std::less<>> generations_;  // loads by plugin name
};

}  // namespace sb::plugin_host
