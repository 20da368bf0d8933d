// One plugin library mapped into the process, with its checked descriptor.
// Internal. Instances hold a shared_ptr to it, so the library stays mapped while
// any instance (and so any of its operations) is alive; a replaced or removed
// build is unmapped (dlclose) when the last of them goes. It is mapped from a
// private copy of the plugin directory's file (private_copies.hpp), removed when
// it is unmapped.
#pragma once

#include <boost/dll/shared_library.hpp>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "plugin_host/file_identity.hpp"
#include "plugin_host/plugin_info.hpp"
#include "plugin_host/private_copies.hpp"
#include "switchboard/sb_plugin.h"

namespace sb::plugin_host {

struct LoadedPlugin {
  LoadedPlugin() = default;
  LoadedPlugin(const LoadedPlugin&) = delete;
  LoadedPlugin& operator=(const LoadedPlugin&) = delete;
  // A retired build says so as it goes, so an operator sees the old code leave.
  // The library is unmapped, then its private copy removed.
  ~LoadedPlugin();

  boost::dll::shared_library library;
  FileIdentity file;           // the plugin directory's file, as it was copied
  std::filesystem::path copy;  // what is mapped: the private copy
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
  // Not a refusal: the file changed while it was copied (it is still being
  // written), so it is looked at again at the next scan, without a word.
  bool still_changing = false;
};

// Copies the file (copies.make), maps the copy RTLD_NOW | RTLD_LOCAL, calls
// sb_plugin_entry and checks the descriptor. On refusal returns nullptr and fills
// refusal (the library is unmapped again and the copy removed). Every load is a
// new copy with a name of its own, so dlopen maps it beside any build loaded
// before, even one from the same path.
std::shared_ptr<LoadedPlugin> load_plugin(const std::filesystem::path& file, PrivateCopies& copies,
                                          LoadRefusal& refusal);

}  // namespace sb::plugin_host
