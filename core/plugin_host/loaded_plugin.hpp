// One plugin library mapped into the process, with its checked descriptor.
// Internal. Instances hold a shared_ptr to it, so the library stays mapped while
// any instance (and so any of its operations) is alive; a replaced or removed
// build is unmapped (dlclose) when the last of them goes.
#pragma once

#include <boost/dll/shared_library.hpp>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "plugin_host/file_identity.hpp"
#include "plugin_host/plugin_info.hpp"
#include "switchboard/sb_plugin.h"

namespace sb::plugin_host {

struct LoadedPlugin {
  LoadedPlugin() = default;
  LoadedPlugin(const LoadedPlugin&) = delete;
  LoadedPlugin& operator=(const LoadedPlugin&) = delete;
  // A retired build says so as it goes, so an operator sees the old code leave.
  ~LoadedPlugin();

  boost::dll::shared_library library;
  FileIdentity file;
  const sb_plugin_descriptor* descriptor = nullptr;
  PluginInfo info;
  // Shared with the host, which keeps every schema it handed out (see schema()).
  std::shared_ptr<const PluginSchema> schema;
  // Set by the host when a newer build replaced this one or its file was removed.
  mutable std::shared_ptr<spdlog::logger> retired_logger;
};

struct LoadRefusal {
  std::string why;
  // The ABI the plugin claims, when it got far enough to say.
  std::optional<std::pair<uint16_t, uint16_t>> plugin_abi;
};

// Maps the file RTLD_NOW | RTLD_LOCAL, calls sb_plugin_entry and checks the
// descriptor. On refusal returns nullptr and fills refusal (the library is
// unmapped again). spelling > 0 loads a file whose path was loaded before beside
// that code (see the .cpp for how).
std::shared_ptr<LoadedPlugin> load_plugin(const std::filesystem::path& file, unsigned spelling,
                                          LoadRefusal& refusal);

}  // namespace sb::plugin_host
