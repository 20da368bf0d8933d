// Password checks (argon2id: 64 MiB and 0.1-0.2 s of a core each) on their own
// threads at a lower CPU priority, behind one bounded queue that a flood of
// sign-ins cannot use to lock everyone else out.
//
// The server's check threads do not hash themselves: each hands its check to a
// helper process (password_helpers.hpp) and waits, and that process follows the
// thread's priority, so the rules below apply to the hashing all the same.
//
// - Priority (Linux): check threads run as SCHED_IDLE, so a waking event loop takes
//   the core from a check at once, and a flood's hashing only uses CPU the chat
//   leaves. A guard thread watches for starvation (other work keeping every core
//   busy): a check that has run longer than starved_after_ms, or waiting checks
//   while none started or finished for that long, get their threads lifted to
//   SCHED_OTHER at the checks' nice value until their check ends. Lifting a thread
//   out of SCHED_IDLE needs CAP_SYS_NICE or RLIMIT_NICE >= 20 - that nice (10 for
//   nice 10); where the kernel refuses it, the threads run at that nice value
//   instead, with one log line at start.
// - Urgency (a second lift): on a machine saturated by other work a check lifted to
//   nice 10 still takes 2-3 s, and sign-ins queued behind a few of them waited 15 s
//   and more. So a starved check (as above) that was submitted more than
//   urgent_after_ms ago runs at the server's own priority (nice 0 when the server
//   runs at 0) until it ends; while the queue is full (a flood), only if it is not
//   suspect. A flood cannot lift all of its checks this way: only running checks
//   are lifted (at most `threads` at once), each only after it starved at
//   SCHED_IDLE for starved_after_ms, so a flood's hashing at the server's priority
//   is at most one check per thread per starved_after_ms and a check's time; a
//   guessing flood (suspect) keeps its checks at nice 10; and where nothing else
//   keeps the cores busy no check starves, so none is lifted at all. It needs
//   CAP_SYS_NICE or RLIMIT_NICE >= 20 - the server's nice; where refused, starved
//   checks stay at their nice value, with one log line at start.
// - Bounded: at most max_queued checks wait or run at once (memory and wait time);
//   past it a sign-in is refused at once (the caller answers 503, try again).
// - Precedence: checks are served by standing (proven, then clean, then suspect),
//   so sign-ins from addresses that recently signed someone in, and from addresses
//   and accounts without recent failures, go before those of guessers. An address
//   has this precedence for a few checks at a time (share_per_address): its checks
//   beyond them wait last, whatever their standing, so even a proven address that
//   floods cannot keep others waiting.
// - Fair between addresses: within a standing, addresses take turns, and when the
//   queue is full a newcomer pushes out the newest check of whichever address holds
//   the most (of a worse standing first), as long as that address holds more than
//   the newcomer's. One address, or a few, can take at most their share; a real
//   agent from elsewhere waits behind a few checks, not behind the flood.
// - Bounded wait: a check that waited longer than max_wait_ms is refused instead of
//   run (its client has likely given up; running it would only delay the others).
//
// Thread-safe. A refused check's `refuse` runs on the submitting thread (when it is
// pushed out by a newcomer) or on a check thread (expired; at stop()), never under
// the queue's lock.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sb::auth {

// What the server knows of a sign-in attempt before checking it (LoginThrottle).
enum class Standing {
  proven = 0,   // its address signed an agent in recently and has not failed since
  clean = 1,    // neither its address nor its account has failed recently
  suspect = 2,  // its address or its account has recent failures
};

struct PasswordCheckLimits {
  int threads = 1;
  // Added to the checks' threads' nice value (Linux: per thread). Alone (idle_policy
  // off, or refused by the kernel) it makes hashing mostly use the CPU the chat's
  // event loops leave; with SCHED_IDLE it is the priority a starved check is lifted
  // to: at nice 10 a check gets about a tenth of a contended core.
  int nice = 10;
  // SCHED_IDLE with the starvation guard (see above). SCHED_IDLE alone got a check
  // about 0.3 % of a contended core: sign-ins timed out under a chat peak or a build.
  bool idle_policy = true;
  int64_t starved_after_ms = 1000;  // a check's normal run is 0.1-0.2 s
  // A starved check older than this (since it was submitted) is lifted to the
  // server's own priority (see Urgency above); 0 turns that lift off.
  int64_t urgent_after_ms = 3000;
  size_t max_queued = 32;        // waiting or running, all addresses together
  size_t share_per_address = 2;  // of those, one address's that keep their standing
  int64_t max_wait_ms = 15000;
};

// How far the guard has lifted a check thread above SCHED_IDLE.
enum class Lift {
  none = 0,     // SCHED_IDLE (at the checks' nice value underneath)
  starved = 1,  // SCHED_OTHER at the checks' nice value (nice 10)
  urgent = 2,   // SCHED_OTHER at the server's own nice value
};

// One check thread as the guard sees it at a tick.
struct CheckThreadState {
  bool running = false;                 // running a check (else between checks)
  int64_t started_ms = 0;               // when its check started (monotonic)
  int64_t queued_at_ms = 0;             // when that check was submitted
  Standing standing = Standing::clean;  // the lane it was taken from
  Lift lift = Lift::none;               // how far it is lifted now
};

