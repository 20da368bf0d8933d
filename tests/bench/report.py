#!/usr/bin/env python3
"""The table of issue 12 from one run.sh report directory: Switchboard beside the
bare Beast echo server, both driven by the same loadgen on the same machine.
Usage: report.py [--p99-ms 10] OUT_DIR"""
import argparse
import glob
import json
import os


def load(path):
    with open(path) as f:
        return json.load(f)


def rate_runs(out_dir, kind):
    runs = {}
    for path in glob.glob(os.path.join(out_dir, f"{kind}-*-run*.json")):
        rate = int(os.path.basename(path).split("-")[1])
        runs[rate] = load(path)
    return dict(sorted(runs.items()))


def sustained(doc, p99_ms):
    return (doc.get("connections_lost", 1) == 0 and doc.get("skipped_window", 1) == 0
            and doc.get("acked_window") == doc.get("sent_window")
            and doc.get("delivered_window") == doc.get("sent_window")
            and doc.get("seq_gaps", 1) == 0
            and doc["ack_latency"]["p99_ms"] <= p99_ms
            and doc["delivery_latency"]["p99_ms"] <= p99_ms)


def max_sustained(runs, p99_ms):
    best = 0
    for rate, doc in runs.items():
        if not sustained(doc, p99_ms):
            break
        best = rate
    return best


def us_per_msg(doc, key):
    """CPU per acked (durable) message; meaningful where the rate was sustained."""
    cores = doc.get(key)
    acked = doc.get("acks_per_s") or 0
    return cores / acked * 1e6 if cores is not None and acked else None


def fmt(value, spec, unit=""):
    return "n/a" if value is None else f"{value:{spec}}{unit}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--p99-ms", type=float, default=10)
    parser.add_argument("out_dir")
    args = parser.parse_args()

    sb = rate_runs(args.out_dir, "switchboard")
    echo = rate_runs(args.out_dir, "echo")
    fsync_path = os.path.join(args.out_dir, "fsync.txt")
    fsync = open(fsync_path).read().strip() if os.path.exists(fsync_path) else "n/a"

    print(f"disk: {fsync}")
    print()
    print("| server | offered/s | acked/s | delivered/s | ack p50 | ack p99 | delivery p99 "
          "| server cores (µs/msg) | loadgen cores (µs/msg) | sustained | load |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: | ---: |")
    for name, runs in (("echo", echo), ("switchboard", sb)):
        for rate, d in runs.items():
            print(f"| {name} | {rate:,} | {d.get('acks_per_s', 0):,.0f} | "
                  f"{d.get('delivered_per_s', 0):,.0f} | {d['ack_latency']['p50_ms']:.2f} ms | "
                  f"{d['ack_latency']['p99_ms']:.2f} ms | {d['delivery_latency']['p99_ms']:.2f} ms | "
                  f"{fmt(d.get('server_cores'), '.2f')} ({fmt(us_per_msg(d, 'server_cores'), '.1f')}) | "
                  f"{fmt(d.get('loadgen_cores'), '.2f')} ({fmt(us_per_msg(d, 'loadgen_cores'), '.1f')}) | "
                  f"{'yes' if sustained(d, args.p99_ms) else 'no'} | {d.get('load_average_1m', 'n/a')} |")
    print()

    sb_max, echo_max = max_sustained(sb, args.p99_ms), max_sustained(echo, args.p99_ms)
    at = lambda rate: sb.get(rate)
    rows = []
    cpu10 = us_per_msg(at(10000), "server_cores") if at(10000) else None
    rows.append(("Server CPU per durable message at 10,000/s", fmt(cpu10, ".1f", " µs"), "≤ 25 µs"))
    for rate, aim in ((10000, "≤ 2 ms"), (20000, "≤ 5 ms")):
        d = at(rate)
        rows.append((f"Ack p99 at {rate:,}/s",
                     fmt(d["ack_latency"]["p99_ms"], ".2f", " ms") if d else "n/a", aim))
    rows.append((f"Max sustained rate (p99 ≤ {args.p99_ms:g} ms, all acked and delivered)",
                 f"{sb_max:,}/s" if sb else "n/a", "≥ 30,000/s"))
    rows.append(("Echo server's max sustained rate", f"{echo_max:,}/s" if echo else "n/a", ""))
    frac = sb_max / echo_max if sb and echo_max else None
    rows.append(("Switchboard ÷ echo", fmt(frac, ".2f"), "≥ 0.5"))
    lg = us_per_msg(at(10000), "loadgen_cores") if at(10000) else None
    rows.append(("Loadgen CPU per message at 10,000/s (Switchboard run)", fmt(lg, ".1f", " µs"), ""))
    idle = sorted(glob.glob(os.path.join(args.out_dir, "idle-run*.json")))
    if idle:
        d = load(idle[0])
        rows.append((f"Idle: server KiB per connection ({d.get('connections_held', 0):,} held)",
                     fmt(d.get("server_rss_per_connection_kib"), ".2f", " KiB"), "≤ 5 KiB"))
    rows.append(("Disk fsync (fsync_probe.py)", fsync, ""))
    print("| figure | measured | aim |")
    print("| --- | ---: | ---: |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
