#!/usr/bin/env python3
"""Where the server's CPU goes, from a `PERF=1` run of tests/bench/run.sh: groups the
samples of `perf script` by thread, and counts each sample once, in the first
category (CATS, in order) with a function on its stack. With the run's CPU µs per
message as the argument, each share is also given in µs per message.

Usage: perf script -i OUT_DIR/NAME.perf.data | tests/bench/perf_breakdown.py [CPU_US_PER_MSG]"""
import re, sys, collections
CATS = [
    ("thread switches (finish_task_switch)", ["finish_task_switch"]),
    ("log: fdatasync", ["fdatasync", "ext4_sync_file"]),
    ("log: writev + record (encode, CRC)", ["DurableLog::append", "encode_op", "record_crc", "writev", "Applier::log_batch"]),
    ("storage: search index (index_slice)", ["index_slice"]),
    ("storage: checkpoint", ["checkpoint_at_cap", "Checkpointer", "sqlite3_wal_checkpoint"]),
    ("storage: COMMIT (WAL frames, sync)", ["sqlite3VdbeHalt", "pagerWalFrames", "sqlite3WalFrames", "walWriteToLog"]),
    ("storage: inserts and rest of the transaction", ["Committer::apply", "commit_ops", "commit_batch", "apply_logged", "sqlite3_step", "sqlite3VdbeExec"]),
    ("storage: queue, completions to the host", ["complete_ok", "complete_error", "pop_batch", "top_up_until", "BoundedQueue", "Writer::run", "Applier::run"]),
    ("socket writes", ["sendmsg", "writev_", "sock_write", "tcp_sendmsg", "async_write"]),
    ("socket reads", ["recvmsg", "tcp_recvmsg", "async_read", "read_some"]),
    ("hub: frames in", ["handle_text_frame", "client_frames"]),
    ("engine: on_message_stored (ack, fan-out)", ["on_message_stored", "deliver_ready", "fan_out"]),
    ("engine: on_message", ["on_message", "accept_message", "post_message"]),
    ("host: store call", ["call_async", "append_message", "PluginStore"]),
    ("host: completion hand-off", ["Instance::deliver"]),
    ("epoll, dispatch, other", [""]),
]
def main():
    cpu_us = float(sys.argv[1]) if len(sys.argv) > 1 else 0
    threads = collections.Counter(); cats = collections.Counter(); malloc = 0; total = 0
    bythread = collections.defaultdict(collections.Counter)
    comm = None; stack = []
    def flush():
        nonlocal total, malloc
        if comm is None: return
        total += 1
        t = re.sub(r"[-:]?\d+$", "", comm)
        threads[t] += 1
        joined = "\n".join(stack)
        if re.search(r"\b(malloc|free|_int_malloc|_int_free|operator new|operator delete)\b", joined): malloc += 1
        for name, pats in CATS:
            if any(p in joined for p in pats):
                cats[name] += 1; bythread[t][name] += 1; break
    for line in sys.stdin:
        if not line.strip():
            flush(); comm = None; stack = []; continue
        if not line.startswith((" ", "\t")):
            comm = line.split()[0]
        else:
            parts = line.strip().split(None, 1)
            stack.append(parts[1] if len(parts) > 1 else parts[0])
    flush()
    if total == 0:
        sys.exit("perf_breakdown.py: no samples on stdin")
    f = lambda n: f"{100*n/total:5.1f} % ({cpu_us*n/total:5.1f} µs)"
    print(f"samples {total}")
    print("by thread:")
    for t, n in threads.most_common(): print(f"  {t:24s} {f(n)}")
    print("by category (first match on the stack):")
    for name, _ in CATS: print(f"  {name:48s} {f(cats[name])}")
    print(f"  malloc/free anywhere on the stack (overlaps)      {f(malloc)}")
    for t in ("sqlite-writer", "sqlite-applier", "sqlite-logsync"):
        if t in bythread:
            print(f"{t}:")
            for name, n in bythread[t].most_common(6): print(f"  {name:48s} {f(n)}")
main()
