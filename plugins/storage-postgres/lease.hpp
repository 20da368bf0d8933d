// The tenant lease: which node may write for a tenant, fenced by an epoch.
//
// tenant_leases holds one row per tenant: owner_node, epoch, expires_at (the
// database's clock, so nodes' clocks never matter). A node takes the lease when the
// row is absent, already its own (a restart or a tenant reload on the same node
// keeps the epoch), or expired (the epoch goes up by one). Every write transaction
// of the tenant first renews the row WHERE owner_node and epoch are still its own
// (check_lease): the row lock it takes makes a concurrent takeover wait for the
// commit, and once another node took over, the old owner's writes are refused by
// PostgreSQL itself (zero rows: the transaction is rolled back, nothing is stored).
#pragma once

#include <cstdint>
#include <pqxx/transaction_base>
#include <stdexcept>
#include <string>

namespace switchboard::postgres {

struct Lease {
  std::string node_id;
  int64_t epoch = 0;
};

// The tenant's lease is another node's (or was lost to one).
class LeaseLost : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Another node holds the tenant's lease for left_ms more (its end: when trying to
// take it again can succeed; instance_new passes it as sb_error.retry_after_ms).
class LeaseHeld : public LeaseLost {
 public:
  LeaseHeld(const std::string& what, int64_t left_ms) : LeaseLost(what), left_ms_(left_ms) {}
  int64_t left_ms() const { return left_ms_; }

 private:
  int64_t left_ms_;
};

// Takes (or keeps) the lease of the transaction's tenant for lease_ms. Throws
// LeaseHeld naming the holder when another node holds an unexpired lease.
Lease acquire_lease(pqxx::transaction_base& tx, const std::string& node_id, int64_t lease_ms);

// Renews the lease inside a write transaction and fences it: throws LeaseLost when
// the tenant's lease no longer carries this node and epoch.
void check_lease(pqxx::transaction_base& tx, const Lease& lease, int64_t lease_ms);

// Ends the lease now if it still carries this node and epoch, so that another node
// may take the tenant at once; a lease another node took meanwhile is left as it
// is. True when it ended this node's lease.
bool release_lease(pqxx::transaction_base& tx, const Lease& lease);

// enter_tenant (session.hpp) and check_lease in one round trip: the first two
// statements of every write transaction.
void enter_tenant_and_check_lease(pqxx::transaction_base& tx, const std::string& tenant_id,
                                  const Lease& lease, int64_t lease_ms);

}  // namespace switchboard::postgres
