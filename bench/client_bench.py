#!/usr/bin/env python3
"""bench/client_bench.py: what the client packages cost a service (issue 24).

For each client (Python `tracklake`, C++ `tracklake::client`), against one local collector pinned
like bench/run (core 0, fsync, Parquet lake, the shared 1 KB reference event's 22 custom fields):
  - track() on the caller's thread: wall time per call (median and p90 of runs of 1,000 calls)
    and the caller thread's CPU time per call, while the sender delivers;
  - system calls the caller's thread makes inside the track() loop, counted with strace -f
    between two getppid() markers (--syscalls);
  - delivered events/s: N events over the time from the first track() to the end of flush();
  - C++ only: instructions per Track() call under callgrind (--instructions), the figure that
    does not move with the load of a shared machine.
The client runs pinned to core 1 (BENCH_CLIENT_CORE). Prints a Markdown table and the JSON rows.

  .venv/bin/python bench/client_bench.py                  # 100,000 events per client
  .venv/bin/python bench/client_bench.py --smoke          # 2,000 events, every phase (CI)
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import benchlib as bl  # noqa: E402

APP = "web-storefront-prod"
SERVER_FIELDS = ("event_type", "event_id", "app_id")


def reference_fields():
    event = json.loads((bl.SHARED / "event.json").read_text())
    return {k: v for k, v in event.items() if k not in SERVER_FIELDS}


def quantile(ordered, q):
    """The q-quantile of sorted samples, the same rule as bench/micro/client_bench.cc's."""
    return ordered[int(q * (len(ordered) - 1))]


def python_worker(url, events):
    """Runs in its own process (pinned): the Python half of the measurement, one JSON line out."""
    sys.path.insert(0, str(ROOT / "clients" / "python"))
    import tracklake
    fields = reference_fields()
    t = tracklake.Tracker(APP, ["page_view"], endpoint=url, write_key=bl.WRITE_KEY, max_queue_events=events + 1,
                          max_queue_bytes=events * 2048 + (1 << 20), flush_at_exit=False)
    run = 1000
    per_call = []
    start = time.perf_counter()
    cpu0 = time.thread_time_ns()
    os.getppid()  # marker for strace
    for done in range(0, events, run):
        t0 = time.perf_counter_ns()
        for _ in range(min(run, events - done)):
            t.track("page_view", fields)
        per_call.append((time.perf_counter_ns() - t0) / run)
    os.getppid()  # marker for strace
    cpu_ns = time.thread_time_ns() - cpu0
    flushed = t.flush(300)
    seconds = time.perf_counter() - start
    per_call.sort()
    s = t.stats()
    print(json.dumps({"client": "python", "events": events, "fields": len(fields),
                      "track_ns_p50": round(quantile(per_call, 0.5)),
                      "track_ns_p90": round(quantile(per_call, 0.9)),
                      "track_ns_max": round(per_call[-1]), "track_cpu_ns": round(cpu_ns / events),
                      "delivered_per_s": round(events / seconds), "flushed": flushed, "delivered": s.delivered,
                      "dropped": s.dropped, "retries": s.retries}))


def client_command(kind, url, events, binary_dir):
    if kind == "python":
        return [sys.executable, __file__, "--python-worker", url, "--events", str(events)]
    return [str(binary_dir / "tracklake_client_bench"), "--endpoint", url, "--key", bl.WRITE_KEY, "--app", APP,
            "--event-file", str(bl.SHARED / "event.json"), "--events", str(events)]


def measure(kind, url, events, binary_dir):
    out = subprocess.run(["taskset", "-c", bl.CLIENT_CORE] + client_command(kind, url, events, binary_dir),
                         capture_output=True, text=True, check=True, timeout=1800).stdout
    return json.loads(out.strip().splitlines()[-1])


