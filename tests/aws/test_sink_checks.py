"""Nothing undelivered is silent: the sink is checked at start (S3: HeadBucket and a signed probe
under _tracklake/; Firehose: DescribeDeliveryStream, Kinesis: DescribeStreamSummary, per configured
event type), a destination that refuses for good makes /readyz answer 503 (with a metric) while its
batches go to the dead-letter directory and until a check passes again, `tracklake redrive` resends
them under the same keys once the cause is fixed, and a kill -9 in the middle of a multipart upload
leaves no upload behind after the restart. Against moto with signature checks on."""
import base64
import gzip
import json
import os
import re
import subprocess
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlparse

from tlharness import clean_env, fetch_upstream, relay_response, tracklake_bin, wait_for


def metric(c, name):
    text = c.session.get(c.url + "/metrics", timeout=10).text
    m = re.search(rf"^{name} ([0-9.e+]+)$", text, re.M)
    return float(m.group(1)) if m else None


def readyz(c):
    r = c.session.get(c.url + "/readyz", timeout=10)
    return r.status_code, r.json()


def s3_config(bucket, endpoint, extra=""):
    return f"""
[sink]
type = "s3"
check_interval = 1

[s3]
bucket = "{bucket}"
prefix = "lake"
endpoint = "{endpoint}"
path_style = true
{extra}
"""


def lake_events(moto, bucket, prefix="lake/"):
    s3 = moto.client("s3")
    counts, keys = Counter(), []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for o in page.get("Contents", []):
            if "/_tracklake/" in o["Key"]:
                continue
            keys.append(o["Key"])
            body = gzip.decompress(s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()).decode()
            counts.update(json.loads(line)["event_id"] for line in body.splitlines())
    return counts, sorted(keys)


def dead_letters(c):
    root = c.root / "data" / "dead-letter"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if p.is_file() and not p.name.endswith(".reason.json")) if root.exists() else []


def redrive(c, env, *args):
    return subprocess.run([tracklake_bin(), "redrive", "--config", str(c.config_path), *args],
                          env=clean_env(env), capture_output=True, text=True, timeout=120)


def test_a_missing_bucket_is_reported_then_redrive_delivers_the_dead_letters_once(collector_factory, moto):
    bucket = f"missing-{uuid.uuid4().hex[:10]}"
    env = dict(moto.env(), TRACKLAKE_FLUSH_MAX_AGE="1")
    c = collector_factory(extra=s3_config(bucket, moto.endpoint), env=env)
    wait_for(lambda: "s3 sink check failed" in c.log_path.read_text(), what="the start-up check to fail")
    log = c.log_path.read_text()
    assert f"the bucket {bucket} does not exist" in log, log
    status, body = readyz(c)
    assert status == 503 and f"s3://{bucket}/lake" in body["error"] and "tracklake redrive" in body["error"], body
    assert metric(c, "tracklake_ready") == 0 and metric(c, "tracklake_sink_refused_destinations") == 1
    # Ingest still works: the events are safe in the log, then in the dead-letter directory.
    sent = [{"event_type": t, "event_id": f"{t}-{i}"} for t in ("click", "view") for i in range(50)]
    assert c.post(sent).status_code == 200
    wait_for(lambda: metric(c, "tracklake_dead_letter_files") == 2, what="both batches dead-lettered")
    assert readyz(c)[0] == 503
    # The cause is fixed: the periodic check sees the bucket and readiness comes back.
    moto.client("s3").create_bucket(Bucket=bucket)
    wait_for(lambda: readyz(c)[0] == 200, timeout=30, what="/readyz to recover")
    assert "accepts s3://" in c.log_path.read_text()
    files = dead_letters(c)
    assert len(files) == 2
    dry = redrive(c, moto.env(), "--dry-run")
    assert dry.returncode == 0 and dry.stdout.count("would send") == 2, dry.stdout + dry.stderr
    run = redrive(c, moto.env())
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 files (100 events) sent" in run.stderr
    counts, keys = lake_events(moto, bucket)
    assert keys == [f"lake/{f}" for f in files]  # the same deterministic keys
    assert set(counts) == {e["event_id"] for e in sent} and max(counts.values()) == 1
    assert dead_letters(c) == [] and metric(c, "tracklake_dead_letter_files") == 0
    assert not list((c.root / "data" / "dead-letter").rglob("*.reason.json"))  # each went with its file
    again = redrive(c, moto.env())
    assert again.returncode == 0 and "nothing to redrive" in again.stderr
    # The probe of the check is the only other object, beside the lake's partitions.
    probe = moto.client("s3").get_object(Bucket=bucket, Key="lake/_tracklake/write-check")["Body"].read()
    assert b"tracklake" in probe
    assert c.stop() == 0


