"""The Python Tracker in direct Firehose mode against moto (signatures verified): one delivery
stream per event type, records in the collector's Firehose sink format (checked against the real
collector's sink on the same events), PutRecordBatch quotas, aggregation, per-record retries on
FailedPutCount (injected by the proxy of test_firehose.py), throttling, and events Firehose
refuses for good logged on their event type's logger."""
import json
import logging
from collections import Counter

import pytest

import tracklake
from test_firehose import (MAX_CALL_BYTES, MAX_CALL_RECORDS, MAX_RECORD_BYTES, FirehoseProxy, firehose_config,
                           post_all, streams)  # noqa: F401 (streams is a fixture)


@pytest.fixture
def aws_env(moto, monkeypatch):
    """The IAM user's key through the standard credential chain (the environment)."""
    for name, value in moto.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


def direct(s, endpoint, types, **kw):
    kw.setdefault("batch_age", 0.05)
    kw.setdefault("max_backoff", 0.2)
    return tracklake.Tracker("web", types, mode="firehose", stream_template=s.template, firehose_endpoint=endpoint,
                             flush_at_exit=False, **kw)


def test_each_event_type_goes_to_its_own_stream_in_the_collectors_record_format(
        collector_factory, moto, streams, aws_env):
    s = streams("page_view", "click")
    t = direct(s, moto.endpoint, ["page_view", "click"])
    ids = [t.track(ty, user_id=f"u{i}", n=str(i), s="ü=:/ ✓\nnewline inside") for i in range(300)
           for ty in ("page_view", "click")]
    assert t.flush(60)
    assert t.stats().delivered == 600
    for ty in ("page_view", "click"):
        got = s.events(ty)  # every S3 object is complete lines
        assert {e["event_type"] for e in got} == {ty} and {e["app_id"] for e in got} == {"web"}
        assert Counter(e["event_id"] for e in got) == Counter(ids[0 if ty == "page_view" else 1::2])
        assert next(e for e in got if e["n"] == "7")["s"] == "ü=:/ ✓\nnewline inside"

    # The same events through the collector's Firehose sink: the lines carry the same keys in the
    # same order, so the lake looks the same whichever path an event took.
    s2 = streams("page_view")
    c = collector_factory(extra=firehose_config(s2, moto.endpoint) + f'stream_template = "{s2.template}"\n',
                          env=moto.env())
    post_all(c, [{"event_type": "page_view", "event_id": f"x{i}", "event_time": "2026-11-26T06:07:15.123Z",
                  "user_id": f"u{i}", "n": str(i), "s": "v"} for i in range(3)])
    assert c.stop() == 0
    via_collector = [list(e) for e in s2.events("page_view")]
    via_client = [list(e) for e in s.events("page_view")[:3]]
    assert via_collector == via_client == [["event_type", "event_id", "app_id", "received_at", "event_time",
                                            "user_id", "n", "s"]] * 3


def test_calls_hold_at_most_500_records(moto, streams, tiny_server, aws_env):
    s = streams("page_view")
    proxy = FirehoseProxy(moto, tiny_server)
    t = direct(s, proxy.url, ["page_view"], batch_events=1200, batch_age=0.5)
    for i in range(1200):
        t.track("page_view", n=str(i))
    assert t.flush(60)
    sizes = [len(records) for _, records, _ in proxy.calls]
    assert max(sizes) <= MAX_CALL_RECORDS and sum(sizes) == 1200 and 500 in sizes
    assert all(r.endswith(b"\n") and r.count(b"\n") == 1 for r in proxy.records())
    assert len(s.events("page_view")) == 1200


def test_aggregation_packs_lines_into_records_of_at_most_1000_kib(moto, streams, tiny_server, aws_env):
    s = streams("blob")
    proxy = FirehoseProxy(moto, tiny_server)
    t = direct(s, proxy.url, ["blob"], aggregate=True, batch_events=5000, batch_bytes=16 << 20, batch_age=0.5)
    ids = [t.track("blob", data="x" * 3000) for _ in range(2000)]
    assert t.flush(60)
    records = proxy.records()
    assert 6 <= len(records) <= 8, [len(r) for r in records]
    assert all(len(r) <= MAX_RECORD_BYTES and r.endswith(b"\n") for r in records)
    assert all(sum(map(len, rs)) <= MAX_CALL_BYTES for _, rs, _ in proxy.calls)
    assert Counter(e["event_id"] for e in s.events("blob")) == Counter(ids)


