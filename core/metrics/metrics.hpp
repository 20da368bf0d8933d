// Counters, gauges and latency histograms per tenant, rendered in Prometheus text
// format for GET /metrics.
//
// Updated from every I/O thread on the message path, so everything is a relaxed
// atomic: no locks, no allocation per update. The registry's map of tenants is
// only touched when a tenant is added (start-up, reload) and when /metrics is read.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace sb::metrics {

// A fixed-bucket histogram of durations. Bucket bounds are in microseconds and
// cover 50 us .. 10 s, the range that matters for chat latency.
class LatencyHistogram {
 public:
  static constexpr std::array<uint64_t, 16> kBoundsUs = {
      50,    100,   250,    500,    1000,   2500,    5000,    10000,
      25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 10000000};

  void observe_us(uint64_t us);
  // Appends the _bucket, _sum and _count lines for metric `name` with `labels`.
  void render(std::string& out, std::string_view name, std::string_view labels) const;

 private:
  std::array<std::atomic<uint64_t>, kBoundsUs.size() + 1> buckets_{};  // last = +Inf
  std::atomic<uint64_t> sum_us_{0};
  std::atomic<uint64_t> count_{0};
};

// The error codes of the wire protocol, as counters.
enum class ErrorCode : uint8_t {
  bad_frame,
  too_large,
  bad_json,
  unknown_type,
  bad_field,
  forbidden,
  rate_limited,
  not_found,
  unavailable,
  count_
};
std::string_view to_string(ErrorCode code);

struct TenantMetrics {
  std::atomic<int64_t> visitor_connections{0};
  std::atomic<int64_t> agent_connections{0};
  std::atomic<uint64_t> messages_received{0};   // accepted for storage
  std::atomic<uint64_t> acks_sent{0};           // durable and acknowledged
  std::atomic<uint64_t> messages_delivered{0};  // frames handed to recipients
  std::atomic<uint64_t> storage_failures{0};
  std::atomic<uint64_t> conversations_opened{0};
  std::atomic<uint64_t> conversations_assigned{0};
  std::atomic<uint64_t> conversations_closed{0};
  std::atomic<uint64_t> conversations_rerouted{0};   // the agent did not answer in time
  std::atomic<uint64_t> conversations_requeued{0};   // the agent left and did not come back
  std::atomic<int64_t> conversations_queued{0};      // gauge: waiting now
  std::atomic<uint64_t> conversations_abandoned{0};  // the visitor left the queue unserved
  std::atomic<uint64_t> queue_full{0};               // joined a group queue past max_queue_length
  std::atomic<uint64_t> queue_wait_exceeded{0};      // waited past its group's max_wait_s
  std::atomic<uint64_t> slow_consumers_dropped{0};
  std::atomic<uint64_t> audit_recorded{0};  // admin changes kept in the audit log
  std::atomic<uint64_t> audit_failures{0};  // admin changes made but not kept in it
  std::array<std::atomic<uint64_t>, static_cast<size_t>(ErrorCode::count_)> errors{};
  LatencyHistogram ack_latency;  // message received -> ack written (storage included)

  void count_error(ErrorCode code) {
    errors[static_cast<size_t>(code)].fetch_add(1, std::memory_order_relaxed);
  }
};

class Registry {
 public:
  // The metrics of one tenant, created on first use and kept for the process's life
  // (a tenant removed and re-added keeps counting from where it was).
  std::shared_ptr<TenantMetrics> tenant(const std::string& tenant_id);

  std::atomic<int64_t> open_connections{0};  // all sockets, before and after upgrade
  std::atomic<uint64_t> rejected_connections{0};
  std::atomic<uint64_t> login_failures{0};       // wrong email or password
  std::atomic<uint64_t> logins_throttled{0};     // refused with 429 before any check
  std::atomic<uint64_t> logins_refused_busy{0};  // refused with 503: the checks were full
  std::atomic<uint64_t> login_locks_address{0};  // locks started on a client address
  std::atomic<uint64_t> login_locks_account{0};  // locks started on an account
  // Password-check threads lifted out of SCHED_IDLE after starving (auth/password_checks.hpp).
  std::atomic<uint64_t> password_checks_lifted{0};
  // Of those, raised further to the server's own priority: starved and old (urgent).
  std::atomic<uint64_t> password_checks_urgent{0};
  // Slow, half-open and greedy clients (the hub's limits).
  std::atomic<uint64_t> address_limit_refusals{0};    // over max_connections_per_address
  std::atomic<uint64_t> header_limit_refusals{0};     // 431: headers over max_header_bytes
  std::atomic<uint64_t> slow_heads_closed{0};         // head not in within handshake_timeout_ms
  std::atomic<uint64_t> stalled_transfers_closed{0};  // body/response idle transfer_idle_timeout_ms
  std::atomic<uint64_t> hello_timeouts{0};            // visitor sockets without hello in time
  std::atomic<uint64_t> tls_handshake_failures{0};    // refused or broken, not timed out

  // Metrics another part keeps (the loaded plugin builds): `collect` appends their
  // lines, with # HELP and # TYPE, whenever /metrics is read. Call at start-up.
  void add_collector(std::function<void(std::string& out)> collect);

  std::string render_prometheus() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<TenantMetrics>> tenants_;
  std::vector<std::function<void(std::string&)>> collectors_;  // guarded by mutex_
};

}  // namespace sb::metrics
