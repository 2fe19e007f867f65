"""The real tracklake binary with sink.type = "s3" against moto (signatures verified): keys and
bytes, multipart uploads, SSE headers, and a rejected upload kept in the dead-letter area."""
import base64
import gzip
import json
import os
import re

S3_CONFIG = """
[sink]
type = "s3"

[s3]
bucket = "{bucket}"
prefix = "events"
region = "us-east-1"
endpoint = "{endpoint}"
path_style = true
{extra}
"""
KEY_PATTERN = re.compile(r"^events/(page_view|click|blob)/dt=\d{4}-\d{2}-\d{2}/hr=\d{2}/"
                         r"test-node-[0-9a-f]{8}-\d{20}-\d{20}\.ndjson\.gz$")  # node, log id, sequence range


def s3_collector(collector_factory, moto, bucket, extra=""):
    return collector_factory(extra=S3_CONFIG.format(bucket=bucket, endpoint=moto.endpoint, extra=extra),
                             env=moto.env())


def objects(moto, bucket):
    """The lake's objects: all but the probe the start-up check writes under _tracklake/."""
    s3 = moto.client("s3")
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return sorted(o["Key"] for page in pages for o in page.get("Contents", []) if "/_tracklake/" not in o["Key"])


def object_events(moto, bucket, key):
    body = moto.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    return [json.loads(line) for line in gzip.decompress(body).decode().splitlines()]


def test_two_collectors_with_one_node_id_never_overwrite_each_others_objects(collector_factory, moto, bucket):
    # A misconfigured fleet: both collectors keep the same node.id. Each log numbers its first
    # event 1, so without the log id in the key the second object replaced the first.
    collectors = [s3_collector(collector_factory, moto, bucket) for _ in range(2)]
    for i, c in enumerate(collectors):
        assert c.post({"event_type": "click", "event_id": f"from-collector-{i}"}).status_code == 200
    for c in collectors:
        assert c.stop() == 0
    keys = objects(moto, bucket)
    assert len(keys) == 2 and all(KEY_PATTERN.match(k) for k in keys), keys
    got = sorted(e["event_id"] for key in keys for e in object_events(moto, bucket, key))
    assert got == ["from-collector-0", "from-collector-1"]


def test_events_land_under_hive_keys_with_the_bytes_sent(collector_factory, moto, bucket):
    c = s3_collector(collector_factory, moto, bucket, 'sse = "AES256"')
    sent = [{"event_type": t, "event_id": f"{t}-{i}", "n": str(i), "s": "ü=:/ ✓"}
            for i in range(300) for t in ("page_view", "click")]
    for start in range(0, len(sent), 100):
        assert c.post(sent[start:start + 100]).status_code == 200
    assert c.stop() == 0
    keys = objects(moto, bucket)
    assert len(keys) == 2, keys
    assert all(KEY_PATTERN.match(k) for k in keys), keys
    got = {}
    for key in keys:
        for e in object_events(moto, bucket, key):
            assert key.startswith(f"events/{e['event_type']}/")
            got[e["event_id"]] = e
    assert sorted(got) == sorted(e["event_id"] for e in sent)
    assert (got["click-7"]["n"], got["click-7"]["s"]) == ("7", "ü=:/ ✓")
    head = moto.client("s3").head_object(Bucket=bucket, Key=keys[0])
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentType"] == "application/gzip"
    assert int(head["Metadata"]["tracklake-events"]) == 300
    assert moto.secret not in c.log_path.read_text()
    assert not (c.root / "data" / "dead-letter").exists()


def test_a_big_batch_goes_up_as_a_multipart_upload_of_at_least_three_parts(collector_factory, moto, bucket):
    c = s3_collector(collector_factory, moto, bucket,
                     'sse = "aws:kms"\nsse_kms_key_id = "alias/lake"\nmultipart_threshold = "5MiB"\n'
                     'part_size = "5MiB"\nmax_parallel_parts = 3')
    # Random base64 barely compresses, so ~16 MiB of events make a gzip file of over 10 MiB.
    rng = os.urandom
    sent = [{"event_type": "blob", "event_id": f"b-{i}", "data": base64.b64encode(rng(18_000)).decode()}
            for i in range(680)]
    for start in range(0, len(sent), 30):
        assert c.post(sent[start:start + 30]).status_code == 200
    assert c.stop() == 0
    [key] = objects(moto, bucket)
    s3 = moto.client("s3")
    head = s3.head_object(Bucket=bucket, Key=key)
    assert head["ContentLength"] > 10 * 1024 * 1024
    parts = int(head["ETag"].strip('"').split("-")[1])
    assert parts >= 3
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"].endswith("alias/lake")
    assert [e["event_id"] for e in object_events(moto, bucket, key)] == [e["event_id"] for e in sent]
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_a_missing_bucket_is_rejected_and_the_file_kept_in_the_dead_letter_area(collector_factory, moto):
    c = s3_collector(collector_factory, moto, "no-such-bucket-here")
    assert c.post([{"event_type": "page_view", "event_id": "lost-1"}]).status_code == 200
    assert c.stop() == 0
    dead = [p for p in (c.root / "data" / "dead-letter").rglob("*.ndjson.gz")]
    assert len(dead) == 1
    assert [json.loads(line)["event_id"] for line in gzip.open(dead[0], "rt")] == ["lost-1"]
    log = c.log_path.read_text()
    assert "NoSuchBucket" in log
    assert moto.secret not in log
