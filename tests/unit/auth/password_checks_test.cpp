#include "auth/password_checks.hpp"

#include <linux/capability.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using sb::auth::CheckQueueState;
using sb::auth::CheckThreadState;
using sb::auth::Lift;
using sb::auth::lift_for;
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

// Spins on every core (at least two) until stopped: chat loops at a peak.
class BusyCores {
 public:
  BusyCores() {
    for (unsigned i = 0; i < std::max(2u, std::thread::hardware_concurrency()); ++i)
      threads_.emplace_back([this] {
        while (!stop_.load(std::memory_order_relaxed)) {
        }
      });
  }
  ~BusyCores() { stop(); }
  void stop() {
    stop_ = true;
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

// Uses `ms` of the calling thread's own CPU time.
void burn_cpu_ms(int64_t ms) {
  auto cpu_ms = [] {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1'000'000;
  };
  const auto until = cpu_ms() + ms;
  volatile uint64_t x = 0;
  while (cpu_ms() < until) x = x + 1;
}

// The nice value and scheduling policy a check thread runs its check at.
std::pair<int, int> priority_of_a_check(PasswordChecks& checks) {
  // Shared: a check that runs late (the test failed) still has it.
  auto seen = std::make_shared<std::promise<std::pair<int, int>>>();
  auto result = seen->get_future();
  REQUIRE(checks.submit(
      "probe", Standing::clean,
      [seen] {
        const auto self = static_cast<id_t>(gettid());
        seen->set_value(
            {getpriority(PRIO_PROCESS, self), sched_getscheduler(static_cast<pid_t>(self))});
      },
      [] {}));
  REQUIRE(result.wait_for(30s) == std::future_status::ready);
  return result.get();
}

// Removes CAP_SYS_NICE from the calling thread's effective capabilities (Linux
// keeps them per thread; threads it starts inherit them).
void drop_cap_sys_nice() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  REQUIRE(syscall(SYS_capget, &header, data) == 0);
  data[CAP_TO_INDEX(CAP_SYS_NICE)].effective &= ~CAP_TO_MASK(CAP_SYS_NICE);
  REQUIRE(syscall(SYS_capset, &header, data) == 0);
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

TEST_CASE("the check threads run at a lower CPU priority: SCHED_IDLE under the guard") {
  const int caller_nice = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  PasswordChecks checks(limits(4));
  const auto [nice, policy] = priority_of_a_check(checks);
  CHECK(nice == std::min(19, caller_nice + 10));
  // Where the kernel will not lift a starved thread back (an unprivileged process
  // without RLIMIT_NICE), SCHED_IDLE alone would starve sign-ins: nice 10 only.
  CHECK(policy == (checks.idle_with_guard() ? SCHED_IDLE : SCHED_OTHER));
  // Only the check threads: the caller's is untouched.
  CHECK(getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())) == caller_nice);
  CHECK(sched_getscheduler(0) == SCHED_OTHER);
}

TEST_CASE("where the kernel will not lift a thread out of SCHED_IDLE, checks run at nice 10") {
  // The probe and the check threads inherit the creating thread's capabilities, so
  // a thread without CAP_SYS_NICE sees what an unprivileged server sees.
  std::thread unprivileged([] {
    const int caller_nice = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
    const int check_nice = std::min(19, caller_nice + 10);
    rlimit nice_limit{};
    getrlimit(RLIMIT_NICE, &nice_limit);
    if (nice_limit.rlim_cur >= static_cast<rlim_t>(20 - check_nice)) {
      WARN("RLIMIT_NICE lets this process lift threads out of SCHED_IDLE: nothing to refuse");
      return;
    }
    drop_cap_sys_nice();
    PasswordChecks checks(limits(4));
    CHECK_FALSE(checks.idle_with_guard());
    const auto [nice, policy] = priority_of_a_check(checks);
    CHECK(nice == check_nice);
    CHECK(policy == SCHED_OTHER);
  });
  unprivileged.join();
}

