// Password guessing is throttled: a few wrong sign-ins from one address lock it
// for a growing while (429 with Retry-After, before any password is checked), the
// lock is counted in /metrics, and the right password works again once it ends.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;

namespace {

std::string error_code(const sb::test::HttpResponse& r) {
  return str(obj(r.json().as_object(), "error"), "code");
}

bool metrics_line(Deployment& deployment, const std::string& line) {
  const auto metrics = sb::test::http_get(deployment.port(), "/metrics");
  return metrics.body.find(line + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("five wrong passwords lock the address, the right one works after the lock",
          "[auth][abuse]") {
  Deployment deployment({acme_tenant()});
  for (int i = 0; i < 5; ++i) {
    auto wrong = deployment.login_raw("acme", "alice@acme.test", "guess " + std::to_string(i));
    REQUIRE(wrong.status == 401);
  }
  // Locked now: even the right password is answered 429 without being checked.
  auto locked = deployment.login_raw("acme", "alice@acme.test", kAgentPassword);
  CHECK(locked.status == 429);
  CHECK(error_code(locked) == "rate_limited");
  CHECK(locked.headers["retry-after"] == "1");
  // Another account from the same address is locked too: the guesser is the address.
  CHECK(deployment.login_raw("acme", "bob@acme.test", kAgentPassword).status == 429);
  // The console's cookie sign-in shares the limit.
  auto session = sb::test::http_post_json(
      deployment.port(), "/v1/tenants/acme/auth/session",
      json::object{{"email", "alice@acme.test"}, {"password", kAgentPassword}});
  CHECK(session.status == 429);

  CHECK(metrics_line(deployment, "switchboard_login_failures_total 5"));
  CHECK(metrics_line(deployment, "switchboard_login_locks_total{scope=\"address\"} 1"));
  CHECK(metrics_line(deployment, "switchboard_logins_throttled_total 3"));

  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto ok = deployment.login_raw("acme", "alice@acme.test", kAgentPassword);
  CHECK(ok.status == 200);

  // One more failure locks again, twice as long.
  CHECK(deployment.login_raw("acme", "alice@acme.test", "still guessing").status == 401);
  auto again = deployment.login_raw("acme", "alice@acme.test", kAgentPassword);
  CHECK(again.status == 429);
  CHECK(again.headers["retry-after"] == "2");
}

TEST_CASE("unknown emails are throttled like known ones: a 429 tells nothing about accounts",
          "[auth][abuse]") {
  Deployment deployment({acme_tenant()});
  for (int i = 0; i < 5; ++i)
    REQUIRE(deployment.login_raw("acme", "nobody@acme.test", "x").status == 401);
  auto locked = deployment.login_raw("acme", "nobody@acme.test", "x");
  CHECK(locked.status == 429);
  CHECK(locked.headers["retry-after"] == "1");
}

TEST_CASE("a burst of parallel wrong sign-ins is held back, not all checked", "[auth][abuse]") {
  Deployment deployment({acme_tenant()});
  REQUIRE(deployment.login_raw("acme", "alice@acme.test", "first guess").status == 401);
  std::vector<std::thread> threads;
  std::atomic<int> checked{0}, throttled{0};
  for (int i = 0; i < 24; ++i)
    threads.emplace_back([&, i] {
      auto r = deployment.login_raw("acme", "alice@acme.test", "guess " + std::to_string(i));
      (r.status == 429 ? throttled : checked).fetch_add(1);
    });
  for (auto& t : threads) t.join();
  CHECK(checked.load() <= 4);  // five free failures, one already used
  CHECK(throttled.load() >= 20);
}
