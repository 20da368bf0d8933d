// Which live node owns a tenant: rendezvous (highest random weight) hashing. Every
// node computes it alone from the same list of live nodes and gets the same
// answer; a node joining or leaving moves only the tenants whose top node changed
// (about 1/N of them). The lease in PostgreSQL, not this function, decides who may
// write (docs/cluster.md): placement only says who should try.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sb::cluster {

// The weight of node for tenant: the first 8 bytes of SHA-256(tenant NUL node),
// the same on every machine and build.
uint64_t rendezvous_weight(std::string_view tenant_id, std::string_view node_id);

// The node of nodes with the highest weight for tenant_id (ties, which SHA-256 makes
// all but impossible, go to the smaller id); "" when nodes is empty.
std::string owner_of(std::string_view tenant_id, const std::vector<std::string>& nodes);

}  // namespace sb::cluster
