// A node's cluster bus (docs/cluster.md): the [cluster] section checked against the
// plugin it names, the node's one cluster-bus instance, and the check that it
// reaches its server (check-config).
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "cluster/membership.hpp"
#include "common/config_error.hpp"
#include "config/server_config.hpp"
#include "plugin_host/plugin_host.hpp"

namespace sb::server {

// Problems of [cluster] that need the loaded plugins: the plugin must be installed
// and of the cluster-bus kind, and every [cluster.bus] key one it declares, of the
// declared type. file names the config file in the errors.
ConfigErrors check_cluster_section(const config::ClusterConfig& cluster,
                                   const plugin_host::PluginHost& plugins, const std::string& file);

// The node's cluster-bus instance ([cluster.bus] plus node_id), reporting to sink.
// nullptr and error on failure. Blocking (start-up path).
std::shared_ptr<plugin_host::Instance> open_cluster_bus(
    plugin_host::PluginHost& plugins, const config::ClusterConfig& cluster,
    std::shared_ptr<plugin_host::ClusterSink> sink, const std::filesystem::path& data_dir,
    std::string& error);

// check-config: opens the bus and waits until it reports its link up. "" when it
// did within timeout, else why not.
std::string probe_cluster_bus(plugin_host::PluginHost& plugins,
                              const config::ClusterConfig& cluster,
                              const std::filesystem::path& data_dir,
                              std::chrono::milliseconds timeout);

// A node's part in the cluster while the server runs: the bus and the membership
// (cluster/membership.hpp). Link changes and the live nodes are logged.
class ClusterNode {
 public:
  // Opens the bus and starts the heartbeat on executor. nullptr and error when the
  // bus cannot be created. listen: this node's address, for the other nodes.
  static std::unique_ptr<ClusterNode> start(plugin_host::PluginHost& plugins,
                                            const config::ClusterConfig& cluster,
                                            const std::filesystem::path& data_dir,
                                            boost::asio::any_io_executor executor,
                                            const std::string& listen, std::string& error);
  // Leaves the live nodes (waits up to 2 s for the bus), then closes the bus.
  ~ClusterNode();

  std::vector<std::string> live_nodes() const;

 private:
  ClusterNode() = default;
  std::shared_ptr<plugin_host::ClusterClient> bus_;
  std::shared_ptr<cluster::Membership> membership_;
};

}  // namespace sb::server
