// The live nodes of the cluster (docs/cluster.md), through the cluster bus's
// expiring set "nodes": every heartbeat this node puts itself with a time to live
// of three heartbeats and lists the set. A node that stops renewing (killed,
// frozen, cut off from Redis) drops out of everyone's list within the TTL.
// While the bus is unreachable the last list is kept: who writes for a tenant is
// the lease's business (PostgreSQL), not this list's.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "plugin_host/cluster_client.hpp"

namespace sb::cluster {

class Membership : public std::enable_shared_from_this<Membership> {
 public:
  // info_json: what other nodes read about this one (e.g. its listen address).
  Membership(std::shared_ptr<plugin_host::ClusterClient> bus, boost::asio::any_io_executor executor,
             std::string node_id, std::string info_json, std::chrono::milliseconds heartbeat);

  // Called on the executor whenever the list of live nodes changes (sorted), or the
  // tenants one of them says it runs.
  std::function<void(const std::vector<std::string>& nodes)> on_change;
  // Called on the executor after every successful listing.
  std::function<void()> on_listed;

  void start();
  // Stops renewing and removes this node from the set (best effort: if that does
  // not reach Redis, the entry expires by itself); done runs on the executor once
  // the bus answered.
  void stop(std::function<void()> done);

  std::vector<std::string> live_nodes() const;  // any thread
  // The live nodes that run the tenant: those whose info lists it in "tenants", and
  // those whose info lists none (a node that has not said yet may run any). Any thread.
  std::vector<std::string> nodes_serving(std::string_view tenant_id) const;
  // What a live node says about itself (its info_json as last listed), "" when it is
  // not listed. Any thread.
  std::string info_of(const std::string& node_id) const;
  // Replaces what this node says about itself (its listen address once the port is
  // bound), at once and at every heartbeat after. Any thread.
  void set_info(std::string info_json);
  const std::string& node_id() const { return node_id_; }

  static constexpr const char* kSet = "nodes";

 private:
  void beat();
  void listed(const plugin_host::CallResult& result);

  std::shared_ptr<plugin_host::ClusterClient> bus_;
  boost::asio::any_io_executor executor_;
  std::string node_id_;
  std::string info_json_;
  std::chrono::milliseconds heartbeat_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
  bool warned_ = false;    // "cannot reach the bus" said once per outage
  bool answered_ = false;  // the bus answered once: failures after it are an outage
  int failures_ = 0;       // in a row
  mutable std::mutex mutex_;
  std::vector<std::string> nodes_;            // guarded by mutex_
  std::map<std::string, std::string> infos_;  // by node id, guarded by mutex_
  // The "tenants" of each node's info that has one, by node id, guarded by mutex_.
  std::map<std::string, std::set<std::string, std::less<>>> served_;
};

}  // namespace sb::cluster
