// Session: one connection to PostgreSQL, opened lazily and again after it broke,
// and the tenant scope every transaction starts with.
#pragma once

#include <functional>
#include <memory>
#include <pqxx/connection>
#include <pqxx/transaction_base>
#include <string>
#include <string_view>

#include "pg_config.hpp"

namespace switchboard::postgres {

// The setting every row-level security policy compares tenant_id with.
inline constexpr const char* kTenantSetting = "switchboard.tenant_id";

// Scopes the open transaction to one tenant (set_config(..., is_local = true), the
// function form of SET LOCAL): every policy then shows and accepts only that
// tenant's rows, and the setting ends with the transaction.
void enter_tenant(pqxx::transaction_base& tx, const std::string& tenant_id);

// Whether text can be stored in a PostgreSQL text column: valid UTF-8, no NUL.
bool storable_text(std::string_view text);

class Session {
 public:
  // on_connect runs on every new connection (e.g. to create a temporary table).
  Session(const PgConfig& config, HostRef host, std::string purpose,
          std::function<void(pqxx::connection&)> on_connect = {});
  ~Session();

  // The open connection, connecting first when there is none. On a new one: the
  // role is checked (refused when it is a superuser or bypasses row-level
  // security), synchronous_commit is never off, statement_timeout is set.
  // Throws pqxx::broken_connection (or std::runtime_error for a refused role).
  pqxx::connection& connection();
  // Whether a connection is open (false after the server went away).
  bool is_open() const { return connection_ && connection_->is_open(); }
  // Forgets a connection that failed; the next connection() opens a new one.
  void drop();

 private:
  const PgConfig& config_;
  HostRef host_;
  std::string purpose_;
  std::function<void(pqxx::connection&)> on_connect_;
  std::unique_ptr<pqxx::connection> connection_;
};

}  // namespace switchboard::postgres
