#include "support/postgres_server.hpp"

#include <pwd.h>
#include <unistd.h>

#include <stdexcept>

#include "support/process.hpp"

namespace sb::test {

namespace {

// The newest installed PostgreSQL's programs (Debian: /usr/lib/postgresql/N/bin).
std::filesystem::path find_bin() {
  std::filesystem::path best;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    const auto bin = entry.path() / "bin";
    if (std::filesystem::exists(bin / "initdb") && (best.empty() || bin > best)) best = bin;
  }
  return best;
}

void check(const ProcessResult& r, const std::string& what) {
  if (r.exit_code != 0 || r.timed_out)
    throw std::runtime_error(what + " failed (" + std::to_string(r.exit_code) + "): " + r.out +
                             r.err);
}

}  // namespace

bool PostgresServer::installed() {
  return !find_bin().empty();
}

PostgresServer::PostgresServer() : dir_("sb-postgres"), bin_(find_bin()) {
  if (bin_.empty())
    throw std::runtime_error(
        "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); run "
        "packaging/install-deps.sh --test");
  if (::geteuid() == 0) {
    const passwd* pg = ::getpwnam("postgres");
    if (!pg) throw std::runtime_error("running as root, but there is no 'postgres' user");
    if (::chown(dir_.path().c_str(), pg->pw_uid, pg->pw_gid) != 0)
      throw std::runtime_error("cannot hand " + dir_.path().string() + " to postgres");
  }
  port_ = free_port();
  check(run_process(as_postgres({(bin_ / "initdb").string(), "-D", (dir_.path() / "data").string(),
                                 "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8",
                                 // A test cluster: initdb's own fsyncs cost seconds
                                 // here; the server still fsyncs every commit.
                                 "--no-sync"}),
                    "", std::chrono::seconds(120)),
        "initdb");
  start();
  try {
    psql("CREATE ROLE switchboard LOGIN NOSUPERUSER NOBYPASSRLS", "postgres", "postgres");
    psql("CREATE DATABASE switchboard OWNER switchboard", "postgres", "postgres");
  } catch (...) {
    // No destructor runs for a constructor that throws: stop the server here.
    stop();
    throw;
  }
}

PostgresServer::~PostgresServer() {
  try {
    if (running_) pg_ctl("stop");
  } catch (...) {
  }
}

std::vector<std::string> PostgresServer::as_postgres(std::vector<std::string> argv) const {
  if (::geteuid() != 0) return argv;
  // In the cluster's own directory: the caller's (a checkout under /root, say) may
  // be closed to the postgres user, and pg_ctl refuses to run where it cannot look.
  argv.insert(argv.begin(), {"/usr/sbin/runuser", "-u", "postgres", "--", "/usr/bin/env", "-C",
                             dir_.path().string()});
  return argv;
}

void PostgresServer::pg_ctl(const std::string& action) const {
  std::vector<std::string> argv{(bin_ / "pg_ctl").string(),
                                "-D",
                                (dir_.path() / "data").string(),
                                "-w",
                                "-t",
                                "60",
                                "-m",
                                "fast"};
  if (action != "stop") {
    argv.insert(argv.end(), {"-l", (dir_.path() / "log").string(), "-o",
                             "-p " + std::to_string(port_) + " -k " + dir_.path().string() +
                                 " -c listen_addresses=127.0.0.1"});
  }
  argv.push_back(action);
  check(run_process(as_postgres(argv), "", std::chrono::seconds(90)), "pg_ctl " + action);
}

void PostgresServer::start() {
  pg_ctl("start");
  running_ = true;
}

void PostgresServer::stop() {
  pg_ctl("stop");
  running_ = false;
}

void PostgresServer::restart() {
  pg_ctl("restart");
  running_ = true;
}

std::string PostgresServer::connection(const std::string& role, const std::string& database) const {
  return "host=" + dir_.path().string() + " port=" + std::to_string(port_) + " user=" + role +
         " dbname=" + database;
}

std::string PostgresServer::psql(const std::string& sql, const std::string& role,
                                 const std::string& database) const {
  const ProcessResult r = run_process(
      {(bin_ / "psql").string(), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h",
       dir_.path().string(), "-p", std::to_string(port_), "-U", role, "-d", database, "-c", sql},
      "", std::chrono::seconds(60));
  check(r, "psql " + sql);
  return r.out;
}

}  // namespace sb::test
