#!/usr/bin/env python3
"""Floods a Switchboard server with wrong sign-ins, as a botnet guessing passwords would.

    login_flood.py --url http://127.0.0.1:PORT --tenant bench --clients 200 \
        --duration 30 --json-out logins.json

Each client is a thread with its own keep-alive connection that posts wrong
passwords to POST /v1/tenants/TENANT/auth/login in a loop, without pausing. With
--forwarded (the server must list 127.0.0.1 in [server] trusted_proxies) every
attempt names a fresh client address in X-Forwarded-For and a fresh email, so
neither the per-address nor the per-account throttle can answer it before the
password is hashed: the worst case for the hashing pool. Prints and writes the
answers counted by status (401 wrong password, 429 throttled, 503 too many
sign-ins at once) and the attempts per second. Stops after --duration or SIGINT.
"""
import argparse
import http.client
import json
import random
import signal
import sys
import threading
import time
import urllib.parse
from collections import Counter


def flood(url, tenant, forwarded, stop, counts, lock, seed):
    rng = random.Random(seed)
    parts = urllib.parse.urlsplit(url)
    path = f"/v1/tenants/{tenant}/auth/login"
    local = Counter()
    conn = None
    while not stop.is_set():
        if conn is None:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        body = json.dumps({"email": f"guess-{rng.randrange(1 << 30)}@bench.local",
                           "password": f"wrong-{rng.randrange(1 << 30)}"})
        headers = {"Content-Type": "application/json"}
        if forwarded:
            headers["X-Forwarded-For"] = "10.{}.{}.{}".format(
                rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            local[str(response.status)] += 1
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException) as e:
            local["error:" + type(e).__name__] += 1
            conn.close()
            conn = None
            time.sleep(0.01)
    if conn is not None:
        conn.close()
    with lock:
        counts.update(local)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--tenant", default="bench")
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--duration", type=float, default=30)
    ap.add_argument("--forwarded", action="store_true",
                    help="a fresh X-Forwarded-For address and email per attempt")
    ap.add_argument("--json-out")
    args = ap.parse_args()

    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    counts, lock = Counter(), threading.Lock()
    threads = [threading.Thread(target=flood, daemon=True,
                                args=(args.url, args.tenant, args.forwarded, stop, counts, lock, i))
               for i in range(args.clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    stop.wait(args.duration)
    stop.set()
    for t in threads:
        t.join(timeout=35)
    elapsed = time.monotonic() - began
    total = sum(counts.values())
    summary = {"clients": args.clients, "forwarded": args.forwarded,
               "seconds": round(elapsed, 1), "attempts": total,
               "attempts_per_second": round(total / elapsed, 1) if elapsed else 0,
               "answers": dict(sorted(counts.items()))}
    print("login flood: " + json.dumps(summary), file=sys.stderr)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(summary, f)


if __name__ == "__main__":
    main()
