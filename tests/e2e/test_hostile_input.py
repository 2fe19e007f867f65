"""Hostile and broken input against the real binary: every case gets a specific status and error
body, and the collector keeps serving (/healthz is checked after each case).

Body-level cases share one collector (module scope): it must survive all of them in a row.
Connection-level cases (slowloris, connection floods) get collectors with their own limits.
"""
import base64
import gzip
import json
import re
import resource
import selectors
import socket
import threading
import time
import zlib

import pytest
import requests

from tlharness import WRITE_KEY, Collector, make_config

AUTH = f"Authorization: Bearer {WRITE_KEY}\r\n"
# Generous bounds: they catch a hang, not a slow machine.
ANSWER_TIMEOUT_S = 10.0
MAX_BODY = 1 << 20          # server.max_body_bytes default
HEADER_LIMIT = 16 * 1024    # server header limit


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    c = Collector(root, make_config(root)).start()
    yield c
    alive = c.proc.poll() is None
    if alive:
        c.kill9()
    assert alive, f"collector died during the hostile-input cases:\n{c.log_path.read_text()[-4000:]}"


def assert_serving(c):
    r = requests.get(c.url + "/healthz", timeout=ANSWER_TIMEOUT_S)
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    assert c.proc.poll() is None


def post(c, body, content_type="application/json", headers=None):
    h = {"Content-Type": content_type, "Authorization": f"Bearer {WRITE_KEY}"}
    h.update(headers or {})
    return requests.post(c.url + "/v1/events", data=body, headers=h, timeout=ANSWER_TIMEOUT_S)


