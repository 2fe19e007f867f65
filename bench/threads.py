#!/usr/bin/env python3
"""bench/threads.py: on-CPU time per request of each thread, from the scheduler's own accounting.

perf samples in this VM land where interrupts are re-enabled (finish_task_switch and the like), so
they misplace the time a thread spends being switched in and woken. The scheduler's runtime
(/proc/<pid>/task/<tid>/schedstat, nanoseconds, the sum of utime and stime is scaled to it) is
exact. For each server given, one at a time under the same load (pinned like bench/run), this prints
over a window in the middle of the load, per thread: microseconds on a CPU per request, scheduler
slices (times switched in) per request, and voluntary and involuntary switches per request.

  .venv/bin/python bench/threads.py --rate 4000 nginx tracklake       # open loop, 128 connections
  .venv/bin/python bench/threads.py --rate 0 tracklake=/tmp/tl-before tracklake   # wrk at maximum

A server is `nginx` (Debian's, returning 204) or `tracklake[=BINARY]` (fsync, Parquet lake).
Prints numbers; not a test.
"""
import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib as bl  # noqa: E402

DEFAULT_BINARY = str(bl.HERE.parent / "build/release/bin/tracklake")


def thread_times(pids):
    """{name/tid: (runtime ns, slices, voluntary switches, involuntary switches)} of every thread."""
    out = {}
    for pid in pids:
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                name = (task / "comm").read_text().strip()
                runtime, _, slices = map(int, (task / "schedstat").read_text().split())
                status = dict(line.split(":", 1) for line in (task / "status").read_text().splitlines() if ":" in line)
                out[f"{name}/{task.name}"] = (runtime, slices, int(status["voluntary_ctxt_switches"]),
                                              int(status["nonvoluntary_ctxt_switches"]))
            except (OSError, KeyError, ValueError):
                continue  # the thread ended meanwhile
    return out


def measure(label, url, pids, rate, seconds, loadgen_binary):
    result = {}
    load_s = seconds + 6
    if rate:
        args = ["--rate", rate, "--connections", 128, "--event-file", bl.loadgen_event_file()]
        run = lambda: result.update(bl.run_loadgen(loadgen_binary, url, args, load_s))  # noqa: E731
    else:
        env = {"URL_PATH": "/v1/events", "BASE_SCRIPT": str(bl.SHARED / "post_event.lua"), "WRITE_KEY": bl.WRITE_KEY}
        run = lambda: result.update(bl.run_wrk(url, bl.HERE / "wrk_auth.lua", load_s, 64, env))  # noqa: E731
    load = threading.Thread(target=run)
    load.start()
    time.sleep(3)
    before, t0 = thread_times(pids), time.monotonic()
    time.sleep(seconds)
    after, t1 = thread_times(pids), time.monotonic()
    load.join()
    # wrk reports its whole run's rate; the window sits inside it, at the same steady rate.
    per_s = rate or result["ok_req_per_s"]
    requests = per_s * (t1 - t0)
    if rate:
        lat = result["latency_us"]
        p50, p99 = lat["p50"], lat["p99"]
    else:
        p50, p99 = result["p50_us"], result["p99_us"]
    print(f"{label}: {per_s:,.0f} requests/s, p50 {p50 / 1000:.2f} ms, p99 {p99 / 1000:.2f} ms")
    print(f"  {'thread':24s} {'us/request':>10s} {'slices':>7s} {'vol':>6s} {'invol':>6s}  (per request)")
    total = 0
    for key, b in after.items():
        a = before.get(key)
        if a is None:
            continue
        d = [y - x for x, y in zip(a, b)]
        total += d[0]
        if d[0] >= 0.001 * (t1 - t0) * 1e9:  # threads using under 0.1 % of a core are left out
            print(f"  {key:24s} {d[0] / requests / 1000:10.2f} {d[1] / requests:7.3f} {d[2] / requests:6.3f} "
                  f"{d[3] / requests:6.3f}")
    print(f"  {'all threads':24s} {total / requests / 1000:10.2f}   = {100 * total / ((t1 - t0) * 1e9):.1f} % of a core")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("servers", nargs="+", help="nginx or tracklake[=BINARY], measured in this order")
    ap.add_argument("--rate", type=int, default=0, help="requests/s open loop (tracklake loadgen); 0: wrk at maximum")
    ap.add_argument("--seconds", type=int, default=6, help="the counted window")
    a = ap.parse_args()
    for server in a.servers:
        name, _, binary = server.partition("=")
        if name == "nginx":
            with bl.Nginx() as nginx:
                measure("nginx 204", bl.Nginx.URL, [nginx.proc.pid, *bl.children(nginx.proc.pid)], a.rate,
                        a.seconds, DEFAULT_BINARY)
        elif name == "tracklake":
            binary = binary or DEFAULT_BINARY
            with tempfile.TemporaryDirectory(prefix="tracklake-threads-") as tmp, \
                    bl.Collector(binary, Path(tmp) / "c", durability="fsync", max_age=10) as c:
                measure(f"tracklake {binary}", c.url, [c.proc.pid], a.rate, a.seconds, DEFAULT_BINARY)
        else:
            ap.error(f"unknown server {server!r}: nginx or tracklake[=BINARY]")


if __name__ == "__main__":
    main()
