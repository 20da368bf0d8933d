#!/usr/bin/env python3
"""The cost of the admin dashboard's GET /v1/tenants/ID/stats/live (and of a
one-day /stats/report) on a tenant whose day holds many conversations.

    tests/bench/stats_bench.py BUILD [conversations=100000] [requests=30]

Starts the server once on a temporary copy of the repository's demo tenant so
that storage-sqlite creates the tenant's file, stops it, inserts CONVERSATIONS
closed, rated conversation records of today (as the engine writes them: every
field the figures read, plus visitor_meta and first_message like real ones), each
with 6 messages, straight into that file in one transaction, starts the server
again and times the first live poll, then REQUESTS sequential requests of each
endpoint as an admin, from
sending the request to the last byte of the answer. Prints one line per endpoint.
Not run by ctest (see RESULTS.md).
"""
import glob
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def start(build, root):
    args = [os.path.join(build, "switchboard"), "--config", os.path.join(SOURCE, "conf", "switchboard.toml"),
            "--listen", "127.0.0.1:0", "--data-dir", os.path.join(root, "data"),
            "--plugin-dir", os.path.join(build, "plugins"), "--tenants-dir", os.path.join(root, "tenants")]
    server = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=open(os.path.join(root, "server.log"), "a"), text=True)
    for line in server.stdout:
        if "listening on 127.0.0.1:" in line:
            return server, int(line.rsplit(":", 1)[1].split()[0])
    raise SystemExit("the server did not start; see " + root + "/server.log")


def stop(server):
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)


def call(port, path, token=None, body=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", **({"Authorization": "Bearer " + token} if token else {})})
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.read()


def fill(db_file, count):
    rng = random.Random(7)
    now = int(time.time() * 1000)
    # Today in UTC, and within it, before now.
    start_of_day = now - now % 86400000
    span = max(1, now - start_of_day - 60000)
    db = sqlite3.connect(db_file)
    with db:
        for i in range(count):
            created = start_of_day + rng.randrange(span)
            queued = created + rng.randrange(0, 5000)
            assigned = queued + rng.randrange(0, 120000)
            first = assigned + rng.randrange(1000, 60000)
            closed = min(now, first + rng.randrange(60000, 1800000))
            cid = f"c_bench{i:07d}"
            agent = rng.choice(["dana", "alex"])
            doc = {"id": cid, "status": "closed", "visitor_id": f"v_bench{i:07d}", "visitor_name": "Visitor",
                   "assignee": "", "group": rng.choice(["support", "sales", ""]), "chain": "", "rules": ["agent-free"],
                   "created_at": created, "queue_order": queued * 1000, "queue_limit_reached": False,
                   "over_queue_limit": False, "queue_limit_seq": 0, "close_after_seq": 0, "tags": [],
                   "last_agent": agent, "updated_at": closed, "closed_at": closed,
                   "first_message": "Hello, I have a question about my order number 12345",
                   "visitor_meta": {"page": "https://shop.example.com/orders", "lang": "en", "attributes": {"plan": "pro"}},
                   "queued_at": queued, "assigned_at": assigned, "first_response_at": first}
            if rng.random() < 0.3:
                doc["csat"] = {"score": rng.randint(1, 5), "comment": "", "ts": closed}
            db.execute("INSERT INTO conversations (id, status, visitor_id, assignee, updated_ms, doc, group_name, created_ms) "
                       "VALUES (?, 'closed', ?, '', ?, ?, ?, ?)",
                       (cid, doc["visitor_id"], closed, json.dumps(doc), doc["group"], created))
            for seq in range(1, 7):
                db.execute("INSERT INTO messages (conversation_id, seq, message_id, sender_role, sender_id, sender_name, "
                           "client_msg_id, text, ts_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (cid, seq, f"m_{cid}_{seq}", "visitor" if seq % 2 else "agent", agent, "x", f"k{seq}",
                            "a message of about this length", created + seq))
    db.close()


def timed(port, token, path, requests):
    times = []
    for _ in range(requests):
        t0 = time.perf_counter()
        body = call(port, path, token)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    pick = lambda p: times[min(len(times) - 1, max(0, int(round(p * len(times))) - 1))]
    return pick(0.5), pick(0.95), times[-1], len(body)


def main():
    build = os.path.abspath(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
    requests = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    root = tempfile.mkdtemp(prefix="sb-stats-bench-")
    try:
        os.makedirs(os.path.join(root, "tenants"))
        shutil.copy(os.path.join(SOURCE, "tenants", "demo.toml"), os.path.join(root, "tenants"))
        shutil.copytree(os.path.join(SOURCE, "tenants", "demo"), os.path.join(root, "tenants", "demo"))
        server, port = start(build, root)
        stop(server)
        files = [f for f in glob.glob(os.path.join(root, "data", "**", "*"), recursive=True)
                 if os.path.isfile(f) and open(f, "rb").read(16).startswith(b"SQLite format 3")]
        if len(files) != 1:
            raise SystemExit(f"expected one SQLite file, found {files}")
        t0 = time.time()
        fill(files[0], count)
        print(f"inserted {count} conversations ({count * 6} messages) in {time.time() - t0:.1f} s; "
              f"file {os.path.getsize(files[0]) / 1e6:.0f} MB", flush=True)
        server, port = start(build, root)
        try:
            token = json.loads(call(port, "/v1/tenants/demo/auth/login", body={"email": "admin@demo.local", "password": "demo-admin"}))["token"]
            # The server's first poll of the day reads every record of today; later
            # polls only what changed since (with an overlap).
            t0 = time.perf_counter()
            live = json.loads(call(port, "/v1/tenants/demo/stats/live", token))
            print(f"live, first poll (reads the whole day): {(time.perf_counter() - t0) * 1000:.0f} ms", flush=True)
            assert live["today"]["closed"] == count or live["today"]["truncated"], live["today"]
            today = live["today"]["date"]
            for name, path in [("live, later polls", "/v1/tenants/demo/stats/live"),
                               ("report (today, JSON)", f"/v1/tenants/demo/stats/report?from={today}&to={today}"),
                               ("report (today, CSV)", f"/v1/tenants/demo/stats/report?from={today}&to={today}&format=csv")]:
                p50, p95, worst, size = timed(port, token, path, requests)
                print(f"{name}: {count} conversations today, {requests} requests: p50 {p50:.0f} ms, p95 {p95:.0f} ms, "
                      f"max {worst:.0f} ms, answer {size} bytes", flush=True)
            rss = int(open(f"/proc/{server.pid}/status").read().split("VmHWM:")[1].split()[0])
            print(f"server peak RSS {rss / 1024:.0f} MiB")
        finally:
            stop(server)
    finally:
        if not os.environ.get("SWITCHBOARD_KEEP_TEMP"):
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
