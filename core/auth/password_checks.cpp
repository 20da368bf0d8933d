#include "auth/password_checks.hpp"

#include <sched.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "common/clock.hpp"

namespace sb::auth {

namespace {

// errno's text for a log line.
std::string last_error() {
  return std::strerror(errno);
}

bool set_policy(pid_t tid, int policy) {
  sched_param none{};
  return sched_setscheduler(tid, policy, &none) == 0;
}

}  // namespace

Lift lift_for(const PasswordCheckLimits& limits, const CheckThreadState& thread,
              const CheckQueueState& queue, int64_t now_ms) {
  // Between checks: lifted only to take the next one from a stuck queue.
  if (!thread.running) return queue.stuck ? std::max(thread.lift, Lift::starved) : thread.lift;
  // Starving: its check ran long without ending, or it was lifted already (for
  // this check or to take it from a stuck queue). A check that simply waited its
  // turn behind others and now runs promptly is not starving, whatever its age.
  const bool starved =
      thread.lift != Lift::none || now_ms - thread.started_ms > limits.starved_after_ms;
  if (!starved) return Lift::none;
  // A full queue is a flood: its guesses stay at nice 10.
  const bool urgent = limits.urgent_after_ms > 0 &&
                      now_ms - thread.queued_at_ms > limits.urgent_after_ms &&
                      (thread.standing != Standing::suspect || !queue.full);
  return urgent ? Lift::urgent : std::max(thread.lift, Lift::starved);
}

PasswordChecks::Refusals PasswordChecks::lifting_refused(int nice, int urgent_nice) {
  // The probe changes only its own thread, which then ends: whatever the kernel
  // answers, no thread of the server is left in SCHED_IDLE by it.
  Refusals refusals;
  std::thread probe([&] {
    const auto self = static_cast<pid_t>(gettid());
    if (setpriority(PRIO_PROCESS, static_cast<id_t>(self), nice) != 0 ||
        !set_policy(self, SCHED_IDLE) || !set_policy(self, SCHED_OTHER)) {
      refusals.lift = errno;
      return;
    }
    if (setpriority(PRIO_PROCESS, static_cast<id_t>(self), urgent_nice) != 0)
      refusals.urgent = errno;
  });
  probe.join();
  return refusals;
}

PasswordChecks::PasswordChecks(PasswordCheckLimits limits, std::function<void(Lift)> on_lifted)
    : limits_(limits), on_lifted_(std::move(on_lifted)) {
  errno = 0;
  const int nice_now = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  urgent_nice_ = errno == 0 ? nice_now : 0;
  check_nice_ = std::min(19, urgent_nice_ + limits_.nice);
  if (limits_.idle_policy) {
    const auto refused = lifting_refused(check_nice_, urgent_nice_);
    idle_with_guard_ = refused.lift == 0;
    if (!idle_with_guard_)
      spdlog::warn(
          "password checks: the kernel will not lift a thread back out of SCHED_IDLE ({}; needs "
          "CAP_SYS_NICE or RLIMIT_NICE >= {}, e.g. LimitNICE=+{} in a systemd unit), so checks "
          "run at nice {} instead, where a login flood slows chat more",
          std::strerror(refused.lift), 20 - check_nice_, check_nice_, check_nice_);
    urgent_allowed_ = idle_with_guard_ && limits_.urgent_after_ms > 0 && refused.urgent == 0;
    if (idle_with_guard_ && limits_.urgent_after_ms > 0 && !urgent_allowed_)
      spdlog::warn(
          "password checks: the kernel will not raise a starved check back to nice {} ({}; needs "
          "CAP_SYS_NICE or RLIMIT_NICE >= {}, e.g. LimitNICE=+{} in a systemd unit), so on a "
          "machine busy with other work sign-ins wait for checks at nice {}",
          urgent_nice_, std::strerror(refused.urgent), 20 - urgent_nice_, urgent_nice_,
          check_nice_);
  }
  moved_ms_ = monotonic_ms();
  const size_t count = static_cast<size_t>(std::max(1, limits_.threads));
  workers_.resize(count);
  for (size_t i = 0; i < count; ++i) threads_.emplace_back([this, i] { work(i); });
  if (idle_with_guard_) guard_thread_ = std::thread([this] { guard(); });
}

PasswordChecks::~PasswordChecks() {
  stop();
}

void PasswordChecks::stop() {
  std::vector<Check> waiting;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    for (auto& lane : lanes_) {
      for (auto& [address, checks] : lane.by_address)
        for (auto& check : checks) waiting.push_back(std::move(check));
      lane.by_address.clear();
      lane.turns.clear();
    }
    for (const auto& check : waiting) release(check.address);
  }
  wake_.notify_all();
  guard_wake_.notify_all();
  for (auto& check : waiting) check.refuse();
  // The guard stays until the running checks are done: a starved one still needs it.
  for (auto& thread : threads_) thread.join();
  {
    std::lock_guard lock(mutex_);
    guard_stop_ = true;
  }
  guard_wake_.notify_all();
  if (guard_thread_.joinable()) guard_thread_.join();
}

