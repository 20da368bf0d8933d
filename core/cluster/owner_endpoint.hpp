// The owner side of relayed connections (docs/cluster.md): this node owns the
// tenant, and clients connected to other nodes reach its engine through the
// tenant's stream. Each relayed connection is a Peer here (RemotePeer) whose frames
// are published on its node's channel, so the engine serves it exactly as a local
// socket: sequence numbers, idempotency, fan-out and presence are decided on the
// tenant's strand as on one node.
//
// A stream entry is acknowledged once it is answered: a message when its ack (or
// error) went out, i.e. after the durable write; anything else once the engine
// took it. An entry of a connection this node does not know (an owner that died
// had it, or this node lost its link meanwhile) closes the client's socket with
// 1012: it reconnects, says hello again and resumes from its last seq. So does an
// entry that comes after a hole in the connection's numbered entries: another
// consumer of the stream read the one between (a frozen former owner's read, which
// Redis served while it was stopped), and acting on the later one would store an
// agent's pipelined messages out of the order it sent them.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hub/client_frames.hpp"
#include "plugin_host/cluster_client.hpp"

namespace sb::auth {
class TokenSigner;
}

namespace sb::cluster {

class RemotePeer;

class OwnerEndpoint : public std::enable_shared_from_this<OwnerEndpoint> {
 public:
  // lease_epoch: the epoch of this node's lease on the tenant (0: its storage does
  // not say), carried by every frame published to a relayed connection so that the
  // connection's node can tell this owner from a former one (owner_fence.hpp).
  OwnerEndpoint(std::shared_ptr<plugin_host::ClusterClient> bus,
                std::shared_ptr<hub::TenantGate> gate, const auth::TokenSigner* signer,
                int64_t lease_epoch);

  // Starts consuming the tenant's stream (pending entries of a dead owner first).
  void start();
  // Stops consuming; every relayed connection is told to reconnect (the tenant
  // moves) and let go by the engine.
  void stop();

  // An entry of the tenant's stream (the plugin's thread). redelivered: an owner
  // read it before (a dead one, or this one before its link dropped) and may have
  // acted on it.
  void on_entry(std::string entry_id, std::string payload, bool redelivered);
  // Connections of nodes no longer live are let go by the engine (their agents go
  // offline after the grace period, as when a socket drops).
  void keep_nodes(std::vector<std::string> live_nodes);
  // The link to the bus dropped: frames to relayed connections may be lost, so each
  // of them is closed (clients resume) as soon as the link is back.
  void link_lost();

 private:
  struct Remote {
    hub::ConnectionState state;
    std::shared_ptr<RemotePeer> peer;
    // The number ("n", wire.hpp) its next entry must carry; nullopt: its node does
    // not number them.
    std::optional<uint64_t> next_entry;
  };
  void handle(const std::string& entry_id, const std::string& payload, bool redelivered);
  void drop(const std::string& key);
  // The connection node/conn is closed with 1012 (its client reconnects and
  // resumes), let go here, and the entry acknowledged.
  void start_over(const std::string& entry_id, const std::string& node, uint64_t conn);
  void ack(const std::string& entry_id);
  // Every second: a relayed connection a frame could not be published to (its
  // stream has a hole) is told to reconnect and let go, so that a client which
  // sends nothing (an agent reading) does not wait forever for what it missed.
  void close_broken();

  std::shared_ptr<plugin_host::ClusterClient> bus_;
  std::shared_ptr<hub::TenantGate> gate_;
  const auth::TokenSigner* signer_;
  const int64_t lease_epoch_;
  const std::string stream_;
  boost::asio::any_io_executor strand_;
  bool stopped_ = false;  // on strand_
  boost::asio::steady_timer sweep_timer_;
  std::map<std::string, Remote> remotes_;  // "<node> <conn>", on strand_
};

}  // namespace sb::cluster
