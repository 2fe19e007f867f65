"""The ingest API over real sockets: statuses, error bodies, formats, auth, health and metrics."""
import base64
import gzip
import http.client
import json
import socket

import pytest
import requests

from tlharness import OTHER_KEY, WRITE_KEY


def test_single_event_is_accepted_and_stamped(collector):
    r = collector.post('{"event_type":"page_view","user_id":"u1","url":"/home"}',
                       headers={"Content-Type": "application/x-www-form-urlencoded"})  # what curl -d sends
    assert r.status_code == 200
    assert r.json() == {"accepted": 1, "rejected": []}
    assert collector.stop() == 0
    [event] = collector.lake_events()
    assert event["event_type"] == "page_view" and event["url"] == "/home" and event["user_id"] == "u1"
    assert event["app_id"] == "web"
    assert len(event["event_id"]) == 36 and event["event_id"][14] == "7"
    assert event["received_at"].endswith("Z") and len(event["received_at"]) == 24


def test_batch_reports_each_invalid_event_and_keeps_the_rest(collector):
    body = [
        {"event_type": "click", "event_id": "ok-1"},
        {"event_type": "click", "n": 5},
        {"user_id": "no-type"},
        {"event_type": "click", "app_id": "someone-else"},
        {"event_type": "click", "event_id": "ok-2", "event_time": "2026-11-26T06:00:00.5+01:00"},
    ]
    r = collector.post(body)
    assert r.status_code == 200
    assert r.json() == {"accepted": 2, "rejected": [
        {"index": 1, "field": "n", "error": "must be a string (got number)"},
        {"index": 2, "field": "event_type", "error": "required"},
        {"index": 3, "field": "app_id", "error": "does not match the application of the write key"},
    ]}
    assert collector.stop() == 0
    assert sorted(e["event_id"] for e in collector.lake_events()) == ["ok-1", "ok-2"]
    dead = sorted(collector.lake_events(dead_letters=True), key=lambda d: int(d["index"]))
    assert [(d["index"], d["field"], d["error"]) for d in dead] == [
        ("1", "n", "must be a string (got number)"), ("2", "event_type", "required"),
        ("3", "app_id", "does not match the application of the write key")]
    assert json.loads(dead[0]["raw"]) == body[1]
    assert all(d["app_id"] == "web" for d in dead)


def test_ndjson_and_gzip_bodies(collector):
    lines = "\n".join(json.dumps({"event_type": "nd", "event_id": f"n{i}"}) for i in range(50))
    r = collector.post(lines, headers={"Content-Type": "application/x-ndjson"})
    assert r.json() == {"accepted": 50, "rejected": []}
    r = collector.post(gzip.compress(lines.replace('"n', '"g').encode()),
                       headers={"Content-Type": "application/x-ndjson", "Content-Encoding": "gzip"})
    assert r.json() == {"accepted": 50, "rejected": []}
    assert collector.stop() == 0
    assert len({e["event_id"] for e in collector.lake_events()}) == 100


def test_every_event_invalid_is_a_400_with_the_list(collector):
    r = collector.post({"event_type": "Bad Type"})
    assert r.status_code == 400
    assert r.json()["rejected"] == [{"index": 0, "field": "event_type", "error": "must match [a-z0-9_]{1,64}"}]


def test_error_statuses_have_specific_json_bodies(collector):
    cases = [
        (collector.post("{not json"), 400, "JSON"),
        (collector.post("", ), 400, "empty"),
        (collector.post({"event_type": "x"}, key=None), 401, "missing write key"),
        (collector.post({"event_type": "x"}, key="wrong"), 401, "unknown write key"),
        (collector.post({"event_type": "x"}, headers={"Content-Type": "text/html"}), 415, "text/html"),
        (collector.post({"event_type": "x"}, headers={"Content-Encoding": "br"}), 415, "br"),
        (collector.post(b"x" * (1024 * 1024 + 1)), 413, "max_body_bytes"),
        (collector.post(gzip.compress(b" " * (9 << 20)), headers={"Content-Encoding": "gzip"}), 413, "decompressed"),
        (collector.session.get(collector.url + "/v1/events"), 405, "POST"),
        (collector.session.get(collector.url + "/nope"), 404, "/v1/events"),
    ]
    for r, status, words in cases:
        assert r.status_code == status, (status, r.text)
        assert words in r.json()["error"], (status, r.text)
    # ...and the server still serves.
    assert collector.post({"event_type": "after_errors"}).status_code == 200


def test_basic_auth_with_key_as_user_name(collector):
    token = base64.b64encode(f"{WRITE_KEY}:".encode()).decode()
    r = collector.post({"event_type": "x"}, key=None, headers={"Authorization": f"Basic {token}"})
    assert r.status_code == 200


