// What the PostgreSQL-only tests share: the tenant a test directory stands for and
// direct connections that look behind the plugin's back.
#pragma once

#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "storage_harness.hpp"

namespace storage_test {

// The tenant id the harness gives the instances of dir (its name).
std::string tenant_of(const TempDir& dir);

// A connection as the plugin's role (row-level security applies) or as the
// superuser (it does not), to the test process's PostgreSQL.
std::unique_ptr<pqxx::connection> connect_as_app();
std::unique_ptr<pqxx::connection> connect_as_superuser();

// The JSON result of a call that must succeed.
std::string ok_result(const Call& call);

}  // namespace storage_test
