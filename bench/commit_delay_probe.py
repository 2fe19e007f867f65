#!/usr/bin/env python3
"""bench/commit_delay_probe.py: the same load against collectors that differ only in
wal.commit_delay_us, alternating, to measure the trade-off the setting makes.

  .venv/bin/python bench/commit_delay_probe.py DELAYS ROUNDS SECONDS RATE
  e.g. bench/commit_delay_probe.py 0,500,1000 2 20 4000   # open loop, 4,000 events/s
       bench/commit_delay_probe.py 0,1000 2 10 0          # closed loop at maximum, 64 connections

Each run: a fresh collector pinned like bench/run (fsync, Parquet lake), `tracklake loadgen` on the
client core (open loop, 128 connections, when RATE > 0). Prints one JSON line per run: acked
events/s, errors, latency p50/p99/p99.9 (from the intended send time), collector CPU (% of one
core) and fdatasyncs per second (from tracklake_wal_fsync_seconds_count). Prints numbers; not a test.
"""
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib as bl  # noqa: E402

BINARY = str(Path(__file__).resolve().parent.parent / "build" / "release" / "bin" / "tracklake")


def main():
    delays = [int(x) for x in sys.argv[1].split(",")]
    rounds, seconds, rate = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    for r in range(rounds):
        for d in delays:
            c = bl.Collector(BINARY, Path(tempfile.mkdtemp(prefix=f"commit-delay-{d}-")), durability="fsync", max_age=60)
            c.config.write_text(c.config.read_text().replace(
                'durability = "fsync"', f'durability = "fsync"\ncommit_delay_us = {d}'))
            with c:
                before = c.metrics()
                cpu = bl.CpuMeter(c.proc.pid)
                lg = bl.run_loadgen(BINARY, c.url, ["--rate", rate, "--connections", 128 if rate else 64], seconds)
                pct = cpu.percent()
                after = c.metrics()
            key = "tracklake_wal_fsync_seconds_count"
            lat = lg["latency_us"]
            print(json.dumps(dict(delay_us=d, round=r, ok_events_per_s=lg["events_per_s"], errors=lg["errors"],
                                  p50_ms=lat["p50"] / 1000, p99_ms=lat["p99"] / 1000, p999_ms=lat["p99_9"] / 1000,
                                  cpu_pct=round(pct, 1),
                                  fsyncs_per_s=round((after.get(key, 0) - before.get(key, 0)) / seconds))), flush=True)


if __name__ == "__main__":
    main()
