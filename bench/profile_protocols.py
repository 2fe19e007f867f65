#!/usr/bin/env python3
"""Instructions per 100-event request of the native batch, the Segment /v1/batch and the Snowplow tp2
bodies of bench/run's "protocols" phase (the same events), under callgrind.

Wall-clock rates on this shared VM move by 2x between rounds; instruction counts do not. For each
binary and body: a fresh `tracklake serve` (fsync, Parquet lake, one server thread, keys auth) under
valgrind --tool=callgrind, N sequential POSTs of the body, SIGTERM (which flushes the lake), then
  - handler: inclusive instructions of the request handler (CollectorHandler::Ingest,
    IngestSegment or IngestSnowplow: decode, parse, map, validate, hand to the log) and of its
    adapter / validator parts;
  - process: the whole process's instructions (every thread: HTTP, log, batching, Parquet, flush at
    stop) minus those of a run that served no request, per request.
Events/s when CPU-bound go as 1 / process instructions, so native's process figure over a
protocol's estimates the protocol's share of native events/s.

  .venv/bin/python bench/profile_protocols.py [--requests 60] [--bodies native,segment,snowplow] [BINARY ...]

The reference events carry the same custom fields, so every Snowplow event's `co` context is the same
text, as a batch from one page mostly is (and the adapter reuses what the event before's gave);
--vary-contexts gives each event a context of its own instead.
"""
import argparse
import http.client
import json
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib as bl  # noqa: E402
import protocols  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HANDLERS = {"native": "CollectorHandler::Ingest(", "segment": "CollectorHandler::IngestSegment(",
            "snowplow": "CollectorHandler::IngestSnowplow("}
# Parts shown under each handler (substrings of callgrind's function names).
PARTS = {"native": ["Validator::Parse(", "CollectorHandler::Commit("],
         "segment": ["ParseBody(", "SegmentRequest::Parse(", "SegmentRequest::Emit(", "SegmentRequest::ReadMessage(", "SegmentRequest::FinishMessage(",
                     "Validator::CheckFlat(", "FlatEvent::Flatten(", "CollectorHandler::Commit("],
         "snowplow": ["ParseBody(", "SnowplowRequest::ParsePost(", "SnowplowRequest::Emit(", "SnowplowRequest::EmitEvent(",
                      "ParseNested(",
                      "Validator::CheckFlat(", "FlatEvent::Flatten(", "CollectorHandler::Commit("]}


def config(root, port):
    return f"""
[node]
id = "bench"
[server]
listen = "127.0.0.1:{port}"
threads = 1
[wal]
dir = "{root / 'wal'}"
durability = "fsync"
[flush]
max_age = 10
[lake]
dir = "{root / 'lake'}"
format = "parquet"
[auth]
mode = "keys"
[apps.web-storefront-prod]
key = "{bl.WRITE_KEY}"
"""


# The bodies' client ids (native event_id, Segment messageId, Snowplow eid), one per event.
CLIENT_ID = re.compile(rb'("(?:event_id|messageId|eid)":")[0-9a-fA-F-]{36}"')


def unique_ids(body, request_no):
    """The body with a new id in each event, same length: the collector drops an event whose client
    id it accepted within dedup.window, so the same body sent again would be a retry and would skip
    the log, the batching and the lake the first copy paid for."""
    counter = iter(range(1 << 30))
    return CLIENT_ID.sub(lambda m: m.group(1) + b"%08x-%04x-7000-8000-%012x\"" % (request_no, next(counter) & 0xFFFF, 0),
                         body)


def varied_contexts(path, out):
    """The Snowplow body with a context of its own in each event (the last three characters of its
    custom_props replaced by the event's index), the same length."""
    body = json.loads(Path(path).read_text())
    for i, event in enumerate(body["data"]):
        context = json.loads(event["co"])
        data = context["data"][0]["data"]
        data["custom_props"] = data["custom_props"][:-3] + f"{i:03d}"
        event["co"] = json.dumps(context, separators=(",", ":"))
    out.write_text(json.dumps(body, separators=(",", ":")))
    return out


def serve(binary, root, body, path, requests, toggle=None):
    """One collector under callgrind serving `requests` POSTs of body; returns the callgrind file.
    toggle: collect only inside this function (callgrind's --toggle-collect)."""
    root.mkdir(parents=True)
    (root / "tracklake.toml").write_text(config(root, 0))
    port_file, out = root / "port", root / "callgrind.out"
    with open(root / "serve.log", "wb") as log:
        proc = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                                 *([f"--toggle-collect=*{toggle}*"] if toggle else []), binary, "serve",
                                 "--config", str(root / "tracklake.toml"), "--port-file", str(port_file)],
                                stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while not port_file.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"collector did not start: {(root / 'serve.log').read_text()[-2000:]}")
            time.sleep(0.1)
        conn = http.client.HTTPConnection("127.0.0.1", int(port_file.read_text()), timeout=120)
        for n in range(requests):
            conn.request("POST", path, unique_ids(body, n), {"Content-Type": "application/json",
                                              "Authorization": f"Bearer {bl.WRITE_KEY}"})
            r = conn.getresponse()
            answer = r.read()
            if r.status != 200 or re.search(rb'"rejected":\[\{', answer):
                raise RuntimeError(f"{path}: {r.status} {answer[:300]!r}")
        conn.close()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=600)
    return out


