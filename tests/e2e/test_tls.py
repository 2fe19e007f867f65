"""The optional TLS listener (server.tls_cert / server.tls_key) against a certificate made at test
time: HTTPS ingest, what happens to plain HTTP, silent and old clients, and start-up errors."""
import os
import re
import socket
import ssl
import threading
import time

import pytest
import requests

from tlharness import WRITE_KEY, make_self_signed_cert

HEADER_TIMEOUT_S = 2
ANSWER_TIMEOUT_S = 10
EVENT = '{"event_type":"over_tls"}'


@pytest.fixture
def cert(tmp_path):
    return make_self_signed_cert(tmp_path / "tls")


def client_context(ca_file, min_version=None, max_version=None):
    ctx = ssl.create_default_context(cafile=str(ca_file))
    if min_version:
        ctx.minimum_version = min_version
    if max_version:
        ctx.maximum_version = max_version
    return ctx


def tls_handshake(port, ctx):
    """The negotiated version, or the ssl.SSLError the handshake ended with."""
    with socket.create_connection(("127.0.0.1", port), timeout=ANSWER_TIMEOUT_S) as raw:
        try:
            with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                return tls.version()
        except ssl.SSLError as e:
            return e


def assert_serving_https(c):
    r = c.post(EVENT)
    assert r.status_code == 200, r.text


