#!/usr/bin/env python3
"""bench/client_bench.py: what the client packages cost a service (issue 24).

For each client (Python `tracklake`, C++ `tracklake::client`), against one local collector pinned
like bench/run (core 0, fsync, Parquet lake, the shared 1 KB reference event's 22 custom fields):
  - track() on the caller's thread: wall time per call (median and p90 of runs of 1,000 calls)
    and the caller thread's CPU time per call, while the sender delivers;
  - the process's CPU time (caller and sender threads) per event, from the first track() to the
    end of flush();
  - system calls the caller's thread makes inside the track() loop, counted with strace -f
    between two getppid() markers (--syscalls);
  - delivered events/s: N events over the time from the first track() to the end of flush();
  - Python only: the latency of single track() calls (p50, p99, p99.9, max of min(N, 20,000)
    calls timed one by one while the sender delivers), where a sender holding the GIL shows;
  - instructions per track() under callgrind (--instructions), the figure that does not move
    with the load of a shared machine: C++ counts Track() itself; Python, the difference of two
    runs of the interpreter (2,000 calls and none, the sender idle), and the same with flush()
    to the collector (caller and sender: all the CPU an event costs the process).
The client runs pinned to core 1 (BENCH_CLIENT_CORE). Prints a Markdown table and the JSON rows.
--baseline-python DIR measures another copy of the Python package (a checkout of an earlier
commit's clients/python) in the same run, just before the current one.

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


def python_worker(url, events, package, mode="measure"):
    """Runs in its own process (pinned): the Python half of the measurement, one JSON line out.
    For callgrind, mode "idle" only runs the track() loop (nothing is sent) and "flush" the loop
    then flush(); both make a first call before (the sender thread, keys seen), so that a run
    with no events counts all but the events' own cost."""
    sys.path.insert(0, package)
    import tracklake
    fields = reference_fields()
    latency_calls = min(events, 20_000)
    room = 1_000_000 if mode == "idle" else max(events + latency_calls + 1, 10_000)
    options = dict(batch_events=room, batch_bytes=room * 2048, batch_age=3600) if mode == "idle" else {}
    t = tracklake.Tracker(APP, ["page_view"], endpoint=url, write_key=bl.WRITE_KEY, max_queue_events=room,
                          max_queue_bytes=room * 4096 + (1 << 20), flush_at_exit=False, **options)
    if mode != "measure":
        t.track("page_view", fields)
        for _ in range(events):
            t.track("page_view", fields)
        if mode == "flush" and not (t.flush(300) and t.stats().delivered == events + 1):
            raise SystemExit(f"not delivered: {t.stats()}")
        return
    run = 1000
    per_call = []
    start = time.perf_counter()
    process0 = time.process_time_ns()
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
    process_ns = time.process_time_ns() - process0
    # Single calls, timed one by one while the sender works: a sender holding the GIL shows here.
    clock = time.perf_counter_ns
    single = []
    for _ in range(latency_calls):
        t0 = clock()
        t.track("page_view", fields)
        single.append(clock() - t0)
    flushed = t.flush(300) and flushed
    per_call.sort()
    single.sort()
    s = t.stats()
    print(json.dumps({"client": "python", "events": events, "fields": len(fields),
                      "track_ns_p50": round(quantile(per_call, 0.5)),
                      "track_ns_p90": round(quantile(per_call, 0.9)),
                      "track_ns_max": round(per_call[-1]), "track_cpu_ns": round(cpu_ns / events),
                      "process_cpu_ns_per_event": round(process_ns / events),
                      "single_ns": {q: round(quantile(single, float(q))) for q in ("0.5", "0.99", "0.999")}
                      | {"max": single[-1], "calls": latency_calls},
                      "delivered_per_s": round(events / seconds), "flushed": flushed,
                      "delivered": s.delivered, "dropped": s.dropped, "retries": s.retries}))


def client_command(kind, url, events, binary_dir, package=None, mode="measure"):
    if kind == "python":
        return [sys.executable, __file__, "--python-worker", url, "--events", str(events),
                "--python-package", package or str(ROOT / "clients" / "python"), "--worker-mode", mode]
    return [str(binary_dir / "tracklake_client_bench"), "--endpoint", url, "--key", bl.WRITE_KEY, "--app", APP,
            "--event-file", str(bl.SHARED / "event.json"), "--events", str(events)]


def measure(kind, url, events, binary_dir, package=None):
    out = subprocess.run(["taskset", "-c", bl.CLIENT_CORE] + client_command(kind, url, events, binary_dir, package),
                         capture_output=True, text=True, check=True, timeout=1800).stdout
    return json.loads(out.strip().splitlines()[-1])