def inclusive(out):
    """{function name: inclusive instructions} of a callgrind file."""
    text = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", str(out)],
                          check=True, capture_output=True, text=True).stdout
    totals, fns = 0, {}
    for line in text.splitlines():
        m = re.match(r"^\s*([\d,]+) \([^)]*\)\s+(.*)$", line)
        if "PROGRAM TOTALS" in line:
            totals = int(line.split()[0].replace(",", ""))
            continue
        if not m:
            continue
        name = re.sub(r"^[^:]*\?\?\?:|^\S+:", "", m.group(2)).split(" [")[0]
        count = int(m.group(1).replace(",", ""))
        fns[name] = max(count, fns.get(name, 0))
    return totals, fns


def top_self(out, n):
    """The n functions of most exclusive instructions in a callgrind file."""
    text = subprocess.run(["callgrind_annotate", "--threshold=100", str(out)], check=True, capture_output=True,
                          text=True).stdout
    rows = [re.match(r"^\s*([\d,]+) \([^)]*\)\s+(.*)$", line) for line in text.splitlines()]
    rows = [(int(m.group(1).replace(",", "")), re.sub(r"^[^:]*\?\?\?:|^\S+:", "", m.group(2)).split(" [")[0])
            for m in rows if m and "PROGRAM TOTALS" not in m.group(2)]
    return rows[:n]


def find(fns, needle):
    """Inclusive instructions of the function whose name starts with needle (namespace aside)."""
    return max((c for name, c in fns.items() if name.removeprefix("tracklake::").startswith(needle)), default=0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("binaries", nargs="*", default=[str(ROOT / "build/release/bin/tracklake")])
    ap.add_argument("--requests", type=int, default=60)
    ap.add_argument("--bodies", default="native,segment,snowplow")
    ap.add_argument("--vary-contexts", action="store_true",
                    help="a different Snowplow context in each event (none repeats the event before's)")
    ap.add_argument("--no-process", action="store_true", help="skip the idle run (handler figures only)")
    ap.add_argument("--top", type=int, default=0,
                    help="also run each body with collection inside its handler only and print the N functions of "
                         "most exclusive instructions there")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="tracklake-protocols-") as tmp:
        tmp = Path(tmp)
        files = protocols.write_bodies(tmp / "bodies")
        bodies = {"native": (bl.SHARED / "events100.json", "/v1/events"),
                  "segment": files["segment100"], "snowplow": files["snowplow100"]}
        if a.vary_contexts:
            path, url_path = files["snowplow100"]
            bodies["snowplow"] = (varied_contexts(path, tmp / "bodies" / "snowplow100-varied.json"), url_path)
        for binary in a.binaries:
            print(f"{binary} ({a.requests} requests of each body)")
            idle = None
            if not a.no_process:
                # Start-up, idle timers and stop, to take out of each run's whole-process total.
                idle, _ = inclusive(serve(binary, tmp / f"idle-{len(list(tmp.iterdir()))}", b"", "/", 0))
            process = {}
            for name in a.bodies.split(","):
                path, url_path = bodies[name]
                out = serve(binary, tmp / f"{name}-{len(list(tmp.iterdir()))}", Path(path).read_bytes(), url_path,
                            a.requests)
                total, fns = inclusive(out)
                handler = find(fns, HANDLERS[name]) / a.requests
                line = f"  {name:9s} handler {handler:12,.0f}"
                if idle is not None:
                    process[name] = (total - idle) / a.requests
                    line += f"   process {process[name]:12,.0f}"
                print(line + "   instructions per request")
                for part in PARTS[name]:
                    print(f"      {part:36s} {find(fns, part) / a.requests:12,.0f}")
                if a.top:
                    toggled = serve(binary, tmp / f"{name}-{len(list(tmp.iterdir()))}", Path(path).read_bytes(),
                                    url_path, a.requests, HANDLERS[name].removesuffix("("))
                    for count, fn in top_self(toggled, a.top):
                        print(f"        self {count / a.requests:12,.0f}  {fn[:150]}")
            if "native" in process:
                for name, v in process.items():
                    if name != "native":
                        print(f"  {name}: native's process instructions / {name}'s = {100 * process['native'] / v:.0f} %")


if __name__ == "__main__":
    main()
