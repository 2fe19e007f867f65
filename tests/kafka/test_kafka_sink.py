"""The real tracklake binary with sink.type = "kafka" against a real broker (KRaft, one per
module), read back by confluent-kafka at isolation.level = read_committed: one topic per event
type, one JSON message per event with the lake row's fields, the chosen key and the headers;
an unknown topic and a message over message.max.bytes go to the dead-letter area with the
broker's reason; a collector started before any broker answers still starts and says why."""
import gzip
import json
import os
import base64
import uuid

import pytest

from kafka_broker import KafkaBroker
from tlharness import wait_for


def kafka_config(brokers, template, extra=""):
    return f"""
[sink]
type = "kafka"

[kafka]
brokers = "{brokers}"
topic_template = "{template}"
{extra}
"""


@pytest.fixture
def topics(broker):
    """A fresh topic template for the test (the broker is shared by the module)."""
    def make(*event_types, config=None):
        template = f"t{uuid.uuid4().hex[:8]}.{{event_type}}"
        broker.create_topics(*[template.replace("{event_type}", t) for t in event_types], config=config)
        return template
    return make


def dead_letters(c):
    root = c.root / "data" / "dead-letter"
    out = []
    for path in sorted(root.rglob("*.ndjson.gz")) if root.exists() else []:
        events = [json.loads(line) for line in gzip.decompress(path.read_bytes()).decode().splitlines()]
        reason = json.loads((path.parent / (path.name + ".reason.json")).read_text())
        out.append((path.relative_to(root), events, reason))
    return out


def test_each_event_is_one_message_on_its_types_topic_with_key_and_headers(collector_factory, broker, topics):
    template = topics("page_view", "click")
    c = collector_factory(extra=kafka_config(broker.bootstrap, template))
    sent = [{"event_type": t, "event_id": f"{t}-{i}", "user_id": f"user-{i % 5}", "n": str(i),
             "s": "ü=:/ ✓\nnewline \"quoted\"", "event_time": "2026-11-26T06:00:00Z"}
            for i in range(250) for t in ("page_view", "click")]
    sent.append({"event_type": "click", "event_id": "anon", "anonymous_id": "a1"})  # no user_id: no key
    for start in range(0, len(sent), 100):
        assert c.post(sent[start:start + 100]).status_code == 200
    assert c.stop() == 0
    for event_type in ("page_view", "click"):
        expected = {e["event_id"]: e for e in sent if e["event_type"] == event_type}
        got = broker.consume_all(template.replace("{event_type}", event_type), expected=len(expected))
        assert len(got) == len(expected)
        for key, value, headers in got:
            event = json.loads(value)
            sent_event = expected.pop(event["event_id"])
            # The lake row's fields: everything sent at the top level, plus app_id and received_at.
            assert {k: v for k, v in event.items() if k not in ("app_id", "received_at")} == sent_event
            assert event["app_id"] == "web" and event["received_at"].endswith("Z")
            assert key == (sent_event["user_id"].encode() if "user_id" in sent_event else None)
            assert headers == {"event_type": event_type.encode(), "app_id": b"web",
                               "event_id": sent_event["event_id"].encode()}
        assert expected == {}
    assert dead_letters(c) == []
    log = c.log_path.read_text()
    assert "kafka sink connected" in log


def test_a_topic_that_does_not_exist_keeps_its_batch_in_the_dead_letter_area_with_the_reason(
        collector_factory, broker, topics):
    template = topics("page_view")
    c = collector_factory(extra=kafka_config(broker.bootstrap, template, 'message_key = "event_id"'))
    assert c.post([{"event_type": "page_view", "event_id": "ok"},
                   {"event_type": "no_topic", "event_id": "kept", "p": "v"}]).status_code == 200
    assert c.stop() == 0
    [(key, value, _)] = broker.consume_all(template.replace("{event_type}", "page_view"), expected=1)
    assert (key, json.loads(value)["event_id"]) == (b"ok", "ok")
    [(path, events, reason)] = dead_letters(c)
    assert path.parts[0] == "no_topic"
    assert [(e["event_id"], e["p"]) for e in events] == [("kept", "v")]
    assert reason["sink"] == "kafka"
    assert "UNKNOWN_TOPIC" in reason["reason"] and "the topic does not exist" in reason["reason"]
    assert template.replace("{event_type}", "no_topic") in reason["reason"]


def test_a_message_over_message_max_bytes_is_dead_lettered_and_the_others_delivered(collector_factory, broker, topics):
    template = topics("upload")
    c = collector_factory(extra=kafka_config(broker.bootstrap, template),
                          env={"TRACKLAKE_VALIDATION_MAX_EVENT_BYTES": "2MiB", "TRACKLAKE_SERVER_MAX_BODY_BYTES": "4MiB",
                               "TRACKLAKE_FLUSH_MAX_AGE": "1"})
    big = base64.b64encode(os.urandom(800 * 1024)).decode()  # ~1.07 MB: over librdkafka's 1,000,000
    sent = [{"event_type": "upload", "event_id": "small-1"},
            {"event_type": "upload", "event_id": "huge", "data": big},
            {"event_type": "upload", "event_id": "small-2"}]
    assert c.post(sent).status_code == 200
    metrics = wait_for(lambda: (lambda m: m if "tracklake_kafka_delivery_errors_total" in m else None)(
        c.session.get(c.url + "/metrics").text), timeout=60, what="a delivery error metric")
    assert 'tracklake_kafka_delivery_errors_total{reason="MSG_SIZE_TOO_LARGE"}' in metrics
    assert c.stop() == 0
    got = broker.consume_all(template.replace("{event_type}", "upload"), expected=2)
    assert sorted(json.loads(v)["event_id"] for _, v, _ in got) == ["small-1", "small-2"]
    [(path, events, reason)] = dead_letters(c)
    assert [e["event_id"] for e in events] == ["small-1", "huge", "small-2"]
    assert events[1]["data"] == big
    assert "MSG_SIZE_TOO_LARGE" in reason["reason"] and "message.max.bytes" in reason["reason"]
    assert "events 2 (event_id huge) of the batch" in reason["reason"]


def test_no_broker_at_start_the_collector_serves_says_why_and_delivers_once_one_answers(
        collector_factory, tmp_path):
    late = KafkaBroker(tmp_path / "late-broker")  # formatted, ports chosen, not running yet
    try:
        c = collector_factory(extra=kafka_config(late.bootstrap, "late.{event_type}"),
                              env={"TRACKLAKE_FLUSH_MAX_AGE": "1"})
        ready = c.session.get(c.url + "/readyz")
        assert ready.status_code == 503
        assert late.bootstrap in ready.json()["error"] and "kafka" in ready.json()["error"]
        assert c.post([{"event_type": "page_view", "event_id": f"e{i}"} for i in range(20)]).status_code == 200
        late.start()
        late.create_topics("late.page_view")
        wait_for(lambda: c.session.get(c.url + "/readyz").status_code == 200, timeout=60, what="readiness")
        got = late.consume_all("late.page_view", expected=20, timeout=60)
        assert sorted(json.loads(v)["event_id"] for _, v, _ in got) == sorted(f"e{i}" for i in range(20))
        assert c.stop() == 0
    finally:
        late.close()
