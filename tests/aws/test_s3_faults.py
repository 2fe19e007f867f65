"""A fault-injecting proxy in front of moto: a share of requests gets 500 InternalError, 503
SlowDown, or a dropped connection (before or after moto saw the request). Under load every
event still ends up in S3 exactly once, and no multipart upload is left behind."""
import base64
import gzip
import json
import os
import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlparse

from tlharness import fetch_upstream, relay_response

FAULT_SHARE = 0.2
FAULTS = ["500", "503", "drop_before", "drop_after"]


def make_proxy_handler(upstream, seed):
    rng = random.Random(seed)
    rng_lock = threading.Lock()
    # Every second one of the first requests gets one fault of each kind, so each kind is
    # surely seen; after that, faults are random.
    scripted = {2 * (i + 1): f for i, f in enumerate(FAULTS)}
    served = [0]
    target = urlparse(upstream)

    class FaultProxy(BaseHTTPRequestHandler):
        def handle_one(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with rng_lock:
                served[0] += 1
                fault = scripted.get(served[0])
                if served[0] > 2 * len(FAULTS) and rng.random() < FAULT_SHARE:
                    fault = rng.choice(FAULTS)
            self.server_state.record((self.command, self.path.split("?")[0], fault))
            if fault in ("500", "503"):
                code, message = ("InternalError", "injected") if fault == "500" else ("SlowDown", "Reduce rate")
                xml = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>".encode()
                self.send_response(int(fault))
                self.send_header("Content-Length", str(len(xml)))
                self.end_headers()
                self.wfile.write(xml)
                return
            if fault == "drop_before":
                self.close_connection = True
                return
            # Host stays as the client signed it: moto checks the signature over it.
            answer = fetch_upstream(self, target, body)
            if fault == "drop_after":
                self.close_connection = True
                return
            relay_response(self, *answer)

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_one

    return FaultProxy


def test_every_event_reaches_s3_exactly_once_through_faults(collector_factory, moto, bucket, tiny_server):
    proxy = tiny_server(make_proxy_handler(moto.endpoint, seed=4))
    c = collector_factory(extra=f"""
[sink]
type = "s3"

[s3]
bucket = "{bucket}"
prefix = "faults"
endpoint = "{proxy.url}"
path_style = true
multipart_threshold = "5MiB"
part_size = "5MiB"
max_parallel_parts = 2
""", env=dict(moto.env(), TRACKLAKE_FLUSH_MAX_AGE="1"))
    sent = []
    # Small events in many batches (a 1 s age cut while they arrive over a few seconds)...
    for r in range(60):
        batch = [{"event_type": ("page_view", "click", "signup")[i % 3], "event_id": f"e-{r}-{i}"}
                 for i in range(50)]
        assert c.post(batch).status_code == 200
        sent += batch
        if r % 10 == 9:
            threading.Event().wait(1.2)  # past flush.max_age: the batches are cut
    # ...and a burst of incompressible ones, big enough for multipart uploads.
    blobs = [[{"event_type": "blob", "event_id": f"b-{r}-{i}", "data": base64.b64encode(os.urandom(18_000)).decode()}
              for i in range(30)] for r in range(16)]
    with ThreadPoolExecutor(4) as pool:
        assert all(code == 200 for code in pool.map(lambda b: c.post(b).status_code, blobs))
    sent += [e for b in blobs for e in b]
    assert c.stop(timeout=120) == 0

    s3 = moto.client("s3")
    keys = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="faults/")
            for o in page.get("Contents", []) if not o["Key"].startswith("faults/_tracklake/")]
    counts = Counter()
    for key in keys:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        counts.update(json.loads(line)["event_id"] for line in gzip.decompress(body).decode().splitlines())
    assert set(counts) == {e["event_id"] for e in sent}
    assert max(counts.values()) == 1
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    faults = Counter(f for _, _, f in proxy.requests if f)
    assert all(faults[f] > 0 for f in FAULTS), faults
    assert any(m == "POST" for m, _, _ in proxy.requests), "no multipart upload was attempted"
    assert not (c.root / "data" / "dead-letter").exists()
    assert "will retry" in c.log_path.read_text()