def syscalls_in_track_loop(kind, url, events, binary_dir):
    """System calls of the caller's thread between the two getppid() markers, per track() call."""
    with tempfile.TemporaryDirectory() as tmp:
        trace = Path(tmp) / "trace"
        proc = subprocess.run(["strace", "-f", "-o", str(trace)] + client_command(kind, url, events, binary_dir),
                              capture_output=True, text=True, timeout=1800)
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr[-2000:])
        lines = trace.read_text().splitlines()
    main = lines[0].split()[0]
    inside, calls, names = False, 0, {}
    for line in lines:
        pid, _, rest = line.partition(" ")
        if pid != main:
            continue
        rest = rest.strip()
        if rest.startswith("getppid("):
            if inside:
                break
            inside = True
            continue
        if inside and not rest.startswith("<..."):
            calls += 1
            name = rest.split("(", 1)[0]
            names[name] = names.get(name, 0) + 1
    return calls / events, names


def instructions_per_track(url, events, binary_dir):
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cg.out"
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                        "--toggle-collect=tracklake::client::Tracker::Track(*"]
                       + client_command("cpp", url, events, binary_dir), capture_output=True, check=True, timeout=1800)
        summary = subprocess.run(["callgrind_annotate", str(out)], capture_output=True, text=True, check=True).stdout
    for line in summary.splitlines():
        if "PROGRAM TOTALS" in line:
            return int(line.split()[0].replace(",", "")) / events
    raise RuntimeError("no PROGRAM TOTALS in callgrind_annotate output")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--python-worker", metavar="URL")
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--smoke", action="store_true", help="2,000 events, every phase once")
    ap.add_argument("--syscalls", action="store_true", help="count the caller thread's system calls (strace)")
    ap.add_argument("--instructions", action="store_true", help="instructions per C++ Track() (callgrind)")
    ap.add_argument("--clients", default="python,cpp")
    args = ap.parse_args()
    if args.python_worker:
        return python_worker(args.python_worker, args.events)
    events = 2000 if args.smoke else args.events
    binary = Path(os.environ.get("TRACKLAKE_BIN", ROOT / "build" / "release" / "bin" / "tracklake"))
    rows = []
    print(f"load average before: {' '.join(bl.load_average())}", flush=True)
    with tempfile.TemporaryDirectory() as tmp, bl.Collector(str(binary), Path(tmp) / "c") as c:
        for kind in args.clients.split(","):
            row = measure(kind, c.url, events, binary.parent)
            # --smoke runs these only where the tools are installed (they are not test dependencies).
            if args.syscalls or (args.smoke and shutil.which("strace")):
                row["syscalls_per_track"], row["syscalls"] = syscalls_in_track_loop(
                    kind, c.url, min(events, 20_000), binary.parent)
            if kind == "cpp" and (args.instructions or (args.smoke and shutil.which("valgrind"))):
                row["instructions_per_track"] = round(instructions_per_track(c.url, min(events, 5000), binary.parent))
            rows.append(row)
    print(f"load average after: {' '.join(bl.load_average())}")
    print("\n| client | events | track() p50 | p90 | caller CPU per track() | syscalls per track() | "
          "instructions per Track() | delivered events/s |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        sc = f"{r['syscalls_per_track']:.4f} ({', '.join(f'{k} {v}' for k, v in r['syscalls'].items()) or 'none'})" \
            if "syscalls_per_track" in r else "-"
        ins = f"{r['instructions_per_track']:,}" if "instructions_per_track" in r else "-"
        print(f"| {r['client']} | {r['events']:,} | {r['track_ns_p50'] / 1000:.2f} µs | {r['track_ns_p90'] / 1000:.2f} µs | "
              f"{r['track_cpu_ns'] / 1000:.2f} µs | {sc} | {ins} | {r['delivered_per_s']:,} |")
    for r in rows:
        print(json.dumps(r))
    if not all(r["flushed"] and r["dropped"] == 0 for r in rows):
        print("a client did not deliver everything", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main() or 0)