def syscalls_in_track_loop(kind, url, events, binary_dir, package=None):
    """System calls of the caller's thread between the two getppid() markers, per track() call."""
    with tempfile.TemporaryDirectory() as tmp:
        trace = Path(tmp) / "trace"
        proc = subprocess.run(["strace", "-f", "-o", str(trace)]
                              + client_command(kind, url, events, binary_dir, package),
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


def callgrind_total(command, toggle=None):
    """Instructions the command runs under callgrind (only inside toggle's function if given)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cg.out"
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"]
                       + ([f"--toggle-collect={toggle}"] if toggle else []) + command,
                       capture_output=True, check=True, timeout=1800)
        summary = subprocess.run(["callgrind_annotate", str(out)], capture_output=True, text=True, check=True).stdout
    for line in summary.splitlines():
        if "PROGRAM TOTALS" in line:
            return int(line.split()[0].replace(",", ""))
    raise RuntimeError("no PROGRAM TOTALS in callgrind_annotate output")


def instructions_per_track(url, events, binary_dir):
    return callgrind_total(client_command("cpp", url, events, binary_dir),
                           toggle="tracklake::client::Tracker::Track(*") / events


def python_instructions(url, package, calls=2000, process=True):
    """(per track() on the caller's thread, per event for the whole process with flush() or None
    when not process: each costs two runs of the interpreter under callgrind, ~30 s here)."""
    def per_event(mode):
        runs = [callgrind_total(client_command("python", url, n, None, package, mode)) for n in (0, calls)]
        return (runs[1] - runs[0]) / calls
    return per_event("idle"), per_event("flush") if process else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--python-worker", metavar="URL")
    ap.add_argument("--worker-mode", default="measure", choices=("measure", "idle", "flush"))
    ap.add_argument("--python-package", default=str(ROOT / "clients" / "python"))
    ap.add_argument("--baseline-python", metavar="DIR",
                    help="also measure this copy of clients/python (an earlier commit's), just before the current one")
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--smoke", action="store_true", help="2,000 events, every phase once")
    ap.add_argument("--syscalls", action="store_true", help="count the caller thread's system calls (strace)")
    ap.add_argument("--instructions", action="store_true", help="instructions per track() (callgrind)")
    ap.add_argument("--clients", default="python,cpp")
    args = ap.parse_args()
    if args.python_worker:
        return python_worker(args.python_worker, args.events, args.python_package, args.worker_mode)
    events = 2000 if args.smoke else args.events
    binary = Path(os.environ.get("TRACKLAKE_BIN", ROOT / "build" / "release" / "bin" / "tracklake"))
    rows = []
    print(f"load average before: {' '.join(bl.load_average())}", flush=True)
    with tempfile.TemporaryDirectory() as tmp, bl.Collector(str(binary), Path(tmp) / "c") as c:
        runs = []
        for kind in args.clients.split(","):
            if kind == "python" and args.baseline_python:
                runs.append(("python", str(Path(args.baseline_python).resolve())))
            runs.append((kind, None))
        for kind, package in runs:
            row = measure(kind, c.url, events, binary.parent, package)
            if package:
                row["client"] += f" (baseline {package})"
            # --smoke runs these only where the tools are installed (they are not test dependencies).
            if args.syscalls or (args.smoke and shutil.which("strace")):
                row["syscalls_per_track"], row["syscalls"] = syscalls_in_track_loop(
                    kind, c.url, min(events, 20_000), binary.parent, package)
            if args.instructions or (args.smoke and shutil.which("valgrind")):
                if kind == "cpp":
                    row["instructions_per_track"] = round(instructions_per_track(c.url, min(events, 5000),
                                                                                 binary.parent))
                else:
                    # --smoke: the caller's count only (the process's runs the same code, twice as long).
                    caller, process = python_instructions(c.url, package, 2000,
                                                          process=not args.smoke or args.instructions)
                    row["instructions_per_track"] = round(caller)
                    if process is not None:
                        row["instructions_per_event_process"] = round(process)
            rows.append(row)
    print(f"load average after: {' '.join(bl.load_average())}")
    print("\n| client | events | track() p50 / p90 of runs of 1,000 | single calls p50 / p99 / p99.9 / max | "
          "caller CPU per track() | process CPU per event | syscalls per track() | instructions per track() "
          "(process per event) | delivered events/s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        sc = f"{r['syscalls_per_track']:.4f} ({', '.join(f'{k} {v}' for k, v in r['syscalls'].items()) or 'none'})" \
            if "syscalls_per_track" in r else "-"
        ins = f"{r['instructions_per_track']:,}" if "instructions_per_track" in r else "-"
        if "instructions_per_event_process" in r:
            ins += f" ({r['instructions_per_event_process']:,})"
        single = " / ".join(f"{r['single_ns'][q] / 1000:.2f}" for q in ("0.5", "0.99", "0.999", "max")) + " µs" \
            if "single_ns" in r else "-"
        process = f"{r['process_cpu_ns_per_event'] / 1000:.2f} µs" if "process_cpu_ns_per_event" in r else "-"
        print(f"| {r['client']} | {r['events']:,} | "
              f"{r['track_ns_p50'] / 1000:.2f} / {r['track_ns_p90'] / 1000:.2f} µs | {single} | "
              f"{r['track_cpu_ns'] / 1000:.2f} µs | {process} | {sc} | {ins} | {r['delivered_per_s']:,} |")
    for r in rows:
        print(json.dumps(r))
    if not all(r["flushed"] and r["dropped"] == 0 for r in rows):
        print("a client did not deliver everything", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main() or 0)
