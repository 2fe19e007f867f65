"""The Python Tracker in collector mode against the real collector binary: events land exactly
once with the ids track() gave them, through collector restarts, lost answers, 429/503 with
Retry-After, bodies too large, refused keys, a full queue, interpreter exit and fork."""
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

import tracklake
from clientlib import assert_each_once, assert_each_once_as_tracked
from tlharness import ROOT, WRITE_KEY, make_self_signed_cert, wait_for

TYPES = ["page_view", "click"]


def tracker(c_or_url, **kw):
    url = c_or_url if isinstance(c_or_url, str) else c_or_url.url
    kw.setdefault("batch_age", 0.05)
    kw.setdefault("max_backoff", 0.5)
    return tracklake.Tracker("web", TYPES, endpoint=url, write_key=kw.pop("write_key", WRITE_KEY),
                             flush_at_exit=False, **kw)


def landed(c):
    assert c.stop() == 0
    return c.lake_events()


def test_events_from_many_threads_land_exactly_once_with_their_client_ids(collector):
    t = tracker(collector, batch_events=100)
    ids = []
    lock = threading.Lock()

    def work(n):
        mine = [t.track(TYPES[i % 2], user_id=f"u{n}", seq=str(i), url="/ü?x=1&y=\"2\"", **{"page.ref": "r"})
                for i in range(500)]
        with lock:
            ids.extend(mine)
    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert None not in ids
    assert t.flush(30)
    s = t.stats()
    assert (s.delivered, s.queued, s.dropped, s.rejected) == (2000, 0, 0, 0)
    events = landed(collector)
    assert_each_once(events, ids)
    e = next(e for e in events if e["user_id"] == "u3" and e["seq"] == "7")
    assert e["event_type"] == "click" and e["app_id"] == "web" and e["url"] == "/ü?x=1&y=\"2\"" and e["page.ref"] == "r"
    assert e["event_id"][14] == "7"  # UUIDv7
    assert e["event_time"] <= e["received_at"]


def test_given_event_id_and_event_time_are_kept(collector):
    with tracker(collector, batch_age=60) as t:  # leaving the block closes, which flushes
        assert t.track("click", {"event_id": "order-42", "event_time": "2026-01-02T03:04:05.678Z"}) == "order-42"
    assert t.stats().delivered == 1
    [e] = landed(collector)
    assert (e["event_id"], e["event_time"]) == ("order-42", "2026-01-02T03:04:05.678Z")


def test_invalid_events_raise_or_log_and_are_counted(collector, caplog):
    t = tracker(collector)
    with pytest.raises(tracklake.ValidationError) as e:
        t.track("signup", user_id="u1")
    assert (e.value.field, e.value.rule) == ("event_type", "not allowed for this application")
    with pytest.raises(tracklake.ValidationError) as e:
        t.track("click", amount=12.5)
    assert (e.value.field, e.value.rule) == ("amount", "must be a string (got number)")
    quiet = tracker(collector, on_invalid="log")
    with caplog.at_level(logging.WARNING, logger="tracklake"):
        assert quiet.track("click", secret_value="x" * 40000) is None
    assert "event is larger than 32768 bytes" in caplog.text and "xxxx" not in caplog.text
    assert t.stats().invalid == 2 and quiet.stats().invalid == 1


@pytest.mark.parametrize("stop_how", ["sigterm", "kill9"])
def test_collector_restarts_mid_batch_lose_nothing(fixed_port_collector, stop_how):
    c = fixed_port_collector
    t = tracker(c, batch_events=40, batch_age=0.01, max_queue_events=1_000_000)  # room for any outage here
    ids = []
    stop = threading.Event()

    def produce():  # until both restarts are done, so that each one lands mid-batch
        i = 0
        while not stop.is_set() or i < 1000:
            for _ in range(100):
                ids.append(t.track(TYPES[i % 2], seq=str(i), pad="p" * 300))
                i += 1
            time.sleep(0.02)
    producer = threading.Thread(target=produce)
    producer.start()
    try:
        for _ in range(2):
            wait_for(lambda: t.stats().delivered > 0 and t.stats().queued > 0, what="events in flight")
            if stop_how == "sigterm":
                assert c.stop() == 0
            else:
                c.kill9()
            time.sleep(0.3)  # the client meets a closed port meanwhile
            c.start(env=c.fixed_env)
    finally:
        stop.set()
        producer.join()
    assert None not in ids
    assert t.flush(60), t.stats()
    assert t.stats().retries > 0
    # A kill -9 can cut an accepted request's answer: its retry meets the collector's dedup.
    assert_each_once_as_tracked(landed(c), ids)