// The queue as the guard sees it at a tick.
struct CheckQueueState {
  bool stuck = false;  // checks wait and none started or finished for starved_after_ms
  bool full = false;   // max_queued checks wait or run
};

// The guard's rule: how far a check thread should be lifted at now_ms. Never lower
// than where it is (a lift lasts until its check ends). A pure function, so the
// thresholds can be tested without waiting for them.
Lift lift_for(const PasswordCheckLimits& limits, const CheckThreadState& thread,
              const CheckQueueState& queue, int64_t now_ms);

class PasswordChecks {
 public:
  using Task = std::function<void()>;

  // `on_lifted` (optional) runs on the guard thread each time it lifts a check
  // thread, with how far (for counters in /metrics): Lift::starved when it leaves
  // SCHED_IDLE, Lift::urgent when it reaches the server's priority (a thread can
  // get both for one check, in that order or at one tick: then both are reported).
  explicit PasswordChecks(PasswordCheckLimits limits = {},
                          std::function<void(Lift)> on_lifted = {});
  ~PasswordChecks();  // stop()
  PasswordChecks(const PasswordChecks&) = delete;
  PasswordChecks& operator=(const PasswordChecks&) = delete;

  // Queues a check for `address`: run on a check thread when its turn comes, or
  // refuse instead if it is pushed out, waits too long or the queue stops. False
  // (and neither is called) when the queue is full of checks it may not push out.
  bool submit(const std::string& address, Standing standing, Task run, Task refuse);

  // Refuses what waits, lets running checks finish, joins the threads.
  void stop();

  // Checks waiting or running now.
  size_t in_queue() const;

  // True when checks run as SCHED_IDLE under the guard; false when they run at
  // their nice value only (idle_policy off, or the kernel refused the guard).
  bool idle_with_guard() const { return idle_with_guard_; }
  // True when the guard may also lift a starved, old check to the server's own
  // priority (urgent_after_ms > 0 and the kernel allows it).
  bool urgent_lifts_allowed() const { return urgent_allowed_; }
  // How many times the guard lifted a starved check thread so far.
  uint64_t lifted() const;
  // How many times it lifted one to the server's own priority so far.
  uint64_t lifted_urgent() const;

 private:
  struct Check {
    std::string address;
    Task run;
    Task refuse;
    int64_t queued_at_ms = 0;
    Standing standing = Standing::clean;  // its lane
  };
  // One standing's waiting checks: per address, and the addresses' turn order.
  struct Lane {
    std::map<std::string, std::deque<Check>, std::less<>> by_address;
    std::deque<std::string> turns;  // each address with checks here, once
  };

  // A check thread as the guard sees it (guarded by mutex_).
  struct Worker {
    pid_t tid = 0;
    int64_t check_started_ms = 0;  // 0: not running a check
    int64_t check_queued_at_ms = 0;
    Standing check_standing = Standing::clean;
    Lift lift = Lift::none;  // until its current (or next) check ends
  };

  void work(size_t index);
  // Lifts starved check threads (idle_with_guard_ only); runs until stop().
  void guard();
  // Whether this process may move a thread from SCHED_IDLE back to SCHED_OTHER at
  // `nice`, and then lower that to `urgent_nice`: 0 for each if so, else the
  // kernel's errno (tried on a short-lived thread of its own).
  struct Refusals {
    int lift = 0;
    int urgent = 0;
  };
  static Refusals lifting_refused(int nice, int urgent_nice);
  // Moves worker's thread up to `to` (guard, under mutex_); false if refused.
  bool raise(Worker& worker, Lift to);
  // The next check to run (the best lane's next address in turn); false if none.
  bool take(Check& out);
  // Forgets a check that left the queue (run, refused or pushed out).
  void release(const std::string& address);
  // Frees room for a newcomer of `standing` from an address holding `holds`
  // checks: pushes out a check (returned in out) if one may go.
  bool push_out(Standing standing, size_t holds, Check& out);

  const PasswordCheckLimits limits_;
  const std::function<void(Lift)> on_lifted_;
  int urgent_nice_ = 0;  // the caller's nice value: the server's own priority
  int check_nice_ = 10;  // the check threads' nice value: the caller's + limits_.nice
  bool idle_with_guard_ = false;
  bool urgent_allowed_ = false;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable guard_wake_;
  Lane lanes_[3];
  std::map<std::string, size_t, std::less<>> held_;  // per address: waiting + running
  size_t in_queue_ = 0;
  size_t running_ = 0;
  bool stopping_ = false;
  bool guard_stop_ = false;  // set once the check threads have ended
  // When the checks last moved: one started or finished, or one began to wait
  // while none waited. Waiting checks and no move for starved_after_ms: starved.
  int64_t moved_ms_ = 0;
  std::vector<Worker> workers_;
  uint64_t lifted_ = 0;
  uint64_t lifted_urgent_ = 0;
  std::vector<std::thread> threads_;
  std::thread guard_thread_;
};

}  // namespace sb::auth
