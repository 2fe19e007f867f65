"""The real tracklake binary with sink.type = "firehose" against moto (signatures verified):
one delivery stream per event type, line-delimited S3 objects, PutRecordBatch quotas,
aggregation, partial failures (FailedPutCount > 0, injected by a proxy: moto never fails a
record) retried record by record, throttling, and events Firehose can never take.

moto writes one S3 object per PutRecordBatch call, concatenating the records as they are
(no delimiter processor), so every newline in those objects comes from tracklake."""
import base64
import json
import threading
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlparse

import pytest

from tlharness import fetch_upstream, relay_response, reply_json

MAX_RECORD_BYTES = 1000 * 1024
MAX_CALL_BYTES = 4 * 1024 * 1024
MAX_CALL_RECORDS = 500


class Streams:
    """Delivery streams in moto, one per event type, each writing to <bucket>/<name>/."""

    def __init__(self, moto, bucket, event_types):
        self.moto = moto
        self.bucket = bucket
        self.template = f"t{uuid.uuid4().hex[:8]}-{{event_type}}"
        firehose = moto.client("firehose")
        for event_type in event_types:
            name = self.name(event_type)
            firehose.create_delivery_stream(
                DeliveryStreamName=name, DeliveryStreamType="DirectPut",
                ExtendedS3DestinationConfiguration={
                    "RoleARN": "arn:aws:iam::123456789012:role/firehose-delivery",
                    "BucketARN": f"arn:aws:s3:::{bucket}", "Prefix": f"{name}/",
                    "ErrorOutputPrefix": f"errors/{name}/",
                    "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 300}})

    def name(self, event_type):
        return self.template.replace("{event_type}", event_type)

    def objects(self, event_type):
        """The bytes of every object the stream of event_type wrote."""
        s3 = self.moto.client("s3")
        prefix = self.name(event_type) + "/"
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        return [s3.get_object(Bucket=self.bucket, Key=o["Key"])["Body"].read()
                for page in pages for o in page.get("Contents", [])]

    def events(self, event_type):
        """Every event the stream delivered; each object must be complete lines."""
        events = []
        for body in self.objects(event_type):
            assert body.endswith(b"\n"), body[-80:]
            events += [json.loads(line) for line in body.decode().split("\n")[:-1]]
        return events


def firehose_config(streams, endpoint, extra=""):
    return f"""
[sink]
type = "firehose"

[firehose]
region = "us-east-1"
endpoint = "{endpoint}"
{extra}
"""


class FirehoseProxy:
    """A proxy in front of moto that sees every PutRecordBatch (decoded records kept in
    `calls`) and applies plan(call_number, records) -> None (pass through), "throttle", or a
    set of record positions to fail. Failed records never reach moto: the others are sent on
    with boto3 (signed with the same key) and the answer reports FailedPutCount, as Firehose
    does under partial failure."""

    def __init__(self, moto, tiny_server, plan=None):
        self.calls = []  # (call number, [record bytes], outcome)
        self.lock = threading.Lock()
        upstream = urlparse(moto.endpoint)
        outer = self
        plan = plan or (lambda n, records: None)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                target = self.headers.get("X-Amz-Target", "")
                records = []
                if target.endswith("PutRecordBatch"):
                    request = json.loads(body)
                    records = [base64.b64decode(r["Data"]) for r in request["Records"]]
                with outer.lock:
                    number = len(outer.calls) + 1
                    action = plan(number, records) if records else None
                    outer.calls.append((number, records, action))
                if action == "throttle":
                    return self.reply(400, {"__type": "ThrottlingException", "message": "Rate exceeded"})
                if action:
                    return self.partial(request["DeliveryStreamName"], records, action)
                relay_response(self, *fetch_upstream(self, upstream, body))

            def partial(self, stream, records, failing):
                kept = [r for i, r in enumerate(records) if i not in failing]
                ids = iter([])
                if kept:
                    answer = moto.client("firehose").put_record_batch(
                        DeliveryStreamName=stream, Records=[{"Data": r} for r in kept])
                    ids = iter(r["RecordId"] for r in answer["RequestResponses"])
                responses = [{"ErrorCode": "ServiceUnavailableException", "ErrorMessage": "Slow down."}
                             if i in failing else {"RecordId": next(ids)} for i in range(len(records))]
                self.reply(200, {"FailedPutCount": len(failing), "Encrypted": False,
                                 "RequestResponses": responses})

            def reply(self, status, document):
                reply_json(self, status, document)

        self.server = tiny_server(Handler)
        self.url = self.server.url

    def records(self):
        return [r for _, records, _ in self.calls for r in records]


@pytest.fixture
def streams(moto, bucket):
    return lambda *event_types: Streams(moto, bucket, event_types)


def post_all(c, events, per_request=200):
    for start in range(0, len(events), per_request):
        assert c.post(events[start:start + per_request]).status_code == 200


def test_each_event_type_goes_to_its_own_stream_as_complete_lines(collector_factory, moto, streams):
    s = streams("page_view", "click", "signup")
    # The stream name template comes from the environment, as the design note asks.
    c = collector_factory(extra=firehose_config(s, moto.endpoint),
                          env=dict(moto.env(), TRACKLAKE_FIREHOSE_STREAM_TEMPLATE=s.template))
    sent = [{"event_type": t, "event_id": f"{t}-{i}", "n": str(i), "s": "ü=:/ ✓\nnewline inside"}
            for i in range(400) for t in ("page_view", "click", "signup")]
    post_all(c, sent)
    assert c.stop() == 0
    for event_type in ("page_view", "click", "signup"):
        got = s.events(event_type)
        assert {e["event_type"] for e in got} == {event_type}
        assert Counter(e["event_id"] for e in got) == Counter(f"{event_type}-{i}" for i in range(400))
        by_id = {e["event_id"]: e for e in got}
        assert (by_id[f"{event_type}-7"]["n"], by_id[f"{event_type}-7"]["s"]) == ("7", "ü=:/ ✓\nnewline inside")
    log = c.log_path.read_text()
    assert moto.secret not in log
    assert not (c.root / "data" / "dead-letter").exists()


def test_a_batch_of_1200_events_takes_calls_of_at_most_500_records(collector_factory, moto, streams, tiny_server):
    s = streams("page_view")
    proxy = FirehoseProxy(moto, tiny_server)
    c = collector_factory(extra=firehose_config(s, proxy.url) + f'stream_template = "{s.template}"\n',
                          env=moto.env())
    post_all(c, [{"event_type": "page_view", "event_id": f"e-{i}"} for i in range(1200)])
    assert c.stop() == 0
    calls = [records for _, records, _ in proxy.calls]
    assert [len(records) for records in calls] == [500, 500, 200]
    assert all(r.endswith(b"\n") and r.count(b"\n") == 1 for r in proxy.records())
    # moto wrote one object per call: the same three batches, line-delimited.
    assert sorted(body.count(b"\n") for body in s.objects("page_view")) == [200, 500, 500]
    assert len(s.events("page_view")) == 1200


def test_aggregation_packs_events_into_records_of_at_most_1000_kib(collector_factory, moto, streams, tiny_server):
    s = streams("blob")
    proxy = FirehoseProxy(moto, tiny_server)
    c = collector_factory(extra=firehose_config(s, proxy.url) +
                          f'stream_template = "{s.template}"\naggregate = true\n',
                          env=moto.env())
    sent = [{"event_type": "blob", "event_id": f"b-{i}", "data": "x" * 3000} for i in range(2000)]
    post_all(c, sent)
    assert c.stop() == 0
    records = proxy.records()
    # ~6 MB of events: a handful of full records instead of 2,000, in calls within the quota.
    assert 6 <= len(records) <= 8, [len(r) for r in records]
    assert all(len(r) <= MAX_RECORD_BYTES and r.endswith(b"\n") for r in records)
    assert all(sum(map(len, rs)) <= MAX_CALL_BYTES for _, rs, _ in proxy.calls)
    assert len(proxy.calls) >= 2  # more than 4 MiB: split over calls
    assert sorted(e["event_id"] for e in s.events("blob")) == sorted(e["event_id"] for e in sent)


def test_failed_records_are_sent_again_one_by_one_and_nothing_is_lost(collector_factory, moto, streams, tiny_server):
    s = streams("page_view", "click")
    # The first calls lose every third record; then a call is throttled as a whole; later calls
    # pass. Failed records never reach moto, so S3 must end up with every event exactly once.
    def plan(number, records):
        if number <= 3:
            return set(range(0, len(records), 3))
        if number == 4:
            return "throttle"
        return None
    proxy = FirehoseProxy(moto, tiny_server, plan)
    c = collector_factory(extra=firehose_config(s, proxy.url) + f'stream_template = "{s.template}"\n',
                          env=dict(moto.env(), TRACKLAKE_FLUSH_MAX_AGE="1"))
    sent = [{"event_type": t, "event_id": f"{t}-{r}-{i}"} for r in range(3) for i in range(90)
            for t in ("page_view", "click")]
    for r in range(3):
        post_all(c, sent[r * 180:(r + 1) * 180])
        threading.Event().wait(1.3)  # past flush.max_age: one batch per round and type
    assert c.stop() == 0
    for event_type in ("page_view", "click"):
        got = Counter(e["event_id"] for e in s.events(event_type))
        assert got == Counter(e["event_id"] for e in sent if e["event_type"] == event_type)
    # Each partially failed call was followed by one carrying exactly its failed records.
    for number, records, action in proxy.calls:
        if isinstance(action, set):
            failed = [records[i] for i in sorted(action)]
            retry = next(rs for n, rs, _ in proxy.calls if n > number and rs and rs[0] in failed)
            assert retry == failed
    assert any(a == "throttle" for _, _, a in proxy.calls)
    log = c.log_path.read_text()
    assert "ServiceUnavailableException" in log and "sending them again" in log
    assert "ThrottlingException" in log and "will retry" in log
    assert not (c.root / "data" / "dead-letter").exists()


def test_an_event_over_1000_kib_goes_to_the_dead_letter_area_and_the_others_are_delivered(
        collector_factory, moto, streams):
    s = streams("upload")
    c = collector_factory(extra=firehose_config(s, moto.endpoint) + f'stream_template = "{s.template}"\n',
                          env=dict(moto.env(), TRACKLAKE_VALIDATION_MAX_EVENT_BYTES="2MiB",
                                   TRACKLAKE_SERVER_MAX_BODY_BYTES="4MiB"))
    sent = [{"event_type": "upload", "event_id": "small-1"},
            {"event_type": "upload", "event_id": "huge", "data": "x" * (1100 * 1024)},
            {"event_type": "upload", "event_id": "small-2"}]
    assert c.post(sent).status_code == 200
    assert c.stop() == 0
    assert sorted(e["event_id"] for e in s.events("upload")) == ["small-1", "small-2"]
    [dead] = list((c.root / "data" / "dead-letter").rglob("*.ndjson"))
    assert dead.relative_to(c.root / "data" / "dead-letter").parts[0] == "upload"
    assert [json.loads(line)["event_id"] for line in dead.read_text().splitlines()] == ["small-1", "huge", "small-2"]
    log = c.log_path.read_text()
    assert "1,000 KiB" in log and "lines 2 of the file" in log


def test_an_event_type_without_a_stream_is_kept_in_the_dead_letter_area(collector_factory, moto, streams):
    s = streams("page_view")
    c = collector_factory(extra=firehose_config(s, moto.endpoint) + f'stream_template = "{s.template}"\n',
                          env=moto.env())
    assert c.post([{"event_type": "page_view", "event_id": "ok"},
                   {"event_type": "no_stream", "event_id": "lost-1"}]).status_code == 200
    assert c.stop() == 0
    assert [e["event_id"] for e in s.events("page_view")] == ["ok"]
    [dead] = list((c.root / "data" / "dead-letter").rglob("*.ndjson"))
    assert [json.loads(line)["event_id"] for line in dead.read_text().splitlines()] == ["lost-1"]
    log = c.log_path.read_text()
    assert "ResourceNotFoundException" in log and s.name("no_stream") in log


def test_a_wrong_secret_is_refused_by_moto_and_nothing_is_delivered(collector_factory, moto, streams):
    s = streams("page_view")
    env = dict(moto.env(), AWS_SECRET_ACCESS_KEY="not-the-secret")
    c = collector_factory(extra=firehose_config(s, moto.endpoint) + f'stream_template = "{s.template}"\n', env=env)
    assert c.post([{"event_type": "page_view", "event_id": "x"}]).status_code == 200
    assert c.stop() == 0
    assert s.objects("page_view") == []
    assert len(list((c.root / "data" / "dead-letter").rglob("*.ndjson"))) == 1
    log = c.log_path.read_text()
    assert "HTTP 403" in log and "SignatureDoesNotMatch" in log
    assert "not-the-secret" not in log
