// What the tenant loader needs to know about installed plugins: their kind and the
// config keys they declare (from their sb_plugin_descriptor). The plugin host
// provides it; tests provide a fake.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "switchboard/sb_plugin.h"

namespace sb::tenants {

struct PluginSchema {
  std::string name;
  int32_t kind = 0;                                   // sb_kind
  std::vector<std::pair<std::string, int32_t>> keys;  // key -> sb_config_type
};

// nullptr when no plugin of that name is installed. The pointer must stay valid for
// the duration of the load call that asked.
using PluginLookup = std::function<const PluginSchema*(std::string_view name)>;

}  // namespace sb::tenants