def test_https_post_with_the_write_key_lands_in_the_lake(collector_factory, cert):
    c = collector_factory(tls=cert)
    assert c.url.startswith("https://")
    events = "\n".join(f'{{"event_type":"over_tls","event_id":"tls-{i}"}}' for i in range(20))
    r = c.post(events, headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code == 200 and r.json() == {"accepted": 20, "rejected": []}
    # The same connection carries several requests (keep-alive over TLS).
    for i in range(3):
        assert c.post(f'{{"event_type":"over_tls","event_id":"again-{i}"}}').status_code == 200
    assert c.post(EVENT, key="wrong-key").status_code == 401
    assert c.session.get(c.url + "/healthz", timeout=ANSWER_TIMEOUT_S).status_code == 200
    assert c.stop() == 0
    ids = sorted(e["event_id"] for e in c.lake_events())
    assert ids == sorted([f"tls-{i}" for i in range(20)] + [f"again-{i}" for i in range(3)])
    assert all(e["app_id"] == "web" for e in c.lake_events())
    assert "HTTPS only" in c.log_path.read_text()


def test_an_unverified_certificate_is_refused_by_a_verifying_client(collector_factory, cert, tmp_path):
    c = collector_factory(tls=cert)
    other = make_self_signed_cert(tmp_path / "other")
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(c.url + "/healthz", verify=str(other.ca), timeout=ANSWER_TIMEOUT_S)
    assert_serving_https(c)


def test_plain_http_to_the_tls_port_gets_no_answer_and_the_server_keeps_serving(collector_factory, cert):
    c = collector_factory(tls=cert)
    plain = f"http://127.0.0.1:{c.port}"
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(plain + "/v1/events", data=EVENT, headers={"Authorization": f"Bearer {WRITE_KEY}"},
                      timeout=ANSWER_TIMEOUT_S)
    # On a raw socket: the request is not answered in plain text (no "HTTP/1.1 ..."), and the
    # server closes the connection long before the header timeout.
    with socket.create_connection(("127.0.0.1", c.port), timeout=ANSWER_TIMEOUT_S) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        try:
            while chunk := s.recv(4096):
                data += chunk
        except ConnectionResetError:
            pass
        assert not data.startswith(b"HTTP/"), data[:100]
    assert_serving_https(c)
    assert c.stop() == 0
    assert [e["event_type"] for e in c.lake_events()] == ["over_tls"]


SILENT_CONNECTIONS = 50


def test_clients_that_never_finish_the_handshake_are_dropped_at_the_header_timeout(collector_factory, cert):
    c = collector_factory(tls=cert, env={"TRACKLAKE_SERVER_HEADER_TIMEOUT": str(HEADER_TIMEOUT_S)})
    opened = time.monotonic()
    silent = [socket.create_connection(("127.0.0.1", c.port)) for _ in range(SILENT_CONNECTIONS)]
    # Half say nothing; half start a TLS record (handshake, TLS 1.0 record version) and stall.
    for s in silent[::2]:
        s.sendall(b"\x16\x03\x01\x02")
    try:
        # Others are served while the silent ones wait.
        answered = 0
        while time.monotonic() - opened < HEADER_TIMEOUT_S - 0.5:
            assert_serving_https(c)
            answered += 1
            time.sleep(0.1)
        assert answered > 0
        for s in silent:
            s.settimeout(HEADER_TIMEOUT_S + ANSWER_TIMEOUT_S)
            try:
                assert s.recv(1024) == b"", "a silent client got bytes instead of a close"
            except ConnectionResetError:
                pass
        elapsed = time.monotonic() - opened
        # Dropped by the deadline, not by something quicker (a refusal) or much later.
        assert HEADER_TIMEOUT_S - 0.5 <= elapsed <= HEADER_TIMEOUT_S + ANSWER_TIMEOUT_S, elapsed
    finally:
        for s in silent:
            s.close()
    assert_serving_https(c)
    text = c.session.get(c.url + "/metrics", timeout=ANSWER_TIMEOUT_S).text
    m = re.search(r'tracklake_http_requests_total\{status="408"\} (\d+)', text)
    assert m and int(m.group(1)) >= SILENT_CONNECTIONS


def old_protocol_context(ca_file, version):
    """A client offering only `version`. OpenSSL 3 builds refuse TLS 1.0/1.1 at the default
    security level on the client side too, so the level is lowered for this client only."""
    ctx = client_context(ca_file, min_version=version, max_version=version)
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    return ctx


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
def test_a_tls_1_1_client_is_refused_by_the_server(collector_factory, cert):
    c = collector_factory(tls=cert)
    if not ssl.HAS_TLSv1_1:
        pytest.skip("this Python's OpenSSL cannot speak TLS 1.1 at all")
    result = tls_handshake(c.port, old_protocol_context(cert.ca, ssl.TLSVersion.TLSv1_1))
    if isinstance(result, ssl.SSLError) and "NO_PROTOCOLS_AVAILABLE" in str(result):
        pytest.skip("the local OpenSSL will not send a TLS 1.1 ClientHello")
    # The refusal must come from the server (a protocol_version alert): proof the hello was sent.
    assert isinstance(result, ssl.SSLError) and "TLSV1_ALERT_PROTOCOL_VERSION" in str(result), result
    assert tls_handshake(c.port, client_context(cert.ca)) in ("TLSv1.2", "TLSv1.3")
    assert tls_handshake(c.port, client_context(cert.ca, max_version=ssl.TLSVersion.TLSv1_2)) == "TLSv1.2"
    assert_serving_https(c)


def test_tls_min_version_1_3_refuses_tls_1_2_clients(collector_factory, cert):
    c = collector_factory(tls=cert, tls_min_version="1.3")
    result = tls_handshake(c.port, client_context(cert.ca, max_version=ssl.TLSVersion.TLSv1_2))
    assert isinstance(result, ssl.SSLError) and "TLSV1_ALERT_PROTOCOL_VERSION" in str(result), result
    assert tls_handshake(c.port, client_context(cert.ca)) == "TLSv1.3"
    assert_serving_https(c)


def start_failure(collector_factory, server_options, exit_code=1):
    """The log of a collector that must refuse to start with these [server] options (exit code 2:
    a configuration error, found before anything starts; 1: a failure to start)."""
    c = collector_factory(start=False)
    c.config_path.write_text(c.config_path.read_text().replace("threads = 2\n", "threads = 2\n" + server_options))
    with pytest.raises(AssertionError, match=f"collector exited with {exit_code}"):
        c.start()
    return c.log_path.read_text()


def test_start_up_refuses_unusable_tls_files_naming_the_option(collector_factory, cert, tmp_path):
    log = start_failure(collector_factory, f'tls_cert = "{cert.cert}"\n', exit_code=2)
    assert "server.tls_cert is set but server.tls_key is empty" in log
    log = start_failure(collector_factory, f'tls_key = "{cert.key}"\n', exit_code=2)
    assert "server.tls_key is set but server.tls_cert is empty" in log

    missing = tmp_path / "missing.pem"
    log = start_failure(collector_factory, f'tls_cert = "{missing}"\ntls_key = "{cert.key}"\n')
    assert f"server.tls_cert {missing} does not exist" in log

    unreadable = tmp_path / "unreadable.key"
    unreadable.write_bytes(cert.key.read_bytes())
    unreadable.chmod(0)
    if not os.access(unreadable, os.R_OK):  # root reads it anyway
        log = start_failure(collector_factory, f'tls_cert = "{cert.cert}"\ntls_key = "{unreadable}"\n')
        assert f"cannot read server.tls_key {unreadable}" in log and "Permission denied" in log

    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate\n")
    log = start_failure(collector_factory, f'tls_cert = "{garbage}"\ntls_key = "{cert.key}"\n')
    assert f"server.tls_cert {garbage}: not a PEM certificate chain" in log
    log = start_failure(collector_factory, f'tls_cert = "{cert.cert}"\ntls_key = "{garbage}"\n')
    assert f"server.tls_key {garbage}: not an unencrypted PEM private key" in log

    other = make_self_signed_cert(tmp_path / "other")
    log = start_failure(collector_factory, f'tls_cert = "{cert.cert}"\ntls_key = "{other.key}"\n')
    assert f"server.tls_key {other.key} is not the private key of the certificate in server.tls_cert" in log
    assert "BEGIN PRIVATE KEY" not in log


def test_no_key_material_reaches_the_log(collector_factory, cert):
    # Debug level: every handshake failure is logged, the most likely place for a leak.
    c = collector_factory(tls=cert, env={"TRACKLAKE_LOG_LEVEL": "debug"})
    assert_serving_https(c)
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"http://127.0.0.1:{c.port}/healthz", timeout=ANSWER_TIMEOUT_S)
    tls_handshake(c.port, client_context(cert.ca, max_version=ssl.TLSVersion.TLSv1_2,
                                         min_version=ssl.TLSVersion.TLSv1_2))
    assert c.stop() == 0
    log = c.log_path.read_text()
    assert "TLS handshake failed" in log  # the debug lines were written
    key_lines = [line for line in cert.key.read_text().splitlines() if not line.startswith("-----")]
    assert key_lines and not any(line in log for line in key_lines)
    assert "PRIVATE KEY" not in log


