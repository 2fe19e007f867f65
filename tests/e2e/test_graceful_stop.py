"""SIGTERM answers every request whose events were committed: a serial keep-alive client sending
5-event NDJSON requests through repeated stops never meets a committed request without its answer,
and requests that arrive once the stop began get 503 + Retry-After + Connection: close."""
import gzip
import http.client
import json
import socket
import threading
import time

from tlharness import WRITE_KEY

STOP_ROUNDS = 13


def lake_ids(c):
    ids = set()
    for p in c.lake.rglob("*.ndjson.gz"):
        with gzip.open(p, "rt", encoding="utf-8") as f:
            ids.update(json.loads(line)["event_id"] for line in f)
    return ids


def serial_client(port, prefix, stop, outcomes):
    """One keep-alive connection, one request at a time, until the server goes or stop is set.
    outcomes: (request number, status or exception name, headers)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    i = 0
    while not stop.is_set():
        body = "\n".join(json.dumps({"event_type": "t", "event_id": f"{prefix}-{i}-{k}"}) for k in range(5))
        try:
            conn.request("POST", "/v1/events", body=body,
                         headers={"Authorization": f"Bearer {WRITE_KEY}", "Content-Type": "application/x-ndjson"})
            r = conn.getresponse()
            r.read()
        except (OSError, http.client.HTTPException) as e:
            outcomes.append((i, type(e).__name__, {}))
            return
        outcomes.append((i, r.status, {k.lower(): v for k, v in r.getheaders()}))
        if r.status != 200:
            return
        i += 1


def test_every_committed_request_is_answered_through_repeated_sigterms(collector_factory):
    """Before: in 8 of 13 stops the request in flight was committed but its connection closed without
    an answer, after exactly 10 s: the server's io_context ran out of work once the acceptor closed
    (a request waiting for the log has no pending operation), its threads exited, and the stop
    waited its fixed 10 s drain for an answer that could no longer be written."""
    c = collector_factory(start=False)
    c.config_path.write_text(c.config_path.read_text().replace("[server]\n", "[server]\nshutdown_timeout = 30\n"))
    unanswered_committed, refused = [], []
    for rnd in range(STOP_ROUNDS):
        c.start()
        stop, outcomes = threading.Event(), []
        t = threading.Thread(target=serial_client, args=(c.port, f"r{rnd}", stop, outcomes))
        t.start()
        time.sleep(0.3)
        assert c.stop() == 0
        stop.set()
        t.join(timeout=60)
        assert not t.is_alive()
        ids = lake_ids(c)
        last, status, headers = outcomes[-1]
        answered = [i for i, s, _ in outcomes if s == 200]
        assert all(f"r{rnd}-{i}-{k}" in ids for i in answered for k in range(5))
        if status == 503:
            refused.append(rnd)
            assert headers.get("retry-after") == "1" and headers.get("connection") == "close", headers
        if status != 200 and any(f"r{rnd}-{last}-{k}" in ids for k in range(5)):
            unanswered_committed.append((rnd, last, status))
    assert unanswered_committed == []


def test_a_request_completing_during_the_stop_gets_503_and_the_held_one_its_answer(collector_factory):
    """A request whose body is still arriving holds the stop open; meanwhile a keep-alive client's
    next request is refused with 503 + Retry-After + Connection: close, and new connections are
    refused. The slow request, completed during the stop, gets the 503 too: nothing of it was
    committed."""
    c = collector_factory(start=False)
    c.config_path.write_text(c.config_path.read_text().replace("[server]\n", "[server]\nshutdown_timeout = 30\n"))
    c.start()
    keepalive = http.client.HTTPConnection("127.0.0.1", c.port, timeout=30)
    headers = {"Authorization": f"Bearer {WRITE_KEY}", "Content-Type": "application/json"}
    keepalive.request("POST", "/v1/events", body=json.dumps({"event_type": "t", "event_id": "before"}), headers=headers)
    assert keepalive.getresponse().read() and True
    body = json.dumps({"event_type": "t", "event_id": "slow"}).encode()
    slow = socket.create_connection(("127.0.0.1", c.port))
    slow.sendall(f"POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {WRITE_KEY}\r\n"
                 f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body[:5])
    time.sleep(0.2)
    c.proc.send_signal(15)
    time.sleep(0.5)
    assert c.proc.poll() is None  # held open by the slow request
    keepalive.request("POST", "/v1/events", body=json.dumps({"event_type": "t", "event_id": "during"}), headers=headers)
    r = keepalive.getresponse()
    r.read()
    assert r.status == 503 and r.getheader("Retry-After") == "1" and r.getheader("Connection") == "close"
    try:
        socket.create_connection(("127.0.0.1", c.port), timeout=2).close()
        assert False, "a new connection was accepted after the stop began"
    except ConnectionRefusedError:
        pass
    slow.sendall(body[5:])
    slow.settimeout(10)
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = slow.recv(4096)
        assert chunk, answer
        answer += chunk
    assert answer.startswith(b"HTTP/1.1 503 ") and b"Retry-After: 1" in answer and b"Connection: close" in answer
    assert c.proc.wait(timeout=60) == 0
    c.log.close()
    assert lake_ids(c) == {"before"}
