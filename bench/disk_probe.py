"""The platform's own fdatasync latency, with no tracklake involved: one thread appends 1,100-byte
records to a file and fdatasyncs after each, for a fixed time, pinned to one core. bench/run runs
it on the server core and on the client core, so every run records what the disk and the VM's
wake-ups cost before the collector adds anything (tracklake's acknowledgement waits for one such
fdatasync). Prints one JSON line: count, p50/p90/p99/p99.9/max in microseconds, stalls over 5 ms,
CPU per append + fdatasync.

  disk_probe.py DIR SECONDS [--overwrite] [--bytes N]

--overwrite first writes and syncs 64 MiB, then overwrites it from the start: what appends into a
recycled (already written) log segment would cost, where a growing file makes each fdatasync write
the inode too. --bytes: bytes per append (default 1,100; a group commit writes many requests at once).
"""
import argparse
import json
import os
import time

RECORD_BYTES = 1100
STALL_S = 0.005
PREFILL = 64 << 20  # --overwrite: bytes written and synced before the timed appends


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("seconds", type=float)
    p.add_argument("--overwrite", action="store_true")
    p.add_argument("--bytes", type=int, default=RECORD_BYTES)
    a = p.parse_args()
    record = b"x" * a.bytes
    path = os.path.join(a.dir, f"disk-probe-{os.getpid()}")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    lat = []
    try:
        if a.overwrite:
            chunk = bytes(1 << 20)
            for _ in range(PREFILL // len(chunk)):
                os.write(fd, chunk)
            os.fsync(fd)
            os.lseek(fd, 0, os.SEEK_SET)
        cpu0 = time.process_time()
        end = time.perf_counter() + a.seconds
        while time.perf_counter() < end:
            if a.overwrite and os.lseek(fd, 0, os.SEEK_CUR) + len(record) > PREFILL:
                os.lseek(fd, 0, os.SEEK_SET)
            t0 = time.perf_counter()
            os.write(fd, record)
            os.fdatasync(fd)
            lat.append(time.perf_counter() - t0)
        cpu = time.process_time() - cpu0
    finally:
        os.close(fd)
        os.unlink(path)
    lat.sort()

    def q(p):
        return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1e6, 1)
    print(json.dumps(dict(count=len(lat), p50_us=q(0.5), p90_us=q(0.9), p99_us=q(0.99), p999_us=q(0.999),
                          max_us=round(lat[-1] * 1e6, 1), stalls_over_5ms=sum(x > STALL_S for x in lat),
                          cpu_us_per_sync=round(cpu / len(lat) * 1e6, 1))))


if __name__ == "__main__":
    main()
