#include "auth/password_checks.hpp"

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using sb::auth::PasswordCheckLimits;
using sb::auth::PasswordChecks;
using sb::auth::Standing;
using namespace std::chrono_literals;

namespace {

// Checks that record who ran (or was refused) in order; the first one submitted
// holds the only check thread until released, so the rest queue up behind it.
struct Recorder {
  std::mutex mutex;
  std::vector<std::string> ran, refused;
  std::promise<void> release;
  std::shared_future<void> released{release.get_future().share()};
  std::promise<void> holding;

  PasswordChecks::Task run(std::string name) {
    return [this, name] {
      std::lock_guard lock(mutex);
      ran.push_back(name);
    };
  }
  PasswordChecks::Task refuse(std::string name) {
    return [this, name] {
      std::lock_guard lock(mutex);
      refused.push_back(name);
    };
  }
  // Occupies the check thread until release is set.
  void hold(PasswordChecks& checks) {
    REQUIRE(checks.submit(
        "holder", Standing::proven,
        [this] {
          holding.set_value();
          released.wait();
        },
        [] {}));
    REQUIRE(holding.get_future().wait_for(5s) == std::future_status::ready);
  }
};

PasswordCheckLimits limits(size_t max_queued, int64_t max_wait_ms = 60000) {
  PasswordCheckLimits l;
  l.threads = 1;
  l.max_queued = max_queued;
  l.max_wait_ms = max_wait_ms;
  return l;
}

void wait_idle(PasswordChecks& checks) {
  for (int i = 0; i < 500 && checks.in_queue() > 0; ++i) std::this_thread::sleep_for(10ms);
  REQUIRE(checks.in_queue() == 0);
}

}  // namespace

TEST_CASE("checks run by standing, and addresses take turns within one") {
  Recorder r;
  PasswordChecks checks(limits(32));
  r.hold(checks);
  for (int i = 1; i <= 3; ++i)
    REQUIRE(checks.submit("flood", Standing::clean, r.run("flood" + std::to_string(i)), {}));
  REQUIRE(checks.submit("guesser", Standing::suspect, r.run("guesser"), {}));
  REQUIRE(checks.submit("office", Standing::clean, r.run("office"), {}));
  REQUIRE(checks.submit("agent", Standing::proven, r.run("agent"), {}));
  r.release.set_value();
  wait_idle(checks);
  CHECK(r.ran ==
        std::vector<std::string>{"agent", "flood1", "office", "flood2", "flood3", "guesser"});
}

TEST_CASE("a full queue lets a lighter address in by pushing out the heaviest one's newest") {
  Recorder r;
  PasswordChecks checks(limits(5));
  r.hold(checks);  // 1 of 5
  for (int i = 1; i <= 4; ++i)
    REQUIRE(checks.submit("flood", Standing::clean, r.run("flood" + std::to_string(i)),
                          r.refuse("flood" + std::to_string(i))));
  // Full. The flooding address itself gets no more room...
  CHECK_FALSE(checks.submit("flood", Standing::clean, r.run("flood5"), r.refuse("flood5")));
  // ...but another address does, at the flood's expense.
  CHECK(checks.submit("agent", Standing::clean, r.run("agent"), r.refuse("agent")));
  CHECK(r.refused == std::vector<std::string>{"flood4"});
  CHECK(checks.submit("colleague", Standing::clean, r.run("colleague"), {}));
  CHECK(checks.submit("third", Standing::clean, r.run("third"), {}));
  CHECK(r.refused == std::vector<std::string>{"flood4", "flood3", "flood2"});
  // Now every address holds one: the next may not push an equal out, so the queue
  // is simply full for it.
  CHECK_FALSE(checks.submit("fourth", Standing::clean, r.run("fourth"), {}));
  r.release.set_value();
  wait_idle(checks);
  CHECK(r.ran == std::vector<std::string>{"flood1", "agent", "colleague", "third"});
}

TEST_CASE("a better standing pushes out a worse one even from a light address") {
  Recorder r;
  PasswordChecks checks(limits(3));
  r.hold(checks);
  REQUIRE(checks.submit("a", Standing::suspect, r.run("a"), r.refuse("a")));
  REQUIRE(checks.submit("b", Standing::clean, r.run("b"), r.refuse("b")));
  CHECK(checks.submit("c", Standing::clean, r.run("c"), r.refuse("c")));
  CHECK(r.refused == std::vector<std::string>{"a"});
  // Nothing worse than proven is left to push out for a suspect newcomer.
  CHECK_FALSE(checks.submit("d", Standing::suspect, r.run("d"), r.refuse("d")));
  r.release.set_value();
  wait_idle(checks);
  CHECK(r.ran == std::vector<std::string>{"b", "c"});
}

