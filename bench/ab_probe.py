#!/usr/bin/env python3
"""bench/ab_probe.py: two (or more) collector binaries under the same load, alternating, to
measure what a change does. Build the "before" binary first and copy it aside, e.g.

  git stash; cmake --build --preset release; cp build/release/bin/tracklake /tmp/tl-before; git stash pop
  cmake --build --preset release
  .venv/bin/python bench/ab_probe.py --variant before=/tmp/tl-before \\
      --variant after=build/release/bin/tracklake --durability write --rate 4000 --seconds 20 --rounds 2

A variant may add settings after the binary: [wal] ones bare, others as section.key:
--variant 'delay500=BINARY;commit_delay_us = 500' --variant 'nolag=BINARY;flush.max_delivery_lag = 0'.

Each run: a fresh collector pinned like bench/run (Parquet lake, flush.max_age 10 s). With --rate,
`tracklake loadgen` sends the reference 1 KB event open loop over 128 connections (in 100-event
batches with --body batch100); with --rate 0,
wrk at maximum over 64 connections (--body single or batch100). Prints one JSON line per run:
acked events/s, latency percentiles, collector CPU (% of one core), fdatasyncs/s, the share of log
writes and fdatasyncs done within 250 µs; with --lake,
also the wait until the lake holds every accepted event and the delivered events/s over the whole
window (first request until caught up), as bench/run reports them. Prints numbers; not a test.
"""
import argparse
import json
import os
import re
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib as bl  # noqa: E402


MAX_AGE = 10  # flush.max_age of every run


def apply_settings(config, durability, settings):
    """Bare settings go to [wal] (after its durability line); section.key ones under [section]."""
    text = config.read_text()
    for line in settings:
        key = line.split("=", 1)[0].strip()
        if "." in key:
            section, bare = line.strip().split(".", 1)
            header = f"[{section}]\n"
            name = bare.split("=", 1)[0].strip()
            # A key the base configuration sets already (flush.max_age) is replaced, not repeated.
            body = re.search(rf"^\[{re.escape(section)}\]\n(?:[^\[\n].*\n)*", text, re.M)
            if body and re.search(rf"^{re.escape(name)}\s*=.*$", body.group(0), re.M):
                block = re.sub(rf"^{re.escape(name)}\s*=.*$", bare, body.group(0), count=1, flags=re.M)
                text = text[:body.start()] + block + text[body.end():]
            else:
                text = text.replace(header, header + bare + "\n", 1) if header in text else f"{text}\n{header}{bare}\n"
        else:
            anchor = f'durability = "{durability}"'
            text = text.replace(anchor, f"{anchor}\n{line}", 1)
    config.write_text(text)


def wal_buckets(c):
    """Cumulative bucket counts of the log's write and fdatasync latency histograms."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{c.port}/metrics", timeout=5).read().decode()
    out = {}
    for m in re.finditer(r'^tracklake_wal_(append|fsync)_seconds_bucket\{le="([^"]+)"\} (\S+)$', text, re.M):
        out[(m.group(1), m.group(2))] = float(m.group(3))
    return out


def share_under(before, after, kind, le):
    """Per cent of the run's log writes or fdatasyncs that took at most le seconds."""
    total = after.get((kind, "+Inf"), 0) - before.get((kind, "+Inf"), 0)
    under = after.get((kind, le), 0) - before.get((kind, le), 0)
    return round(100 * under / total, 1) if total else None


def run_once(binary, settings, a):
    c = bl.Collector(binary, Path(tempfile.mkdtemp(prefix="ab-probe-")), durability=a.durability, max_age=MAX_AGE)
    apply_settings(c.config, a.durability, settings)
    with c:
        buckets_before = wal_buckets(c)
        before = c.metrics()
        cpu = bl.CpuMeter(c.proc.pid)
        t0 = time.monotonic()
        if a.rate:
            batch = ["--batch", 100] if a.body == "batch100" else []
            lg = bl.run_loadgen(binary, c.url, ["--rate", a.rate, "--connections", 128,
                                                "--event-file", bl.loadgen_event_file(), *batch], a.seconds)
            lat = lg["latency_us"]
            out = dict(events_per_s=lg["events_per_s"], errors=lg["errors"], p50_ms=lat["p50"] / 1000,
                       p99_ms=lat["p99"] / 1000, p999_ms=lat["p99_9"] / 1000)
        else:
            script = bl.SHARED / ("post_event.lua" if a.body == "single" else "post_batch100.lua")
            env = {"URL_PATH": "/v1/events", "BASE_SCRIPT": str(script), "WRITE_KEY": bl.WRITE_KEY}
            w = bl.run_wrk(c.url, bl.HERE / "wrk_auth.lua", a.seconds, 64, env)
            out = dict(events_per_s=round(w["ok_events_per_s"]), p50_ms=w["p50_us"] / 1000, p99_ms=w["p99_us"] / 1000)
        out["cpu_pct"] = round(cpu.percent(), 1)
        after = c.metrics()
        buckets_after = wal_buckets(c)
        out["writes_le_250us_pct"] = share_under(buckets_before, buckets_after, "append", "0.00025")
        out["fsyncs_le_250us_pct"] = share_under(buckets_before, buckets_after, "fsync", "0.00025")
        if a.lake:
            ok, waited, rows, _ = c.wait_caught_up(after.get("tracklake_events_accepted_total", 0), MAX_AGE + bl.CATCH_UP_GRACE_S)
            out.update(caught_up=ok, catch_up_s=round(waited, 1),
                       delivered_per_s=round(rows / (time.monotonic() - t0)) if ok else 0,
                       peak_rss_mib=round(bl.peak_rss_mib(c.proc.pid)))
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
    p.add_argument("--lake", action="store_true", help="also wait for the lake and report delivered events/s")
    a = p.parse_args()
    variants = [v.split("=", 1) for v in a.variant]
    for r in range(a.rounds):
        for name, spec in variants:
            binary, *settings = spec.split(";")
            out = run_once(os.path.abspath(binary), settings, a)
            print(json.dumps(dict(variant=name, round=r, durability=a.durability, rate=a.rate, **out)), flush=True)


if __name__ == "__main__":
    main()
