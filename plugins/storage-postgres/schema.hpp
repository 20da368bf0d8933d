// The database schema: versioned migrations (schema_migrations) and the month
// partitions of messages.
#pragma once

#include <cstdint>
#include <pqxx/connection>
#include <string>

namespace switchboard::postgres {

// The version the last migration brings the database to.
int latest_schema_version();

// Applies every migration the database lacks, each recorded in schema_migrations,
// all in one transaction under an advisory lock: instances of many tenants and
// nodes starting at once migrate once, and a restart applies nothing twice. Throws
// std::runtime_error when the database is of a newer version than this plugin.
void migrate(pqxx::connection& db);

// A month as (year * 12 + month - 1), UTC: the unit messages are partitioned by.
int64_t month_of(int64_t ts_ms);
// "messages_2026_12"
std::string partition_name(int64_t month);

// Creates the partition of that month (with its row-level security, which a
// partition read directly would otherwise lack) unless it exists. Its own
// transaction, under the same advisory lock as migrate. False when a table of that
// name exists but is no partition of messages (the operator detached the month).
bool ensure_partition(pqxx::connection& db, int64_t month);

}  // namespace switchboard::postgres
