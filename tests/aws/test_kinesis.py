"""The real tracklake binary with sink.type = "kinesis" against moto (signatures verified): one
data stream per event type, one JSON record per event with the chosen partition key, PutRecords
limits, aggregation, partial failures (FailedRecordCount > 0, injected by a proxy: moto never
fails a record) resent record by record, a throttled call, and a missing stream."""
import base64
import json
import threading
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlparse

import pytest

from tlharness import fetch_upstream, relay_response, reply_json

MAX_RECORD_BYTES = 1024 * 1024
MAX_CALL_BYTES = 5 * 1024 * 1024
MAX_CALL_RECORDS = 500


class Streams:
    """Kinesis data streams in moto, one per event type."""

    def __init__(self, moto, event_types, shards=2):
        self.moto = moto
        self.template = f"k{uuid.uuid4().hex[:8]}-{{event_type}}"
        kinesis = moto.client("kinesis")
        for event_type in event_types:
            kinesis.create_stream(StreamName=self.name(event_type), ShardCount=shards)

    def name(self, event_type):
        return self.template.replace("{event_type}", event_type)

    def records(self, event_type):
        """Every record of the stream: (partition key, data bytes)."""
        kinesis = self.moto.client("kinesis")
        stream = self.name(event_type)
        out = []
        for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
            iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard["ShardId"],
                                                  ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            while iterator:
                answer = kinesis.get_records(ShardIterator=iterator, Limit=10000)
                out += [(r["PartitionKey"], r["Data"]) for r in answer["Records"]]
                if not answer["Records"]:
                    break
                iterator = answer.get("NextShardIterator")
        return out

    def events(self, event_type):
        events = []
        for _, data in self.records(event_type):
            assert data.endswith(b"\n"), data[-80:]
            events += [json.loads(line) for line in data.decode().split("\n")[:-1]]
        return events


def kinesis_config(streams, endpoint, extra=""):
    return f"""
[sink]
type = "kinesis"

[kinesis]
region = "us-east-1"
endpoint = "{endpoint}"
stream_template = "{streams.template}"
{extra}
"""


class KinesisProxy:
    """A proxy in front of moto that sees every PutRecords (decoded records in `calls`) and
    applies plan(call_number, records) -> None (pass through), "throttle", or a set of record
    positions to fail. Failed records never reach moto: the others are sent on with boto3 and the
    answer reports FailedRecordCount, as Kinesis does when a shard is over its throughput. Other
    calls (the sink check's DescribeStreamSummary) pass through, counted in `others`."""

    def __init__(self, moto, tiny_server, plan=None):
        self.calls = []  # (call number, [(partition key, data)], action)
        self.others = []  # (X-Amz-Target, StreamName) of the calls that are not PutRecords
        self.lock = threading.Lock()
        upstream = urlparse(moto.endpoint)
        outer = self
        plan = plan or (lambda n, records: None)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                target = self.headers.get("X-Amz-Target", "")
                if not target.endswith(".PutRecords"):
                    with outer.lock:
                        outer.others.append((target, json.loads(body).get("StreamName")))
                    return relay_response(self, *fetch_upstream(self, upstream, body))
                request = json.loads(body)
                records = [(r["PartitionKey"], base64.b64decode(r["Data"])) for r in request["Records"]]
                with outer.lock:
                    number = len(outer.calls) + 1
                    action = plan(number, records) if records else None
                    outer.calls.append((number, records, action))
                if action == "throttle":
                    return self.reply(400, {"__type": "ProvisionedThroughputExceededException",
                                            "message": "Rate exceeded for stream"})
                if action:
                    return self.partial(request["StreamName"], records, action)
                relay_response(self, *fetch_upstream(self, upstream, body))

            def partial(self, stream, records, failing):
                kept = [r for i, r in enumerate(records) if i not in failing]
                answers = iter([])
                if kept:
                    answer = moto.client("kinesis").put_records(
                        StreamName=stream, Records=[{"PartitionKey": k, "Data": d} for k, d in kept])
                    answers = iter(answer["Records"])
                results = [{"ErrorCode": "ProvisionedThroughputExceededException",
                            "ErrorMessage": "Rate exceeded for shard shardId-000000000000"}
                           if i in failing else next(answers) for i in range(len(records))]
                self.reply(200, {"FailedRecordCount": len(failing), "Records": results})

            def reply(self, status, document):
                reply_json(self, status, document)

        self.server = tiny_server(Handler)
        self.url = self.server.url

    def records(self):
        return [r for _, records, _ in self.calls for r in records]


@pytest.fixture
def streams(moto):
    return lambda *event_types: Streams(moto, event_types)


def post_all(c, events, per_request=200):
    for start in range(0, len(events), per_request):
        assert c.post(events[start:start + per_request]).status_code == 200


def test_each_event_is_one_json_record_on_its_types_stream_keyed_by_user_id(collector_factory, moto, streams):
    s = streams("page_view", "click")
    c = collector_factory(extra=kinesis_config(s, moto.endpoint), env=moto.env())
    sent = [{"event_type": t, "event_id": f"{t}-{i}", "user_id": f"user-{i % 7}", "n": str(i),
             "s": "ü=:/ ✓\nnewline inside", "event_time": "2026-11-26T06:00:00Z"}
            for i in range(300) for t in ("page_view", "click")]
    sent.append({"event_type": "click", "event_id": "anon-1"})  # no user_id: keyed by its event_id
    post_all(c, sent)
    assert c.stop() == 0
    for event_type in ("page_view", "click"):
        records = s.records(event_type)
        expected = [e for e in sent if e["event_type"] == event_type]
        assert len(records) == len(expected)
        by_id = {}
        for key, data in records:
            [line] = data.decode().split("\n")[:-1]
            event = json.loads(line)
            assert key == event.get("user_id", event["event_id"])
            by_id[event["event_id"]] = event
        for e in expected:
            got = by_id[e["event_id"]]
            # The lake row's fields: everything sent, plus app_id and received_at.
            assert {k: v for k, v in got.items() if k not in ("app_id", "received_at")} == e
            assert got["app_id"] == "web" and got["received_at"].endswith("Z")
    assert moto.secret not in c.log_path.read_text()
    assert not (c.root / "data" / "dead-letter").exists()


