#include "auth/password_checks.hpp"

#include <sched.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/clock.hpp"

namespace sb::auth {

PasswordChecks::PasswordChecks(PasswordCheckLimits limits) : limits_(limits) {
  for (int i = 0; i < std::max(1, limits_.threads); ++i) threads_.emplace_back([this] { work(); });
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
  for (auto& check : waiting) check.refuse();
  for (auto& thread : threads_) thread.join();
}

size_t PasswordChecks::in_queue() const {
  std::lock_guard lock(mutex_);
  return in_queue_;
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
    Lane& lane = lanes_[static_cast<int>(standing)];
    auto& checks = lane.by_address[address];
    if (checks.empty()) lane.turns.push_back(address);
    checks.push_back({address, std::move(run), std::move(refuse), monotonic_ms()});
    ++held_[address];
    ++in_queue_;
  }
  wake_.notify_one();
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

void PasswordChecks::work() {
  // Linux gives each thread its own nice value (PRIO_PROCESS with a thread id).
  const auto self = static_cast<id_t>(gettid());
  errno = 0;
  const int nice_now = getpriority(PRIO_PROCESS, self);
  if (errno != 0 || setpriority(PRIO_PROCESS, self, std::min(19, nice_now + limits_.nice)) != 0)
    spdlog::warn("password checks: cannot lower their CPU priority: {}", std::strerror(errno));
  // SCHED_IDLE if asked (off by default, see PasswordCheckLimits::nice): a waking
  // event loop preempts a check at once, but the checks starve under other load.
  if (limits_.idle_policy) {
    sched_param none{};
    if (sched_setscheduler(self, SCHED_IDLE, &none) != 0)
      spdlog::warn("password checks: cannot run them as SCHED_IDLE: {}", std::strerror(errno));
  }

  for (;;) {
    Check check;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || in_queue_ > running_; });
      if (stopping_) return;
      if (!take(check)) continue;
      ++running_;
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
  }
}

}  // namespace sb::auth
