"""The test harness: runs the real tracklake binary on 127.0.0.1 with its own directories."""
import gzip
import json
import os
import resource
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
WRITE_KEY = "test-write-key"
OTHER_KEY = "other-app-key"


def tracklake_bin() -> str:
    env = os.environ.get("TRACKLAKE_BIN")
    if env:
        return env
    for preset in ("release", "debug"):
        p = ROOT / "build" / preset / "bin" / "tracklake"
        if p.exists():
            return str(p)
    raise RuntimeError("build tracklake first (make build) or set TRACKLAKE_BIN")


HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


def fetch_upstream(handler, upstream, body):
    """Sends the request a BaseHTTPRequestHandler is serving to upstream (a urlparse result), as
    signed (Host unchanged: the signature covers it). Returns (status, headers, data)."""
    import http.client
    conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
    conn.request(handler.command, handler.path, body=body, headers=dict(handler.headers.items()))
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, response.getheaders(), data


def relay_response(handler, status, headers, data):
    """Writes an upstream answer back to the client, minus hop-by-hop headers."""
    handler.send_response(status)
    for name, value in headers:
        if name.lower() not in HOP_BY_HOP:
            handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def reply_json(handler, status, document, content_type="application/x-amz-json-1.1"):
    """Answers a BaseHTTPRequestHandler's request with a JSON document (fault-injecting proxies)."""
    data = json.dumps(document).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def clean_env(extra=None):
    """The environment without TRACKLAKE_* variables: an option set there (TRACKLAKE_WAL_..., say) would
    override the test's configuration."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKLAKE_")}
    env.update(extra or {})
    return env


def wait_for(predicate, timeout=30.0, interval=0.02, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@dataclass
class TlsFiles:
    """A certificate for 127.0.0.1 and localhost, its key, and the CA file that verifies it."""
    cert: Path
    key: Path
    ca: Path

    def server_options(self, min_version=None):
        lines = f'tls_cert = "{self.cert}"\ntls_key = "{self.key}"\n'
        if min_version:
            lines += f'tls_min_version = "{min_version}"\n'
        return lines


def make_self_signed_cert(directory: Path, name="server", days=1, ip="127.0.0.1", dns="localhost") -> TlsFiles:
    """A fresh self-signed EC P-256 certificate for ip and dns; self-signed, so it is its own CA file."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tracklake test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(subject).issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName(dns), x509.IPAddress(ipaddress.ip_address(ip))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / f"{name}.crt", directory / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    return TlsFiles(cert_path, key_path, cert_path)


# Every collector made in this test session: conftest.py reads their lakes back with Spark at the end.
MADE = []


def lake_files_of(lake: Path):
    """The finished files of a lake (Parquet and gzip NDJSON, dead letters included)."""
    if not lake.exists():
        return []
    return sorted(p for p in lake.rglob("*") if p.is_file() and p.name.endswith((".parquet", ".ndjson.gz")))


def read_back_lake(lake: Path) -> dict:
    """Reads every file of a lake to the last row with pyarrow (to_pylist) and DuckDB (into Arrow), as users will: a
    value a reader cannot represent (a date outside years 1-9999) fails the whole file. Returns
    {path: rows}; raises AssertionError naming each file a reader refused."""
    import duckdb
    import pyarrow as pa
    import pyarrow.json as pj
    import pyarrow.parquet as pq

    rows, failures = {}, []
    con = duckdb.connect()
    for p in lake_files_of(lake):
        try:
            if p.name.endswith(".parquet"):
                table = pq.read_table(p, partitioning=None)
                duck = con.execute("select * from read_parquet(?, hive_partitioning = false)", [str(p)]).arrow()
            else:
                table = pj.read_json(pa.input_stream(str(p), compression="gzip"))
                duck = con.execute("select * from read_json_auto(?, format = 'newline_delimited')", [str(p)]).arrow()
            listed = table.to_pylist()  # every value made a Python object, as users' code will
            assert len(listed) == duck.num_rows, f"pyarrow read {len(listed)} rows, DuckDB {duck.num_rows}"
            rows[p] = len(listed)
        except Exception as e:  # noqa: BLE001 - whatever the reader's complaint, the file is unreadable
            failures.append(f"{p}: {type(e).__name__}: {e}")
    con.close()
    assert not failures, "lake files readers refuse:\n" + "\n".join(failures)
    return rows


