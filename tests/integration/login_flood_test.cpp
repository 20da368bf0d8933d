// A flood of sign-ins cannot lock real agents out. Password checks are bounded (a
// flood is refused with 503 instead of queueing without end), but the bounded room
// is shared fairly between client addresses and served by standing, so while a
// flood keeps it full an agent from another address still signs in, in bounded time.
// The test's clients reach the server through 127.0.0.1 as a trusted proxy, naming
// the address each one plays in X-Forwarded-For.
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <thread>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kLogin = "/v1/tenants/acme/auth/login";

sb::test::HttpResponse sign_in(uint16_t port, const std::string& address, const std::string& email,
                               const std::string& password,
                               std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  return sb::test::http_request(
      port, "POST", kLogin, json::serialize(json::object{{"email", email}, {"password", password}}),
      {{"Content-Type", "application/json"}, {"X-Forwarded-For", address}}, timeout);
}

// The repository's server config, trusting 127.0.0.1 as a reverse proxy.
std::filesystem::path proxy_config(const std::filesystem::path& dir) {
  return server_config_with(dir, "trusted_proxies = []\n", "trusted_proxies = [\"127.0.0.1\"]\n");
}

// Client threads that post sign-ins without end; attempt(thread, n) says from
// which address, as whom and with what password. A client refused with 503 tries
// again a little later, as a script would.
class Flood {
 public:
  struct Attempt {
    std::string address, email, password;
  };

  Flood(uint16_t port, int clients, std::function<Attempt(int client, int n)> attempt) {
    for (int c = 0; c < clients; ++c)
      threads_.emplace_back([this, port, c, attempt] {
        for (int n = 0; !stop_.load(); ++n) {
          const auto a = attempt(c, n);
          int status = 0;
          try {
            status = sign_in(port, a.address, a.email, a.password).status;
          } catch (const std::exception&) {
            status = -1;  // timed out or cut off
          }
          (status == 503 ? busy_ : status == -1 ? errors_ : answered_).fetch_add(1);
          if (status != 200 && status != 401)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
      });
  }
  ~Flood() {
    stop_ = true;
    for (auto& t : threads_) t.join();
  }

  int busy() const { return busy_.load(); }
  int answered() const { return answered_.load(); }
  int errors() const { return errors_.load(); }

  // Waits until the server has refused the flood for being too busy a few times:
  // the password checks are full.
  bool saturated(std::chrono::seconds within) const {
    for (auto until = Clock::now() + within; Clock::now() < until;) {
      if (busy_.load() >= 10) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> busy_{0}, answered_{0}, errors_{0};
  std::vector<std::thread> threads_;
};

// Alice's sign-in from `address` during the flood: its answer and how long it took.
std::pair<int, std::chrono::milliseconds> alice_signs_in(const Deployment& deployment,
                                                         const std::string& address) {
  const auto began = Clock::now();
  const auto answer = sign_in(deployment.port(), address, "alice@acme.test", kAgentPassword);
  return {answer.status,
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - began)};
}

// Well under one hashing slot's worth of the flood, and generous for a loaded
// machine: a handful of checks at most go before hers.
constexpr auto kSignInBound = std::chrono::seconds(10);

}  // namespace

TEST_CASE("sign-ins flooding from a few addresses do not lock out an agent from another",
          "[auth][abuse][flood]") {
  sb::test::TempDir scratch("switchboard-login-flood");
  DeploymentOptions options;
  options.config = proxy_config(scratch.path());
  // 48 clients on 3 addresses, more than the server checks at once, each signing
  // in as its own agent with the right password: the one kind of flood the
  // throttle cannot stop (leaked passwords, a script gone wrong), where every
  // attempt costs a hash.
  TenantSpec tenant = acme_tenant();
  for (int i = 0; i < 48; ++i)
    tenant.agents.push_back({"script" + std::to_string(i), "Script", "agent", 1});
  Deployment deployment({tenant}, options);
  Flood flood(deployment.port(), 48, [](int client, int) {
    return Flood::Attempt{"198.51.100." + std::to_string(1 + client % 3),
                          "script" + std::to_string(client) + "@acme.test", kAgentPassword};
  });
  const bool saturated = flood.saturated(std::chrono::seconds(30));
  INFO("flood answers: " << flood.answered() << " checked, " << flood.busy() << " refused busy, "
                         << flood.errors() << " failed");
  REQUIRE(saturated);

  // Alice, from an address never seen before, gets her turn after a few of theirs.
  const auto [status, took] = alice_signs_in(deployment, "203.0.113.9");
  CHECK(status == 200);
  CHECK(took < kSignInBound);
  // The flood is still being refused: she did not just come in after it ended.
  const int busy_before = flood.busy();
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // refusals come after 1 s
  CHECK(flood.busy() > busy_before);
}

TEST_CASE("wrong sign-ins from ever new addresses do not lock out an agent who signed in before",
          "[auth][abuse][flood]") {
  sb::test::TempDir scratch("switchboard-login-flood");
  DeploymentOptions options;
  options.config = proxy_config(scratch.path());
  Deployment deployment({acme_tenant()}, options);
  // Yesterday, say: Alice signed in from her office.
  REQUIRE(sign_in(deployment.port(), "203.0.113.9", "alice@acme.test", kAgentPassword).status ==
          200);

  // 40 clients guessing, each attempt from a fresh address and for a fresh email,
  // so no address or account is ever locked and every attempt that gets in is hashed.
  Flood flood(deployment.port(), 40, [](int client, int n) {
    const int i = client * 100000 + n;
    return Flood::Attempt{"10." + std::to_string(1 + (i >> 16) % 250) + "." +
                              std::to_string((i >> 8) & 255) + "." + std::to_string(i & 255),
                          "guess-" + std::to_string(i) + "@acme.test",
                          "wrong " + std::to_string(n)};
  });
  const bool saturated = flood.saturated(std::chrono::seconds(30));
  INFO("flood answers: " << flood.answered() << " checked, " << flood.busy() << " refused busy, "
                         << flood.errors() << " failed");
  REQUIRE(saturated);

  const auto [status, took] = alice_signs_in(deployment, "203.0.113.9");
  CHECK(status == 200);
  CHECK(took < kSignInBound);
  const int busy_before = flood.busy();
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // refusals come after 1 s
  CHECK(flood.busy() > busy_before);

  // What the operator sees: the refusals are counted.
  const auto metrics = sb::test::http_get(deployment.port(), "/metrics");
  CHECK(metrics.body.find("switchboard_logins_refused_busy_total 0\n") == std::string::npos);
  CHECK(metrics.body.find("switchboard_logins_refused_busy_total ") != std::string::npos);
  // And so are checks lifted out of the idle priority after starving (none need be).
  CHECK(metrics.body.find("switchboard_password_checks_lifted_total ") != std::string::npos);
  CHECK(metrics.body.find("switchboard_password_checks_urgent_total ") != std::string::npos);
}
