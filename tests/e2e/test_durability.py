"""Nothing acknowledged is lost or duplicated: mixed load with SIGTERM, and kill -9 mid-load."""
import json
import random
import signal
import threading
from collections import Counter

import pytest

from tlharness import WRITE_KEY, wait_for

UNICODE = ["héllo", "日本語テキスト", "emoji 😀🎉", "𐍈 gothic", "\U0010FFFD edge", "tab\tnew\nline \"quoted\" \\"]


def make_event(rng, i, valid=True):
    e = {"event_type": rng.choice(["page_view", "click", "purchase_done"]), "event_id": f"ev-{i}",
         "user_id": f"u{rng.randrange(500)}"}
    for k in range(rng.randrange(0, 20)):
        e[f"prop_{k}"] = rng.choice(UNICODE) if rng.random() < 0.3 else f"value-{rng.randrange(1000)}"
    if rng.random() < 0.05:
        e["big"] = "x" * 4000  # a 4 KB event
    if not valid:
        kind = rng.randrange(4)
        if kind == 0:
            e["count"] = rng.randrange(10)
        elif kind == 1:
            e["event_type"] = "Not Valid"
        elif kind == 2:
            del e["event_type"]
        else:
            e["nested"] = {"a": "b"}
    return e


def send_mixed(collector, rng, n_events):
    """Sends n events in single, array and NDJSON requests; returns (acknowledged, rejected) by id."""
    acked, rejected = {}, {}
    i = 0
    while i < n_events:
        size = rng.choice([1, 1, 10, 100])
        batch = [make_event(rng, i + j, valid=rng.random() > 0.1) for j in range(min(size, n_events - i))]
        i += len(batch)
        if len(batch) == 1 and rng.random() < 0.5:
            r = collector.post(batch[0])
        elif rng.random() < 0.5:
            r = collector.post("\n".join(json.dumps(e) for e in batch),
                               headers={"Content-Type": "application/x-ndjson"})
        else:
            r = collector.post(batch)
        assert r.status_code in (200, 400), r.text
        bad = {x["index"] for x in r.json()["rejected"]}
        for idx, e in enumerate(batch):
            (rejected if idx in bad else acked)[e["event_id"]] = e
    return acked, rejected


@pytest.mark.parametrize("threads", [1, 2])
def test_ten_thousand_mixed_events_all_land_exactly_once(collector_factory, threads):
    collector = collector_factory(threads=threads)
    rng = random.Random(7)
    acked, rejected = send_mixed(collector, rng, 10_000)
    assert len(rejected) > 500 and len(acked) > 8000
    assert collector.stop(signal.SIGTERM) == 0
    events = collector.lake_events()
    counts = Counter(e["event_id"] for e in events)
    assert set(counts) == set(acked)
    assert max(counts.values()) == 1
    for e in events:
        sent = acked[e["event_id"]]
        server = {"app_id": "web", "received_at": e["received_at"]}
        assert e == {**sent, **server}, e["event_id"]
    dead = collector.lake_events(dead_letters=True)
    assert len(dead) == len(rejected)
    by_id = {json.loads(d["raw"]).get("event_id"): d for d in dead}
    assert set(by_id) == set(rejected)
    for event_id, d in by_id.items():
        assert json.loads(d["raw"]) == rejected[event_id]
        assert d["error"] and "field" in d


@pytest.mark.parametrize("threads", [1, 2])
def test_kill_dash_nine_loses_no_acknowledged_event(collector_factory, threads):
    collector = collector_factory(threads=threads)
    acked = set()
    lock = threading.Lock()
    stop = threading.Event()

    def load(client):
        # Several clients at once, so that the log's groups hold several requests.
        rng = random.Random(client)
        session = collector.new_session()
        i = 0
        while not stop.is_set():
            size = rng.choice([1, 50])
            batch = [{"event_type": rng.choice(["a", "b"]), "event_id": f"k{client}-{i + j}",
                      "p": "v" * rng.randrange(100)} for j in range(size)]
            i += size
            try:
                r = session.post(collector.url + "/v1/events", json=batch if size > 1 else batch[0],
                                 headers={"Authorization": f"Bearer {WRITE_KEY}"}, timeout=10)
            except Exception:
                return  # the process died mid-request: that batch was never acknowledged
            if r.status_code == 200:
                with lock:
                    acked.update(e["event_id"] for e in batch)

    loaders = [threading.Thread(target=load, args=(n,)) for n in range(4)]
    for t in loaders:
        t.start()
    wait_for(lambda: len(acked) >= 5000, what="5000 acknowledged events")
    collector.kill9()
    stop.set()
    for t in loaders:
        t.join()
    collector.start()
    assert collector.stop() == 0
    counts = Counter(e["event_id"] for e in collector.lake_events())
    assert acked <= set(counts), f"lost {len(acked - set(counts))} acknowledged events"
    assert max(counts.values()) == 1, "an event landed twice"


def test_replay_after_kill_rewrites_sealed_files_without_duplicates(collector_factory):
    # Tiny batches so that many seals and deliveries are in flight when the process dies.
    c = collector_factory(extra="", env=None)
    c.stop()
    c.config_path.write_text(c.config_path.read_text().replace('max_age = 3600', 'max_age = 1'))
    for round_ in range(3):
        c.start()
        for i in range(20):
            assert c.post([{"event_type": "r", "event_id": f"r{round_}-{i}-{j}"} for j in range(20)]).status_code == 200
        c.kill9()
    c.start()
    assert c.stop() == 0
    counts = Counter(e["event_id"] for e in c.lake_events())
    assert len(counts) == 3 * 20 * 20
    assert max(counts.values()) == 1


def test_send_command_delivers_a_file_of_events(collector, tmp_path):
    import subprocess
    from tlharness import WRITE_KEY, tracklake_bin
    src = tmp_path / "events.ndjson"
    src.write_text("\n".join(json.dumps({"event_type": "sent", "event_id": f"s{i}"}) for i in range(1234)) + "\n")
    out = subprocess.run([tracklake_bin(), "send", str(src), "--url", collector.url + "/v1/events",
                          "--key", WRITE_KEY, "--batch", "100"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "sent 1234 events in 13 batches" in out.stderr
    assert collector.stop() == 0
    assert len({e["event_id"] for e in collector.lake_events()}) == 1234
