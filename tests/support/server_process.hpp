// One switchboard server process under test: started with its own directories on a
// free port, stopped gracefully (SIGTERM) or killed (SIGKILL) on demand, restartable
// on the same data directory, and ended when the object goes away: killed in a plain
// build, stopped with SIGTERM in a sanitized one (end_with_sigterm below).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "support/build_speed.hpp"

namespace sb::test {

struct ServerOptions {
  std::filesystem::path binary;
  std::filesystem::path config;       // --config
  std::filesystem::path data_dir;     // --data-dir
  std::filesystem::path plugin_dir;   // --plugin-dir
  std::filesystem::path tenants_dir;  // --tenants-dir
  std::filesystem::path log_dir;      // where stdout/stderr of each run are kept
  std::filesystem::path working_dir;  // the server's; empty: log_dir
  std::vector<std::string> extra_args;
  std::chrono::milliseconds ready_timeout{20000};
  // How a run still going when the object goes away ends. A sanitized build (ASan,
  // TSan) stops it as an operator would, SIGTERM, and waits up to end_timeout
  // (stretched as every harness deadline is, build_speed.hpp) before a SIGKILL:
  // LeakSanitizer checks a process only when it exits, so a server that is always
  // killed is never checked for leaks, and its report (sanitizer_report) fails the
  // test like any other. A plain build kills it: nothing would read a clean exit
  // there, and the stop costs each test time. A test that crashes a server on
  // purpose (durability after kill -9) calls kill_hard() itself, in every build.
  bool end_with_sigterm = kSanitizedBuild;
  std::chrono::milliseconds end_timeout{15000};
};

class ServerProcess {
 public:
  explicit ServerProcess(ServerOptions options);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts the server on 127.0.0.1:0 and waits for its "listening on" line.
  // Throws with the server's stderr if it exits or stays silent past ready_timeout.
  void start();
  // SIGTERM, then waits; returns the exit status (SIGKILLs after timeout and throws).
  int stop(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // SIGKILL, as in a crash: nothing gets a chance to flush.
  void kill_hard();
  bool running();
  // Begins what the destructor does to a run still going (end_with_sigterm: the
  // SIGTERM now, the wait in the destructor), so that a test's several servers stop
  // side by side rather than one after the other. Nothing in a plain build.
  void end_soon() noexcept;

  uint16_t port() const { return port_; }
  int pid() const { return pid_; }
  // Everything the current (or last) run wrote to stderr, i.e. its log.
  std::string log() const;
  std::string stdout_text() const;
  const ServerOptions& options() const { return options_; }

 private:
  // The run is over: looks at its log for a sanitizer's report (below).
  void ended();
  // The destructor's end of a run still going (end_with_sigterm); never throws.
  void end_run() noexcept;

  ServerOptions options_;
  int pid_ = -1;
  bool term_sent_ = false;  // end_soon() sent this run's SIGTERM
  int run_count_ = 0;
  uint16_t port_ = 0;
  std::filesystem::path stdout_path_;
  std::filesystem::path stderr_path_;
};

// A sanitizer's report (AddressSanitizer, LeakSanitizer, UndefinedBehaviorSanitizer,
// ThreadSanitizer) in a server's log, from its first line through the next 39 (the
// stack that says where), or "" when the log has none.
std::string sanitizer_report(const std::string& log);

// A server's sanitizer report fails the test that ran it, even when none of the
// test's assertions noticed (an error after its last check, in a request whose answer
// was not looked at, in a server that was then killed, a leak found when it exits
// at the end of the test). Each run's log is read when
// the run ends (stop, kill_hard, running() finding it gone, the destructor); what is
// found and not taken by then is printed at exit, which then fails the process (exit
// status 1, so ctest fails the test). A test that expects a report takes it here.
std::vector<std::string> take_sanitizer_reports();

}  // namespace sb::test
