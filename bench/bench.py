"""The benchmark suite behind bench/run: the nginx ceiling, tracklake at maximum rate (fsync and
write durability, single events and 100-event batches), an open-loop sweep, end-to-end freshness
and a 4 KB / 20-type memory run. Writes bench/results/<date>.json, .md and .png; prints ratios
against the ceiling measured in the same run. Every figure of a tracklake run comes with its
delivery check: the lake must hold every accepted event within flush.max_age + 5 s of the end."""
import argparse
import datetime
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import benchlib as bl
import protocols
import report


def env_float(name, default):
    return float(os.environ.get(name, default))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--smoke", action="store_true", help="every phase with tiny durations (about 10-20 s)")
    p.add_argument("--out", default=str(bl.HERE / "results"), help="results folder")
    p.add_argument("--phases", default="disk,ceiling,max,protocols,openloop,freshness,memory,kafka", help="comma-separated subset")
    p.add_argument("--kafka-s", type=float, help="seconds of load per sink in the Kafka phase (env BENCH_KAFKA_S)")
    p.add_argument("--max-s", type=float, help="seconds per maximum-rate run (env BENCH_MAX_S)")
    p.add_argument("--sustained-s", type=float, help="seconds of the sustained max-rate runs, 0 = skip (BENCH_SUSTAINED_S)")
    p.add_argument("--open-s", type=float, help="seconds per open-loop rate (BENCH_OPEN_S)")
    p.add_argument("--rates", help="open-loop rates, events/s (BENCH_RATES)")
    p.add_argument("--fresh-s", type=float, help="seconds of marker sending (BENCH_FRESH_S)")
    p.add_argument("--fresh-max-age", type=int, help="flush.max_age of the freshness run (BENCH_FRESH_MAX_AGE)")
    p.add_argument("--memory-s", type=float, help="seconds of the 4 KB memory run (BENCH_MEMORY_S)")
    p.add_argument("--memory-max-age", type=int, help="flush.max_age of the memory run (BENCH_MEMORY_MAX_AGE)")
    p.add_argument("--max-age", type=int, help="flush.max_age of the other runs (BENCH_MAX_AGE)")
    p.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", 1)),
                   help="rounds of the ceiling and the short max-rate runs, side by side; ratios are medians (BENCH_REPEAT)")
    p.add_argument("--connections", type=int, default=int(os.environ.get("BENCH_CONNECTIONS", 64)), help="wrk connections")
    # Open loop: enough connections that a slow answer does not cap the offered rate (Little's law:
    # 8,000 requests/s at 10 ms needs 80 in flight); real clients each bring their own.
    p.add_argument("--open-connections", type=int, default=int(os.environ.get("BENCH_OPEN_CONNECTIONS", 128)),
                   help="loadgen connections in the open-loop phases")
    a = p.parse_args()
    smoke = a.smoke
    def pick(value, env, full, small):
        return value if value is not None else env_float(env, small if smoke else full)
    a.max_s = pick(a.max_s, "BENCH_MAX_S", 10, 1)
    a.sustained_s = pick(a.sustained_s, "BENCH_SUSTAINED_S", 60, 0)
    a.open_s = pick(a.open_s, "BENCH_OPEN_S", 30, 1)
    a.fresh_s = pick(a.fresh_s, "BENCH_FRESH_S", 20, 1)
    a.fresh_max_age = int(pick(a.fresh_max_age, "BENCH_FRESH_MAX_AGE", 60, 1))
    a.memory_s = pick(a.memory_s, "BENCH_MEMORY_S", 60, 1)
    a.memory_max_age = int(pick(a.memory_max_age, "BENCH_MEMORY_MAX_AGE", 300, 300))
    a.max_age = int(pick(a.max_age, "BENCH_MAX_AGE", 10, 1))
    a.kafka_s = pick(a.kafka_s, "BENCH_KAFKA_S", 20, 1)
    rates = a.rates or os.environ.get("BENCH_RATES") or ("2000" if smoke else "500,2000,4000,8000")
    a.rates = [int(r) for r in rates.split(",")]
    a.phases = set(a.phases.split(","))
    return a


def log(msg):
    print(msg, flush=True)


def wrk_script(body):
    return bl.SHARED / ("post_event.lua" if body == "single" else "post_batch100.lua")


