#!/usr/bin/env python3
"""bench/syscalls.py: where a collector's core goes, counted rather than sampled. Runs one collector
pinned like bench/run (fsync, Parquet lake) under wrk at maximum rate (--rate 0, 64 connections) or
under `tracklake loadgen` open loop (--rate R, 128 connections), and over a window in the middle of the
load prints:
  - each core's split (user, system, softirq, idle, iowait) from /proc/stat: whether the server core is
    saturated or waits on the disk;
  - per thread, the system calls of each kind and the context switches (perf stat tracepoints), also
    per request (per acknowledged request in the window).
Needs linux-perf (Debian's linux-perf) and permission to read tracepoints. Prints numbers; not a test.

  .venv/bin/python bench/syscalls.py --rate 0 --body single
  .venv/bin/python bench/syscalls.py --rate 4000 --binary /tmp/tl-before
"""
import argparse
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib as bl  # noqa: E402

SYSCALLS = ["recvmsg", "sendmsg", "epoll_wait", "epoll_ctl", "futex", "write", "read", "pwritev",
            "pwritev2", "preadv", "pread64", "fdatasync", "timerfd_settime", "clock_nanosleep"]
STAT_FIELDS = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"]


def cpu_times():
    rows = {}
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("cpu") and line[3].isdigit():
            name, *values = line.split()
            rows[name] = list(map(int, values[:len(STAT_FIELDS)]))
    return rows


def thread_names(pid):
    return {t.name: (Path(f"/proc/{pid}/task/{t.name}/comm").read_text().strip())
            for t in Path(f"/proc/{pid}/task").iterdir()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=str(bl.HERE.parent / "build/release/bin/tracklake"))
    ap.add_argument("--rate", type=int, default=0, help="events/s open loop; 0: wrk at maximum")
    ap.add_argument("--body", choices=["single", "batch100"], default="single")
    ap.add_argument("--seconds", type=int, default=4, help="the counted window")
    a = ap.parse_args()
    load_s = a.seconds + 6
    with tempfile.TemporaryDirectory(prefix="tracklake-syscalls-") as tmp, \
            bl.Collector(a.binary, Path(tmp) / "c", durability="fsync", max_age=10) as c:
        result = {}
        if a.rate:
            batch = ["--batch", "100"] if a.body == "batch100" else []
            args = ["--rate", a.rate, "--connections", 128, "--event-file", bl.loadgen_event_file(), *batch]
            run = lambda: result.update(bl.run_loadgen(a.binary, c.url, args, load_s))  # noqa: E731
        else:
            script = bl.SHARED / ("post_event.lua" if a.body == "single" else "post_batch100.lua")
            env = {"URL_PATH": "/v1/events", "BASE_SCRIPT": str(script), "WRITE_KEY": bl.WRITE_KEY}
            run = lambda: result.update(bl.run_wrk(c.url, bl.HERE / "wrk_auth.lua", load_s, 64, env))  # noqa: E731
        load = threading.Thread(target=run)
        load.start()
        time.sleep(3)
        acked0 = c.metrics().get("tracklake_events_accepted_total", 0)
        t0 = time.monotonic()
        before = cpu_times()
        events = ",".join(f"syscalls:sys_enter_{s}" for s in SYSCALLS) + ",context-switches"
        stat = subprocess.run(["perf", "stat", "-x", ",", "--per-thread", "-e", events, "-p", str(c.proc.pid),
                               "--", "sleep", str(a.seconds)], capture_output=True, text=True)
        after = cpu_times()
        acked = c.metrics().get("tracklake_events_accepted_total", 0) - acked0
        wall = time.monotonic() - t0  # perf counts for exactly a.seconds of it
        names = thread_names(c.proc.pid)
        load.join()
    # Per request: counts over perf's window at the request rate of the (slightly longer) metric window.
    requests_per_s = acked / wall / (100 if a.body == "batch100" else 1)
    requests = requests_per_s * a.seconds
    print(f"window {a.seconds} s: {acked / wall:,.0f} events/s acknowledged, {requests_per_s:,.0f} requests/s")
    for core in sorted(before):
        d = [y - x for x, y in zip(before[core], after[core])]
        total = sum(d) or 1
        split = "  ".join(f"{f} {100 * v / total:5.1f}" for f, v in zip(STAT_FIELDS, d) if f not in ("nice", "steal"))
        print(f"{core}: {split} (% of the core)")
    counts = {}
    for line in stat.stderr.splitlines():
        parts = line.split(",")
        if len(parts) < 4 or not parts[1].strip().isdigit():
            continue
        thread, value, event = parts[0].strip(), int(parts[1]), parts[3].replace("syscalls:sys_enter_", "")
        tid = thread.rsplit("-", 1)[-1]
        counts.setdefault(names.get(tid, thread), {})[event] = counts.get(names.get(tid, thread), {}).get(event, 0) + value
    print(f"{'thread':16s} {'event':18s} {'count':>10s} {'per request':>12s}")
    for thread, by_event in sorted(counts.items(), key=lambda kv: -sum(kv[1].values())):
        for event, n in sorted(by_event.items(), key=lambda kv: -kv[1]):
            if n:
                print(f"{thread:16s} {event:18s} {n:10d} {n / max(requests, 1):12.3f}")
    if result:
        print("load:", {k: result[k] for k in ("req_per_s", "events_per_s", "p50_us", "p99_us") if k in result})


if __name__ == "__main__":
    main()