def test_a_lost_answer_is_retried_with_the_same_ids(collector, fault_proxy):
    # Request 2 reaches the collector, which accepts it, but its answer never comes back.
    proxy = fault_proxy(collector, lambda n: "drop-after" if n == 2 else None)
    t = tracker(proxy.url, batch_events=10)
    ids = [t.track("click", seq=str(i)) for i in range(50)]
    assert t.flush(30)
    assert_each_once_as_tracked(landed(collector), ids)  # the retried batch was dropped as a duplicate
    assert t.stats().retries >= 1


def test_connection_lost_before_the_collector_sees_a_request_is_retried(collector, fault_proxy):
    proxy = fault_proxy(collector, lambda n: "drop-before" if n in (1, 3) else None)
    t = tracker(proxy.url, batch_events=10)
    ids = [t.track("click", seq=str(i)) for i in range(50)]
    assert t.flush(30)
    assert_each_once(landed(collector), ids)
    assert t.stats().retries >= 2


@pytest.mark.parametrize("status", [503, 429])
def test_retry_after_is_honoured(collector, fault_proxy, status):
    proxy = fault_proxy(collector, lambda n: ("status", status, 1) if n == 1 else None)
    t = tracker(proxy.url, batch_events=10, max_backoff=0.05)
    ids = [t.track("click", seq=str(i)) for i in range(10)]
    assert t.flush(30)
    assert_each_once(landed(collector), ids)
    (t1, action, headers), (t2, _, _) = proxy.log[:2]
    assert action == ("status", status, 1)
    assert t2 - t1 >= 0.95, "retried before Retry-After"
    assert headers["Content-Encoding"] == "gzip" and headers["Content-Type"] == "application/x-ndjson"
    assert headers["User-Agent"] == f"tracklake-python/{tracklake.__version__}"


def test_the_collectors_rate_limit_slows_the_client_without_losing_events(collector_factory):
    c = collector_factory(extra='[apps.limited]\nkey = "limited-key"\nrate_limit = 200\nrate_burst = 50\n')
    t = tracklake.Tracker("limited", ["click"], endpoint=c.url, write_key="limited-key", batch_events=100,
                          batch_age=0.01, flush_at_exit=False)
    ids = [t.track("click", seq=str(i)) for i in range(600)]
    assert t.flush(60)
    assert t.stats().retries > 0
    metrics = c.session.get(c.url + "/metrics").text
    assert "tracklake_events_rate_limited_total" in metrics
    assert_each_once(landed(c), ids)


def test_a_body_over_the_collectors_limit_is_split(collector_factory):
    c = collector_factory(env={"TRACKLAKE_SERVER_MAX_BODY_BYTES": "2KiB"})
    t = tracker(c, compress=False, batch_events=100)
    ids = [t.track("click", seq=str(i), pad="p" * 100) for i in range(100)]  # ~17 KB in one batch
    assert t.flush(30)
    assert t.stats().rejected == 0
    assert_each_once(landed(c), ids)


def test_events_the_collector_rejects_are_counted_and_logged_without_values(collector_factory, caplog):
    c = collector_factory(env={"TRACKLAKE_VALIDATION_MAX_FIELDS": "4"})  # stricter than the client's rules
    t = tracker(c)
    with caplog.at_level(logging.WARNING, logger="tracklake"):
        t.track("click", a="secret-a")
        ok = t.track("click")
        assert t.flush(10)
    s = t.stats()
    assert (s.delivered, s.rejected) == (1, 1)
    assert "too many fields (at most 4)" in caplog.text and "secret-a" not in caplog.text
    assert [e["event_id"] for e in landed(c)] == [ok]


def test_a_refused_write_key_keeps_the_events_and_says_so(collector, caplog):
    t = tracker(collector, write_key="wrong-key-123")
    with caplog.at_level(logging.ERROR, logger="tracklake"):
        t.track("click")
        assert not t.flush(1.0)
    s = t.stats()
    assert s.queued == 1 and s.retries >= 1 and s.rejected == 0
    assert "HTTP 401" in caplog.text and "wrong-key-123" not in caplog.text
    assert not t.close(0.1) and t.stats().abandoned == 1


def test_a_full_queue_drops_and_counts_and_never_blocks(collector):
    dead = f"http://127.0.0.1:{collector.port}"
    collector.kill9()  # nothing listens there now
    t = tracker(dead, max_queue_events=100, batch_events=10)
    start = time.monotonic()
    results = [t.track("click", seq=str(i)) for i in range(150)]
    assert time.monotonic() - start < 5  # a sanity bound, not a measurement: no network wait
    # The queue holds 100 events besides the batch (10) the sender may already have taken.
    assert results.count(None) == t.stats().dropped and 40 <= t.stats().dropped <= 50
    assert not t.flush(0.2)
    assert not t.close(0.2)
    assert t.stats().abandoned == 150 - t.stats().dropped
    dropped = t.stats().dropped
    assert t.track("click") is None and t.stats().dropped == dropped  # closed: refused, not "dropped"


