// The origin side of relayed connections (docs/cluster.md): a client connected to
// this node for a tenant another node owns. Its frames go into the tenant's stream;
// what the owner sends it arrives on this node's channel and is handed to the
// socket. A message the owner did not answer within the command timeout is
// answered `unavailable` here (the client resends it with the same client_msg_id;
// the owner's idempotency gives the original ack). Nothing is acknowledged here:
// an ack is the owner's, sent after its durable write.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "cluster/owner_fence.hpp"
#include "hub/relay.hpp"
#include "plugin_host/cluster_client.hpp"

namespace sb::cluster {

class RelayHub : public std::enable_shared_from_this<RelayHub> {
 public:
  RelayHub(std::shared_ptr<plugin_host::ClusterClient> bus, boost::asio::any_io_executor executor,
           std::string node_id, std::chrono::milliseconds command_timeout);

  // Subscribes to this node's channel and starts the timeout sweep.
  void start();
  void stop();

  // The relay of one tenant's connections (hub::TenantGate::set_relay).
  std::shared_ptr<hub::Relay> relay_for(const std::string& tenant_id);

  // A message on this node's channel (any thread). Frames of an owner that lost the
  // tenant are fenced off by its lease epoch (owner_fence.hpp).
  void deliver(std::string_view payload);
  // Closes every relayed connection (of one tenant, or all when tenant_id is
  // empty): the link is down or the tenant's owner changed; clients reconnect.
  void close_all(const std::string& tenant_id, const std::string& reason);

 private:
  class TenantRelay;
  struct Pending {
    std::string client_msg_id;
    std::string ref;
    std::chrono::steady_clock::time_point deadline;
  };
  struct Connection {
    std::weak_ptr<engine::Peer> peer;
    std::string tenant_id;
    std::vector<Pending> pending;  // messages not answered yet, oldest first
    uint64_t next_entry = 0;       // the number of its next stream entry (wire.hpp)
  };

  // The open entry is number 0.
  void add(const std::string& tenant_id, const engine::PeerPtr& peer);
  // The number of the connection's next entry (counting it), or nullopt when it is gone.
  std::optional<uint64_t> number_entry(uint64_t peer_id);
  // Forgets the connection; the number of its last entry (the close), if it was known.
  std::optional<uint64_t> remove(uint64_t peer_id);
  // Remembers a message frame's ids, to answer it `unavailable` if nothing else does.
  void expect_answer(uint64_t peer_id, std::string_view text);
  void answered(Connection& c, std::string_view frame);
  void sweep();
  void send_to_owner(const std::string& tenant_id, uint64_t peer_id, std::string payload);
  // Answers what the connection waits for `unavailable` (why) and closes it with
  // 1012 (close_reason): its client reconnects, resumes and resends.
  void fail_connection(uint64_t peer_id, const std::string& why, const std::string& close_reason);

  std::shared_ptr<plugin_host::ClusterClient> bus_;
  boost::asio::any_io_executor executor_;
  const std::string node_id_;
  const std::chrono::milliseconds command_timeout_;
  boost::asio::steady_timer sweep_timer_;
  bool stopped_ = false;  // on executor_
  std::mutex mutex_;
  std::unordered_map<uint64_t, Connection> connections_;    // guarded by mutex_
  OwnerFence fence_;                                        // guarded by mutex_
  std::set<std::pair<std::string, int64_t>> stale_logged_;  // guarded by mutex_
};

}  // namespace sb::cluster