def test_calls_hold_at_most_500_records_and_aggregation_packs_1_mib_records(collector_factory, moto, streams,
                                                                          tiny_server):
    s = streams("page_view", "blob")
    proxy = KinesisProxy(moto, tiny_server)
    c = collector_factory(extra=kinesis_config(s, proxy.url), env=moto.env())
    post_all(c, [{"event_type": "page_view", "event_id": f"e-{i}"} for i in range(1200)])
    assert c.stop() == 0
    assert [len(records) for _, records, _ in proxy.calls] == [500, 500, 200]
    assert sorted(e["event_id"] for e in s.events("page_view")) == sorted(f"e-{i}" for i in range(1200))

    aggregated = KinesisProxy(moto, tiny_server)
    c2 = collector_factory(extra=kinesis_config(s, aggregated.url, "aggregate = true"), env=moto.env())
    sent = [{"event_type": "blob", "event_id": f"b-{i}", "data": "x" * 3000} for i in range(2500)]
    post_all(c2, sent)
    assert c2.stop() == 0
    records = aggregated.records()
    # ~7.6 MB of events: a handful of full records instead of 2,500, in calls within the limits.
    assert 7 <= len(records) <= 9, [len(d) for _, d in records]
    assert all(len(k) + len(d) <= MAX_RECORD_BYTES and d.endswith(b"\n") for k, d in records)
    assert all(sum(len(k) + len(d) for k, d in rs) <= MAX_CALL_BYTES for _, rs, _ in aggregated.calls)
    assert len(aggregated.calls) >= 2
    assert sorted(e["event_id"] for e in s.events("blob")) == sorted(e["event_id"] for e in sent)


def test_failed_records_are_sent_again_one_by_one_and_nothing_is_lost(collector_factory, moto, streams, tiny_server):
    s = streams("page_view")
    # The first calls lose every third record (FailedRecordCount > 0); then a call is throttled as
    # a whole; later calls pass. Failed records never reach moto, so the stream must end up with
    # every event exactly once.
    def plan(number, records):
        if number <= 3:
            return set(range(0, len(records), 3))
        if number == 4:
            return "throttle"
        return None
    proxy = KinesisProxy(moto, tiny_server, plan)
    c = collector_factory(extra=kinesis_config(s, proxy.url), env=dict(moto.env(), TRACKLAKE_FLUSH_MAX_AGE="1"))
    sent = [{"event_type": "page_view", "event_id": f"{r}-{i}", "user_id": f"u{i}"} for r in range(3) for i in range(90)]
    for r in range(3):
        post_all(c, sent[r * 90:(r + 1) * 90])
        threading.Event().wait(1.3)  # past flush.max_age: one batch per round
    assert c.stop() == 0
    assert Counter(e["event_id"] for e in s.events("page_view")) == Counter(e["event_id"] for e in sent)
    for number, records, action in proxy.calls:
        if isinstance(action, set):
            failed = [records[i] for i in sorted(action)]
            retry = next(rs for n, rs, _ in proxy.calls if n > number and rs and rs[0] in failed)
            assert retry == failed  # only the failed records, same partition keys
    log = c.log_path.read_text()
    assert "ProvisionedThroughputExceededException" in log and "sending them again" in log
    assert "will retry" in log
    assert not (c.root / "data" / "dead-letter").exists()


def test_an_event_type_without_a_stream_is_kept_in_the_dead_letter_area_with_the_reason(
        collector_factory, moto, streams):
    s = streams("page_view")
    c = collector_factory(extra=kinesis_config(s, moto.endpoint), env=moto.env())
    assert c.post([{"event_type": "page_view", "event_id": "ok"},
                   {"event_type": "no_stream", "event_id": "lost-1", "p": "v"}]).status_code == 200
    assert c.stop() == 0
    assert [e["event_id"] for e in s.events("page_view")] == ["ok"]
    dead_dir = c.root / "data" / "dead-letter"
    [dead] = list(dead_dir.rglob("*.ndjson.gz"))
    assert dead.relative_to(dead_dir).parts[0] == "no_stream"
    import gzip
    [event] = [json.loads(line) for line in gzip.decompress(dead.read_bytes()).decode().splitlines()]
    assert (event["event_id"], event["p"]) == ("lost-1", "v")
    reason = json.loads((dead.parent / (dead.name + ".reason.json")).read_text())
    assert reason["sink"] == "kinesis" and "ResourceNotFoundException" in reason["reason"]
    assert s.name("no_stream") in reason["reason"]


def test_a_wrong_secret_is_refused_by_moto_and_nothing_is_delivered(collector_factory, moto, streams):
    s = streams("page_view")
    c = collector_factory(extra=kinesis_config(s, moto.endpoint),
                          env=dict(moto.env(), AWS_SECRET_ACCESS_KEY="not-the-secret"))
    assert c.post([{"event_type": "page_view", "event_id": "x"}]).status_code == 200
    assert c.stop() == 0
    assert s.records("page_view") == []
    log = c.log_path.read_text()
    assert "HTTP 403" in log and "not-the-secret" not in log