def raw_exchange(port, data, timeout=ANSWER_TIMEOUT_S, send_errors_ok=True):
    """Sends data on a fresh connection and reads until the server closes it (or timeout).
    Returns (bytes received, whether the server closed the connection)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            if not send_errors_ok:
                raise
        received = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                return received, True
            except socket.timeout:
                return received, False
            if not chunk:
                return received, True
            received += chunk
        return received, False
    finally:
        s.close()


def parse_responses(data):
    """Splits a byte stream into (status, headers, body) responses (Content-Length framed)."""
    out = []
    while data:
        head, sep, rest = data.partition(b"\r\n\r\n")
        assert sep, f"truncated response: {data[:200]!r}"
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:])}
        n = int(headers.get("content-length", "0"))
        out.append((status, headers, rest[:n]))
        data = rest[n:]
    return out


def request_bytes(body=b"", method="POST", target="/v1/events", extra_headers="", content_type="application/json"):
    head = (f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{AUTH}Content-Type: {content_type}\r\n"
            f"{extra_headers}")
    if "content-length" not in extra_headers.lower() and "transfer-encoding" not in extra_headers.lower():
        head += f"Content-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


# --- bodies: malformed, truncated, deep, huge, duplicate, invalid UTF-8, NUL, non-string values ---

NOT_JSON = "request body is not valid JSON: "


TRAILING = (NOT_JSON + "unexpected content after the top-level value (several events: send a JSON array, "
            "or one object per line as Content-Type: application/x-ndjson)")
NOT_OBJECTS = "request body must be a JSON object or an array of JSON objects"


@pytest.mark.parametrize("body, error", [
    (b'{"event_type":"x"', NOT_JSON),
    (b'[{"event_type":"a"},{"event_ty', NOT_JSON),
    (b'{"event_type":"x",}', NOT_JSON),
    (b"{'event_type':'x'}", NOT_JSON),
    (b'{"event_type":"x"}}', TRAILING),
    (b'[{"event_type":"x"}] [', NOT_JSON),
    (b"[" * 100_000, NOT_JSON),
    (b'{"a":' * 100_000, NOT_JSON),
    (b"\x00\x00\x00", NOT_JSON),
    (b'{"event_type":"x"}\x00', NOT_JSON),
    (b'{"event_type":"x","v":"\\ud800"}', NOT_JSON),  # a lone surrogate escape
    (b'{"event_type":"caf\xe9"}', "request body is not valid UTF-8"),
    (b'\xff\xfe{"event_type":"x"}', "request body is not valid UTF-8"),
    (b'{"event_type":"\xed\xa0\x80"}', "request body is not valid UTF-8"),  # a UTF-16 surrogate as UTF-8
    (b"42", NOT_OBJECTS),
    (b"null", NOT_OBJECTS),
    (b'"event"', NOT_OBJECTS),
    (b"   \r\n\t ", "request body is empty"),
])
def test_unparsable_json_body_is_400_with_the_reason(hostile, body, error):
    r = post(hostile, body)
    assert r.status_code == 400, r.text
    assert set(r.json()) == {"error"}
    message = r.json()["error"]
    if error == NOT_JSON:
        assert message.startswith(NOT_JSON) and len(message) > len(NOT_JSON), message  # simdjson's reason follows
    else:
        assert message == error
    assert_serving(hostile)


def rejected_only(r):
    assert r.status_code == 400, r.text
    assert r.json()["accepted"] == 0
    return r.json()["rejected"]


def test_huge_keys_are_rejected_naming_a_truncated_key(hostile):
    key = "k" * 20_000  # within the 32 KiB event limit, far over the 128-byte key limit
    [rej] = rejected_only(post(hostile, json.dumps({"event_type": "x", key: "v"})))
    assert rej == {"index": 0, "field": "k" * 128, "error": "key must match [A-Za-z_][A-Za-z0-9_.-]{0,127}"}
    # A key larger than a whole event: the event-level rule answers first.
    [rej] = rejected_only(post(hostile, json.dumps({"event_type": "x", "k" * 40_000: "v"})))
    assert rej == {"index": 0, "field": "", "error": "event is larger than 32768 bytes"}
    # Not-a-key characters, escaped so the raw text is valid JSON.
    [rej] = rejected_only(post(hostile, '{"event_type":"x","a\\u0000b":"v"}'))
    assert rej == {"index": 0, "field": "a\u0000b", "error": "key must match [A-Za-z_][A-Za-z0-9_.-]{0,127}"}
    assert_serving(hostile)


def test_duplicate_keys_are_rejected_whatever_the_spelling(hostile):
    rej = rejected_only(post(hostile, '[{"event_type":"a","x":"1","x":"2"},'
                                      '{"event_type":"a","event_type":"b"},'
                                      '{"event_type":"a","\\u0078":"1","x":"2"}]'))
    assert rej == [{"index": 0, "field": "x", "error": "duplicate key"},
                   {"index": 1, "field": "event_type", "error": "duplicate key"},
                   {"index": 2, "field": "x", "error": "duplicate key"}]
    assert_serving(hostile)


def test_values_that_are_not_strings_are_rejected_with_their_type(hostile):
    body = ('[{"event_type":"t","v":1.5},{"event_type":"t","v":true},{"event_type":"t","v":null},'
            '{"event_type":"t","v":{"a":"b"}},{"event_type":"t","v":["x"]},{"event_type":"t","v":1e999},'
            '{"event_type":7},42,"s",null,[{"event_type":"t"}]]')
    assert rejected_only(post(hostile, body)) == [
        {"index": 0, "field": "v", "error": "must be a string (got number)"},
        {"index": 1, "field": "v", "error": "must be a string (got bool)"},
        {"index": 2, "field": "v", "error": "must be a string (got null)"},
        {"index": 3, "field": "v", "error": "must be a string (got object)"},
        {"index": 4, "field": "v", "error": "must be a string (got array)"},
        {"index": 5, "field": "v", "error": "must be a string (got number)"},
        {"index": 6, "field": "event_type", "error": "must be a string (got number)"},
        {"index": 7, "field": "", "error": "must be a JSON object"},
        {"index": 8, "field": "", "error": "must be a JSON object"},
        {"index": 9, "field": "", "error": "must be a JSON object"},
        {"index": 10, "field": "", "error": "must be a JSON object"},
    ]
    assert_serving(hostile)


def test_deep_nesting_is_walked_without_recursion_limits(hostile):
    # 100k levels as the whole body, 10k levels inside an event (within its 32 KiB), 50k
    # levels of objects (over it): ordinary rejections, kept as dead letters, no crash.
    for body, rejection in [
        (b"[" * 100_000 + b"]" * 100_000, {"index": 0, "field": "", "error": "must be a JSON object"}),
        (b'{"event_type":"x","v":' + b"[" * 10_000 + b"]" * 10_000 + b"}",
         {"index": 0, "field": "v", "error": "must be a string (got array)"}),
        (b'{"event_type":"x","v":' + b'{"a":' * 5_000 + b'"z"' + b"}" * 5_001,
         {"index": 0, "field": "v", "error": "must be a string (got object)"}),
        (b'{"a":' * 50_000 + b'"x"' + b"}" * 50_000,
         {"index": 0, "field": "", "error": "event is larger than 32768 bytes"}),
    ]:
        assert rejected_only(post(hostile, body)) == [rejection], body[:40]
    # The same inside NDJSON: each line stands alone.
    body = (b'{"event_type":"ok"}\n' + b"[" * 100_000 + b"\n" + b"[" * 100_000 + b"]" * 100_000 + b"\n" +
            b'{"event_type":"x","v":' + b"[" * 10_000 + b"]" * 10_000 + b"}\n")
    r = post(hostile, body, content_type="application/x-ndjson")
    assert r.status_code == 200
    assert r.json() == {"accepted": 1, "rejected": [
        {"index": 1, "field": "", "error": "must be valid JSON"},
        {"index": 2, "field": "", "error": "must be a JSON object"},
        {"index": 3, "field": "v", "error": "must be a string (got array)"}]}
    assert_serving(hostile)


def test_nul_bytes(hostile):
    # Escaped NUL inside a string value is a legal JSON string: accepted.
    r = post(hostile, '{"event_type":"nul","v":"a\\u0000b"}')
    assert r.status_code == 200 and r.json() == {"accepted": 1, "rejected": []}
    # A raw NUL byte is an unescaped control character: not JSON.
    r = post(hostile, b'{"event_type":"nul","v":"a\x00b"}')
    assert r.status_code == 400
    assert r.json() == {"error": NOT_JSON + "Within strings, some characters must be escaped, we found unescaped characters"}
    r = post(hostile, b'{"event_type":"nul",\x00"v":"b"}')
    assert r.status_code == 400 and r.json()["error"].startswith(NOT_JSON), r.text
    assert_serving(hostile)


def test_invalid_utf8_ndjson_line_is_kept_as_a_base64_dead_letter(collector):
    bad_line = b'{"event_type":"caf\xe9","v":"\xff"}'
    body = b'{"event_type":"ok","event_id":"utf8-ok"}\n' + bad_line + b'\n{"event_type":"ok2"}\n'
    r = post(collector, body, content_type="application/x-ndjson")
    assert r.status_code == 200
    assert r.json() == {"accepted": 2, "rejected": [{"index": 1, "field": "", "error": "must be valid UTF-8"}]}
    assert_serving(collector)
    assert collector.stop() == 0
    [dead] = collector.lake_events(dead_letters=True)
    assert dead["error"] == "must be valid UTF-8" and dead["index"] == "1" and "raw" not in dead
    assert base64.b64decode(dead["raw_base64"]) == bad_line
    assert sorted(e["event_type"] for e in collector.lake_events()) == ["ok", "ok2"]


def test_nul_inside_a_value_reaches_the_lake_intact(collector):
    assert post(collector, '{"event_type":"nul","event_id":"n1","v":"a\\u0000b\\u001f"}').status_code == 200
    assert collector.stop() == 0
    [event] = collector.lake_events()
    assert event["v"] == "a\u0000b\u001f"


# --- sizes and encodings ---

def test_ten_megabyte_body_is_413_before_it_is_read(hostile):
    # Declared by Content-Length: the server answers from the headers alone and closes, so
    # the client cannot make it read (or buffer) the ten megabytes.
    head = request_bytes(extra_headers=f"Content-Length: {10 * MAX_BODY}\r\n")
    data, closed = raw_exchange(hostile.port, head + b"[" * 4096)
    [(status, headers, body)] = parse_responses(data)
    assert status == 413 and headers.get("connection") == "close"
    assert json.loads(body) == {"error": f"request body exceeds {MAX_BODY} bytes (server.max_body_bytes)"}
    assert closed
    # Chunked, no length announced: ten megabytes offered, cut once the chunks pass the limit.
    chunk = b"%x\r\n%s\r\n" % (64 * 1024, b" " * (64 * 1024))
    head = request_bytes(extra_headers="Transfer-Encoding: chunked\r\n")
    data, closed = raw_exchange(hostile.port, head + chunk * 160)
    [(status, _, body)] = parse_responses(data)
    assert status == 413
    assert json.loads(body) == {"error": f"request body exceeds {MAX_BODY} bytes (server.max_body_bytes)"}
    assert closed
    assert_serving(hostile)


def test_gzip_bomb_is_413_and_memory_stays_bounded(hostile):
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip framing
    zeros = b"\0" * (1 << 20)
    bomb = b"".join(packer.compress(zeros) for _ in range(512)) + packer.flush()  # 512 MiB inflated
    assert len(bomb) < MAX_BODY
    r = post(hostile, bomb, headers={"Content-Encoding": "gzip"})
    assert r.status_code == 413, r.text
    assert "decompressed body exceeds" in r.json()["error"]
    assert "server.max_decompressed_bytes" in r.json()["error"]
    peak_kib = int(re.search(r"VmHWM:\s+(\d+) kB", open(f"/proc/{hostile.proc.pid}/status").read()).group(1))
    assert peak_kib < 256 * 1024, f"collector peaked at {peak_kib} KiB for a gzip bomb"
    # A body that claims gzip but is not: 400 with the reason, not 413.
    r = post(hostile, b'{"event_type":"x"}', headers={"Content-Encoding": "gzip"})
    assert r.status_code == 400 and r.json() == {"error": "body is not valid gzip"}
    r = post(hostile, gzip.compress(b'{"event_type":"x"}' * 100)[:-10], headers={"Content-Encoding": "gzip"})
    assert r.status_code == 400 and r.json() == {"error": "gzip body is truncated"}
    assert_serving(hostile)


@pytest.mark.parametrize("content_type", ["application/xml", "multipart/form-data; boundary=x", "image/png",
                                          "application/json-patch+json"])
def test_wrong_content_type_is_415(hostile, content_type):
    r = post(hostile, '{"event_type":"x"}', content_type=content_type)
    assert r.status_code == 415
    assert r.json()["error"].startswith(f"unsupported content type '{content_type.split(';')[0]}'")
    assert_serving(hostile)


def test_unsupported_content_encoding_is_415(hostile):
    for encoding in ("deflate", "gzip, gzip", "x-gzip"):
        r = post(hostile, gzip.compress(b'{"event_type":"x"}'), headers={"Content-Encoding": encoding})
        assert r.status_code == 415, (encoding, r.text)
        assert r.json() == {"error": f"unsupported content encoding '{encoding}': send gzip or none"}
    assert_serving(hostile)


# --- framing: request smuggling and header floods (raw sockets) ---

SMUGGLED = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


@pytest.mark.parametrize("framing", [
    "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
    "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
    "Content-Length: 5\r\nContent-Length: 46\r\n",
    "Content-Length: 5, 46\r\n",
    "Content-Length: -5\r\n",
    "Content-Length: 0x05\r\n",
    "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
    "Transfer-Encoding: chunked, gzip\r\n",
    "Transfer-Encoding: gzip\r\n",
])
def test_ambiguous_framing_is_400_and_closes_without_smuggling(hostile, framing):
    body = b"0\r\n\r\n" + SMUGGLED
    data, closed = raw_exchange(hostile.port, request_bytes(body, extra_headers=framing))
    responses = parse_responses(data)
    assert len(responses) == 1, f"the smuggled request was answered: {data!r}"
    [(status, headers, resp_body)] = responses
    assert status == 400, data
    assert json.loads(resp_body)["error"].startswith("malformed HTTP request"), resp_body
    assert headers.get("connection") == "close"
    assert closed, "connection left open after a framing error"
    assert_serving(hostile)


def test_header_floods_are_refused(hostile):
    many = "".join(f"X-Flood-{i}: {i}\r\n" for i in range(5000))
    huge = "X-Huge: " + "a" * 100_000 + "\r\n"
    long_target = "/v1/events?" + "q" * 100_000
    for req in (request_bytes(b"{}", extra_headers=many), request_bytes(b"{}", extra_headers=huge),
                request_bytes(b"{}", target=long_target)):
        data, closed = raw_exchange(hostile.port, req)
        [(status, _, body)] = parse_responses(data)
        assert status == 431, data[:300]
        assert json.loads(body)["error"] == f"request headers exceed {HEADER_LIMIT} bytes"
        assert closed
    # Garbage instead of a request line.
    data, closed = raw_exchange(hostile.port, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\0" * 64)
    [(status, _, body)] = parse_responses(data)
    assert status == 400 and json.loads(body)["error"].startswith("malformed HTTP request") and closed
    assert_serving(hostile)


def test_metrics_count_the_refusals(hostile):
    text = requests.get(hostile.url + "/metrics", timeout=ANSWER_TIMEOUT_S).text
    for status in ("400", "413", "415", "431"):
        m = re.search(r'tracklake_http_requests_total\{status="%s"\} (\d+)' % status, text)
        assert m and int(m.group(1)) > 0, status
    assert WRITE_KEY not in text


# --- slow and numerous clients ---

SLOW_CONNECTIONS = 300
HEADER_TIMEOUT_S = 3


def test_slowloris_connections_are_cut_while_others_are_served(collector_factory):
    c = collector_factory(env={"TRACKLAKE_SERVER_HEADER_TIMEOUT": str(HEADER_TIMEOUT_S)})
    slow = [socket.create_connection(("127.0.0.1", c.port)) for _ in range(SLOW_CONNECTIONS)]
    # Headers that never end, one byte per connection per round.
    trickle = request_bytes(extra_headers="X-Slow: " + "s" * 10_000 + "\r\n")
    stop = threading.Event()
    cut = set()

    def drip():
        i = 0
        while not stop.is_set() and len(cut) < len(slow):
            for n, s in enumerate(slow):
                if n in cut:
                    continue
                try:
                    s.send(trickle[i:i + 1])
                except OSError:
                    cut.add(n)
            i += 1
            time.sleep(0.1)

    dripper = threading.Thread(target=drip, daemon=True)
    dripper.start()
    answered_408 = 0
    try:
        # Normal clients keep getting answers while the slow ones trickle.
        answered = 0
        started = time.monotonic()
        while time.monotonic() - started < HEADER_TIMEOUT_S + 1:
            r = requests.post(c.url + "/v1/events", data='{"event_type":"during_slowloris"}',
                              headers={"Authorization": f"Bearer {WRITE_KEY}"}, timeout=ANSWER_TIMEOUT_S)
            assert r.status_code == 200, r.text
            answered += 1
            time.sleep(0.1)
        assert answered > 0
        # Every slow connection is answered 408 at the header deadline, then closed.
        deadline = time.monotonic() + HEADER_TIMEOUT_S + ANSWER_TIMEOUT_S
        for s in slow:
            received = b""
            try:
                while True:
                    s.settimeout(max(0.1, deadline - time.monotonic()))
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    received += chunk
            except ConnectionResetError:
                pass  # the 408 may be lost when the client's unread trickle meets the close
            assert received == b"" or received.startswith(b"HTTP/1.1 408 "), received[:200]
            answered_408 += received.startswith(b"HTTP/1.1 408 ")
    finally:
        stop.set()
        dripper.join()
        for s in slow:
            s.close()
    text = requests.get(c.url + "/metrics", timeout=ANSWER_TIMEOUT_S).text
    m = re.search(r'tracklake_http_requests_total\{status="408"\} (\d+)', text)
    assert m and int(m.group(1)) >= SLOW_CONNECTIONS
    assert answered_408 > SLOW_CONNECTIONS // 2, f"only {answered_408} of {SLOW_CONNECTIONS} slow clients got a 408"
    assert_serving(c)


def read_until_closed(s, timeout):
    received = b""
    s.settimeout(timeout)
    try:
        while chunk := s.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    return received


def test_each_read_deadline_answers_408_and_an_idle_keep_alive_connection_just_closes(collector_factory):
    # docs/reliability.md: a request cut at its deadline is answered 408, then the connection closes.
    c = collector_factory(env={"TRACKLAKE_SERVER_HEADER_TIMEOUT": "1", "TRACKLAKE_SERVER_BODY_TIMEOUT": "1",
                               "TRACKLAKE_SERVER_IDLE_TIMEOUT": "1"})
    t0 = time.monotonic()
    half_headers = socket.create_connection(("127.0.0.1", c.port))
    half_headers.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\n")
    half_body = socket.create_connection(("127.0.0.1", c.port))
    half_body.sendall(request_bytes(b'{"event_type":"never"}')[:-5])
    silent = socket.create_connection(("127.0.0.1", c.port))  # connects, never sends
    cases = {"headers": (half_headers, "request headers not received within server.header_timeout (1 s)"),
             "body": (half_body, "request body not received within server.body_timeout (1 s)"),
             "silent": (silent, "request headers not received within server.header_timeout (1 s)")}
    for name, (s, error) in cases.items():
        [(status, headers, body)] = parse_responses(read_until_closed(s, ANSWER_TIMEOUT_S))
        assert (status, json.loads(body)["error"]) == (408, error), name
        assert headers.get("connection") == "close", name
        s.close()
    assert time.monotonic() - t0 < ANSWER_TIMEOUT_S

    # Keep-alive: after a complete exchange, a connection with nothing more to say is closed
    # quietly at server.idle_timeout; one that began its next request and stalled gets a 408.
    for partial, expect in ((b"", None), (b"POST /v1/ev", "request headers not received within server.idle_timeout (1 s)")):
        s = socket.create_connection(("127.0.0.1", c.port))
        s.sendall(request_bytes(b'{"event_type":"kept"}') + partial)
        responses = parse_responses(read_until_closed(s, ANSWER_TIMEOUT_S))
        s.close()
        assert responses[0][0] == 200
        assert [(st, json.loads(b)["error"]) for st, _, b in responses[1:]] == ([] if expect is None else [(408, expect)])
    assert_serving(c)


def raise_fd_limit(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n:
        if hard != resource.RLIM_INFINITY and hard < n:
            pytest.skip(f"needs {n} file descriptors, hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (n, hard))


def flood(port, n):
    """Opens n connections at once, sends one request on each, reads every outcome.
    Returns (statuses of answered requests, number of connections closed without an answer)."""
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        socks.append(s)
    req = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    sel = selectors.DefaultSelector()
    for s in socks:
        sel.register(s, selectors.EVENT_WRITE, [b""])
    statuses, refused = [], 0
    deadline = time.monotonic() + 30
    pending = n
    while pending and time.monotonic() < deadline:
        for key, mask in sel.select(timeout=1):
            s, buf = key.fileobj, key.data
            done = False
            try:
                if mask & selectors.EVENT_WRITE:
                    s.send(req)
                    sel.modify(s, selectors.EVENT_READ, buf)
                    continue
                chunk = s.recv(4096)
                if chunk:
                    buf[0] += chunk
                    continue
                done = True
            except (ConnectionResetError, BrokenPipeError, ConnectionRefusedError):
                done = True
            if done:
                sel.unregister(s)
                pending -= 1
                if buf[0]:
                    [(status, _, body)] = parse_responses(buf[0])
                    assert status == 200 and json.loads(body) == {"status": "ok"}, buf[0]
                    statuses.append(status)
                else:
                    refused += 1
    for s in socks:
        s.close()
    assert pending == 0, f"{pending} connections neither answered nor closed within 30 s"
    return statuses, refused


def test_thousands_of_concurrent_connections_are_all_served(collector_factory):
    n = 3000
    raise_fd_limit(2 * n + 1000)  # this process and the collector (which inherits the limit)
    c = collector_factory()
    statuses, refused = flood(c.port, n)
    assert refused == 0 and len(statuses) == n
    assert_serving(c)


def test_connections_beyond_max_connections_are_refused_cleanly(collector_factory):
    n, limit = 3000, 100
    raise_fd_limit(2 * n + 1000)
    c = collector_factory(env={"TRACKLAKE_SERVER_MAX_CONNECTIONS": str(limit)})
    statuses, refused = flood(c.port, n)
    assert 0 < len(statuses) and len(statuses) + refused == n
    assert refused > 0
    text = requests.get(c.url + "/metrics", timeout=ANSWER_TIMEOUT_S).text
    m = re.search(r'tracklake_http_requests_total\{status="503"\} (\d+)', text)
    assert m and int(m.group(1)) == refused
    assert_serving(c)


def open_files_limit(pid):
    """The soft open-files limit of a process, from /proc/<pid>/limits."""
    for line in open(f"/proc/{pid}/limits"):
        if line.startswith("Max open files"):
            return int(line.split()[3])
    raise AssertionError("no open-files line")


def test_the_open_files_limit_is_raised_to_the_hard_one(tmp_path):
    # A service manager's usual soft limit is 1024 whatever the hard one: here 128 under 1024,
    # so that 300 connections need the raise.
    n = 300
    raise_fd_limit(n + 200)
    c = Collector(tmp_path, make_config(tmp_path)).start(nofile=(128, 1024))
    try:
        assert open_files_limit(c.proc.pid) == 1024
        assert "open-files limit raised from 128 to 1024" in c.log_path.read_text()
        statuses, refused = flood(c.port, n)
        assert refused == 0 and len(statuses) == n
        assert_serving(c)
    finally:
        c.stop()


def test_a_low_open_files_limit_lowers_max_connections_and_leaves_room_for_the_log(tmp_path):
    # A hard limit of 64 cannot be raised: a quarter stays for the log, the lake and the sinks,
    # and connections beyond the other 48 are refused like those beyond server.max_connections.
    n = 150
    raise_fd_limit(n + 200)
    c = Collector(tmp_path, make_config(tmp_path)).start(nofile=(64, 64))
    try:
        assert "server.max_connections = 10000 lowered to 48" in c.log_path.read_text()
        statuses, refused = flood(c.port, n)
        assert len(statuses) >= 1 and refused > 0 and len(statuses) + refused == n
        assert c.post([{"event_type": "after_flood", "event_id": "f1"}]).status_code == 200
        assert_serving(c)
    finally:
        assert c.stop() == 0
    assert "accepting connections failed" not in c.log_path.read_text()
    assert [e["event_id"] for e in c.lake_events() if e["event_type"] == "after_flood"] == ["f1"]
