// Internal to the hub: what every connection shares (options, services, loops).
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <optional>
#include <vector>

#include "hub/connections_per_address.hpp"
#include "hub/hub.hpp"
#include "hub/keepalive.hpp"
#include "hub/log_throttle.hpp"
#include "hub/tls_connections.hpp"

namespace sb::hub {

struct SessionContext {
  HubOptions options;
  HubServices* services = nullptr;
  std::optional<ConnectionsPerAddress> per_address;
  // The server's event loops: a WebSocket moves to the one its tenant's engine runs on.
  std::vector<boost::asio::io_context*> loops;
  // One keep-alive sweep per loop, in the order of loops.
  std::vector<std::unique_ptr<KeepAliveSweep>> keepalive;
  // The sweep of the loop `ex` runs on; nullptr for a loop that is not the hub's.
  template <class Executor>
  KeepAliveSweep* keepalive_for(const Executor& ex) {
    auto& running_on = boost::asio::query(ex, boost::asio::execution::context);
    for (auto& sweep : keepalive)
      if (&running_on == static_cast<boost::asio::execution_context*>(&sweep->loop()))
        return sweep.get();
    return nullptr;
  }
  std::atomic<uint64_t> next_peer_id{1};
  TlsConnections tls_connections;
  // Failed TLS handshakes are logged at most once per 10 s: a scanner makes many.
  LogThrottle tls_failure_log{10'000};
};

// Counts a socket as open for the server-wide limit while it lives, and for its
// client address's limit once it holds that address's hold.
class ConnectionSlot {
 public:
  explicit ConnectionSlot(metrics::Registry& registry) : registry_(&registry) {
    registry_->open_connections.fetch_add(1, std::memory_order_relaxed);
  }
  ConnectionSlot(ConnectionSlot&& other) noexcept
      : registry_(std::exchange(other.registry_, nullptr)), address_(std::move(other.address_)) {}
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(ConnectionSlot&&) = delete;
  ~ConnectionSlot() {
    if (registry_) registry_->open_connections.fetch_sub(1, std::memory_order_relaxed);
  }
  void hold_address(ConnectionsPerAddress::Hold hold) { address_ = std::move(hold); }

 private:
  metrics::Registry* registry_;
  ConnectionsPerAddress::Hold address_;
};

}  // namespace sb::hub