class Collector:
    """One tracklake serve process; restartable over the same directories. With ca_file the
    collector is expected to speak HTTPS, and clients verify it against that file."""

    def __init__(self, root: Path, config: str, ca_file=None):
        MADE.append(self)
        self.root = root
        self.ca_file = ca_file
        self.lake = root / "lake"
        self.wal = root / "data" / "wal"
        self.config_path = root / "tracklake.toml"
        self.config_path.write_text(config)
        self.proc = None
        self.port = None
        self.session = self.new_session()
        self.log_path = root / "serve.log"

    @property
    def url(self):
        return f"{'https' if self.ca_file else 'http'}://127.0.0.1:{self.port}"

    def new_session(self):
        session = requests.Session()
        if self.ca_file:
            session.verify = str(self.ca_file)
            # Otherwise REQUESTS_CA_BUNDLE, when set, silently replaces session.verify.
            session.trust_env = False
        return session

    def start(self, env=None, nofile=None):
        """nofile: (soft, hard) open-files limit the collector starts with (as a service manager sets it)."""
        port_file = self.root / "port"
        if port_file.exists():
            port_file.unlink()
        full_env = clean_env(env)
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [tracklake_bin(), "serve", "--config", str(self.config_path), "--port-file", str(port_file)],
            cwd=self.root, stdout=self.log, stderr=subprocess.STDOUT, env=full_env,
            preexec_fn=(lambda: resource.setrlimit(resource.RLIMIT_NOFILE, nofile)) if nofile else None)
        wait_for(lambda: port_file.exists() or self.proc.poll() is not None, what="collector to listen")
        if self.proc.poll() is not None:
            raise AssertionError(f"collector exited with {self.proc.returncode}:\n{self.log_path.read_text()}")
        self.port = int(port_file.read_text())
        self.session = self.new_session()
        return self

    def stop(self, sig=signal.SIGTERM, timeout=60):
        self.proc.send_signal(sig)
        rc = self.proc.wait(timeout=timeout)
        self.log.close()
        return rc

    def kill9(self):
        self.proc.kill()
        self.proc.wait()
        self.log.close()

    def post(self, body, key=WRITE_KEY, headers=None, **kw):
        h = {"Content-Type": "application/json"}
        if key is not None:
            h["Authorization"] = f"Bearer {key}"
        h.update(headers or {})
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        return self.session.post(self.url + "/v1/events", data=body, headers=h, timeout=30, **kw)

    def lake_files(self, dead_letters=False):
        if not self.lake.exists():
            return []
        files = sorted(p for p in self.lake.rglob("*") if p.is_file())
        return [p for p in files if (p.relative_to(self.lake).parts[0] == "_rejected") == dead_letters]

    def lake_events(self, dead_letters=False):
        events = []
        for p in self.lake_files(dead_letters):
            assert p.name.endswith(".ndjson.gz"), p
            with gzip.open(p, "rt", encoding="utf-8") as f:
                events.extend(json.loads(line) for line in f)
        return events


def make_config(root: Path, extra: str = "", auth=True, server: str = "", threads: int = 2) -> str:
    """server: more [server] options, one per line. threads: 1 runs every connection on one
    server thread without strands (the configuration bench/run measures), 2 gives each
    connection a strand."""
    apps = f"""
[auth]
mode = "keys"

[apps.web]
key = "{WRITE_KEY}"

[apps.ios]
key = "{OTHER_KEY}"
event_types = ["purchase"]
""" if auth else '[auth]\nmode = "none"\n'
    return f"""
[node]
id = "test-node"

[server]
listen = "127.0.0.1:0"
threads = {threads}
{server}
[wal]
dir = "{root / 'data' / 'wal'}"
segment_bytes = "4MiB"

[flush]
max_age = 3600

[lake]
dir = "{root / 'lake'}"
format = "ndjson.gz"
{apps}
{extra}
"""


