#!/usr/bin/env python3
"""Medians of several loadgen --json-out files, grouped by scenario (file name
prefix before the first '-run'). Usage: medians.py FILE.json..."""
import json
import statistics
import sys
from collections import defaultdict

FIELDS = [
    ("connections_held", ""), ("connect_failures", ""), ("connections_lost", ""),
    ("server_rss_per_connection_kib", "KiB"),
    ("offered_per_s", "/s"), ("acks_per_s", "/s"), ("delivered_per_s", "/s"),
    ("delivery_latency.p50_ms", "ms"), ("delivery_latency.p99_ms", "ms"),
    ("delivery_latency.p999_ms", "ms"), ("delivery_latency.max_ms", "ms"),
    ("ack_latency.p50_ms", "ms"), ("ack_latency.p99_ms", "ms"),
    ("ack_latency.p999_ms", "ms"), ("ack_latency.max_ms", "ms"),
    ("send_lag.p99_ms", "ms"), ("server_cpu_s", "s"), ("loadgen_cpu_s", "s"), ("server_cores", ""), ("loadgen_cores", ""), ("load_average_1m", ""), ("error_count", ""),
]


def get(doc, dotted):
    for part in dotted.split("."):
        if not isinstance(doc, dict) or part not in doc:
            return None
        doc = doc[part]
    return doc


def main(paths):
    groups = defaultdict(list)
    for path in paths:
        with open(path) as f:
            doc = json.load(f)
        doc["error_count"] = sum(doc.get("errors", {}).values())
        name = path.rsplit("/", 1)[-1].split("-run")[0]
        groups[name].append(doc)
    for name, docs in sorted(groups.items()):
        print(f"{name}: median of {len(docs)} run(s)")
        for field, unit in FIELDS:
            values = [v for v in (get(d, field) for d in docs) if isinstance(v, (int, float))]
            if not values:
                continue
            shown = " ".join(f"{v:.3g}" if isinstance(v, float) else str(v) for v in values)
            print(f"  {field:32} {statistics.median(values):12.3f} {unit:4} (runs: {shown})")


if __name__ == "__main__":
    main(sys.argv[1:])
