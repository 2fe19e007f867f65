"""The credential chain through credentials_tool (the same code the S3 sink uses): shared files,
web identity against moto's STS, ECS container credentials and EC2 IMDSv2 against small
servers, refresh before expiry, and secrets never printed."""
import hashlib
import json
import os
import subprocess
import time
from http.server import BaseHTTPRequestHandler

SECRET = "s3cr3t/EXAMPLE+key"
TOKEN = "session-token-EXAMPLE"


def iso_in(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + seconds))


def sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


def resolve(tool, env, gets=1, interval_ms=0):
    base = {"PATH": os.environ.get("PATH", ""), "HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true"}
    base.update(env)
    out = subprocess.run([tool("credentials_tool"), "--gets", str(gets), "--interval-ms", str(interval_ms)],
                         capture_output=True, text=True, env=base, timeout=60)
    assert SECRET not in out.stdout + out.stderr and TOKEN not in out.stdout + out.stderr
    # spdlog writes its (redacted) lines to stdout too; the results are the JSON lines.
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")], out.stdout


def test_profile_from_shared_files_with_aws_profile(tool, tmp_path):
    aws = tmp_path / ".aws"
    aws.mkdir()
    (aws / "credentials").write_text(f"[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = x\n")
    (aws / "config").write_text(f"[profile ci]\naws_access_key_id = AKIDCI\naws_secret_access_key = {SECRET}\n"
                                f"aws_session_token = {TOKEN}\n")
    [creds], _ = resolve(tool, {"HOME": str(tmp_path), "AWS_PROFILE": "ci"})
    assert creds["access_key_id"] == "AKIDCI"
    assert creds["secret_sha256"] == sha(SECRET)
    assert creds["token_sha256"] == sha(TOKEN)
    assert "***" in creds["redacted"]


def test_environment_wins_over_shared_files(tool, tmp_path):
    aws = tmp_path / ".aws"
    aws.mkdir()
    (aws / "credentials").write_text("[default]\naws_access_key_id = FROMFILE\naws_secret_access_key = x\n")
    [creds], _ = resolve(tool, {"HOME": str(tmp_path), "AWS_ACCESS_KEY_ID": "FROMENV",
                                "AWS_SECRET_ACCESS_KEY": SECRET})
    assert (creds["access_key_id"], creds["source"]) == ("FROMENV", "environment")


