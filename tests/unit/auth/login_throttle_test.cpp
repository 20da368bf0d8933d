#include "auth/login_throttle.hpp"

#include <catch2/catch.hpp>

using sb::auth::LoginThrottle;
using sb::auth::ThrottlePolicy;
using Scope = LoginThrottle::Scope;

namespace {

// One whole attempt that fails; returns whether it was let through at all.
bool fail_once(LoginThrottle& t, std::string_view address, std::string_view account, int64_t now) {
  if (t.begin(address, account, now).locked != Scope::none) return false;
  t.finish(address, account, false, now);
  return true;
}

}  // namespace

TEST_CASE("an address is locked after a few failures, for longer each time") {
  LoginThrottle t;
  int64_t now = 1'000'000;
  for (int i = 0; i < 5; ++i) REQUIRE(fail_once(t, "10.0.0.1", "demo\nann@x", now));

  auto verdict = t.begin("10.0.0.1", "demo\nann@x", now);
  CHECK(verdict.locked == Scope::address);
  CHECK(verdict.retry_after_ms == 1000);

  // Other addresses are not affected.
  CHECK(t.begin("10.0.0.2", "demo\nbob@x", now).locked == Scope::none);
  t.finish("10.0.0.2", "demo\nbob@x", true, now);

  // After the lock, one more failure locks it again for twice as long.
  now += 1000;
  REQUIRE(fail_once(t, "10.0.0.1", "demo\nann@x", now));
  CHECK(t.begin("10.0.0.1", "demo\nann@x", now).retry_after_ms == 2000);
  now += 2000;
  REQUIRE(fail_once(t, "10.0.0.1", "demo\nann@x", now));
  CHECK(t.begin("10.0.0.1", "demo\nann@x", now).retry_after_ms == 4000);
}

TEST_CASE("the lock that a failure starts is reported once, with its scope") {
  LoginThrottle t;
  for (int i = 0; i < 4; ++i) {
    REQUIRE(t.begin("a", "k", 0).locked == Scope::none);
    CHECK(t.finish("a", "k", false, 0).address.scope == Scope::none);
  }
  REQUIRE(t.begin("a", "k", 0).locked == Scope::none);
  const auto outcome = t.finish("a", "k", false, 0);
  CHECK(outcome.address.scope == Scope::address);
  CHECK(outcome.address.duration_ms == 1000);
  CHECK(outcome.address.failures == 5);
  CHECK(outcome.account.scope == Scope::none);
}

TEST_CASE("a correct password after the lock ends still signs in, and clears the account") {
  LoginThrottle t;
  int64_t now = 0;
  for (int i = 0; i < 5; ++i) REQUIRE(fail_once(t, "a", "acct", now));
  CHECK(t.begin("a", "acct", now + 999).locked == Scope::address);
  now += 1000;
  REQUIRE(t.begin("a", "acct", now).locked == Scope::none);
  t.finish("a", "acct", true, now);
  // From another address, the account starts over: ten more failures before a lock.
  for (int i = 0; i < 5; ++i) REQUIRE(fail_once(t, "b", "acct", now));
  for (int i = 0; i < 4; ++i) REQUIRE(fail_once(t, "c", "acct", now));
  CHECK(t.begin("d", "acct", now).locked == Scope::none);
}

