// Internal to the hub: what every connection shares (options, services, loops).
#pragma once

#include <atomic>

#include "hub/hub.hpp"

namespace sb::hub {

struct SessionContext {
  HubOptions options;
  HubServices* services = nullptr;
  std::atomic<uint64_t> next_peer_id{1};
};

// Counts a socket as open for the server-wide limit while it lives.
class ConnectionSlot {
 public:
  explicit ConnectionSlot(metrics::Registry& registry) : registry_(&registry) {
    registry_->open_connections.fetch_add(1, std::memory_order_relaxed);
  }
  ConnectionSlot(ConnectionSlot&& other) noexcept
      : registry_(std::exchange(other.registry_, nullptr)) {}
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(ConnectionSlot&&) = delete;
  ~ConnectionSlot() {
    if (registry_) registry_->open_connections.fetch_sub(1, std::memory_order_relaxed);
  }

 private:
  metrics::Registry* registry_;
};

}  // namespace sb::hub
