"""The platform's own fdatasync latency, with no tracklake involved: one thread appends 1,100-byte
records to a file and fdatasyncs after each, for a fixed time, pinned to one core. bench/run runs
it on the server core and on the client core, so every run records what the disk and the VM's
wake-ups cost before the collector adds anything (tracklake's acknowledgement waits for one such
fdatasync). Prints one JSON line: count, p50/p90/p99/p99.9/max in microseconds, stalls over 5 ms.

  disk_probe.py DIR SECONDS
"""
import json
import os
import sys
import time

RECORD = b"x" * 1100
STALL_S = 0.005


def main():
    directory, seconds = sys.argv[1], float(sys.argv[2])
    path = os.path.join(directory, f"disk-probe-{os.getpid()}")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    lat = []
    try:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            t0 = time.perf_counter()
            os.write(fd, RECORD)
            os.fdatasync(fd)
            lat.append(time.perf_counter() - t0)
    finally:
        os.close(fd)
        os.unlink(path)
    lat.sort()

    def q(p):
        return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1e6, 1)
    print(json.dumps(dict(count=len(lat), p50_us=q(0.5), p90_us=q(0.9), p99_us=q(0.99), p999_us=q(0.999),
                          max_us=round(lat[-1] * 1e6, 1), stalls_over_5ms=sum(x > STALL_S for x in lat))))


if __name__ == "__main__":
    main()
