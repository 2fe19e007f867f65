"""`tracklake loadgen` against the real collector: what it reports acknowledged is what reaches
the lake, errors are reported by status, and the open-loop and profile schedules are followed.
No timed assertions: counts only."""
import json
import re
import subprocess

from tlharness import WRITE_KEY, clean_env, tracklake_bin



def loadgen(collector, *args):
    out = subprocess.run([tracklake_bin(), "loadgen", "--url", collector.url + "/v1/events", "--json", *map(str, args)],
                         env=clean_env(), capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def accepted_metric(collector):
    text = collector.session.get(collector.url + "/metrics", timeout=10).text
    return sum(float(m.group(1)) for m in re.finditer(r"^tracklake_events_accepted_total(?:\{[^}]*\})? (\S+)$", text, re.M))


def test_open_loop_acknowledged_events_all_reach_the_lake(collector):
    r = loadgen(collector, "--key", WRITE_KEY, "--rate", 300, "--duration", 1.0025, "--connections", 4)
    assert r["mode"] == "open-loop"
    # The schedule: a request every 1/300 s from 0 up to the end, 301 of them; none refused.
    assert r["requests_sent"] + r["requests_unsent"] == 301
    assert r["errors"] == 0
    assert r["ok_events"] == r["requests_sent"] == r["status"]["200"]
    assert r["latency_us"]["count"] == r["requests_sent"]
    assert r["latency_us"]["p50"] <= r["latency_us"]["p99"] <= r["latency_us"]["max"]
    assert accepted_metric(collector) == r["ok_events"]
    assert collector.stop() == 0  # SIGTERM flushes every partition
    events = collector.lake_events()
    assert len(events) == r["ok_events"]
    # Realistic synthetic events: several types, custom fields, sizes across 0.5-4 KB.
    assert len({e["event_type"] for e in events}) > 1
    assert all(len(e) >= 10 + 6 for e in events)
    sizes = [len(json.dumps(e)) for e in events]
    assert min(sizes) < 1024 < 2048 < max(sizes)


def test_closed_loop_batches_count_every_event(collector):
    r = loadgen(collector, "--key", WRITE_KEY, "--batch", 10, "--duration", 0.5, "--connections", 2)
    assert r["mode"] == "closed-loop"
    assert r["events_per_request"] == 10
    assert r["ok_requests"] > 0 and r["errors"] == 0
    assert r["ok_events"] == 10 * r["ok_requests"]
    assert collector.stop() == 0
    assert len(collector.lake_events()) == r["ok_events"]


def test_errors_are_reported_by_status(collector):
    # No write key: every request is answered 401 and nothing is acknowledged.
    r = loadgen(collector, "--rate", 100, "--duration", 0.5)
    assert r["ok_events"] == 0
    assert r["status"]["401"] == r["requests_sent"] > 0
    assert r["errors"] == r["requests_sent"]


def test_reference_event_file_is_sent_verbatim(collector_factory, tmp_path):
    c = collector_factory(auth=False)
    event = tmp_path / "event.ndjson"
    event.write_text('{"event_type":"page_view","user_id":"u1","url":"/x"}\n')
    r = loadgen(c, "--event-file", event, "--batch", 3, "--rate", 60, "--duration", 0.5)
    assert r["ok_events"] == 3 * r["ok_requests"] > 0
    assert c.stop() == 0
    events = c.lake_events()
    assert len(events) == r["ok_events"]
    assert {(e["event_type"], e["user_id"], e["url"]) for e in events} == {("page_view", "u1", "/x")}


def test_mission_profile_offers_its_integral(collector):
    # Base 1/8 of the peak, ramps over 20-45 % and 55-80 % of the run: average = 50 + 350 * 0.35.
    r = loadgen(collector, "--key", WRITE_KEY, "--profile", "mission", "--rate", 400, "--duration", 2)
    assert r["mode"] == "profile:mission"
    assert abs(r["offered_events_per_s"] - (50 + 350 * 0.35)) < 0.1
    assert r["errors"] == 0
    assert len(r["intervals"]) == 2


def test_bad_flags_exit_2(collector):
    out = subprocess.run([tracklake_bin(), "loadgen", "--url", "ftp://x"], env=clean_env(), capture_output=True,
                         text=True, timeout=30)
    assert out.returncode == 2