def phase_ceiling(a, res, round_no=0):
    with bl.Nginx():
        for body in ("single", "batch100"):
            r = bl.run_wrk(bl.Nginx.URL, wrk_script(body), max(1, round(a.max_s)), a.connections, {"URL_PATH": "/v1/events"})
            r["round"] = round_no
            res["ceiling_rounds"].append(dict(r, body=body))
            res["ceiling"][body] = median_run([c for c in res["ceiling_rounds"] if c["body"] == body])
            log(f"  nginx {body:8s}: {r['req_per_s']:>9.0f} req/s {r['ok_events_per_s']:>10.0f} events/s  p99 {r['p99_us'] / 1000:.2f} ms")


def median_run(runs):
    """The run with the median req/s (the lower middle one for an even count)."""
    ordered = sorted(runs, key=lambda r: r["ok_req_per_s"])
    return ordered[(len(ordered) - 1) // 2]


def tracklake_max_run(a, root, durability, body, seconds, wrk_env=None):
    """wrk at maximum rate against a fresh collector, then the delivery check. wrk_env overrides the
    wrk script's environment (another body file and path: the protocols phase)."""
    with bl.Collector(a.binary, root, durability=durability, max_age=a.max_age) as c:
        cpu = bl.CpuMeter(c.proc.pid)
        t0 = time.monotonic()
        r = bl.run_wrk(c.url, bl.HERE / "wrk_auth.lua", seconds, a.connections,
                       {"URL_PATH": "/v1/events", "BASE_SCRIPT": str(wrk_script(body)), "WRITE_KEY": bl.WRITE_KEY,
                        **(wrk_env or {})})
        r["server_cpu_pct"] = cpu.percent()
        acked = r["ok_requests"] * r["events_per_req"]
        ok, waited, rows, accepted = c.wait_caught_up(acked, a.max_age + bl.CATCH_UP_GRACE_S)
        # Delivered: what reached the lake over the whole window, from the first request until caught up.
        delivered = rows / (time.monotonic() - t0) if ok else 0.0
        r.update(durability=durability, body=body, seconds=seconds, acked_events=acked, accepted_events=accepted,
                 lake_events=rows, caught_up=ok, catch_up_s=round(waited, 2), max_age=a.max_age,
                 delivered_events_per_s=delivered,
                 peak_rss_mib=bl.peak_rss_mib(c.proc.pid))
        r["sustained"] = ok and seconds >= 60
    return r


def phase_max(a, res, work, round_no=0, sustained=True):
    runs = [(d, b, max(1, round(a.max_s))) for d in ("fsync", "write") for b in ("single", "batch100")]
    if a.smoke:
        runs = [("fsync", "single", 1), ("write", "batch100", 1)]
    if a.sustained_s > 0 and sustained:
        runs += [("fsync", "single", round(a.sustained_s)), ("fsync", "batch100", round(a.sustained_s))]
    for i, (durability, body, secs) in enumerate(runs):
        r = tracklake_max_run(a, work / f"max-{round_no}-{i}", durability, body, secs)
        r["round"] = round_no
        res["max"].append(r)
        ceiling = res["ceiling"].get(body, {}).get("ok_req_per_s")
        ratio = f" = {100 * r['ok_req_per_s'] / ceiling:.0f} % of nginx" if ceiling else ""
        log(f"  tracklake {durability:5s} {body:8s} {secs:>3d}s: {r['ok_req_per_s']:>8.0f} ok req/s {r['ok_events_per_s']:>9.0f} acked events/s{ratio}; "
            f"p99 {r['p99_us'] / 1000:.2f} ms; cpu {r['server_cpu_pct']:.0f} %; lake {'caught up' if r['caught_up'] else 'BEHIND'} "
            f"({r['lake_events']:.0f}/{r['accepted_events']:.0f} in {r['catch_up_s']} s), delivered {r['delivered_events_per_s']:.0f} events/s")


def open_loop_run(a, root, rate, seconds, loadgen_args, max_age):
    with bl.Collector(a.binary, root, durability="fsync", max_age=max_age) as c:
        cpu = bl.CpuMeter(c.proc.pid)
        lg = bl.run_loadgen(a.binary, c.url, ["--rate", rate, "--connections", a.open_connections, *loadgen_args], seconds)
        cpu_pct = cpu.percent()
        rss = bl.peak_rss_mib(c.proc.pid)
        if max_age + bl.CATCH_UP_GRACE_S <= 60:
            ok, waited, rows, accepted = c.wait_caught_up(lg["ok_events"], max_age + bl.CATCH_UP_GRACE_S)
            how = "by age"
        else:  # a long flush.max_age (memory run): the graceful stop must flush every partition
            t = time.monotonic()
            accepted = c.metrics().get("tracklake_events_accepted_total", 0)
            c.stop()
            rows = c.lake_rows()
            ok, waited, how = rows >= accepted and rows >= lg["ok_events"], time.monotonic() - t, "at stop"
        lat = lg["latency_us"]
        return dict(rate=rate, seconds=seconds, achieved_events_per_s=lg["events_per_s"], p50_us=lat["p50"],
                    p90_us=lat["p90"], p99_us=lat["p99"], p999_us=lat["p99_9"], max_us=lat["max"],
                    errors=lg["errors"], unsent=lg["requests_unsent"], server_cpu_pct=cpu_pct, peak_rss_mib=rss,
                    acked_events=lg["ok_events"], accepted_events=accepted, lake_events=rows, caught_up=ok,
                    catch_up_s=round(waited, 2), catch_up_how=how, max_age=max_age, body_bytes=lg["mean_body_bytes"])


def fmt_open(r):
    return (f"{r['rate']:>6d} ev/s offered, {r['achieved_events_per_s']:>8.0f} acked; p50 {r['p50_us'] / 1000:.2f} "
            f"p99 {r['p99_us'] / 1000:.2f} p99.9 {r['p999_us'] / 1000:.2f} max {r['max_us'] / 1000:.2f} ms; cpu "
            f"{r['server_cpu_pct']:.1f} %; peak RSS {r['peak_rss_mib']:.0f} MiB; errors {r['errors']}; lake "
            f"{'caught up' if r['caught_up'] else 'BEHIND'} {r['catch_up_how']} ({r['lake_events']:.0f}/{r['accepted_events']:.0f})")


def nginx_open_loop(a, rate, seconds):
    """The ceiling at the same offered rate: what answering alone costs (its worker's CPU)."""
    with bl.Nginx() as n:
        meters = [bl.CpuMeter(pid) for pid in bl.children(n.proc.pid)]
        lg = bl.run_loadgen(a.binary, bl.Nginx.URL, ["--rate", rate, "--connections", a.open_connections,
                                                     "--event-file", bl.loadgen_event_file()], seconds)
        lat = lg["latency_us"]
        return dict(rate=rate, seconds=seconds, achieved_events_per_s=lg["events_per_s"], p50_us=lat["p50"],
                    p99_us=lat["p99"], p999_us=lat["p99_9"], errors=lg["errors"],
                    server_cpu_pct=sum(m.percent() for m in meters))


def phase_openloop(a, res, work):
    for rate in a.rates:
        r = open_loop_run(a, work / f"open-{rate}", rate, a.open_s, ["--event-file", bl.loadgen_event_file()], a.max_age)
        res["openloop"].append(r)
        log("  " + fmt_open(r))
        n = nginx_open_loop(a, rate, min(a.open_s, 10))
        res["openloop_nginx"].append(n)
        log(f"  nginx at {rate} ev/s: p50 {n['p50_us'] / 1000:.2f} p99 {n['p99_us'] / 1000:.2f} ms; worker cpu "
            f"{n['server_cpu_pct']:.1f} % (tracklake {r['server_cpu_pct'] / max(n['server_cpu_pct'], 0.1):.1f}x)")


def phase_memory(a, res, work):
    rate = 4000 if not a.smoke else 2000
    r = open_loop_run(a, work / "memory", rate, a.memory_s, ["--event-bytes", 4096, "--event-types", 20], a.memory_max_age)
    res["memory"] = r
    log("  4 KB x 20 types: " + fmt_open(r))


def post_marker(url, i):
    body = json.dumps({"event_type": "bench_marker", "user_id": f"marker-{i}"}).encode()
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json",
                                                          "Authorization": f"Bearer {bl.WRITE_KEY}"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 200, resp.status
    return time.monotonic()


def phase_freshness(a, res, work):
    """Markers acknowledged over fresh_s under 500 events/s of background load; each marker's
    freshness is from its acknowledgement to the first poll that finds it in a lake file."""
    import subprocess
    import pyarrow.parquet as pq
    with bl.Collector(a.binary, work / "fresh", durability="fsync", max_age=a.fresh_max_age) as c:
        background = subprocess.Popen(
            ["taskset", "-c", bl.CLIENT_CORE, a.binary, "loadgen", "--url", c.url, "--key", bl.WRITE_KEY, "--rate", "500",
             "--duration", str(a.fresh_s), "--json"], stdout=subprocess.DEVNULL, env=bl.clean_env())
        acked, found, seen_files = {}, {}, set()
        count = max(3, int(a.fresh_s))
        for i in range(count):
            acked[i] = post_marker(c.url, i)
            time.sleep(a.fresh_s / count)
        background.wait()
        deadline = max(acked.values()) + a.fresh_max_age + bl.CATCH_UP_GRACE_S + 5
        while len(found) < count and time.monotonic() < deadline:
            for p in c.lake_files():
                if p in seen_files or p.relative_to(c.lake).parts[0] != "bench_marker":
                    continue
                seen_files.add(p)
                now = time.monotonic()
                for uid in pq.read_table(p, columns=["user_id"]).column("user_id").to_pylist():
                    found.setdefault(int(uid.split("-")[1]), now)
            time.sleep(0.05)
    lat = sorted(found[i] - acked[i] for i in found)
    r = dict(max_age=a.fresh_max_age, markers=count, found=len(found), within_promise=len(found) == count and
             (not lat or lat[-1] <= a.fresh_max_age + bl.CATCH_UP_GRACE_S),
             min_s=lat[0] if lat else None, median_s=lat[len(lat) // 2] if lat else None, max_s=lat[-1] if lat else None)
    res["freshness"] = r
    log(f"  freshness (flush.max_age {a.fresh_max_age} s): {r['found']}/{count} markers readable; "
        f"min {r['min_s']:.2f} s median {r['median_s']:.2f} s max {r['max_s']:.2f} s" if lat else "  freshness: no marker found")


def phase_disk(a, res, work):
    """fdatasync latency of the bare machine, pinned to each core in turn (bench/disk_probe.py)."""
    import subprocess
    seconds = 1 if a.smoke else 5
    work.mkdir(parents=True, exist_ok=True)
    for role, core in (("server core", bl.SERVER_CORE), ("client core", bl.CLIENT_CORE)):
        out = subprocess.run(["taskset", "-c", core, sys.executable, str(bl.HERE / "disk_probe.py"), str(work), str(seconds)],
                             capture_output=True, text=True, check=True)
        r = dict(json.loads(out.stdout), role=role, core=core, seconds=seconds)
        res["disk"].append(r)
        log(f"  fdatasync of 1.1 KB appends on the {role} ({core}): {r['count']} in {seconds} s; p50 {r['p50_us'] / 1000:.2f} "
            f"p99 {r['p99_us'] / 1000:.2f} p99.9 {r['p999_us'] / 1000:.2f} max {r['max_us'] / 1000:.2f} ms; "
            f"{r['stalls_over_5ms']} over 5 ms")


def sink_delivery_run(a, root, label, extra):
    """Closed-loop 100-event requests for kafka_s seconds, then until the sink has delivered every
    accepted event: delivered events/s over that whole window (flush.max_age 1 s for both sinks,
    so batching delay is the same small share)."""
    with bl.Collector(a.binary, root, durability="fsync", max_age=1, extra=extra) as c:
        cpu = bl.CpuMeter(c.proc.pid)
        t0 = time.monotonic()
        lg = bl.run_loadgen(a.binary, c.url, ["--batch", 100, "--connections", 8, "--event-types", 4,
                                              "--event-bytes", 1024], a.kafka_s)
        deadline = time.monotonic() + max(60.0, 5 * a.kafka_s)
        while True:
            m = c.metrics()
            accepted, delivered = m.get("tracklake_events_accepted_total", 0), m.get("tracklake_lake_events_written_total", 0)
            if (delivered >= accepted and delivered >= lg["ok_events"]) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        window = time.monotonic() - t0
        # Dead-lettered batches count as written: a run that rejected any did not deliver them.
        rejected = m.get("tracklake_sink_rejected_total", 0)
        return dict(sink=label, seconds=a.kafka_s, acked_events=lg["ok_events"], accepted_events=accepted,
                    delivered_events=delivered, caught_up=delivered >= accepted and rejected == 0,
                    rejected_batches=rejected, window_s=round(window, 2),
                    acked_events_per_s=lg["events_per_s"], delivered_events_per_s=delivered / window,
                    server_cpu_pct=cpu.percent(), retries=m.get("tracklake_sink_retries_total", 0),
                    transactions=m.get("tracklake_kafka_transactions_total", 0),
                    batch_seconds_mean=(m.get("tracklake_kafka_batch_delivery_seconds_sum", 0) /
                                        max(1.0, m.get("tracklake_kafka_batch_delivery_seconds_count", 0))))


def phase_kafka(a, res, work):
    """The Kafka sink (a real local KRaft broker from tests/kafka_broker.py; exactly-once and
    at-least-once) against the local lake sink, same load, same run. The broker's JVM is not
    pinned: it shares the machine with the collector and the load generator."""
    sys.path.insert(0, str(bl.HERE.parent / "tests"))
    from kafka_broker import KafkaBroker
    broker = KafkaBroker(work / "kafka-broker", auto_create_topics=True)
    broker.start()
    try:
        runs = [("local lake (parquet)", ""),
                ("kafka exactly_once", f'[sink]\ntype = "kafka"\n[kafka]\nbrokers = "{broker.bootstrap}"\n'),
                ("kafka at-least-once", f'[sink]\ntype = "kafka"\n[kafka]\nbrokers = "{broker.bootstrap}"\n'
                                        'exactly_once = false\n')]
        for i, (label, extra) in enumerate(runs):
            r = sink_delivery_run(a, work / f"sink-{i}", label, extra)
            res["kafka"].append(r)
            log(f"  {label:22s}: {r['acked_events_per_s']:>8.0f} acked events/s, {r['delivered_events_per_s']:>8.0f} delivered "
                f"events/s ({r['delivered_events']:.0f}/{r['accepted_events']:.0f} in {r['window_s']} s, "
                f"{'caught up' if r['caught_up'] else 'BEHIND'}, {r['rejected_batches']:.0f} batches rejected); collector cpu {r['server_cpu_pct']:.0f} %"
                + (f"; {r['transactions']:.0f} transactions, {1000 * r['batch_seconds_mean']:.1f} ms per batch"
                   if "kafka" in label else ""))
    finally:
        broker.close()


def ratios(res):
    """Median req/s of each short tracklake configuration over the rounds, against the median ceiling."""
    out = []
    groups = {}
    for r in res["max"]:
        if r["seconds"] < 60:
            groups.setdefault((r["durability"], r["body"]), []).append(r)
    for (durability, body), runs in groups.items():
        ceiling = res["ceiling"].get(body)
        med = median_run(runs)
        out.append(dict(durability=durability, body=body, rounds=len(runs), median_req_per_s=med["ok_req_per_s"],
                        median_events_per_s=med["ok_events_per_s"],
                        ceiling_req_per_s=ceiling["ok_req_per_s"] if ceiling else None,
                        ratio=med["ok_req_per_s"] / ceiling["ok_req_per_s"] if ceiling else None))
    return out


def main():
    a = parse_args()
    a.binary = os.environ.get("TRACKLAKE_BIN") or str(bl.HERE.parent / "build" / "release" / "bin" / "tracklake")
    started = datetime.datetime.now(datetime.timezone.utc)
    res = dict(started=started.isoformat(timespec="seconds"), smoke=a.smoke, binary=a.binary, cores=os.cpu_count(),
               load_average_before=bl.load_average(), settings={k: v for k, v in vars(a).items() if k != "phases"},
               ceiling={}, ceiling_rounds=[], max=[], protocols=[], openloop=[], openloop_nginx=[], freshness=None, memory=None,
               disk=[], kafka=[])
    res["settings"]["rates"] = a.rates
    log(f"bench: {'smoke' if a.smoke else 'full'} run, load average {' '.join(res['load_average_before'])}")
    work = Path(tempfile.mkdtemp(prefix="tracklake-bench-"))
    t0 = time.monotonic()
    try:
        # Extra rounds first (ceiling and short max-rate runs side by side), then the last round
        # with every phase, so the ratios use medians over the rounds.
        for round_no in range(1, a.repeat):
            log(f"[round {round_no}: ceiling, max]")
            if "ceiling" in a.phases:
                phase_ceiling(a, res, round_no)
            if "max" in a.phases:
                phase_max(a, res, work, round_no, sustained=False)
        for name, fn, arg in (("disk", phase_disk, work), ("ceiling", phase_ceiling, None), ("max", phase_max, work),
                              ("protocols", lambda a_, r_, w_: protocols.phase_protocols(a_, r_, w_, tracklake_max_run, log), work),
                              ("openloop", phase_openloop, work), ("freshness", phase_freshness, work), ("memory", phase_memory, work),
                              ("kafka", phase_kafka, work)):
            if name in a.phases:
                log(f"[{name}]")
                fn(a, res, *([arg] if arg else []))
        res["ratios"] = ratios(res)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    res["elapsed_s"] = round(time.monotonic() - t0, 1)
    res["load_average_after"] = bl.load_average()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = started.strftime("%Y-%m-%dT%H%M%SZ") + ("-smoke" if a.smoke else "")
    (out / f"{stem}.json").write_text(json.dumps(res, indent=2, default=str) + "\n")
    md = report.markdown(res)
    (out / f"{stem}.md").write_text(md)
    report.chart(res, out / f"{stem}.png")
    log("\n" + md)
    log(f"bench: {res['elapsed_s']} s; wrote {out / stem}.json, .md, .png")
    bad = [r for r in res["max"] + res["protocols"] + res["openloop"] + ([res["memory"]] if res["memory"] else []) + res["kafka"]
           if not r["caught_up"]]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
