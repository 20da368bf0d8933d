#include "auth/password_helpers.hpp"

#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "auth/password.hpp"

using sb::auth::PasswordHelpers;
using namespace std::chrono_literals;

namespace {

const std::string& stored_hash() {
  static const std::string hash = sb::auth::hash_password("correct horse");
  return hash;
}

// The scheduling policy of a process, from the kernel (pid, not thread).
int policy_of(pid_t pid) {
  return sched_getscheduler(pid);
}

}  // namespace

TEST_CASE("a helper process answers right and wrong passwords like the server would") {
  PasswordHelpers helpers(SWITCHBOARD_BINARY, 1);
  CHECK(helpers.verify(stored_hash(), "correct horse") == std::optional(true));
  CHECK(helpers.verify(stored_hash(), "correct horsE") == std::optional(false));
  CHECK(helpers.verify(stored_hash(), "") == std::optional(false));
  CHECK(helpers.verify("not a hash", "correct horse") == std::optional(false));
  // A password as long as a request body may be, and one byte more.
  CHECK(helpers.verify(stored_hash(), std::string(1 << 20, 'x')) == std::optional(false));
  CHECK(helpers.verify(stored_hash(), std::string((1 << 20) + 1, 'x')) == std::optional(false));
  // One helper did all of it, and it is a process of its own.
  CHECK(helpers.started() == 1);
  const auto pids = helpers.pids();
  REQUIRE(pids.size() == 1);
  CHECK(pids[0] != getpid());
  std::ifstream cmdline("/proc/" + std::to_string(pids[0]) + "/cmdline");
  std::string args((std::istreambuf_iterator<char>(cmdline)), {});
  CHECK(args == std::string("switchboard\0password-helper\0", 28));
}

TEST_CASE("a helper that dies is replaced, a check it dies in is refused, never passed") {
  PasswordHelpers helpers(SWITCHBOARD_BINARY, 1);
  REQUIRE(helpers.verify(stored_hash(), "correct horse") == std::optional(true));
  const pid_t first = helpers.pids().at(0);

  // Killed between checks: the next check gets a new helper.
  REQUIRE(kill(first, SIGKILL) == 0);
  std::this_thread::sleep_for(100ms);
  CHECK(helpers.verify(stored_hash(), "correct horse") == std::optional(true));
  CHECK(helpers.started() == 2);
  CHECK(helpers.pids().at(0) != first);

  // Killed in the middle of a check.
  const pid_t second = helpers.pids().at(0);
  auto check = std::async(std::launch::async,
                          [&] { return helpers.verify(stored_hash(), "correct horse"); });
  std::this_thread::sleep_for(20ms);
  kill(second, SIGKILL);
  CHECK(check.get() == std::nullopt);
  CHECK(helpers.pids().empty());
  CHECK(helpers.verify(stored_hash(), "wrong") == std::optional(false));
  CHECK(helpers.started() == 3);
}

TEST_CASE("a helper that cannot start refuses the check") {
  PasswordHelpers helpers("/nonexistent/switchboard", 1);
  CHECK(helpers.verify(stored_hash(), "correct horse") == std::nullopt);
  CHECK(helpers.started() == 0);
}

TEST_CASE("a helper that hangs past the deadline is killed and its check refused") {
  // A stand-in for a helper stuck forever: it reads nothing and never answers.
  const std::string stuck = "/tmp/switchboard-stuck-helper-" + std::to_string(getpid());
  std::ofstream(stuck) << "#!/bin/sh\nexec sleep 60\n";
  REQUIRE(chmod(stuck.c_str(), 0700) == 0);
  PasswordHelpers helpers(stuck, 1, 300);
  const auto began = std::chrono::steady_clock::now();
  CHECK(helpers.verify(stored_hash(), "correct horse") == std::nullopt);
  CHECK(std::chrono::steady_clock::now() - began < 10s);
  CHECK(helpers.pids().empty());
  std::remove(stuck.c_str());
}

TEST_CASE("checks at once each get a helper of their own, up to the count") {
  PasswordHelpers helpers(SWITCHBOARD_BINARY, 2);
  std::vector<std::future<std::optional<bool>>> checks;
  for (int i = 0; i < 6; ++i)
    checks.push_back(std::async(std::launch::async, [&, i] {
      return helpers.verify(stored_hash(), i % 2 ? "correct horse" : "wrong");
    }));
  for (int i = 0; i < 6; ++i) CHECK(checks[i].get() == std::optional(i % 2 == 1));
  CHECK(helpers.started() == 2);
  CHECK(helpers.pids().size() == 2);
}

TEST_CASE("a helper hashes at the priority of the thread that asked") {
  PasswordHelpers helpers(SWITCHBOARD_BINARY, 1);
  // Started from a thread at the idle priority: the helper runs there too while
  // it checks, and follows the thread when it is lifted mid-check.
  std::promise<pid_t> asking;
  auto idle_check = std::async(std::launch::async, [&] {
    sched_param none{};
    REQUIRE(sched_setscheduler(0, SCHED_IDLE, &none) == 0);
    return helpers.verify(stored_hash(), "correct horse");
  });
  REQUIRE(idle_check.get() == std::optional(true));
  const pid_t helper = helpers.pids().at(0);
  CHECK(policy_of(helper) == SCHED_IDLE);

  // Lifting a process out of SCHED_IDLE needs CAP_SYS_NICE or RLIMIT_NICE; where
  // the kernel refuses, the helper stays (as a check thread would).
  sched_param none{};
  const bool leaves_idle = sched_setscheduler(helper, SCHED_OTHER, &none) == 0;
  if (leaves_idle) REQUIRE(sched_setscheduler(helper, SCHED_IDLE, &none) == 0);

  // A thread at nice 5 asks next: the helper leaves SCHED_IDLE for its priority.
  auto nice_check = std::async(std::launch::async, [&] {
    REQUIRE(setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 5) == 0);
    return helpers.verify(stored_hash(), "correct horse");
  });
  REQUIRE(nice_check.get() == std::optional(true));
  if (leaves_idle) {
    CHECK(policy_of(helper) == SCHED_OTHER);
    CHECK(getpriority(PRIO_PROCESS, static_cast<id_t>(helper)) == 5);
  }
}
