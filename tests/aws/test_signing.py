"""tracklake's SigV4 signatures against botocore's for the exact requests the S3 sink sends, and
moto (with authentication on) accepting tracklake's signature and refusing a wrong one."""
import datetime
import json
import subprocess
from unittest import mock

import botocore.auth
import pytest
import requests
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

TIME = "2026-11-26T06:07:08Z"
KEY_ID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "FwoGZXIvYXdzEJr//////////wEaDEXAMPLETOKEN+/="
HIVE_KEY = "page_view/dt=2026-11-26/hr=06/node:a-00000000000000000001-00000000000000000042.ndjson.gz"
# Headers botocore computes itself; everything else tracklake sends is given to botocore as is.
COMPUTED = {"authorization", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token"}


def botocore_sign(method, url, headers, body, service="s3", region="us-east-1", token=None):
    """Authorization header botocore computes for the request at TIME."""
    creds = Credentials(KEY_ID, SECRET, token)
    auth_class = botocore.auth.S3SigV4Auth if service == "s3" else botocore.auth.SigV4Auth
    request = AWSRequest(method=method, url=url, data=body,
                         headers={k: v for k, v in headers if k.lower() not in COMPUTED})
    fixed = datetime.datetime(2026, 11, 26, 6, 7, 8, tzinfo=datetime.timezone.utc)
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=fixed):
        auth_class(creds, service, region).add_auth(request)
    return request.headers["Authorization"], request.headers.get("X-Amz-Content-SHA256")


