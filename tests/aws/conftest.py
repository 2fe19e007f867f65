"""Fixtures for the AWS tests: a moto server that verifies signatures, an IAM user's keys,
buckets, tracklake's test tools, and small HTTP servers (metadata endpoints, a fault proxy).

moto accepts any signature by default, which would prove nothing. The server here starts with
INITIAL_NO_AUTH_ACTION_COUNT = 3: the first three calls (CreateUser, PutUserPolicy,
CreateAccessKey) go unauthenticated, and every later request must be signed with that key.
"""
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import pytest
from botocore.config import Config as BotoConfig

from tlharness import tracklake_bin, wait_for

REGION = "us-east-1"
SETUP_ACTIONS = 3  # CreateUser, PutUserPolicy, CreateAccessKey
ALLOW_ALL = json.dumps({"Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Moto:
    def __init__(self, endpoint, key_id, secret):
        self.endpoint = endpoint
        self.key_id = key_id
        self.secret = secret

    def client(self, service, secret=None, endpoint=None):
        return boto3.client(service, endpoint_url=endpoint or self.endpoint, region_name=REGION,
                            aws_access_key_id=self.key_id, aws_secret_access_key=secret or self.secret,
                            config=BotoConfig(s3={"addressing_style": "path"},
                                              retries={"max_attempts": 1}))

    def env(self):
        """What tracklake needs to reach this moto with the IAM user's key (environment provider)."""
        return {"AWS_ACCESS_KEY_ID": self.key_id, "AWS_SECRET_ACCESS_KEY": self.secret,
                "AWS_EC2_METADATA_DISABLED": "true", "HOME": "/nonexistent"}


def start_moto(log_dir, no_auth_actions=None):
    """moto_server on a free port; with no_auth_actions, authentication starts after that many calls."""
    port = free_port()
    log = open(log_dir / "moto.log", "wb")
    env = dict(os.environ)
    if no_auth_actions is not None:
        env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(no_auth_actions)
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, env=env)

    def listening():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            return proc.poll() is not None
    wait_for(listening, timeout=30, what="moto_server to listen")
    assert proc.poll() is None, "moto_server exited"
    return proc, log, f"http://127.0.0.1:{port}"


def moto_with_user(log_dir):
    """A moto that verifies signatures, with an IAM user whose key every test request uses."""
    proc, log, endpoint = start_moto(log_dir, SETUP_ACTIONS)
    iam = boto3.client("iam", endpoint_url=endpoint, region_name=REGION,
                       aws_access_key_id="setup", aws_secret_access_key="setup")
    iam.create_user(UserName="tracklake")
    iam.put_user_policy(UserName="tracklake", PolicyName="all", PolicyDocument=ALLOW_ALL)
    key = iam.create_access_key(UserName="tracklake")["AccessKey"]
    yield Moto(endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def moto(tmp_path_factory):
    yield from moto_with_user(tmp_path_factory.mktemp("moto"))


@pytest.fixture(scope="module")
def private_moto(tmp_path_factory):
    yield from moto_with_user(tmp_path_factory.mktemp("moto-private"))


@pytest.fixture(scope="session")
def moto_sts(tmp_path_factory):
    """A second moto without authentication, for STS AssumeRoleWithWebIdentity: AWS serves that
    call unsigned (the web identity token is the credential), but moto with authentication on
    demands a signature on every call."""
    proc, log, endpoint = start_moto(tmp_path_factory.mktemp("moto-sts"))
    yield endpoint
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture
def bucket(moto):
    name = f"lake-{uuid.uuid4().hex[:12]}"
    moto.client("s3").create_bucket(Bucket=name)
    return name


@pytest.fixture(scope="session")
def tool():
    """Path of a test tool built beside the tracklake binary (sigv4_tool, credentials_tool)."""
    bin_dir = Path(tracklake_bin()).parent

    def path(name):
        p = bin_dir / name
        if not p.exists():
            pytest.fail(f"{p} not built (ninja {name})")
        return str(p)
    return path


class TinyServer:
    """A ThreadingHTTPServer on 127.0.0.1 whose handler class is given; records requests."""

    def __init__(self, handler_class):
        self.requests = []
        self.lock = threading.Lock()
        outer = self

        class Handler(handler_class):
            server_state = outer
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def record(self, request):
        with self.lock:
            self.requests.append(request)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def tiny_server():
    made = []

    def make(handler_class):
        s = TinyServer(handler_class)
        made.append(s)
        return s
    yield make
    for s in made:
        s.close()