def test_web_identity_assumes_the_role_through_moto_sts(tool, moto_sts, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0cmFja2xha2UifQ.c2lnbmF0dXJl\n")
    [creds], err = resolve(tool, {"AWS_WEB_IDENTITY_TOKEN_FILE": str(token_file),
                                  "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/tracklake-collector",
                                  "AWS_ROLE_SESSION_NAME": "collector-1",
                                  "AWS_ENDPOINT_URL_STS": moto_sts})
    assert "error" not in creds, creds
    assert creds["access_key_id"].startswith("ASIA")
    assert creds["token_sha256"]
    assert creds["expiration_ms"] > time.time() * 1000
    assert creds["source"].startswith("web identity")


def test_web_identity_without_sts_is_an_error_not_a_fallback(tool, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("jwt")
    [creds], _ = resolve(tool, {"AWS_WEB_IDENTITY_TOKEN_FILE": str(token_file),
                                "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/x",
                                "AWS_ENDPOINT_URL": "http://127.0.0.1:9"})
    assert "web identity" in creds["error"]


class EcsHandler(BaseHTTPRequestHandler):
    expected_token = "ecs-auth-token"

    def do_GET(self):
        self.server_state.record((self.command, self.path, self.headers.get("Authorization")))
        if self.headers.get("Authorization") != self.expected_token:
            return self.reply(401, b"{}")
        self.reply(200, json.dumps({"AccessKeyId": "ASIAECS", "SecretAccessKey": SECRET, "Token": TOKEN,
                                    "Expiration": iso_in(3600)}).encode())

    def reply(self, status, body):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_ecs_full_uri_with_authorization_token(tool, tiny_server):
    server = tiny_server(EcsHandler)
    [creds], _ = resolve(tool, {"AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/v2/credentials/abc",
                                "AWS_CONTAINER_AUTHORIZATION_TOKEN": EcsHandler.expected_token})
    assert creds["access_key_id"] == "ASIAECS"
    assert creds["secret_sha256"] == sha(SECRET)
    assert server.requests == [("GET", "/v2/credentials/abc", EcsHandler.expected_token)]


def test_ecs_token_file_is_read_and_a_wrong_token_fails(tool, tiny_server, tmp_path):
    server = tiny_server(EcsHandler)
    token_file = tmp_path / "ecs-token"
    token_file.write_text(EcsHandler.expected_token + "\n")
    [creds], _ = resolve(tool, {"AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/creds",
                                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": str(token_file)})
    assert creds["access_key_id"] == "ASIAECS"
    [failed], _ = resolve(tool, {"AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/creds",
                                 "AWS_CONTAINER_AUTHORIZATION_TOKEN": "wrong"})
    assert "HTTP 401" in failed["error"]


class ImdsHandler(BaseHTTPRequestHandler):
    """IMDSv2: a PUT for a session token, then GETs that must carry it. Credentials expire in
    `lifetime` seconds and are numbered, so a refresh is visible."""
    session = "imds-session-token"
    lifetime = 3600

    def do_PUT(self):
        self.server_state.record(("PUT", self.path, self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")))
        if self.path != "/latest/api/token" or not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            return self.reply(400, b"")
        self.reply(200, self.session.encode())

    def do_GET(self):
        self.server_state.record(("GET", self.path, self.headers.get("X-aws-ec2-metadata-token")))
        if self.headers.get("X-aws-ec2-metadata-token") != self.session:
            return self.reply(401, b"")
        if self.path == "/latest/meta-data/iam/security-credentials/":
            return self.reply(200, b"collector-role")
        if self.path == "/latest/meta-data/iam/security-credentials/collector-role":
            n = sum(1 for r in self.server_state.requests if r[1].endswith("collector-role"))
            return self.reply(200, json.dumps({
                "Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": f"ASIAIMDS{n}", "SecretAccessKey": SECRET,
                "Token": TOKEN, "Expiration": iso_in(self.lifetime)}).encode())
        self.reply(404, b"")

    def reply(self, status, body):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_imdsv2_gets_a_session_token_first_and_sends_it_on_every_read(tool, tiny_server):
    server = tiny_server(ImdsHandler)
    [creds], _ = resolve(tool, {"AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url})
    assert creds["access_key_id"] == "ASIAIMDS1"
    assert creds["source"] == "instance metadata (collector-role)"
    assert server.requests[0][0] == "PUT"
    assert all(r[2] == ImdsHandler.session for r in server.requests[1:])
    assert [r[1] for r in server.requests] == ["/latest/api/token", "/latest/meta-data/iam/security-credentials/",
                                               "/latest/meta-data/iam/security-credentials/collector-role"]


def test_imds_is_skipped_when_disabled(tool, tiny_server):
    server = tiny_server(ImdsHandler)
    [creds], _ = resolve(tool, {"AWS_EC2_METADATA_DISABLED": "true", "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url})
    assert "no AWS credentials found" in creds["error"]
    assert server.requests == []


class ShortLivedImdsHandler(ImdsHandler):
    lifetime = 4


def test_temporary_credentials_are_refreshed_before_they_expire(tool, tiny_server):
    server = tiny_server(ShortLivedImdsHandler)
    results, _ = resolve(tool, {"AWS_EC2_METADATA_DISABLED": "false",
                                "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url}, gets=4, interval_ms=1100)
    keys = [r["access_key_id"] for r in results]
    # Cached between calls (4 gets, fewer lookups), refreshed at half their 4 s life.
    assert keys[0] == "ASIAIMDS1"
    assert keys[0] == keys[1]
    assert keys[-1] != keys[0]
    fetches = sum(1 for r in server.requests if r[1].endswith("collector-role"))
    assert 2 <= fetches < len(keys)
