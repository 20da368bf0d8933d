// The names of the ABI's plugin kinds, for log lines and config errors.
#pragma once

#include <cstdint>

#include "switchboard/sb_plugin.h"

namespace sb {

inline const char* plugin_kind_name(int32_t kind) {
  switch (kind) {
    case SB_KIND_STORAGE:
      return "storage";
    case SB_KIND_ROUTING:
      return "routing";
    case SB_KIND_AUTOREPLY:
      return "auto-reply";
    case SB_KIND_LLM:
      return "llm";
    case SB_KIND_CLUSTER_BUS:
      return "cluster-bus";
    default:
      return "unknown";
  }
}

}  // namespace sb