def test_https_with_a_ca_file(collector_factory, tmp_path):
    tls = make_self_signed_cert(tmp_path / "tls")
    c = collector_factory(tls=tls)
    t = tracker(c, ca_file=str(tls.ca))
    ids = [t.track("click") for _ in range(5)]
    assert t.flush(10)
    assert_each_once(landed(c), ids)


def run_python(code, **env):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, **env), cwd=ROOT)


def test_events_are_flushed_when_the_interpreter_exits(collector):
    code = f"""
import tracklake
t = tracklake.Tracker("web", ["click"], endpoint="{collector.url}", write_key="{WRITE_KEY}", batch_age=60)
ids = [t.track("click", seq=str(i)) for i in range(300)]
print(" ".join(ids))
"""  # batch_age 60 s: nothing is sent before the exit hook flushes
    r = run_python(code)
    assert r.returncode == 0, r.stderr
    assert_each_once(landed(collector), r.stdout.split())


def test_a_forked_child_sends_its_own_events_and_never_its_parents(collector):
    code = f"""
import os, tracklake
t = tracklake.Tracker("web", ["click"], endpoint="{collector.url}", write_key="{WRITE_KEY}", batch_age=60)
parent = [t.track("click", who="parent") for _ in range(20)]
pid = os.fork()
if pid == 0:
    child = [t.track("click", who="child") for _ in range(20)]
    ok = t.flush(20)
    print("child", ok, " ".join(child), flush=True)
    os._exit(0)
os.waitpid(pid, 0)
print("parent", t.flush(20), " ".join(parent), flush=True)
"""
    r = run_python(code)
    assert r.returncode == 0, r.stderr
    lines = dict(line.split(" ", 1) for line in r.stdout.strip().splitlines())
    ids = []
    for who in ("child", "parent"):
        ok, *mine = lines[who].split()
        assert ok == "True"
        ids += mine
    assert len(set(ids)) == 40  # the child's id generator was reseeded
    events = landed(collector)
    assert_each_once(events, ids)
    assert Counter(e["who"] for e in events) == {"parent": 20, "child": 20}


def test_from_env(collector, monkeypatch):
    monkeypatch.setenv("TRACKLAKE_APP_ID", "web")
    monkeypatch.setenv("TRACKLAKE_EVENT_TYPES", "click, page_view")
    monkeypatch.setenv("TRACKLAKE_ENDPOINT", collector.url)
    monkeypatch.setenv("TRACKLAKE_WRITE_KEY", WRITE_KEY)
    t = tracklake.Tracker.from_env(batch_age=0.01, flush_at_exit=False)
    assert (t.mode, t.event_types) == ("collector", ("click", "page_view"))
    i = t.track("page_view")
    assert t.flush(10)
    assert [e["event_id"] for e in landed(collector)] == [i]


def test_collector_mode_needs_nothing_beyond_the_standard_library(collector):
    code = f"""
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("boto3", "botocore", "requests", "urllib3"):
            raise ImportError("blocked: " + name)
sys.meta_path.insert(0, Block())
import tracklake
t = tracklake.Tracker("web", ["click"], endpoint="{collector.url}", write_key="{WRITE_KEY}")
print(t.track("click"), t.flush(10))
"""
    r = run_python(code)
    assert r.returncode == 0, r.stderr
    event_id, ok = r.stdout.split()
    assert ok == "True"
    assert [e["event_id"] for e in landed(collector)] == [event_id]


def test_the_package_version_is_the_projects():
    from tlharness import tracklake_bin
    out = subprocess.run([tracklake_bin(), "version"], capture_output=True, text=True, check=True).stdout
    assert out.strip() == f"tracklake {tracklake.__version__}"
    assert (ROOT / "VERSION").read_text().strip() == tracklake.__version__
    assert Path(tracklake.__file__).parent.joinpath("VERSION").resolve() == (ROOT / "VERSION").resolve()


def test_unusable_options_are_refused_at_construction():
    with pytest.raises(ValueError, match="endpoint"):
        tracklake.Tracker("web", ["click"])  # neither a collector nor mode="firehose"
    with pytest.raises(ValueError, match="event_types"):
        tracklake.Tracker("web", [], endpoint="http://127.0.0.1:1")
    with pytest.raises(ValueError, match="'Click'"):
        tracklake.Tracker("web", ["Click"], endpoint="http://127.0.0.1:1")
    with pytest.raises(ValueError, match="http"):
        tracklake.Tracker("web", ["click"], endpoint="ftp://collector")
    with pytest.raises(ValueError, match="stream name"):
        tracklake.Tracker("web", ["click"], mode="firehose", stream_template="bad name {event_type}")