TEST_CASE("failures from many addresses lock the account, but never for more than a minute") {
  LoginThrottle t;
  int64_t now = 0;
  for (int i = 0; i < 10; ++i) REQUIRE(fail_once(t, "addr" + std::to_string(i), "acct", now));
  auto verdict = t.begin("fresh", "acct", now);
  CHECK(verdict.locked == Scope::account);
  CHECK(verdict.retry_after_ms == 1000);
  for (int i = 0; i < 20; ++i) {
    now += 60'000;
    REQUIRE(fail_once(t, "more" + std::to_string(i), "acct", now));
  }
  verdict = t.begin("fresh", "acct", now);
  CHECK(verdict.locked == Scope::account);
  CHECK(verdict.retry_after_ms == 60'000);
  // Other accounts of the same tenant are untouched.
  CHECK(t.begin("fresh", "other", now).locked == Scope::none);
}

TEST_CASE("one address cannot keep an account locked: its own locks grow far longer") {
  LoginThrottle t;
  int64_t now = 0;
  int64_t account_locked_ms = 0;
  const int64_t hour = 3'600'000;
  // An attacker at one address tries as often as it is let through, for a day.
  while (now < 24 * hour) {
    const auto verdict = t.begin("evil", "victim", now);
    if (verdict.locked == Scope::none) {
      const auto outcome = t.finish("evil", "victim", false, now);
      account_locked_ms += outcome.account.duration_ms;
      now += 1;
    } else {
      now += verdict.retry_after_ms;
    }
  }
  // The victim's account was locked for well under a tenth of the day.
  CHECK(account_locked_ms < 24 * hour / 10);
  // And the owner, from home, signs in whenever the account lock is over.
  const auto owner = t.begin("home", "victim", now + 60'000);
  CHECK(owner.locked == Scope::none);
}

TEST_CASE("parallel guesses from an address that has failed are held back while pending") {
  LoginThrottle t;
  REQUIRE(fail_once(t, "a", "k1", 0));
  int let_through = 0;
  for (int i = 0; i < 32; ++i)
    if (t.begin("a", "k" + std::to_string(i + 2), 0).locked == Scope::none) ++let_through;
  CHECK(let_through == 4);  // 5 free failures, one already used
}

TEST_CASE("many colleagues behind one address may sign in at once") {
  LoginThrottle t;
  for (int i = 0; i < 50; ++i)
    CHECK(t.begin("office", "agent" + std::to_string(i), 0).locked == Scope::none);
  for (int i = 0; i < 50; ++i) t.finish("office", "agent" + std::to_string(i), true, 0);
}

TEST_CASE("failures are forgotten after a quiet hour") {
  LoginThrottle t;
  for (int i = 0; i < 4; ++i) REQUIRE(fail_once(t, "a", "k", 0));
  const int64_t later = 60 * 60 * 1000;
  for (int i = 0; i < 4; ++i) REQUIRE(fail_once(t, "a", "k", later));
  CHECK(t.begin("a", "k", later).locked == Scope::none);
}

TEST_CASE("the tables stay bounded under a flood of fresh addresses") {
  ThrottlePolicy policy;
  policy.max_tracked = 100;
  LoginThrottle t(policy);
  for (int i = 0; i < 10'000; ++i) fail_once(t, "flood" + std::to_string(i), "acct", i);
  CHECK(t.tracked() <= 200);
  // Still answering, and a known address's lock survives when it is recent.
  for (int i = 0; i < 5; ++i) fail_once(t, "known", "other", 20'000);
  CHECK(t.begin("known", "other", 20'000).locked == Scope::address);
}

TEST_CASE(
    "an attempt's standing: proven after a sign-in from its address, suspect after failures") {
  LoginThrottle t;
  int64_t now = 1'000'000;
  using sb::auth::Standing;
  auto standing = [&](std::string_view address, std::string_view account) {
    auto verdict = t.begin(address, account, now);
    REQUIRE(verdict.locked == Scope::none);
    t.abandon(address, account);
    return verdict.standing;
  };
  CHECK(standing("10.0.0.1", "demo\nann@x") == Standing::clean);

  REQUIRE(t.begin("10.0.0.1", "demo\nann@x", now).locked == Scope::none);
  t.finish("10.0.0.1", "demo\nann@x", true, now);
  // Any account from an address that signed someone in goes first...
  CHECK(standing("10.0.0.1", "demo\nbob@x") == Standing::proven);
  // ...for a day.
  now += 24 * 60 * 60 * 1000;
  CHECK(standing("10.0.0.1", "demo\nbob@x") == Standing::clean);

  // A failure makes the address, and the account it tried, suspect.
  REQUIRE(fail_once(t, "10.0.0.2", "demo\ncid@x", now));
  CHECK(standing("10.0.0.2", "demo\nann@x") == Standing::suspect);
  CHECK(standing("10.0.0.3", "demo\ncid@x") == Standing::suspect);
  CHECK(standing("10.0.0.3", "demo\nann@x") == Standing::clean);
}

TEST_CASE("an abandoned attempt is neither a failure nor a pending guess") {
  LoginThrottle t;
  const int64_t now = 1'000'000;
  REQUIRE(fail_once(t, "10.0.0.1", "demo\nann@x", now));
  // Four more attempts pending would lock the address (five with the failure)...
  for (int i = 0; i < 3; ++i)
    REQUIRE(t.begin("10.0.0.1", "demo\nann@x", now).locked == Scope::none);
  // ...but abandoned ones do not count.
  for (int i = 0; i < 3; ++i) t.abandon("10.0.0.1", "demo\nann@x");
  for (int i = 0; i < 3; ++i) REQUIRE(fail_once(t, "10.0.0.1", "demo\nann@x", now));
  CHECK(t.begin("10.0.0.1", "demo\nann@x", now).locked == Scope::none);
}
