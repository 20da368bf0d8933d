// When a node tries again to take a tenant placement gives it but it could not take
// yet (docs/cluster.md, "How a node runs it"). Usually another node's lease is still
// live: a dead owner's, which lasts lease_ms after its last write. A storage plugin
// that refuses a tenant for that reason says how much longer the lease lasts
// (storage-postgres: "... held by node 'n' (epoch 4) for another 691 ms"); the tenant
// is then tried again just after that moment, not up to a heartbeat later, and not
// before it either (every try builds the tenant's storage: a connection, the schema
// check, the lease query). A failure that names no lease is tried again at the next
// heartbeat, as before.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace sb::cluster {

class TakeRetries {
 public:
  using Clock = std::chrono::steady_clock;

  // How long after the named end the tenant is tried: the end is rounded to the
  // millisecond, and a lease ending exactly then is still live (expires_at < now()).
  static constexpr std::chrono::milliseconds kAfterLeaseEnd{5};

  // What is left of another node's lease, as a refusal names it ("for another N ms"
  // after "held by node"); nullopt when the error names none.
  static std::optional<std::chrono::milliseconds> lease_left(std::string_view error);

  // A take of the tenant failed with error; now: when the refusal came.
  void failed(const std::string& tenant_id, std::string_view error, Clock::time_point now);
  // Taken, or no longer placed here: nothing to wait for.
  void forget(const std::string& tenant_id) { retry_at_.erase(tenant_id); }
  // The live nodes changed: a lease may have been given up, try everything now.
  void clear() { retry_at_.clear(); }

  // Forgets the tenants not in ids (no longer placed here, or gone).
  void keep_only(const std::set<std::string>& ids);

  // Whether the tenant may be tried at now: no lease was named, or its end passed.
  bool due(const std::string& tenant_id, Clock::time_point now) const;
  // When the node must next look: the earliest end a tenant waits for, now when one
  // has passed already (nullopt: none waits, the next heartbeat will do). The
  // caller tries every tenant that is due, which replaces or removes its entry.
  std::optional<Clock::time_point> next(Clock::time_point now) const;

 private:
  std::map<std::string, Clock::time_point> retry_at_;  // by tenant id
};

}  // namespace sb::cluster