TEST_CASE("a starved check's thread is lifted to nice 10 until its check ends") {
  std::atomic<int> counted{0};
  std::promise<int> started;                // the check's policy at its start
  std::promise<std::pair<int, int>> ended;  // its policy and nice value at its end
  PasswordChecks checks(limits(4), [&](Lift to) {
    if (to == Lift::starved) ++counted;
  });
  if (!checks.idle_with_guard()) {
    WARN("the kernel refuses to lift threads out of SCHED_IDLE here: checks run at nice 10");
    CHECK(priority_of_a_check(checks).second == SCHED_OTHER);
    return;
  }
  const int caller_nice = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  // The check starts on a free core, notes its policy, then works on until it sees
  // itself lifted (a hash would just run on, faster) while other work takes every
  // core.
  REQUIRE(checks.submit(
      "a", Standing::clean,
      [&] {
        started.set_value(sched_getscheduler(0));
        const auto until = std::chrono::steady_clock::now() + 30s;
        volatile uint64_t x = 0;
        while (sched_getscheduler(0) != SCHED_OTHER && std::chrono::steady_clock::now() < until)
          x = x + 1;
        ended.set_value(
            {sched_getscheduler(0), getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()))});
      },
      [] {}));
  auto start = started.get_future();
  REQUIRE(start.wait_for(10s) == std::future_status::ready);
  const int at_start = start.get();
  std::optional<BusyCores> busy;
  busy.emplace();
  auto end = ended.get_future();
  REQUIRE(end.wait_for(40s) == std::future_status::ready);
  const auto [at_end, nice_when_lifted] = end.get();
  busy.reset();
  CHECK(at_start == SCHED_IDLE);
  CHECK(at_end == SCHED_OTHER);
  CHECK(nice_when_lifted == std::min(19, caller_nice + 10));
  wait_idle(checks);
  CHECK(checks.lifted() == 1);
  // The callback runs on the guard thread just after the lift, outside the lock.
  for (int i = 0; i < 100 && counted == 0; ++i) std::this_thread::sleep_for(10ms);
  CHECK(counted == 1);
  // Once its check ended the thread is idle again: the next check starts there.
  CHECK(priority_of_a_check(checks).second == SCHED_IDLE);
  CHECK(checks.lifted() == 1);
}

TEST_CASE("a right password is checked in time while wrong ones fill the queue on busy cores") {
  // Chat loops keep every core busy and a flood of wrong sign-ins (each 100 ms of
  // CPU, like a hash) fills the queue; an agent's sign-in from a clean address
  // must still be checked before the server's 15 s wait limit refuses it.
  Recorder r;
  std::promise<void> agent_checked;
  BusyCores busy;
  PasswordChecks checks(limits(32, 15000));  // declared last: stopped first
  auto hash_like = [](PasswordChecks::Task then) {
    return [then] {
      burn_cpu_ms(100);
      if (then) then();
    };
  };
  for (int i = 0; i < 31; ++i) {
    const std::string name = "wrong" + std::to_string(i);
    REQUIRE(checks.submit("10.0.0." + std::to_string(i), Standing::suspect, hash_like(r.run(name)),
                          r.refuse(name)));
  }
  const auto submitted = std::chrono::steady_clock::now();
  size_t wrong_before_agent = 0;
  REQUIRE(checks.submit("192.0.2.1", Standing::clean, hash_like([&] {
                          std::lock_guard lock(r.mutex);
                          wrong_before_agent = r.ran.size();
                          agent_checked.set_value();
                        }),
                        r.refuse("agent")));
  const bool checked = agent_checked.get_future().wait_for(30s) == std::future_status::ready;
  const auto waited = std::chrono::steady_clock::now() - submitted;
  busy.stop();
  CHECK(checked);
  CHECK(waited < 15s);
  checks.stop();
  std::lock_guard lock(r.mutex);
  CHECK(std::find(r.refused.begin(), r.refused.end(), "agent") == r.refused.end());
  // It went ahead of the flood: at most the check running when it came ran first.
  CHECK(wrong_before_agent <= 1);
}

