// One plugin library mapped into the process, with its checked descriptor.
// Internal. Instances hold a shared_ptr to it, so the library stays mapped while
// any instance (and so any of its operations) is alive.
#pragma once

#include <boost/dll/shared_library.hpp>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "plugin_host/plugin_info.hpp"
#include "switchboard/sb_plugin.h"

namespace sb::plugin_host {

// Which file a plugin was loaded from, to notice when it is replaced.
struct FileIdentity {
  uint64_t device = 0;
  uint64_t inode = 0;
  int64_t mtime_ns = 0;
  int64_t size_bytes = 0;
  bool operator==(const FileIdentity&) const = default;
};
FileIdentity identity_of(const std::filesystem::path& file);

struct LoadedPlugin {
  boost::dll::shared_library library;
  FileIdentity file;
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
// unmapped again). generation > 0 loads a replaced file beside the old one (see
// the .cpp for how).
std::shared_ptr<LoadedPlugin> load_plugin(const std::filesystem::path& file, unsigned generation,
                                          LoadRefusal& refusal);

}  // namespace sb::plugin_host
