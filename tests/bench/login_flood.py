#!/usr/bin/env python3
"""Floods a Switchboard server with wrong sign-ins, as a password guesser would.

CLIENTS threads each keep one HTTP/1.1 connection and loop
POST /v1/tenants/TENANT/auth/login with a wrong password until DURATION seconds
have passed or the process gets SIGINT/SIGTERM, then print (and with --json-out
write) how the server answered: 401 (checked and refused), 429 (throttled before
any hashing), 503 (too many sign-ins being checked at once) and anything else.

With --spread-addresses every attempt names a fresh client address in
X-Forwarded-For (10.x.y.z) and a fresh email, as a botnet would: start the server
with 127.0.0.1 among its trusted_proxies, and the throttle never locks, so every
attempt costs a password hash (the worst case for the server). Without it all
attempts come from 127.0.0.1 against one account and the throttle answers most.

Used by tests/bench/run.sh (SCENARIOS=login-flood); standard library only.
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="server base URL, e.g. http://127.0.0.1:8080")
    parser.add_argument("--tenant", default="demo")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds (SIGINT/SIGTERM ends sooner)")
    parser.add_argument("--email", default="agent-1@bench.local")
    parser.add_argument("--spread-addresses", action="store_true",
                        help="a fresh X-Forwarded-For address and email on every attempt")
    parser.add_argument("--json-out", help="write the counts here as JSON")
    args = parser.parse_args()

    url = urllib.parse.urlsplit(args.url)
    path = f"/v1/tenants/{args.tenant}/auth/login"
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())

    lock = threading.Lock()
    counts = {}
    latencies = []  # seconds, per answered attempt

    def client(index):
        rng = random.Random(index)
        conn = None
        while not stop.is_set():
            if conn is None:
                conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
            email = args.email
            headers = {"Content-Type": "application/json"}
            if args.spread_addresses:
                headers["X-Forwarded-For"] = "10.{}.{}.{}".format(
                    rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))
                email = f"guess-{rng.randrange(1 << 30)}@bench.local"
            body = json.dumps({"email": email, "password": f"wrong-{rng.randrange(1 << 30)}"})
            began = time.monotonic()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                key = str(response.status)
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as error:
                key = "error:" + type(error).__name__
                conn.close()
                conn = None
                time.sleep(0.05)
            with lock:
                counts[key] = counts.get(key, 0) + 1
                latencies.append(time.monotonic() - began)
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(args.clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    stop.wait(args.duration)
    stop.set()
    for thread in threads:
        thread.join(timeout=35)
    elapsed = time.monotonic() - began

    latencies.sort()
    def quantile(q):
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 1) if latencies else None
    summary = {
        "clients": args.clients,
        "spread_addresses": args.spread_addresses,
        "seconds": round(elapsed, 1),
        "attempts": sum(counts.values()),
        "attempts_per_s": round(sum(counts.values()) / elapsed, 1) if elapsed else 0,
        "answers": dict(sorted(counts.items())),
        "answer_p50_ms": quantile(0.5),
        "answer_p99_ms": quantile(0.99),
    }
    print("login_flood: " + json.dumps(summary), flush=True)
    if args.json_out:
        with open(args.json_out, "w") as out:
            json.dump(summary, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