TEST_CASE("a check still runs while other work keeps every core busy") {
  // A chat peak or a build on the same machine: SCHED_IDLE checks without the
  // guard never ran then, and every sign-in timed out.
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

TEST_CASE("the guard's rule: starved checks go to nice 10, old ones on to the server's priority") {
  PasswordCheckLimits l;  // starved after 1 s, urgent after 3 s
  auto running = [](int64_t started_ms, int64_t queued_at_ms, Standing standing, Lift lift) {
    return CheckThreadState{true, started_ms, queued_at_ms, standing, lift};
  };
  const CheckQueueState room{false, false}, full{false, true}, stuck{true, false};
  // A check that waited its turn behind a flood for 9 s but runs promptly is not
  // starving: it stays at the idle priority (a flood on an otherwise quiet server).
  CHECK(lift_for(l, running(10000, 1000, Standing::clean, Lift::none), full, 10500) == Lift::none);
  // Running for over a second: lifted to nice 10; once it is also over 3 s old, on
  // to the server's own priority.
  CHECK(lift_for(l, running(10000, 9500, Standing::clean, Lift::none), room, 11001) ==
        Lift::starved);
  CHECK(lift_for(l, running(10000, 9500, Standing::clean, Lift::starved), room, 12501) ==
        Lift::urgent);
  CHECK(lift_for(l, running(10000, 7000, Standing::proven, Lift::none), full, 11001) ==
        Lift::urgent);
  // Suspect checks (a guess, or an address past its share) go on too while the
  // queue has room (a few sign-ins after a typo), but not from a full one: a
  // guessing flood's checks stop at nice 10.
  CHECK(lift_for(l, running(10000, 1000, Standing::suspect, Lift::starved), room, 20000) ==
        Lift::urgent);
  CHECK(lift_for(l, running(10000, 1000, Standing::suspect, Lift::starved), full, 20000) ==
        Lift::starved);
  // A thread lifted to take its check from a stuck queue is starving already: an
  // old check it took goes up at once.
  CHECK(lift_for(l, running(10000, 6000, Standing::clean, Lift::starved), room, 10010) ==
        Lift::urgent);
  // Between checks: lifted only to take the next one from a stuck queue.
  CHECK(lift_for(l, CheckThreadState{}, stuck, 10000) == Lift::starved);
  CHECK(lift_for(l, CheckThreadState{}, room, 10000) == Lift::none);
  // urgent_after_ms 0 turns the second lift off.
  l.urgent_after_ms = 0;
  CHECK(lift_for(l, running(10000, 1000, Standing::proven, Lift::starved), room, 20000) ==
        Lift::starved);
}

namespace {

// Limits with short thresholds, so the guard's lifts come within a test's patience.
PasswordCheckLimits quick_guard() {
  PasswordCheckLimits l = limits(32);
  l.starved_after_ms = 200;
  l.urgent_after_ms = 600;
  return l;
}

// What a check saw of its own thread: its policy and nice value.
struct SeenPriority {
  int policy = -1;
  int nice = 99;
};

SeenPriority own_priority() {
  return {sched_getscheduler(0), getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()))};
}

}  // namespace

TEST_CASE("a starved check older than urgent_after_ms runs at the server's own priority") {
  std::vector<Lift> reported;
  std::mutex reported_mutex;
  PasswordChecks checks(quick_guard(), [&](Lift to) {
    std::lock_guard lock(reported_mutex);
    reported.push_back(to);
  });
  if (!checks.urgent_lifts_allowed()) {
    WARN("the kernel refuses to raise threads back to the caller's nice value here");
    return;
  }
  const int caller_nice = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  auto started = std::make_shared<std::promise<SeenPriority>>();
  auto ended = std::make_shared<std::promise<SeenPriority>>();
  // The check works on (as a hash would, slowly) until it sees itself at the
  // caller's priority, or gives up after 30 s, while other work takes every core.
  REQUIRE(checks.submit(
      "office", Standing::clean,
      [started, ended, caller_nice] {
        started->set_value(own_priority());
        const auto until = std::chrono::steady_clock::now() + 30s;
        volatile uint64_t x = 0;
        while (own_priority().nice != caller_nice && std::chrono::steady_clock::now() < until)
          x = x + 1;
        ended->set_value(own_priority());
      },
      [] {}));
  auto start = started->get_future();
  REQUIRE(start.wait_for(10s) == std::future_status::ready);
  std::optional<BusyCores> busy;
  busy.emplace();
  auto end = ended->get_future();
  REQUIRE(end.wait_for(40s) == std::future_status::ready);
  busy.reset();
  const auto at_start = start.get();
  const auto at_end = end.get();
  CHECK(at_start.policy == SCHED_IDLE);
  CHECK(at_end.policy == SCHED_OTHER);
  CHECK(at_end.nice == caller_nice);
  wait_idle(checks);
  CHECK(checks.lifted() == 1);
  CHECK(checks.lifted_urgent() == 1);
  for (int i = 0; i < 100; ++i) {
    {
      std::lock_guard lock(reported_mutex);
      if (reported.size() >= 2) break;
    }
    std::this_thread::sleep_for(10ms);
  }
  {
    std::lock_guard lock(reported_mutex);
    CHECK(reported == std::vector<Lift>{Lift::starved, Lift::urgent});
  }
  // Once it ended the thread is back at the idle priority and nice 10.
  const auto [nice, policy] = priority_of_a_check(checks);
  CHECK(policy == SCHED_IDLE);
  CHECK(nice == std::min(19, caller_nice + 10));
}