def test_failed_records_are_sent_again_one_by_one_and_nothing_is_lost(moto, streams, tiny_server, aws_env, caplog):
    s = streams("page_view", "click")

    def plan(number, records):
        if number <= 3:
            return set(range(0, len(records), 3))
        if number == 4:
            return "throttle"
        return None
    proxy = FirehoseProxy(moto, tiny_server, plan)
    t = direct(s, proxy.url, ["page_view", "click"], batch_events=90)
    with caplog.at_level(logging.WARNING, logger="tracklake.firehose"):
        ids = [t.track(ty, n=str(i)) for i in range(270) for ty in ("page_view", "click")]
        assert t.flush(60)
    for ty, mine in (("page_view", ids[0::2]), ("click", ids[1::2])):
        assert Counter(e["event_id"] for e in s.events(ty)) == Counter(mine)
    # Each partially failed call was followed by one carrying exactly its failed records.
    for number, records, action in proxy.calls:
        if isinstance(action, set):
            failed = [records[i] for i in sorted(action)]
            retry = next(rs for n, rs, _ in proxy.calls if n > number and rs and rs[0] in failed)
            assert retry == failed
    assert any(a == "throttle" for _, _, a in proxy.calls)
    assert t.stats().retries >= 1  # the throttled call, retried by the sender
    loggers = {r.name for r in caplog.records}
    assert loggers <= {"tracklake.firehose.page_view", "tracklake.firehose.click"} and loggers
    assert "ServiceUnavailableException" in caplog.text and "ThrottlingException" in caplog.text


def test_an_event_type_without_a_stream_is_logged_on_its_own_logger(moto, streams, aws_env, caplog):
    s = streams("page_view")
    t = direct(s, moto.endpoint, ["page_view", "no_stream"])
    with caplog.at_level(logging.ERROR, logger="tracklake.firehose"):
        ok = t.track("page_view")
        lost = t.track("no_stream", order="o-1")
        assert t.flush(30)
    assert [e["event_id"] for e in s.events("page_view")] == [ok]
    assert t.stats().rejected == 1
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.name == "tracklake.firehose.no_stream" and "ResourceNotFoundException" in record.getMessage()
    line = record.getMessage().split(": ", 2)[-1]
    replayed = json.loads(line[line.index("{"):])  # the event as it would have been delivered
    assert (replayed["event_id"], replayed["order"], list(replayed)[3]) == (lost, "o-1", "received_at")


def test_a_wrong_secret_is_refused_and_nothing_is_delivered(moto, streams, aws_env, monkeypatch, caplog):
    s = streams("page_view")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    t = direct(s, moto.endpoint, ["page_view"])
    with caplog.at_level(logging.ERROR, logger="tracklake.firehose"):
        t.track("page_view")
        assert t.flush(30)
    assert s.objects("page_view") == []
    assert t.stats().rejected == 1 and t.stats().delivered == 0
    assert "HTTP 403" in caplog.text and "not-the-secret" not in caplog.text


def test_from_env_in_firehose_mode(moto, streams, aws_env, monkeypatch):
    s = streams("click")
    monkeypatch.setenv("TRACKLAKE_APP_ID", "web")
    monkeypatch.setenv("TRACKLAKE_EVENT_TYPES", "click")
    monkeypatch.setenv("TRACKLAKE_MODE", "firehose")
    monkeypatch.setenv("TRACKLAKE_FIREHOSE_STREAM_TEMPLATE", s.template)
    monkeypatch.setenv("TRACKLAKE_FIREHOSE_ENDPOINT", moto.endpoint)
    monkeypatch.setenv("TRACKLAKE_FIREHOSE_AGGREGATE", "true")
    t = tracklake.Tracker.from_env(batch_age=0.05, flush_at_exit=False)
    ids = [t.track("click") for _ in range(10)]
    assert t.flush(30)
    assert sorted(e["event_id"] for e in s.events("click")) == sorted(ids)
    assert len(s.objects("click")) == 1  # one aggregated record, one call