size_t PasswordChecks::in_queue() const {
  std::lock_guard lock(mutex_);
  return in_queue_;
}

uint64_t PasswordChecks::lifted() const {
  std::lock_guard lock(mutex_);
  return lifted_;
}

uint64_t PasswordChecks::lifted_urgent() const {
  std::lock_guard lock(mutex_);
  return lifted_urgent_;
}

void PasswordChecks::release(const std::string& address) {
  auto it = held_.find(address);
  if (it != held_.end() && --it->second == 0) held_.erase(it);
  --in_queue_;
}

bool PasswordChecks::submit(const std::string& address, Standing standing, Task run, Task refuse) {
  Check pushed_out;
  bool pushed = false;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    const auto held = held_.find(address);
    const size_t holds = held == held_.end() ? 0 : held->second;
    if (holds >= limits_.share_per_address) standing = Standing::suspect;
    if (in_queue_ >= limits_.max_queued) {
      if (!push_out(standing, holds, pushed_out)) return false;
      pushed = true;
    }
    if (in_queue_ == running_) moved_ms_ = monotonic_ms();  // the first to wait
    Lane& lane = lanes_[static_cast<int>(standing)];
    auto& checks = lane.by_address[address];
    if (checks.empty()) lane.turns.push_back(address);
    checks.push_back({address, std::move(run), std::move(refuse), monotonic_ms(), standing});
    ++held_[address];
    ++in_queue_;
  }
  wake_.notify_one();
  guard_wake_.notify_one();
  if (pushed) pushed_out.refuse();
  return true;
}

bool PasswordChecks::push_out(Standing standing, size_t holds, Check& out) {
  // Worst standing first; within it, the address holding the most.
  for (int s = 2; s >= static_cast<int>(standing); --s) {
    Lane& lane = lanes_[s];
    auto victim = lane.by_address.end();
    size_t most = 0;
    for (auto it = lane.by_address.begin(); it != lane.by_address.end(); ++it) {
      const size_t held = held_[it->first];
      if (held > most) most = held, victim = it;
    }
    if (victim == lane.by_address.end()) continue;
    // Among equals only a heavier address gives way, so two never take turns
    // pushing each other out.
    if (s == static_cast<int>(standing) && most <= holds + 1) return false;
    out = std::move(victim->second.back());
    victim->second.pop_back();
    if (victim->second.empty()) {
      std::erase(lane.turns, victim->first);
      lane.by_address.erase(victim);
    }
    release(out.address);
    return true;
  }
  return false;
}

bool PasswordChecks::take(Check& out) {
  for (auto& lane : lanes_) {
    if (lane.turns.empty()) continue;
    std::string address = std::move(lane.turns.front());
    lane.turns.pop_front();
    auto it = lane.by_address.find(address);
    out = std::move(it->second.front());
    it->second.pop_front();
    if (it->second.empty())
      lane.by_address.erase(it);
    else
      lane.turns.push_back(std::move(address));  // its next check waits for the others' turns
    return true;
  }
  return false;
}

