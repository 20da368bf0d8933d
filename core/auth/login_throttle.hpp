// Limits password guessing. Failed sign-ins are counted per client address and per
// account (tenant + email); past a few, that address or account is locked for a
// while that doubles with every further failure, and a locked attempt is answered
// 429 before any password is hashed, so guessing costs the attacker time and the
// server no CPU.
//
// The per-address limit is stricter than the per-account one and its locks grow
// longer: one address stops being able to guess long before it could hold an
// account locked, and an account's lock never lasts more than a minute, so its
// owner can always sign in soon after. A correct password clears the account's
// failures; an address's failures are forgotten after a quiet spell.
//
// Attempts still being checked count as failures until they are decided, so many
// parallel guesses from one address do not slip through before the first fails.
//
// An allowed attempt also gets its standing, which orders the password checks
// (PasswordChecks): proven when its address signed an agent in within
// proven_for_ms and has not failed since, suspect when its address or account has
// failures, else clean.
// Thread-safe (one mutex: sign-ins are rare next to messages, and the hash they
// wait for costs a thousand times more than the lock).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/password_checks.hpp"

namespace sb::auth {

struct ThrottlePolicy {
  int address_free_failures = 5;   // failures an address may make before its first lock
  int account_free_failures = 10;  // failures an account may take, from anywhere
  int64_t first_lock_ms = 1000;    // doubled with every failure past the free ones
  int64_t address_max_lock_ms = 15 * 60 * 1000;
  int64_t account_max_lock_ms = 60 * 1000;
  int64_t forget_after_ms = 60 * 60 * 1000;     // quiet this long after a lock: start over
  size_t max_tracked = 100000;                  // per kind; the oldest are dropped past it
  int64_t proven_for_ms = 24 * 60 * 60 * 1000;  // an address's sign-in vouches for it this long
};

class LoginThrottle {
 public:
  enum class Scope { none, address, account };

  struct Verdict {
    Scope locked = Scope::none;  // none: go ahead and check the password
    int64_t retry_after_ms = 0;
    Standing standing = Standing::clean;  // when not locked: how the check is queued
  };

  // A lock that a failure started, for the caller to log and count.
  struct Lock {
    Scope scope = Scope::none;
    int64_t duration_ms = 0;
    int failures = 0;
  };

  explicit LoginThrottle(ThrottlePolicy policy = {}) : policy_(policy) {}

  // Before checking a password: whether to refuse at once. When it allows the
  // attempt, the attempt is pending until finish() is called for it.
  Verdict begin(std::string_view address, std::string_view account, int64_t now_ms);

  // The pending attempt's outcome. A failure may start locks (returned, address
  // first); a success clears the account's failures.
  struct Outcome {
    Lock address;
    Lock account;
  };
  Outcome finish(std::string_view address, std::string_view account, bool succeeded,
                 int64_t now_ms);
  // The pending attempt was never checked (the server was too busy): forgotten,
  // neither a failure nor a success.
  void abandon(std::string_view address, std::string_view account);

  static std::string_view to_string(Scope scope);

  // Addresses and accounts being tracked now (bounded by max_tracked each).
  size_t tracked();

 private:
  struct Entry {
    int failures = 0;
    int pending = 0;
    int64_t last_failure_ms = 0;
    int64_t locked_until_ms = 0;
  };
  using Table = std::unordered_map<std::string, Entry>;

  Entry& entry(Table& table, std::string_view key, int64_t now_ms);
  Lock fail(Entry& e, Scope scope, int free_failures, int64_t max_lock_ms, int64_t now_ms) const;
  void make_room(Table& table, int64_t now_ms);

  const ThrottlePolicy policy_;
  std::mutex mutex_;
  Table addresses_;
  Table accounts_;
  // Addresses that signed an agent in, and when (bounded by max_tracked).
  std::unordered_map<std::string, int64_t> signed_in_from_;
};

}  // namespace sb::auth