TEST_CASE("a check that waited too long is refused, not run") {
  Recorder r;
  PasswordChecks checks(limits(8, 50));
  r.hold(checks);
  REQUIRE(checks.submit("late", Standing::clean, r.run("late"), r.refuse("late")));
  std::this_thread::sleep_for(100ms);
  r.release.set_value();
  wait_idle(checks);
  CHECK(r.ran.empty());
  CHECK(r.refused == std::vector<std::string>{"late"});
}

TEST_CASE("stopping refuses what waits and finishes what runs") {
  Recorder r;
  auto checks = std::make_unique<PasswordChecks>(limits(8));
  r.hold(*checks);
  REQUIRE(checks->submit("x", Standing::clean, r.run("x"), r.refuse("x")));
  auto stopped = std::async(std::launch::async, [&] { checks->stop(); });
  std::this_thread::sleep_for(50ms);
  r.release.set_value();
  REQUIRE(stopped.wait_for(5s) == std::future_status::ready);
  CHECK(r.refused == std::vector<std::string>{"x"});
  CHECK(r.ran.empty());
  CHECK_FALSE(checks->submit("y", Standing::clean, r.run("y"), r.refuse("y")));
}

TEST_CASE("the check threads run at a lower CPU priority, not as SCHED_IDLE") {
  const int caller_nice = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  PasswordChecks checks(limits(4));
  std::promise<std::pair<int, int>> seen;  // nice, scheduling policy
  REQUIRE(checks.submit(
      "a", Standing::clean,
      [&] {
        const auto self = static_cast<id_t>(gettid());
        seen.set_value(
            {getpriority(PRIO_PROCESS, self), sched_getscheduler(static_cast<pid_t>(self))});
      },
      [] {}));
  const auto [nice, policy] = seen.get_future().get();
  CHECK(nice == std::min(19, caller_nice + 10));
  CHECK(policy == SCHED_OTHER);
  // Only the check threads: the caller's is untouched.
  CHECK(getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())) == caller_nice);
}

TEST_CASE("a check still runs while other work keeps every core busy") {
  // A chat peak or a build on the same machine: SCHED_IDLE checks never ran then,
  // and every sign-in timed out.
  std::atomic<bool> stop{false};
  std::vector<std::thread> busy;
  for (unsigned i = 0; i < std::max(2u, std::thread::hardware_concurrency()); ++i)
    busy.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed)) {
      }
    });
  PasswordChecks checks(limits(4));
  std::promise<void> done;
  REQUIRE(checks.submit(
      "a", Standing::clean,
      [&] {
        // 100 ms of this thread's own CPU time, like a hash (SCHED_IDLE got about
        // 0.3 % of a contended core: over 30 s; nice 10 about 10 %: 1 s).
        auto cpu_ms = [] {
          timespec t{};
          clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
          return t.tv_sec * 1000 + t.tv_nsec / 1'000'000;
        };
        const auto until = cpu_ms() + 100;
        volatile uint64_t x = 0;
        while (cpu_ms() < until) x = x + 1;
        done.set_value();
      },
      [] {}));
  const bool finished =
      done.get_future().wait_for(std::chrono::seconds(20)) == std::future_status::ready;
  stop = true;
  for (auto& t : busy) t.join();
  CHECK(finished);
}

TEST_CASE("beyond its share, even a proven address's checks wait behind everyone's") {
  Recorder r;
  PasswordChecks checks(limits(32));
  r.hold(checks);
  for (int i = 1; i <= 4; ++i)
    REQUIRE(checks.submit("office", Standing::proven, r.run("office" + std::to_string(i)), {}));
  REQUIRE(checks.submit("stranger", Standing::suspect, r.run("stranger"), {}));
  REQUIRE(checks.submit("newcomer", Standing::clean, r.run("newcomer"), {}));
  r.release.set_value();
  wait_idle(checks);
  CHECK(r.ran == std::vector<std::string>{"office1", "office2", "newcomer", "office3", "stranger",
                                          "office4"});
}