void PasswordChecks::work(size_t index) {
  // Linux gives each thread its own nice value and policy (by thread id).
  const auto self = static_cast<pid_t>(gettid());
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(self), check_nice_) != 0)
    spdlog::warn("password checks: cannot lower their CPU priority: {}", last_error());
  if (idle_with_guard_ && !set_policy(self, SCHED_IDLE))
    spdlog::warn("password checks: cannot run them as SCHED_IDLE: {}", last_error());
  {
    std::lock_guard lock(mutex_);
    workers_[index].tid = self;
  }

  for (;;) {
    Check check;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || in_queue_ > running_; });
      if (stopping_) return;
      if (!take(check)) continue;
      ++running_;
      Worker& me = workers_[index];
      moved_ms_ = me.check_started_ms = monotonic_ms();
      me.check_queued_at_ms = check.queued_at_ms;
      me.check_standing = check.standing;
    }
    const bool expired = monotonic_ms() - check.queued_at_ms > limits_.max_wait_ms;
    try {
      expired ? check.refuse() : check.run();
    } catch (const std::exception& e) {
      spdlog::error("password check failed: {}", e.what());
    }
    std::lock_guard lock(mutex_);
    --running_;
    release(check.address);
    Worker& me = workers_[index];
    moved_ms_ = monotonic_ms();
    me.check_started_ms = 0;
    // Lifted for that one check: back to the checks' nice value and to idle (both
    // always allowed), under the lock so the guard never sees a thread as lifted
    // that is not.
    if (me.lift == Lift::urgent &&
        setpriority(PRIO_PROCESS, static_cast<id_t>(self), check_nice_) == 0)
      me.lift = Lift::starved;
    if (me.lift == Lift::starved && set_policy(self, SCHED_IDLE)) me.lift = Lift::none;
  }
}

bool PasswordChecks::raise(Worker& worker, Lift to) {
  if (worker.lift == Lift::none) {
    if (!set_policy(worker.tid, SCHED_OTHER)) {
      spdlog::warn("password checks: cannot lift a starved check thread: {}", last_error());
      return false;
    }
    worker.lift = Lift::starved;
    ++lifted_;
  }
  if (to == Lift::urgent && worker.lift != Lift::urgent) {
    if (setpriority(PRIO_PROCESS, static_cast<id_t>(worker.tid), urgent_nice_) != 0) {
      spdlog::warn("password checks: cannot raise an urgent check thread to nice {}: {}",
                   urgent_nice_, last_error());
      return false;
    }
    worker.lift = Lift::urgent;
    ++lifted_urgent_;
  }
  return true;
}

void PasswordChecks::guard() {
  const auto tick = std::chrono::milliseconds(std::max<int64_t>(10, limits_.starved_after_ms / 4));
  std::unique_lock lock(mutex_);
  while (!guard_stop_) {
    if (in_queue_ == 0) {
      guard_wake_.wait(lock, [&] { return guard_stop_ || in_queue_ > 0; });
      continue;
    }
    guard_wake_.wait_for(lock, tick, [&] { return guard_stop_; });
    const int64_t now = monotonic_ms();
    // Checks wait and none started or finished for a while: the threads between
    // checks cannot get a core to take the next one.
    const CheckQueueState queue{
        in_queue_ > running_ && now - moved_ms_ > limits_.starved_after_ms && !stopping_,
        in_queue_ >= limits_.max_queued};
    std::vector<Lift> lifts;  // reported after the lock is let go
    for (Worker& worker : workers_) {
      if (worker.tid == 0) continue;
      const CheckThreadState state{worker.check_started_ms != 0, worker.check_started_ms,
                                   worker.check_queued_at_ms, worker.check_standing, worker.lift};
      Lift want = lift_for(limits_, state, queue, now);
      if (want == Lift::urgent && !urgent_allowed_) want = Lift::starved;
      if (want <= worker.lift) continue;
      const Lift was = worker.lift;
      raise(worker, want);
      if (was == Lift::none && worker.lift != Lift::none) lifts.push_back(Lift::starved);
      if (was != Lift::urgent && worker.lift == Lift::urgent) lifts.push_back(Lift::urgent);
    }
    if (lifts.empty() || !on_lifted_) continue;
    lock.unlock();
    for (const Lift lift : lifts) on_lifted_(lift);
    lock.lock();
  }
}

}  // namespace sb::auth
