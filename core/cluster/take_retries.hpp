// When a node tries again to take a tenant placement gives it but it could not take
// yet (docs/cluster.md, "How a node runs it"). Usually another node's lease is still
// live: a dead owner's, which lasts lease_ms after its last write. A storage plugin
// that refuses a tenant for that reason says how much longer the lease lasts
// (sb_error.retry_after_ms, ABI 1.8; storage-postgres fills it); the tenant is then
// tried again just after that moment, not up to a heartbeat later, and not before it
// either (every try builds the tenant's storage: a connection, the schema check, the
// lease query). A failure that says no such time (any other, and every refusal of a
// plugin written before 1.8) is tried again at the next heartbeat.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace sb::cluster {

class TakeRetries {
 public:
  using Clock = std::chrono::steady_clock;

  // How long after the end the plugin gave the tenant is tried: the end is rounded
  // to the millisecond, and a lease ending exactly then is still live
  // (expires_at < now()).
  static constexpr std::chrono::milliseconds kAfterLeaseEnd{5};

  // A take of the tenant failed; retry_after: how long the plugin said its refusal
  // lasts (nullopt: it did not say); now: when the refusal came.
  void failed(const std::string& tenant_id, std::optional<std::chrono::milliseconds> retry_after,
              Clock::time_point now);
  // Taken, or no longer placed here: nothing to wait for.
  void forget(const std::string& tenant_id) { retry_at_.erase(tenant_id); }
  // The live nodes changed: a lease may have been given up, try everything now.
  void clear() { retry_at_.clear(); }

  // Forgets the tenants not in ids (no longer placed here, or gone).
  void keep_only(const std::set<std::string>& ids);

  // Whether the tenant may be tried at now: no end was given, or it passed.
  bool due(const std::string& tenant_id, Clock::time_point now) const;
  // When the node must next look: the earliest end a tenant waits for, now when one
  // has passed already (nullopt: none waits, the next heartbeat will do). The
  // caller tries every tenant that is due, which replaces or removes its entry.
  std::optional<Clock::time_point> next(Clock::time_point now) const;

 private:
  std::map<std::string, Clock::time_point> retry_at_;  // by tenant id
};

}  // namespace sb::cluster