def test_many_concurrent_https_clients(collector_factory, cert):
    c = collector_factory(tls=cert)
    errors = []

    def client(n):
        session = c.new_session()
        try:
            for i in range(20):
                r = session.post(c.url + "/v1/events", data=f'{{"event_type":"conc","event_id":"c{n}-{i}"}}',
                                 headers={"Authorization": f"Bearer {WRITE_KEY}"}, timeout=ANSWER_TIMEOUT_S)
                if r.status_code != 200:
                    errors.append(r.text)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    assert c.stop() == 0
    assert len({e["event_id"] for e in c.lake_events()}) == 160


def run_send(args, timeout=60):
    import subprocess
    from tlharness import tracklake_bin
    return subprocess.run([tracklake_bin(), "send", *args], capture_output=True, text=True, timeout=timeout)


def test_send_command_delivers_over_https_with_a_ca_file(collector_factory, cert, tmp_path):
    c = collector_factory(tls=cert)
    src = tmp_path / "events.ndjson"
    src.write_text("".join(f'{{"event_type":"sent_tls","event_id":"s{i}"}}\n' for i in range(250)))
    out = run_send([str(src), "--url", c.url + "/v1/events", "--key", WRITE_KEY, "--batch", "100",
                    "--cacert", str(cert.ca)])
    assert out.returncode == 0, out.stderr
    assert "sent 250 events in 3 batches" in out.stderr
    # localhost is in the certificate too; the host name is what is checked against it.
    out = run_send([str(src), "--url", f"https://localhost:{c.port}/v1/events", "--key", WRITE_KEY,
                    "--cacert", str(cert.ca)])
    assert out.returncode == 0, out.stderr
    assert c.stop() == 0
    assert len({e["event_id"] for e in c.lake_events()}) == 250


def test_send_command_refuses_a_certificate_it_cannot_verify(collector_factory, cert, tmp_path):
    c = collector_factory(tls=cert)
    src = tmp_path / "events.ndjson"
    src.write_text('{"event_type":"never"}\n')
    url = c.url + "/v1/events"
    # Without --cacert only the system's CAs are trusted, which never signed a test certificate.
    out = run_send([str(src), "--url", url, "--key", WRITE_KEY, "--retries", "0"],
                   timeout=30)
    assert out.returncode != 0 and "certificate verify failed" in out.stderr, out.stderr
    other = make_self_signed_cert(tmp_path / "other")
    out = run_send([str(src), "--url", url, "--key", WRITE_KEY, "--retries", "0", "--cacert", str(other.ca)])
    assert out.returncode != 0 and "certificate verify failed" in out.stderr, out.stderr
    # A trusted certificate made for another host: the name check alone refuses it.
    wrong_host = make_self_signed_cert(tmp_path / "wrong", ip="127.0.0.2", dns="example.invalid")
    c2 = collector_factory(tls=wrong_host)
    out = run_send([str(src), "--url", c2.url + "/v1/events", "--key", WRITE_KEY, "--retries", "0",
                    "--cacert", str(wrong_host.ca)])
    assert out.returncode != 0 and "certificate verify failed" in out.stderr, out.stderr
    out = run_send([str(src), "--url", f"http://127.0.0.1:{c.port}/v1/events", "--cacert", str(cert.ca)])
    assert out.returncode == 2 and "a CA file needs an https:// URL" in out.stderr
    assert c.stop() == 0
    assert c.lake_events() == []