TEST_CASE(
    "while the queue is full, a suspect check is lifted to nice 10 when it starves, no further") {
  PasswordCheckLimits full_at_one = quick_guard();
  full_at_one.max_queued = 1;  // the one check fills it: a flood, as the guard sees it
  PasswordChecks checks(full_at_one);
  if (!checks.idle_with_guard()) {
    WARN("the kernel refuses to lift threads out of SCHED_IDLE here: checks run at nice 10");
    return;
  }
  const int check_nice = std::min(19, getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())) + 10);
  auto ended = std::make_shared<std::promise<SeenPriority>>();
  auto started = std::make_shared<std::promise<void>>();
  // Works until it has been lifted and then for well past urgent_after_ms more.
  REQUIRE(checks.submit(
      "guesser", Standing::suspect,
      [started, ended] {
        started->set_value();
        const auto submitted = std::chrono::steady_clock::now();
        const auto until = submitted + 30s;
        volatile uint64_t x = 0;
        while (sched_getscheduler(0) != SCHED_OTHER && std::chrono::steady_clock::now() < until)
          x = x + 1;
        const auto lifted_at = std::chrono::steady_clock::now();
        while (std::chrono::steady_clock::now() < lifted_at + 1500ms) x = x + 1;
        ended->set_value(own_priority());
      },
      [] {}));
  REQUIRE(started->get_future().wait_for(10s) == std::future_status::ready);
  std::optional<BusyCores> busy;
  busy.emplace();
  auto end = ended->get_future();
  REQUIRE(end.wait_for(40s) == std::future_status::ready);
  busy.reset();
  const auto at_end = end.get();
  CHECK(at_end.policy == SCHED_OTHER);
  CHECK(at_end.nice == check_nice);
  wait_idle(checks);
  CHECK(checks.lifted() == 1);
  CHECK(checks.lifted_urgent() == 0);
}

TEST_CASE("a check that waited long but runs promptly keeps the idle priority") {
  // A flood on a server with cores to spare: checks wait their turn for seconds,
  // but none starves, so none is lifted (the hashing stays out of chat's way).
  Recorder r;
  PasswordChecks checks(quick_guard());
  if (!checks.idle_with_guard()) {
    WARN("the kernel refuses to lift threads out of SCHED_IDLE here: checks run at nice 10");
    return;
  }
  auto seen = std::make_shared<std::promise<SeenPriority>>();
  r.hold(checks);
  REQUIRE(checks.submit(
      "office", Standing::proven, [seen] { seen->set_value(own_priority()); }, [] {}));
  std::this_thread::sleep_for(1s);  // well past urgent_after_ms
  r.release.set_value();
  auto result = seen->get_future();
  REQUIRE(result.wait_for(10s) == std::future_status::ready);
  CHECK(result.get().policy == SCHED_IDLE);
}

TEST_CASE("on busy cores a clean sign-in behind starved checks is checked in a few check times") {
  // Four checks from other addresses go first, each 100 ms of CPU like a hash,
  // while other work takes every core. At nice 10 each gets about a tenth of a
  // core once lifted: 0.2 s starving + about 1 s = 1.2 s each, over 6 s for the
  // five. Raised to the caller's priority once 0.6 s old, they share the cores
  // with that work evenly: well under 5 s for all five.
  PasswordChecks probe(quick_guard());
  if (!probe.urgent_lifts_allowed()) {
    WARN("the kernel refuses to raise threads back to the caller's nice value here");
    return;
  }
  probe.stop();
  Recorder r;
  std::promise<void> agent_checked;
  BusyCores busy;
  PasswordChecks checks(quick_guard());  // declared last: stopped first
  auto hash_like = [](PasswordChecks::Task then) {
    return [then] {
      burn_cpu_ms(100);
      if (then) then();
    };
  };
  const auto submitted = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) {
    const std::string name = "colleague" + std::to_string(i);
    REQUIRE(checks.submit("10.0.0." + std::to_string(i), Standing::clean, hash_like(r.run(name)),
                          r.refuse(name)));
  }
  REQUIRE(checks.submit("192.0.2.1", Standing::clean, hash_like([&] { agent_checked.set_value(); }),
                        r.refuse("agent")));
  const bool checked = agent_checked.get_future().wait_for(30s) == std::future_status::ready;
  const auto waited = std::chrono::steady_clock::now() - submitted;
  busy.stop();
  CHECK(checked);
  CHECK(waited < 5s);
  INFO("urgent lifts: " << checks.lifted_urgent());
  CHECK(checks.lifted_urgent() >= 1);
}
