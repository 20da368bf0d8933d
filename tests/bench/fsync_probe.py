#!/usr/bin/env python3
"""How long one fdatasync of a 4 KiB overwrite takes on the disk holding DIR.
A durable ack can be no faster than this, so run.sh prints it beside the results.
Usage: fsync_probe.py DIR [COUNT]"""
import os
import sys
import tempfile
import time


def main(directory, count=200):
    fd, path = tempfile.mkstemp(dir=directory, prefix="fsync-probe-")
    try:
        os.write(fd, b"\0" * (1 << 20))
        os.fsync(fd)
        latencies_ms = []
        for i in range(count):
            os.pwrite(fd, b"x" * 4096, (i % 256) * 4096)
            start = time.perf_counter()
            os.fdatasync(fd)
            latencies_ms.append((time.perf_counter() - start) * 1000)
    finally:
        os.close(fd)
        os.unlink(path)
    latencies_ms.sort()
    pick = lambda q: latencies_ms[min(len(latencies_ms) - 1, int(q * len(latencies_ms)))]
    print(f"fdatasync of 4 KiB ({count}x): p50 {pick(0.5):.2f} ms, p99 {pick(0.99):.2f} ms, max {latencies_ms[-1]:.2f} ms")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 200)
