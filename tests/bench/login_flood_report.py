#!/usr/bin/env python3
"""Compares the login-flood scenario's two runs (tests/bench/run.sh SCENARIOS=login-flood).

    login_flood_report.py OUT_DIR [RUN]

Reads OUT_DIR/login-quiet-runN.json and login-flood-runN.json (loadgen's summaries)
and login-flood-runN.logins (login_flood.py's counts), prints the chat's ack and
delivery latency alone and beside the flood, the sign-ins' answers, and whether the
flood's ack p99 stays within 2x of the quiet one (issue 14). Exits 1 when it does not.
"""
import json
import sys
from pathlib import Path


def main():
    out = Path(sys.argv[1])
    run = sys.argv[2] if len(sys.argv) > 2 else "1"
    quiet = json.loads((out / f"login-quiet-run{run}.json").read_text())
    flood = json.loads((out / f"login-flood-run{run}.json").read_text())
    logins_path = out / f"login-flood-run{run}.logins"
    logins = json.loads(logins_path.read_text()) if logins_path.exists() else {}

    print("| chat load | msgs acked / sent | ack p50 ms | ack p99 ms | delivery p99 ms "
          "| server CPU s | load avg |")
    print("|---|---|---|---|---|---|---|")
    for name, r in (("alone", quiet), ("beside the login flood", flood)):
        print(f"| {name} | {r.get('acked_window')} / {r.get('sent_window')} "
              f"| {r['ack_latency']['p50_ms']:.2f} | {r['ack_latency']['p99_ms']:.2f} "
              f"| {r['delivery_latency']['p99_ms']:.2f} | {r.get('server_cpu_s', '?')} "
              f"| {r.get('load_average_1m', '?')} |")
    if logins:
        print(f"sign-ins: {logins['clients']} clients, {logins['attempts']} attempts in "
              f"{logins['seconds']} s ({logins['attempts_per_second']}/s); answers "
              + ", ".join(f"{k}: {v}" for k, v in logins["answers"].items()))
    ratio = flood["ack_latency"]["p99_ms"] / max(quiet["ack_latency"]["p99_ms"], 1e-6)
    verdict = "within" if ratio <= 2 else "NOT within"
    print(f"ack p99 beside the flood / alone = {ratio:.2f} ({verdict} 2x)")
    return 0 if ratio <= 2 else 1


if __name__ == "__main__":
    sys.exit(main())
