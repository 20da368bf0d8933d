#include "lease.hpp"

#include "session.hpp"

namespace switchboard::postgres {

Lease acquire_lease(pqxx::transaction_base& tx, const std::string& node_id, int64_t lease_ms) {
  const pqxx::result taken = tx.exec_params(
      "INSERT INTO tenant_leases AS l (owner_node, epoch, expires_at) "
      "VALUES ($1, 1, now() + $2 * interval '1 millisecond') "
      "ON CONFLICT (tenant_id) DO UPDATE SET "
      "  epoch = CASE WHEN l.owner_node = excluded.owner_node THEN l.epoch ELSE l.epoch + 1 END, "
      "  owner_node = excluded.owner_node, expires_at = excluded.expires_at "
      "WHERE l.owner_node = excluded.owner_node OR l.expires_at < now() "
      "RETURNING epoch",
      node_id, lease_ms);
  if (!taken.empty()) return Lease{node_id, taken[0][0].as<int64_t>()};
  const pqxx::row holder = tx.exec1(
      "SELECT owner_node, epoch, round(extract(epoch FROM expires_at - now()) * 1000)::bigint "
      "FROM tenant_leases");
  // What is left reaches a cluster node as sb_error.retry_after_ms: it tries again
  // just then (core/cluster/take_retries.hpp). The text is for people.
  const int64_t left_ms = holder[2].as<int64_t>();
  throw LeaseHeld("storage-postgres: the tenant is held by node '" + holder[0].as<std::string>() +
                      "' (epoch " + holder[1].as<std::string>() + ") for another " +
                      std::to_string(left_ms) + " ms",
                  left_ms);
}

namespace {

void lease_lost_unless(const pqxx::result& renewed, const Lease& lease) {
  if (renewed.empty()) {
    throw LeaseLost("storage: this node ('" + lease.node_id + "', epoch " +
                    std::to_string(lease.epoch) +
                    ") lost the tenant's lease to another node; nothing was written");
  }
}

}  // namespace

void check_lease(pqxx::transaction_base& tx, const Lease& lease, int64_t lease_ms) {
  lease_lost_unless(
      tx.exec_params("UPDATE tenant_leases SET expires_at = greatest(expires_at, now() + $3 * "
                     "interval '1 millisecond') WHERE owner_node = $1 AND epoch = $2 RETURNING 1",
                     lease.node_id, lease.epoch, lease_ms),
      lease);
}

bool release_lease(pqxx::transaction_base& tx, const Lease& lease) {
  // Just ended, by the database's clock: acquire_lease's "expires_at < now()" holds
  // for any transaction that starts after this one commits.
  return !tx.exec_params(
                "UPDATE tenant_leases SET expires_at = now() - interval '1 millisecond' "
                "WHERE owner_node = $1 AND epoch = $2 RETURNING 1",
                lease.node_id, lease.epoch)
              .empty();
}

void enter_tenant_and_check_lease(pqxx::transaction_base& tx, const std::string& tenant_id,
                                  const Lease& lease, int64_t lease_ms) {
  // One simple query of two statements (its result is the last one's); every value
  // is quoted by libpq or a number.
  lease_lost_unless(
      tx.exec(std::string("SELECT set_config('") + kTenantSetting + "', " + tx.quote(tenant_id) +
              ", true); UPDATE tenant_leases SET expires_at = greatest(expires_at, now() + " +
              std::to_string(lease_ms) +
              " * interval '1 millisecond') WHERE owner_node = " + tx.quote(lease.node_id) +
              " AND epoch = " + std::to_string(lease.epoch) + " RETURNING 1"),
      lease);
}

}  // namespace switchboard::postgres
