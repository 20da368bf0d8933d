// Password checks in helper processes of their own, so a login flood's hashing
// stays out of the server's address space.
//
// Why: every argon2id check maps 64 MiB, touches each page and unmaps it again.
// Inside the server the unmapping flushes the TLB of every core running one of the
// server's threads, and the chat's event loops pay for it: measured beside a flood
// of wrong sign-ins, the chat's ack p99 rose 2-3x with the checks on threads of the
// server and about 1.1x with the same checks in another process (tests/bench/
// RESULTS.md, "Check threads as SCHED_IDLE..."). The CPU the hashing takes is the
// same either way.
//
// How: each helper is `EXECUTABLE password-helper` (the server's own binary, a hidden
// subcommand: run_password_helper below), started on first use, talking over a Unix
// socket on its stdin: a request is two lengths, the stored hash and the password;
// the answer is one byte. A caller borrows an idle helper for one check and, while it
// waits, keeps the helper's CPU priority the same as its own thread's, so
// PasswordChecks' rules (SCHED_IDLE, lifted when starved) apply to the hashing
// wherever it runs. A helper that dies, hangs past a deadline or answers nonsense is
// killed, and that check is refused (never passed); the next check starts a new one.
// The password is wiped from the server's buffer after sending and from the
// helper's after checking.
//
// Thread-safe: each check uses one helper alone; the helper set is behind a mutex
// taken only to borrow and return one.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::auth {

class PasswordHelpers {
 public:
  // `executable` runs as `executable password-helper`; `count` helpers at most (one
  // per check thread); a check that takes longer than `deadline_ms` is refused.
  PasswordHelpers(std::string executable, size_t count, int64_t deadline_ms = 60000);
  ~PasswordHelpers();  // kills and reaps every helper
  PasswordHelpers(const PasswordHelpers&) = delete;
  PasswordHelpers& operator=(const PasswordHelpers&) = delete;

  // True when `password` matches `hash`, false when not; nullopt when no answer
  // could be had (the helper could not start, died or hung): refuse the sign-in.
  std::optional<bool> verify(std::string_view hash, std::string_view password);

  // Helpers started so far (the first ones included), and the pids of those alive
  // now (for tests and for the guard's view).
  uint64_t started() const { return started_.load(std::memory_order_relaxed); }
  std::vector<pid_t> pids() const;

 private:
  struct Helper {
    pid_t pid = -1;
    int fd = -1;  // the server's end of the socket pair
  };

  bool start(Helper& helper);
  static void end(Helper& helper);  // kill, reap, close
  std::optional<bool> ask(Helper& helper, std::string_view hash, std::string_view password);

  const std::string executable_;
  const size_t count_;
  const int64_t deadline_ms_;
  mutable std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<Helper> idle_;  // guarded by mutex_; all count_ when no check runs
  std::vector<pid_t> busy_;   // guarded by mutex_: the pids of the helpers lent out
  std::atomic<uint64_t> started_{0};
};

// The helper's side: answers requests on fd 0 until it closes; returns the exit
// code. Called by `switchboard password-helper` before anything else runs.
int run_password_helper();

}  // namespace sb::auth
