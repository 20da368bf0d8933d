// Runs a short-lived command (hash-password, check-config) and captures its output,
// with a deadline: a command that hangs is killed and reported, not waited on forever.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace sb::test {

struct ProcessResult {
  int exit_code = -1;  // the exit status, or 128 + signal number
  bool timed_out = false;
  std::string out;
  std::string err;
};

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& stdin_text = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(30));

// fork + exec with stdin/stdout/stderr already opened by the caller; the child dies
// with the test process (PR_SET_PDEATHSIG) so a crashed test leaves no server behind.
int spawn(const std::vector<std::string>& argv, int stdin_fd, int stdout_fd, int stderr_fd,
          const std::filesystem::path& working_dir = {});

// Waits for pid to exit for at most timeout; returns the status as in ProcessResult
// or -1 if it is still running.
int wait_for_exit(int pid, std::chrono::milliseconds timeout);

// A port nobody listens on now on 127.0.0.1 (the kernel's choice for port 0), for
// the servers tests start (PostgreSQL, Redis).
int free_port();

}  // namespace sb::test
