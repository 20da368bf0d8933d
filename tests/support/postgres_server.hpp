// A private PostgreSQL for one test process: initdb into a fresh temp dir, a free
// port on 127.0.0.1 and a Unix socket in that dir, stopped and removed at the end.
// No system service is touched. As root the cluster runs as the `postgres` OS user
// (PostgreSQL refuses root), through runuser.
//
// It holds a role `switchboard` (LOGIN, neither superuser nor BYPASSRLS, so
// row-level security applies to it) owning a database `switchboard`: what
// storage-postgres connects as. The superuser `postgres` is there for the tests'
// own looks behind the plugin's back.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace sb::test {

class PostgresServer {
 public:
  // Starts the cluster; throws std::runtime_error with initdb's or pg_ctl's output.
  PostgresServer();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // libpq connection string of the app role (or of another role / database).
  std::string connection(const std::string& role = "switchboard",
                         const std::string& database = "switchboard") const;
  int port() const { return port_; }

  // pg_ctl stop -m fast (connections are cut) / start / restart, waiting for each.
  void stop();
  void start();
  void restart();

  // Runs SQL through psql as role (default the superuser) and returns what it
  // printed (unaligned, tuples only). Throws with psql's stderr on failure.
  std::string psql(const std::string& sql, const std::string& role = "postgres",
                   const std::string& database = "switchboard") const;

  // Whether initdb is installed (postgresql-15, packaging/install-deps.sh --test).
  static bool installed();

 private:
  std::vector<std::string> as_postgres(std::vector<std::string> argv) const;
  void pg_ctl(const std::string& action) const;

  TempDir dir_;
  std::filesystem::path bin_;
  int port_ = 0;
  bool running_ = false;
};

}  // namespace sb::test
