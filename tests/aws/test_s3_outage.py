"""S3 unreachable or slow under load: the write-ahead log grows within its budget, ingest answers
503 beyond it, lag is visible in metrics, and after recovery everything arrives exactly once.

The outage lasts TRACKLAKE_OUTAGE_SECONDS (default 20 s here; docs/reliability.md records a 120 s run)."""
import gzip
import json
import os
import re
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlparse

from tlharness import fetch_upstream, relay_response, wait_for

OUTAGE_SECONDS = float(os.environ.get("TRACKLAKE_OUTAGE_SECONDS", "20"))


def switchable_proxy(upstream):
    """Forwards to moto while up; answers 503 SlowDown while down; sleeps `delay` s when slow."""
    target = urlparse(upstream)

    class Proxy(BaseHTTPRequestHandler):
        def handle_one(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            mode = self.server_state.mode
            self.server_state.record((self.command, mode))
            if mode == "down":
                self.close_connection = True  # unreachable: the connection just drops
                return
            if mode.startswith("slow:"):
                time.sleep(float(mode[5:]))
            relay_response(self, *fetch_upstream(self, target, body))

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_one

    return Proxy


def metric(c, name):
    text = c.session.get(c.url + "/metrics", timeout=10).text
    m = re.search(rf"^{name} ([0-9.e+]+)$", text, re.M)
    return float(m.group(1)) if m else None


def s3_event_ids(moto, bucket, prefix):
    s3 = moto.client("s3")
    counts = Counter()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for o in page.get("Contents", []):
            if "/_tracklake/" in "/" + o["Key"]:
                continue  # the start-up check's probe
            body = s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
            counts.update(json.loads(line)["event_id"] for line in gzip.decompress(body).decode().splitlines())
    return counts


def s3_collector(collector_factory, moto, bucket, proxy, prefix):
    c = collector_factory(extra=f"""
[sink]
type = "s3"

[s3]
bucket = "{bucket}"
prefix = "{prefix}"
endpoint = "{proxy.url}"
path_style = true
""", start=False)
    # A small log budget, so that the outage reaches it within the test.
    return c.start(env=dict(moto.env(), TRACKLAKE_FLUSH_MAX_AGE="1", TRACKLAKE_WAL_MAX_BYTES="16MiB",
                            TRACKLAKE_WAL_SEGMENT_BYTES="1MiB"))


def load(c, acked, refused, stop, rate_batches=20):
    i = 0
    payload = "x" * 900
    while not stop.is_set():
        batch = [{"event_type": "outage", "event_id": f"o{i}-{j}", "p": payload} for j in range(100)]
        i += 1
        r = c.post(batch)
        if r.status_code == 200:
            acked.update(e["event_id"] for e in batch)
        else:
            assert r.status_code == 503 and r.headers.get("Retry-After"), r.text
            refused[0] += 1
            time.sleep(float(r.headers["Retry-After"]) / 10)
        time.sleep(1 / rate_batches)


def test_s3_outage_is_absorbed_by_the_log_and_caught_up(collector_factory, moto, bucket, tiny_server):
    proxy = tiny_server(switchable_proxy(moto.endpoint))
    proxy.mode = "up"
    c = s3_collector(collector_factory, moto, bucket, proxy, "outage")
    acked, refused, stop = set(), [0], threading.Event()
    t = threading.Thread(target=load, args=(c, acked, refused, stop))
    t.start()
    time.sleep(2)
    proxy.mode = "down"
    wal_before = metric(c, "tracklake_wal_disk_bytes")
    deadline = time.monotonic() + OUTAGE_SECONDS
    readiness = set()
    while time.monotonic() < deadline:
        readiness.add(c.session.get(c.url + "/readyz", timeout=10).status_code)
        time.sleep(0.2)
    wal_during = metric(c, "tracklake_wal_disk_bytes")
    lag_during = metric(c, "tracklake_oldest_unwritten_event_age_seconds")
    proxy.mode = "up"
    time.sleep(2)
    stop.set()
    t.join()
    assert wal_during > wal_before, (wal_before, wal_during)
    assert wal_during <= 16 * 1024 * 1024 + 1024 * 1024, "the log grew past its budget"
    assert lag_during >= OUTAGE_SECONDS * 0.5, lag_during
    assert refused[0] > 0 and 503 in readiness, "the budget was never reached: no backpressure seen"
    # Catch-up: the lag drains without a restart.
    wait_for(lambda: metric(c, "tracklake_oldest_unwritten_event_age_seconds") == 0, timeout=90,
             interval=0.5, what="the collector to catch up with S3")
    assert c.stop(timeout=120) == 0
    counts = s3_event_ids(moto, bucket, "outage/")
    assert acked <= set(counts), f"lost {len(acked - set(counts))} acknowledged events"
    assert max(counts.values()) == 1


def test_slow_s3_delays_but_loses_nothing(collector_factory, moto, bucket, tiny_server):
    proxy = tiny_server(switchable_proxy(moto.endpoint))
    proxy.mode = "slow:2"
    c = s3_collector(collector_factory, moto, bucket, proxy, "slow")
    acked, refused, stop = set(), [0], threading.Event()
    t = threading.Thread(target=load, args=(c, acked, refused, stop, 5))
    t.start()
    time.sleep(8)
    stop.set()
    t.join()
    assert metric(c, "tracklake_oldest_unwritten_event_age_seconds") > 0
    assert c.stop(timeout=120) == 0
    counts = s3_event_ids(moto, bucket, "slow/")
    assert acked <= set(counts) and max(counts.values()) == 1
    assert all(mode == "slow:2" for _, mode in proxy.requests)
