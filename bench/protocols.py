"""bench/run's "protocols" phase: the same 100 events as the native batch phase (the shared
events100.json), sent at maximum rate as a Segment /v1/batch body and as a Snowplow tp2 body, side by
side with native /v1/events batches against fresh collectors in the same run; events/s of each
against native's. Also: `.venv/bin/python bench/protocols.py OUT_DIR` writes the two bodies for other tools."""
import json
import sys
from pathlib import Path

import benchlib as bl

SEGMENT_PATH = "/v1/batch"
SNOWPLOW_PATH = "/com.snowplowanalytics.snowplow/tp2"
PAYLOAD_DATA = "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4"
CONTEXTS = "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1"
REFERENCE_CONTEXT = "iglu:com.example/reference_event/jsonschema/1-0-0"
IDENTITY = ("event_type", "event_id", "app_id", "user_id", "session_id", "timestamp")


def segment_message(e):
    """A track call carrying the native event: ids mapped, every other field a property."""
    return {"type": "track", "event": e["event_type"], "messageId": e["event_id"], "userId": e["user_id"],
            "timestamp": e["timestamp"], "context": {"session_id": e["session_id"]},
            "properties": {k: v for k, v in e.items() if k not in IDENTITY}}


def snowplow_event(e):
    """A page view carrying the native event: the tracker protocol's own parameters where it has
    them, the rest in a context entity (as a Snowplow user would send custom fields)."""
    standard = {"url": "url", "refr": "referrer", "ua": "user_agent", "ip": "ip", "lang": "locale",
                "res": "screen_resolution", "page": "page_title"}
    used = set(IDENTITY) | set(standard.values())
    context = {"schema": CONTEXTS, "data": [{"schema": REFERENCE_CONTEXT,
                                             "data": {k: v for k, v in e.items() if k not in used}}]}
    event = {"e": "pv", "eid": e["event_id"], "aid": e["app_id"], "uid": e["user_id"], "sid": e["session_id"],
             "p": "web", "tv": "js-4.10.1", "dtm": "1749904496789", "stm": "1749904496900",
             "co": json.dumps(context, separators=(",", ":"))}
    event.update({param: e[field] for param, field in standard.items()})
    return event


def write_bodies(out_dir):
    events = json.loads((bl.SHARED / "events100.json").read_text())
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    bodies = {
        "segment100": (out_dir / "segment100.json", {"batch": [segment_message(e) for e in events],
                                                     "sentAt": "2025-06-14T12:34:57.000Z"}, SEGMENT_PATH),
        "snowplow100": (out_dir / "snowplow100.json", {"schema": PAYLOAD_DATA,
                                                        "data": [snowplow_event(e) for e in events]}, SNOWPLOW_PATH),
    }
    for path, body, _ in bodies.values():
        path.write_text(json.dumps(body, separators=(",", ":")))
    return {name: (path, url_path) for name, (path, _, url_path) in bodies.items()}


def phase_protocols(a, res, work, max_run, log):
    """Native batch100, Segment and Snowplow batches of the same events, alternating, a.repeat rounds."""
    bodies = write_bodies(work / "protocol-bodies")
    durabilities = ["write"] if a.smoke else ["write", "fsync"]
    seconds = max(1, round(a.max_s))
    for round_no in range(a.repeat):
        for durability in durabilities:
            native = None
            for name in ("batch100", "segment100", "snowplow100"):
                env = None
                if name != "batch100":
                    path, url_path = bodies[name]
                    env = {"BODY_FILE": str(path), "URL_PATH": url_path, "EVENTS_PER_REQ": "100"}
                r = max_run(a, work / f"proto-{round_no}-{durability}-{name}", durability, "batch100", seconds, env)
                r.update(protocol=name, round=round_no)
                native = r if name == "batch100" else native
                r["ratio_to_native"] = r["ok_events_per_s"] / native["ok_events_per_s"] if native["ok_events_per_s"] else None
                res["protocols"].append(r)
                log(f"  {name:11s} {durability:5s}: {r['ok_events_per_s']:>9.0f} acked events/s "
                    f"({100 * (r['ratio_to_native'] or 0):.0f} % of native); p99 {r['p99_us'] / 1000:.2f} ms; "
                    f"cpu {r['server_cpu_pct']:.0f} %; lake {'caught up' if r['caught_up'] else 'BEHIND'} "
                    f"({r['lake_events']:.0f}/{r['accepted_events']:.0f})")


def markdown(res):
    rows = res.get("protocols") or []
    if not rows:
        return []
    lines = ["## Drop-in protocols: the same 100 events per request (wrk -t1, fresh collector each)", "",
             "| round | durability | body | 2xx req/s | events/s acked | % of native batch100 | p50 ms | p99 ms | server CPU % | lake caught up |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        ratio = f"{100 * r['ratio_to_native']:.0f}" if r.get("ratio_to_native") is not None else "-"
        lines.append(f"| {r['round']} | {r['durability']} | {r['protocol']} | {r['ok_req_per_s']:.0f} | {r['ok_events_per_s']:.0f} | "
                     f"{ratio} | {r['p50_us'] / 1000:.2f} | {r['p99_us'] / 1000:.2f} | {r['server_cpu_pct']:.0f} | "
                     f"{'yes' if r['caught_up'] else 'NO'} |")
    return lines + [""]


if __name__ == "__main__":
    for name, (path, url_path) in write_bodies(sys.argv[1]).items():
        print(f"{name}: {path} -> POST {url_path}")
