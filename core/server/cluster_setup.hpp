// A node's cluster bus (docs/cluster.md): the [cluster] section checked against the
// plugin it names, the node's one cluster-bus instance, and the check that it
// reaches its server (check-config).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cluster/membership.hpp"
#include "cluster/owner_endpoint.hpp"
#include "cluster/relay.hpp"
#include "common/config_error.hpp"
#include "config/server_config.hpp"
#include "plugin_host/plugin_host.hpp"
#include "tenants/tenant_config.hpp"

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

// check-config: a tenant's storage, opened as a node that does not own the tenant
// (read-only, no lease), answers a read within timeout. "" when it did, else why
// not. A database whose schema no node has created yet answers too, with `note`
// saying so (the first node to own the tenant creates it).
std::string probe_tenant_storage(plugin_host::PluginHost& plugins,
                                 const config::ClusterConfig& cluster,
                                 const tenants::TenantConfig& tenant,
                                 const std::filesystem::path& data_dir,
                                 std::chrono::milliseconds timeout, std::string& note);

// A node's part in the cluster while the server runs: the bus, the membership
// (cluster/membership.hpp), the relay of connections to tenants other nodes own
// (cluster/relay.hpp), the endpoints of the tenants this node owns
// (cluster/owner_endpoint.hpp) and the sign-outs the nodes tell each other
// (cluster/sign_outs.hpp). Link changes and the live nodes are logged.
class ClusterNode {
 public:
  // What the server hears from the cluster.
  struct Events {
    std::function<void()> nodes_changed;  // the live nodes changed (on the executor)
    // A sign-out published by a tenant's owner (the payload as it came), on the
    // bus's thread.
    std::function<void(std::string_view payload)> sign_out;
    // A tenant's owner stored a change of its agents (the tenant id), same thread.
    std::function<void(std::string_view tenant_id)> agents_changed;
    // A node gave the tenant's lease up (the tenant id), same thread.
    std::function<void(std::string_view tenant_id)> lease_released;
    // The link to the bus is up (first, or again after it was down), its channels
    // subscribed: sign-outs and agent changes published before may not have been
    // heard (on the bus's thread).
    std::function<void()> link_back;
  };

  // Opens the bus and starts the heartbeat on executor. nullptr and error when the
  // bus cannot be created. listen: this node's address, for the other nodes.
  static std::unique_ptr<ClusterNode> start(plugin_host::PluginHost& plugins,
                                            const config::ClusterConfig& cluster,
                                            const std::filesystem::path& data_dir,
                                            boost::asio::any_io_executor executor,
                                            const std::string& listen, std::string& error,
                                            Events events = {});
  // Leaves the live nodes (waits up to 2 s for the bus), then closes the bus.
  ~ClusterNode();

  const std::string& node_id() const { return node_id_; }
  std::vector<std::string> live_nodes() const;
  // Where the other nodes send REST requests about the tenants this node owns
  // (cluster/rest_forward.hpp): said in its membership entry from the next
  // heartbeat on. Called once the port is bound.
  void advertise(const std::string& listen, const std::string& rest_url);
  // The tenants this node runs (relayed or owned), said in its membership entry
  // from now on: placement gives a tenant only to the live nodes that run it.
  void serve_tenants(std::vector<std::string> tenant_ids);
  // The live nodes among which the tenant is placed (cluster::owner_of).
  std::vector<std::string> nodes_serving(const std::string& tenant_id) const;
  // A live node's REST URL as it advertised it, "" when unknown.
  std::string rest_url_of(const std::string& node_id) const;
  // This node's REST URL is in the live nodes as the bus lists them: the others
  // can forward to it (at the latest after their next heartbeat).
  bool advertised() const { return !rest_url_of(node_id_).empty(); }
  // How many times the live nodes were listed (0 until the bus answered once).
  uint64_t listings() const;

  // Connections to a tenant another node owns go through this.
  std::shared_ptr<hub::Relay> relay_for(const std::string& tenant_id);
  // Closes this node's relayed connections of the tenant (its owner changed).
  void close_relayed(const std::string& tenant_id, const std::string& reason);
  // This node owns the tenant now, under lease_epoch (0: not known): its stream is
  // consumed into the gate's engine.
  void serve(const std::shared_ptr<hub::TenantGate>& gate, const auth::TokenSigner* signer,
             int64_t lease_epoch);
  // This node no longer owns it: consuming stops, relayed connections reconnect.
  void unserve(const std::string& tenant_id);

  // Tells every node (this one too) of a sign-out (cluster/sign_outs.hpp); done
  // runs once on the executor, with "" once Redis took it, else why not.
  void publish_sign_out(const std::string& payload, std::function<void(std::string error)> done);
  // Tells the other nodes that this owner stored a change of the tenant's agents
  // (at most once: a node that misses it reads them again at its next link-up).
  void publish_agents_changed(const std::string& tenant_id);
  // Tells the other nodes that this node gave the tenant's lease up, so that its
  // next owner takes it at once (at most once: one that misses it takes the tenant
  // when the lease would have run out). done runs once on the executor.
  void publish_lease_released(const std::string& tenant_id, std::function<void()> done);

  struct Shared;  // what the bus's events reach (cluster_setup.cpp)

 private:
  ClusterNode() = default;
  std::string node_id_;
  boost::asio::any_io_executor executor_;
  std::shared_ptr<plugin_host::ClusterClient> bus_;
  std::shared_ptr<cluster::Membership> membership_;
  std::shared_ptr<Shared> shared_;
  // What this node says about itself (its membership entry), guarded by info_mutex_.
  void say_info();  // with info_mutex_ held
  std::mutex info_mutex_;
  std::string listen_;
  std::string rest_url_;
  std::optional<std::vector<std::string>> tenant_ids_;
};

}  // namespace sb::server
