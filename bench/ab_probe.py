#!/usr/bin/env python3
"""bench/ab_probe.py: two (or more) collector binaries under the same load, alternating, to
measure what a change does. Build the "before" binary first and copy it aside, e.g.

  git stash; cmake --build --preset release; cp build/release/bin/tracklake /tmp/tl-before; git stash pop
  cmake --build --preset release
  .venv/bin/python bench/ab_probe.py --variant before=/tmp/tl-before \\
      --variant after=build/release/bin/tracklake --durability write --rate 4000 --seconds 20 --rounds 2

A variant may add [wal] settings after the binary: --variant 'delay500=BINARY;commit_delay_us = 500'.

Each run: a fresh collector pinned like bench/run (Parquet lake, flush.max_age 10 s). With --rate,
`tracklake loadgen` sends the reference 1 KB event open loop over 128 connections; with --rate 0,
wrk at maximum over 64 connections (--body single or batch100). Prints one JSON line per run:
acked events/s, latency percentiles (open loop), collector CPU (% of one core), fdatasyncs/s.
Prints numbers; not a test.
"""
import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib as bl  # noqa: E402


def run_once(binary, wal_lines, a):
    c = bl.Collector(binary, Path(tempfile.mkdtemp(prefix="ab-probe-")), durability=a.durability, max_age=10)
    durability = f'durability = "{a.durability}"'
    c.config.write_text(c.config.read_text().replace(durability, "\n".join([durability, *wal_lines])))
    with c:
        before = c.metrics()
        cpu = bl.CpuMeter(c.proc.pid)
        if a.rate:
            lg = bl.run_loadgen(binary, c.url, ["--rate", a.rate, "--connections", 128,
                                                "--event-file", bl.SHARED / "event.json"], a.seconds)
            lat = lg["latency_us"]
            out = dict(events_per_s=lg["events_per_s"], errors=lg["errors"], p50_ms=lat["p50"] / 1000,
                       p99_ms=lat["p99"] / 1000, p999_ms=lat["p99_9"] / 1000)
        else:
            script = bl.SHARED / ("post_event.lua" if a.body == "single" else "post_batch100.lua")
            env = {"URL_PATH": "/v1/events", "BASE_SCRIPT": str(script), "WRITE_KEY": bl.WRITE_KEY}
            w = bl.run_wrk(c.url, bl.HERE / "wrk_auth.lua", a.seconds, 64, env)
            out = dict(events_per_s=round(w["ok_events_per_s"]))
        out["cpu_pct"] = round(cpu.percent(), 1)
        after = c.metrics()
    key = "tracklake_wal_fsync_seconds_count"
    out["fsyncs_per_s"] = round((after.get(key, 0) - before.get(key, 0)) / a.seconds)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--variant", action="append", required=True, help="NAME=BINARY[;wal setting;...] (repeat)")
    p.add_argument("--durability", default="fsync", choices=["fsync", "write"])
    p.add_argument("--rate", type=int, default=4000, help="events/s open loop; 0: closed loop at maximum")
    p.add_argument("--body", default="single", choices=["single", "batch100"])
    p.add_argument("--seconds", type=int, default=20)
    p.add_argument("--rounds", type=int, default=2)
    a = p.parse_args()
    variants = [v.split("=", 1) for v in a.variant]
    for r in range(a.rounds):
        for name, spec in variants:
            binary, *wal_lines = spec.split(";")
            out = run_once(os.path.abspath(binary), wal_lines, a)
            print(json.dumps(dict(variant=name, round=r, durability=a.durability, rate=a.rate, **out)), flush=True)


if __name__ == "__main__":
    main()