def run_tool(tool, *args):
    out = subprocess.run([tool("sigv4_tool"), *args], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def s3_request(tool, op, tmp_path, body=b"", token=None, extra=(), endpoint="http://127.0.0.1:9000",
               path_style=True, key=HIVE_KEY):
    body_file = tmp_path / "body"
    body_file.write_bytes(body)
    args = ["s3", "--op", op, "--endpoint", endpoint, "--bucket", "tracking-lake", "--prefix", "events",
            "--key", key, "--region", "us-east-1", "--time", TIME, "--access-key", KEY_ID, "--secret", SECRET,
            "--body-file", str(body_file), "--events", "42", *extra]
    if path_style:
        args.append("--path-style")
    if token:
        args += ["--token", token]
    return run_tool(tool, *args)


def header(req, name):
    return next((v for k, v in req["headers"] if k.lower() == name.lower()), None)


OPERATIONS = [
    ("put", b'{"event_type":"page_view"}\n' * 100, []),
    ("put", b"x", ["--sse", "aws:kms", "--kms-key-id", "alias/lake", "--storage-class", "STANDARD_IA"]),
    ("create", b"", ["--sse", "AES256"]),
    ("part", b"\x00\x01part-bytes" * 1000, ["--upload-id", "2~abc/DEF+ghi=", "--part", "1"]),
    ("part", b"last part", ["--upload-id", "2~abc/DEF+ghi=", "--part", "12"]),
    ("complete", b"", ["--upload-id", "2~abc/DEF+ghi=", "--etag", '"e1"', "--etag", '"e2"', "--etag", '"e3"']),
    ("abort", b"", ["--upload-id", "2~abc/DEF+ghi="]),
]


@pytest.mark.parametrize("token", [None, TOKEN], ids=["long-term", "session"])
@pytest.mark.parametrize("op,body,extra", OPERATIONS, ids=[f"{o[0]}-{i}" for i, o in enumerate(OPERATIONS)])
def test_s3_sink_requests_sign_like_botocore(tool, tmp_path, op, body, extra, token):
    req = s3_request(tool, op, tmp_path, body, token, extra)
    sent_body = req["body"].encode("utf-8", "surrogateescape") if op == "complete" else body
    expected, payload_hash = botocore_sign(req["method"], req["url"], req["headers"], sent_body, token=token)
    assert header(req, "Authorization") == expected
    assert header(req, "X-Amz-Content-Sha256") == payload_hash
    if token:
        assert header(req, "X-Amz-Security-Token") == token


@pytest.mark.parametrize("key", [HIVE_KEY, "a b/ü=1:2/~x+y&z?.gz", "dir//double/./dot/../x.gz"])
@pytest.mark.parametrize("path_style", [True, False], ids=["path", "virtual"])
def test_awkward_keys_and_both_addressing_styles_sign_like_botocore(tool, tmp_path, key, path_style):
    req = s3_request(tool, "put", tmp_path, b"body", key=key, path_style=path_style,
                     endpoint="https://s3.eu-west-1.amazonaws.com")
    expected, _ = botocore_sign("PUT", req["url"], req["headers"], b"body")
    assert header(req, "Authorization") == expected
    assert ("/tracking-lake/" in req["url"]) == path_style


def test_unsorted_query_and_prefix_sharing_meta_headers_sign_like_botocore(tool, tmp_path):
    body_file = tmp_path / "body"
    body_file.write_bytes(b"data")
    headers = ["Host: 127.0.0.1:9000", "x-amz-meta-a: 1", "x-amz-meta-ab: two  spaces",
               "X-Amz-Meta-A-B: 3", "Content-Type: application/gzip"]
    args = ["sign", "--method", "PUT", "--path", "/bucket/dt%3D2026/k%3Av.gz",
            "--query", "uploadId=xyz&partNumber=10&acl&prefix=a%2Fb", "--body-file", str(body_file),
            "--service", "s3", "--region", "us-east-1", "--time", TIME, "--access-key", KEY_ID,
            "--secret", SECRET, "--s3"]
    for h in headers:
        args += ["--header", h]
    out = run_tool(tool, *args)
    url = "http://127.0.0.1:9000/bucket/dt%3D2026/k%3Av.gz?uploadId=xyz&partNumber=10&acl&prefix=a%2Fb"
    expected, _ = botocore_sign("PUT", url, [h.split(": ", 1) for h in headers], b"data")
    assert out["authorization"] == expected


def test_other_services_normalise_and_double_encode_like_botocore(tool, tmp_path):
    body_file = tmp_path / "body"
    body = b'{"DeliveryStreamName":"tracking-page_view","Records":[]}'
    body_file.write_bytes(body)
    headers = ["Host: firehose.eu-west-1.amazonaws.com", "Content-Type: application/x-amz-json-1.1",
               "X-Amz-Target: Firehose_20150804.PutRecordBatch"]
    args = ["sign", "--method", "POST", "--path", "/a/./b/../c%20d", "--query", "b=2&a=1",
            "--body-file", str(body_file), "--service", "firehose", "--region", "eu-west-1", "--time", TIME,
            "--access-key", KEY_ID, "--secret", SECRET]
    for h in headers:
        args += ["--header", h]
    out = run_tool(tool, *args)
    expected, _ = botocore_sign("POST", "https://firehose.eu-west-1.amazonaws.com/a/./b/../c%20d?b=2&a=1",
                                [h.split(": ", 1) for h in headers], body, service="firehose",
                                region="eu-west-1")
    assert out["authorization"] == expected


@pytest.fixture(scope="module")
def moto(private_moto):
    """A moto of this module's own: what other tests did to the shared one cannot loosen its checks."""
    return private_moto


def test_moto_accepts_tracklakes_signature_and_refuses_a_tampered_one(tool, moto, bucket, tmp_path):
    body = b"signed by tracklake"
    body_file = tmp_path / "body"
    body_file.write_bytes(body)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    def send(secret):
        out = run_tool(tool, "s3", "--op", "put", "--endpoint", moto.endpoint, "--bucket", bucket,
                       "--path-style", "--key", f"k-{secret[:4]}", "--region", "us-east-1", "--time", now,
                       "--access-key", moto.key_id, "--secret", secret, "--body-file", str(body_file))
        return requests.put(out["url"], data=body, headers=dict(out["headers"]), timeout=10)

    good = send(moto.secret)
    assert good.status_code == 200, good.text
    bad = send("X" + moto.secret[1:])
    assert bad.status_code == 403
    assert "SignatureDoesNotMatch" in bad.text
    keys = [o["Key"] for o in moto.client("s3").list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert keys == [f"k-{moto.secret[:4]}"]


def test_moto_refuses_boto3_with_a_tampered_secret(moto, bucket):
    moto.client("s3").put_object(Bucket=bucket, Key="ok", Body=b"1")
    with pytest.raises(ClientError) as error:
        moto.client("s3", secret="X" + moto.secret[1:]).put_object(Bucket=bucket, Key="bad", Body=b"1")
    assert error.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
