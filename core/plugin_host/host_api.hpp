// The sb_host_api table handed to every plugin, and the host's side of one plugin
// instance (sb_host_ctx), which its log and config_get calls receive.
// Internal to the plugin host.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "switchboard/sb_plugin.h"

namespace spdlog {
class logger;
}
namespace sb::plugin_host {
class Instance;
class ClusterSink;
}  // namespace sb::plugin_host

// Declared opaque in sb_plugin.h; defined here, in the global namespace where C put
// the name. Lives inside its Instance, so it is valid until instance_free returns.
struct sb_host_ctx {
  std::string plugin_name;
  std::string tenant_id;
  std::map<std::string, std::string, std::less<>> config_values;
  std::shared_ptr<spdlog::logger> logger;
  sb::plugin_host::Instance* instance = nullptr;  // the Instance this ctx lives in
  // Where a cluster-bus instance's events go (cluster_client.cpp); empty otherwise.
  std::shared_ptr<sb::plugin_host::ClusterSink> cluster_sink;
};

namespace sb::plugin_host {

// The one host API table (static storage, valid for the process's life).
const sb_host_api* host_api();

}  // namespace sb::plugin_host
