// The [plugins.storage-postgres] keys of one tenant, read through host->config_get
// and checked once in instance_new.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "host_ref.hpp"

namespace switchboard::postgres {

using switchboard::sqlite::HostRef;

struct PgConfig {
  // libpq connection string, key=value ("host=/run/postgresql dbname=switchboard
  // user=switchboard") or a postgresql:// URI. Required. The role must be neither
  // a superuser nor BYPASSRLS: tenant isolation rests on row-level security.
  std::string connection;
  // This node's name in tenant_leases; default: the host name.
  std::string node_id;
  // How long the tenant's lease lasts without renewal. The writer renews it every
  // lease_ms / 3; another node may take the tenant only after it expired.
  int64_t lease_ms = 15000;
  // Month partitions of messages created ahead of the current month.
  int64_t partitions_ahead_months = 3;
  // Most write operations one transaction carries (group commit).
  size_t max_batch_messages = 2048;
  // Writes accepted but not yet committed (and, separately, reads not yet
  // answered); past it a call fails at once with "storage overloaded".
  size_t max_pending_messages = 100000;
  // A statement running longer is cancelled (its ops fail), so a stuck database
  // turns into errors rather than a queue that never moves.
  int64_t statement_timeout_ms = 10000;
  // A cluster node that does not own the tenant reads its history (replay, REST)
  // without taking the lease: no writer, every write fails at once.
  bool read_only = false;
};

// The keys declared in the descriptor; the host rejects any other.
extern const sb_config_key kConfigKeys[];
extern const size_t kConfigKeyCount;

// Reads and validates the config. Throws std::invalid_argument naming the key.
PgConfig read_config(const HostRef& host);

}  // namespace switchboard::postgres