def test_wrong_credentials_make_readyz_503_with_a_clear_log_line(collector_factory, moto, bucket):
    env = dict(moto.env(), AWS_SECRET_ACCESS_KEY="X" + moto.secret[1:])
    c = collector_factory(extra=s3_config(bucket, moto.endpoint), env=env)
    wait_for(lambda: "s3 sink check failed" in c.log_path.read_text(), what="the start-up check to fail")
    log = c.log_path.read_text()
    assert "HTTP 403" in log and "these credentials may not reach the bucket" in log, log
    assert moto.secret[1:] not in log
    assert readyz(c)[0] == 503
    assert c.stop() == 0


def test_firehose_checks_the_stream_of_each_configured_event_type(collector_factory, moto, bucket):
    template = f"t{uuid.uuid4().hex[:8]}-{{event_type}}"
    firehose = moto.client("firehose")

    def create(event_type):
        name = template.replace("{event_type}", event_type)
        firehose.create_delivery_stream(
            DeliveryStreamName=name, DeliveryStreamType="DirectPut",
            ExtendedS3DestinationConfiguration={"RoleARN": "arn:aws:iam::123456789012:role/firehose-delivery",
                                                "BucketARN": f"arn:aws:s3:::{bucket}", "Prefix": f"{name}/"})
        return name
    create("page_view")
    c = collector_factory(extra=f"""
[sink]
type = "firehose"
check_interval = 1

[firehose]
region = "us-east-1"
endpoint = "{moto.endpoint}"
stream_template = "{template}"

[event_types.page_view]
columns = []

[event_types.purchase]
columns = []
""", env=moto.env())
    missing = template.replace("{event_type}", "purchase")
    wait_for(lambda: "firehose sink check failed" in c.log_path.read_text(), what="the start-up check to fail")
    log = c.log_path.read_text()
    assert f"firehose stream {missing}" in log and "ResourceNotFoundException" in log, log
    assert "check passed: firehose stream " + template.replace("{event_type}", "page_view") in log
    status, body = readyz(c)
    assert status == 503 and missing in body["error"]
    create("purchase")
    wait_for(lambda: readyz(c)[0] == 200, timeout=30, what="/readyz to recover")
    assert c.stop() == 0


