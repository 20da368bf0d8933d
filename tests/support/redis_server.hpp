// A private Redis for one test: redis-server on a free port of 127.0.0.1 with its
// working directory in a fresh temp dir, stopped (and the dir removed) at the end.
// No system service is touched. Stop, start again on the same port, freeze
// (SIGSTOP) and thaw: the faults the cluster's tests put the bus through.
#pragma once

#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace sb::test {

struct RedisOptions {
  // appendonly yes: what was written survives stop()/start() (fsync every second).
  // Off by default, so a restart loses everything, as a Redis without
  // persistence does.
  bool persistent = false;
};

class RedisServer {
 public:
  // Starts the server and waits until it answers PING; throws std::runtime_error
  // with its log when it does not within 10 s.
  explicit RedisServer(RedisOptions options = {});
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  void stop();    // SIGTERM, waits for the exit (SIGKILL after 10 s)
  void start();   // again, on the same port
  void freeze();  // SIGSTOP: connections stay open, nothing answers
  void thaw();    // SIGCONT

  // Runs one command through redis-cli and returns what it printed (raw, one value
  // per line). Throws when redis-cli fails.
  std::string cli(const std::vector<std::string>& args) const;

  // Whether redis-server is installed (packaging/install-deps.sh --test).
  static bool installed();

 private:
  RedisOptions options_;
  TempDir dir_;
  int port_ = 0;
  int pid_ = -1;
  int runs_ = 0;
};

}  // namespace sb::test
