#!/usr/bin/env python3
"""Where a process's threads wait when they are not running, from the scheduler's trace.

    perf sched record -o sched.data -- sleep 5          # during the measured window
    perf sched timehist -i sched.data -p PID --state | tests/bench/offcpu.py

perf sched timehist prints one line per switch-out of a thread: how long it waited
before that slice, how long it sat runnable before getting a CPU (sch delay), how
long it ran, and the state it left in. The wait on a line follows the state on the
previous line of the same thread, so this groups waits by that state:

  R  preempted (W: perf's letter for R+, preempted as well): the time is a wait
     for a CPU, another thread ran instead
  S  asleep (a futex, epoll, a condition variable): waiting for work
  D  uninterruptible, for a storage plugin's writer almost always an fsync
and, after an S or D wait, "then runnable" is the time from the wake-up to a CPU.
On a machine with more runnable threads than cores, R and "then runnable" grow;
on a quiet one they should be near zero.
"""
import collections
import sys


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else 0.0


def main():
    slices = collections.defaultdict(list)
    for line in sys.stdin:
        f = line.split()
        if len(f) < 7 or not f[0][0].isdigit():
            continue
        try:
            wait, delay, run, state = float(f[-4]), float(f[-3]), float(f[-2]), f[-1]
        except ValueError:
            continue
        slices[f[2]].append((wait, delay, run, state))
    for thread, s in sorted(slices.items(), key=lambda kv: -sum(x[2] for x in kv[1])):
        print(f"{thread}: ran {sum(x[2] for x in s):.0f} ms in {len(s)} slices")
        by_state = collections.defaultdict(list)
        for before, after in zip(s, s[1:]):
            by_state[before[3]].append((after[0], after[1]))
        for state, waits in sorted(by_state.items()):
            w = [x[0] for x in waits]
            d = [x[1] for x in waits]
            line = (f"  after {state:2s} {len(waits):6d}x  waited {sum(w):7.1f} ms "
                    f"(p50 {pct(w, .5):.2f}, p99 {pct(w, .99):.2f}, max {max(w):.1f})")
            if state not in ("R", "W"):
                line += f"  then runnable {sum(d):7.1f} ms (p99 {pct(d, .99):.2f}, max {max(d):.1f})"
            print(line)


if __name__ == "__main__":
    main()