def json_api_relay(upstream):
    """A proxy in front of moto that records (X-Amz-Target, StreamName) of every JSON API call."""
    target = urlparse(upstream)

    class Relay(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.server_state.record((self.headers.get("X-Amz-Target", ""), json.loads(body).get("StreamName")))
            relay_response(self, *fetch_upstream(self, target, body))

    return Relay


def kinesis_config(template, endpoint, event_types=("page_view", "purchase")):
    return f"""
[sink]
type = "kinesis"
check_interval = 1

[kinesis]
region = "us-east-1"
endpoint = "{endpoint}"
stream_template = "{template}"
""" + "".join(f"\n[event_types.{t}]\ncolumns = []\n" for t in event_types)


def stream_events(kinesis, stream):
    events = []
    for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
        iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records = kinesis.get_records(ShardIterator=iterator, Limit=10000)["Records"]
        events += [json.loads(line) for r in records for line in r["Data"].decode().splitlines()]
    return events


def test_kinesis_stays_unready_while_a_stream_is_missing_and_recovers_once_it_exists(collector_factory, moto,
                                                                                     tiny_server):
    """Before: the Kinesis sink had no check, so a stream refused by a batch counted as accepting again
    at the next sink.check_interval (/readyz back to 200) until the next batch was refused."""
    template = f"k{uuid.uuid4().hex[:8]}-{{event_type}}"
    present, missing = template.replace("{event_type}", "page_view"), template.replace("{event_type}", "purchase")
    kinesis = moto.client("kinesis")
    kinesis.create_stream(StreamName=present, ShardCount=1)
    relay = tiny_server(json_api_relay(moto.endpoint))
    c = collector_factory(extra=kinesis_config(template, relay.url), env=dict(moto.env(), TRACKLAKE_FLUSH_MAX_AGE="1"))
    wait_for(lambda: "kinesis sink check failed" in c.log_path.read_text(), what="the start-up check to fail")
    log = c.log_path.read_text()
    assert f"kinesis stream {missing}" in log and "ResourceNotFoundException" in log, log
    assert f"check passed: kinesis stream {present}" in log
    status, body = readyz(c)
    assert status == 503 and f"kinesis stream {missing}" in body["error"] and "tracklake redrive" in body["error"]
    assert metric(c, "tracklake_ready") == 0 and metric(c, "tracklake_sink_refused_destinations") == 1
    # Each type's batch: page_view's delivered, purchase's refused and dead-lettered.
    sent = [{"event_type": t, "event_id": f"{t}-{i}"} for t in ("page_view", "purchase") for i in range(5)]
    assert c.post(sent).status_code == 200
    wait_for(lambda: metric(c, "tracklake_dead_letter_files") == 1, what="the purchase batch dead-lettered")
    wait_for(lambda: len(stream_events(kinesis, present)) == 5, what="page_view in its stream")
    # The periodic check describes the missing stream again and again; readiness stays 503 throughout.
    describes = lambda: sum(1 for call in relay.requests if call == ("Kinesis_20131202.DescribeStreamSummary", missing))
    seen = describes()
    wait_for(lambda: describes() >= seen + 3, what="three more checks of the missing stream")
    assert readyz(c)[0] == 503 and metric(c, "tracklake_sink_refused_destinations") == 1
    # The stream is created: the next check passes and readiness comes back.
    kinesis.create_stream(StreamName=missing, ShardCount=1)
    wait_for(lambda: readyz(c)[0] == 200, timeout=30, what="/readyz to recover")
    assert f"accepts kinesis stream {missing}" in c.log_path.read_text()
    assert metric(c, "tracklake_ready") == 1 and metric(c, "tracklake_sink_refused_destinations") == 0
    # redrive leaves the Kinesis dead letters alone, as documented: NDJSON for a client to replay.
    assert metric(c, "tracklake_dead_letter_files") == 1
    run = redrive(c, moto.env())
    assert run.returncode == 2 and "kinesis sinks' dead letters are NDJSON" in run.stderr, run.stdout + run.stderr
    assert len(dead_letters(c)) == 1
    # New purchase events now reach their stream.
    assert c.post({"event_type": "purchase", "event_id": "after"}).status_code == 200
    wait_for(lambda: [e["event_id"] for e in stream_events(kinesis, missing)] == ["after"], what="purchase delivered")
    assert readyz(c)[0] == 200
    assert c.stop() == 0


def kinesis_user(moto, actions):
    """An IAM user of moto allowed only these actions: its environment. (moto authorizes calls other
    than S3's against the resource "*", so it checks the actions, not which streams.)"""
    iam = moto.client("iam")
    name = f"collector-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
    iam.put_user_policy(UserName=name, PolicyName="collector", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return dict(moto.env(), AWS_ACCESS_KEY_ID=key["AccessKeyId"], AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"])


def test_kinesis_check_needs_describe_stream_summary_as_terraform_grants_it(collector_factory, moto):
    template = f"k{uuid.uuid4().hex[:8]}-{{event_type}}"
    streams = [template.replace("{event_type}", t) for t in ("page_view", "purchase")]
    for s in streams:
        moto.client("kinesis").create_stream(StreamName=s, ShardCount=1)
    # PutRecords alone (the policy before this check existed): the check is denied, and says what to grant.
    c = collector_factory(extra=kinesis_config(template, moto.endpoint),
                          env=kinesis_user(moto, ["kinesis:PutRecords"]))
    wait_for(lambda: "kinesis sink check failed" in c.log_path.read_text(), what="the start-up check to fail")
    status, body = readyz(c)
    assert status == 503 and "AccessDenied" in body["error"], body
    assert "need kinesis:DescribeStreamSummary" in body["error"]
    assert c.stop() == 0
    # deploy/terraform's actions (tests/terraform/test_module.py checks that it grants them on exactly those streams).
    c = collector_factory(extra=kinesis_config(template, moto.endpoint),
                          env=kinesis_user(moto, ["kinesis:PutRecords", "kinesis:DescribeStreamSummary"]))
    wait_for(lambda: c.log_path.read_text().count("check passed: kinesis stream") == 2, what="both checks to pass")
    assert readyz(c)[0] == 200
    assert c.post([{"event_type": "purchase", "event_id": "p1"}]).status_code == 200
    assert c.stop() == 0
    assert [e["event_id"] for e in stream_events(moto.client("kinesis"), streams[1])] == ["p1"]


def slow_parts_proxy(upstream, delay_s, enabled):
    """A proxy that holds every UploadPart (PUT with partNumber) delay_s seconds while enabled is set."""
    target = urlparse(upstream)

    class Proxy(BaseHTTPRequestHandler):
        def handle_one(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            part = self.command == "PUT" and "partNumber=" in self.path
            self.server_state.record((self.command, self.path.split("?")[0], part))
            if part and enabled.is_set():
                time.sleep(delay_s)
            relay_response(self, *fetch_upstream(self, target, body))

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_one

    return Proxy


def test_a_kill_during_a_multipart_upload_leaves_no_upload_behind(collector_factory, moto, bucket, tiny_server):
    """Before: the replay after the restart uploaded the object again under a new upload id, and the
    one the kill interrupted stayed, its parts billed, until a lifecycle rule removed it."""
    enabled = threading.Event()
    enabled.set()
    proxy = tiny_server(slow_parts_proxy(moto.endpoint, 3.0, enabled))
    c = collector_factory(extra=s3_config(bucket, proxy.url, 'multipart_threshold = "5MiB"\npart_size = "5MiB"\n'
                                                             "max_parallel_parts = 1"),
                          env=dict(moto.env(), TRACKLAKE_FLUSH_MAX_AGE="3"))
    sent = [{"event_type": "blob", "event_id": f"b-{i}", "data": base64.b64encode(os.urandom(18_000)).decode()}
            for i in range(600)]
    for start in range(0, len(sent), 30):
        assert c.post(sent[start:start + 30]).status_code == 200
    s3 = moto.client("s3")
    wait_for(lambda: s3.list_multipart_uploads(Bucket=bucket).get("Uploads")
             and any(part for _, _, part in proxy.requests), timeout=60, what="a multipart upload in progress")
    c.kill9()
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads"), "the kill must leave an upload in progress"
    enabled.clear()
    c.start(env=dict(moto.env(), TRACKLAKE_FLUSH_MAX_AGE="1"))
    assert c.stop(timeout=120) == 0
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    counts, keys = lake_events(moto, bucket)
    assert keys and set(counts) == {e["event_id"] for e in sent} and max(counts.values()) == 1
    assert re.search(r"aborted (\d+) of \1 multipart uploads a previous run left unfinished", c.log_path.read_text())
    assert not list((c.root / "data" / "wal" / "s3-uploads").glob("*.upload"))