def test_each_request_on_one_connection_is_authenticated_by_its_own_key(collector):
    # A connection remembers its last accepted key (http/auth.h); behind a proxy one connection
    # carries many clients, so every request must still be judged by the key it sends.
    conn = http.client.HTTPConnection("127.0.0.1", collector.port, timeout=10)
    near_miss = WRITE_KEY[:-1] + chr(ord(WRITE_KEY[-1]) + 1)  # same length, last byte off
    sends = [(WRITE_KEY, "one", 200), (OTHER_KEY, "purchase", 200), (near_miss, "two", 401),
             (None, "three", 401), (WRITE_KEY, "four", 200), (OTHER_KEY, "five", 400)]
    answers = []
    for key, event_type, _ in sends:
        headers = {"Content-Type": "application/json"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        conn.request("POST", "/v1/events", body=json.dumps({"event_type": event_type}), headers=headers)
        r = conn.getresponse()
        answers.append((r.status, json.loads(r.read())))
    conn.close()
    assert [status for status, _ in answers] == [expected for _, _, expected in sends]
    assert answers[2][1] == {"error": "unknown write key"}
    # The ios application may only send purchases: judged as ios, not as the web key before it.
    assert answers[5][1]["rejected"] == [
        {"index": 0, "field": "event_type", "error": "not allowed for this application"}]
    assert collector.stop() == 0
    stored = sorted((e["event_type"], e["app_id"]) for e in collector.lake_events())
    assert stored == [("four", "web"), ("one", "web"), ("purchase", "ios")]


def test_two_authorization_headers_are_refused_whichever_comes_first(collector):
    # Proxies and servers disagree on which of two keys counts; none is taken (issue 22: the first
    # won silently, so "Bearer good" then "Bearer nope" was accepted).
    conn = http.client.HTTPConnection("127.0.0.1", collector.port, timeout=10)
    pairs = [(WRITE_KEY, "nope"), ("nope", WRITE_KEY), (WRITE_KEY, WRITE_KEY), (WRITE_KEY, OTHER_KEY)]
    for first, second in pairs:
        body = json.dumps({"event_type": "twice"}).encode()
        conn.putrequest("POST", "/v1/events")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(len(body)))
        conn.putheader("Authorization", f"Bearer {first}")
        conn.putheader("Authorization", f"Bearer {second}")
        conn.endheaders(body)
        r = conn.getresponse()
        assert (r.status, json.loads(r.read())) == (
            400, {"error": "more than one Authorization header: send exactly one write key"}), (first, second)
    # The connection still serves a request with one key.
    conn.request("POST", "/v1/events", body=json.dumps({"event_type": "once"}),
                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {WRITE_KEY}"})
    assert conn.getresponse().status == 200
    conn.close()
    assert collector.stop() == 0
    assert [e["event_type"] for e in collector.lake_events()] == ["once"]


def test_tracklake_variables_of_no_section_are_ignored_with_a_warning(collector_factory):
    # `make test` exports TRACKLAKE_BIN: the collector refused to start with it set (issue 22).
    c = collector_factory(env={"TRACKLAKE_BIN": "/usr/bin/tracklake"})
    assert c.post({"event_type": "started"}).status_code == 200
    assert c.stop() == 0
    assert "environment variable TRACKLAKE_BIN is not a tracklake option" in c.log_path.read_text()
    with pytest.raises(AssertionError, match="unknown environment variable TRACKLAKE_WAL_DURABILTY"):
        c.start(env={"TRACKLAKE_WAL_DURABILTY": "write"})


def test_application_limited_to_its_event_types(collector):
    r = collector.post([{"event_type": "purchase"}, {"event_type": "page_view"}], key=OTHER_KEY)
    assert r.json() == {"accepted": 1, "rejected": [
        {"index": 1, "field": "event_type", "error": "not allowed for this application"}]}


def test_head_answers_headers_only_and_keeps_the_connection_usable(collector):
    # A body after a HEAD response would be read as the start of the next response on the
    # same keep-alive connection (RFC 9110 section 9.3.2: HEAD gets the headers of GET, no content).
    conn = http.client.HTTPConnection("127.0.0.1", collector.port, timeout=10)
    conn.request("HEAD", "/healthz")
    head = conn.getresponse()
    assert head.status == 200
    assert int(head.getheader("Content-Length")) == len(b'{"status":"ok"}')
    assert head.read() == b""
    conn.request("GET", "/healthz")
    get = conn.getresponse()
    assert get.status == 200 and json.loads(get.read()) == {"status": "ok"}
    raw = socket.create_connection(("127.0.0.1", collector.port), timeout=10)
    raw.sendall(b"HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    received = b""
    while chunk := raw.recv(4096):
        received += chunk
    raw.close()
    assert received.endswith(b"\r\n\r\n"), received


def test_health_readiness_and_metrics(collector):
    assert collector.session.get(collector.url + "/healthz").json() == {"status": "ok"}
    assert collector.session.get(collector.url + "/readyz").status_code == 200
    collector.post([{"event_type": "m"}, {"event_type": "m", "x": True}])
    text = collector.session.get(collector.url + "/metrics").text
    assert "tracklake_events_accepted_total 1" in text
    assert 'tracklake_events_rejected_total{reason="must be a string (got bool)"} 1' in text
    assert 'tracklake_http_requests_total{status="200"}' in text
    assert "tracklake_wal_fsync_seconds_bucket" in text
    assert "tracklake_oldest_unwritten_event_age_seconds" in text
    assert WRITE_KEY not in text


def test_auth_none_takes_app_id_from_the_event(collector_factory):
    c = collector_factory(auth=False)
    assert c.post({"event_type": "x", "app_id": "mine"}, key=None).status_code == 200
    assert c.post({"event_type": "x"}, key=None).status_code == 200
    assert c.stop() == 0
    assert sorted(e["app_id"] for e in c.lake_events()) == ["default", "mine"]
    assert "authentication is disabled" in c.log_path.read_text()


def test_rate_limit_answers_429_with_retry_after(collector_factory):
    c = collector_factory(start=False)
    c.config_path.write_text(c.config_path.read_text().replace(
        'event_types = ["purchase"]', 'event_types = ["purchase"]\nrate_limit = 10\nrate_burst = 20'))
    c.start()
    assert c.post([{"event_type": "purchase"}] * 20, key=OTHER_KEY).status_code == 200
    r = c.post([{"event_type": "purchase"}] * 5, key=OTHER_KEY)
    assert r.status_code == 429
    assert "rate limit of 10 events/s" in r.json()["error"]
    assert int(r.headers["Retry-After"]) >= 1
    # Other applications are not affected.
    assert c.post({"event_type": "x"}).status_code == 200
