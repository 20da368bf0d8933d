// One plugin library mapped into the process, with its checked descriptor.
// Internal. Instances hold a shared_ptr to it, so the library stays mapped while
// any instance (and so any of its operations) is alive.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <boost/dll/shared_library.hpp>

#include "plugin_host/plugin_info.hpp"
#include "switchboard/sb_plugin.h"

namespace sb::plugin_host {

struct LoadedPlugin {
  boost::dll::shared_library library;
  const sb_plugin_descriptor* descriptor = nullptr;
  PluginInfo info;
  PluginSchema schema;
};

struct LoadRefusal {
  std::string why;
  // The ABI the plugin claims, when it got far enough to say.
  std::optional<std::pair<uint16_t, uint16_t>> plugin_abi;
};

// Maps the file RTLD_NOW | RTLD_LOCAL, calls sb_plugin_entry and checks the
// descriptor. On refusal returns nullptr and fills refusal (the library is
// unmapped again).
std::shared_ptr<LoadedPlugin> load_plugin(const std::filesystem::path& file, LoadRefusal& refusal);

}  // namespace sb::plugin_host
