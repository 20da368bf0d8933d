// What the hub checks per tenant before anything reaches the engine: the tenant's
// connection quota, its message rate (tenant-wide and per connection) and its
// message size limit, and which visitor attributes it trusts. These change on a
// tenant reload while connections are live, so they are atomics; the hot path reads
// them without a lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "engine/tenant_engine.hpp"
#include "hub/relay.hpp"
#include "hub/visitor_identity.hpp"
#include "metrics/metrics.hpp"

namespace sb::hub {

struct TenantLimits {
  uint32_t max_connections = 1000;
  uint32_t messages_per_second = 200;            // whole tenant
  uint32_t connection_messages_per_second = 10;  // one connection
  uint32_t max_message_bytes = 65536;
  int64_t visitor_token_ttl_s = 30 * 24 * 3600;
};

// A rate limit as a "generic cell rate" schedule: one timestamp per limiter, one
// compare-and-swap per message, bursts of up to one second's worth allowed.
class RateLimiter {
 public:
  RateLimiter() = default;
  // Movable so a connection's own limiter can travel with its state.
  RateLimiter(RateLimiter&& other) noexcept
      : theoretical_arrival_us_(other.theoretical_arrival_us_.load(std::memory_order_relaxed)) {}

  // Takes one unit at now_us if the rate allows it.
  bool try_take(int64_t now_us, uint32_t per_second);

 private:
  std::atomic<int64_t> theoretical_arrival_us_{0};
};

class TenantGate {
 public:
  TenantGate(std::string tenant_id, std::shared_ptr<engine::TenantEngine> engine,
             std::shared_ptr<metrics::TenantMetrics> metrics, const TenantLimits& limits);

  const std::string& id() const { return id_; }
  const std::shared_ptr<engine::TenantEngine>& engine() const { return engine_; }
  // Cluster mode: set when another node owns the tenant; its connections are then
  // relayed there instead of reaching engine() (which is not started).
  const std::shared_ptr<Relay>& relay() const { return relay_; }
  void set_relay(std::shared_ptr<Relay> relay) { relay_ = std::move(relay); }

  // The gate knows its open connections, so that all of them can be closed when the
  // tenant moves to or from this node or its file is removed (clients reconnect and
  // resume). Without track_connections() attach and detach do nothing. After
  // close_all a connection that attaches is closed at once, with the same code and
  // reason.
  void track_connections() { tracked_ = true; }
  void attach(const engine::PeerPtr& peer);
  void detach(uint64_t peer_id);
  void close_all(uint16_t code, const std::string& reason);
  metrics::TenantMetrics& metrics() const { return *metrics_; }

  void update_limits(const TenantLimits& limits);
  TenantLimits limits() const;
  // Read once per visitor hello; replaced whole on a tenant reload.
  void update_visitor_trust(VisitorTrust trust);
  std::shared_ptr<const VisitorTrust> visitor_trust() const {
    return visitor_trust_.load(std::memory_order_acquire);
  }
  // The websites whose pages may open visitor sockets (normalized origins, empty: any);
  // replaced whole on a tenant reload.
  void update_allowed_origins(std::vector<std::string> origins);
  // common/origin.hpp's widget_origin_allowed against the tenant's current list.
  bool origin_allowed(std::string_view origin, std::string_view host) const;
  uint32_t max_message_bytes() const { return max_message_bytes_.load(std::memory_order_relaxed); }
  uint32_t connection_messages_per_second() const {
    return connection_rate_.load(std::memory_order_relaxed);
  }

  bool try_open_connection();
  void close_connection();
  bool try_take_message(int64_t now_us) {
    return tenant_rate_.try_take(now_us, tenant_rate_per_s_.load(std::memory_order_relaxed));
  }

 private:
  const std::string id_;
  const std::shared_ptr<engine::TenantEngine> engine_;
  const std::shared_ptr<metrics::TenantMetrics> metrics_;
  std::atomic<uint32_t> max_connections_;
  std::atomic<uint32_t> tenant_rate_per_s_;
  std::atomic<uint32_t> connection_rate_;
  std::atomic<uint32_t> max_message_bytes_;
  std::atomic<int64_t> visitor_token_ttl_s_;
  std::atomic<int64_t> connections_{0};
  std::atomic<std::shared_ptr<const VisitorTrust>> visitor_trust_{
      std::make_shared<const VisitorTrust>()};
  std::atomic<std::shared_ptr<const std::vector<std::string>>> allowed_origins_{
      std::make_shared<const std::vector<std::string>>()};
  RateLimiter tenant_rate_;
  std::shared_ptr<Relay> relay_;  // set before the gate is published
  bool tracked_ = false;          // likewise
  std::mutex open_peers_mutex_;   // taken per connection, never per message
  std::map<uint64_t, std::weak_ptr<engine::Peer>> open_peers_;
  // Guarded by open_peers_mutex_: set by close_all, later ones close at once with them.
  bool closed_all_ = false;
  uint16_t close_code_ = 0;
  std::string close_reason_;
};

}  // namespace sb::hub
