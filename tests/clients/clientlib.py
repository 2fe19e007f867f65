"""Helpers of the client packages' tests: free ports, exactly-once checks, and a fault proxy in
front of a collector."""
import http.client
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FaultProxy:
    """Forwards POSTs to a collector and records (time, status) of each; plan(n) for request n
    (from 1) returns None (forward), ("status", code, retry_after), "drop-before" (close the
    connection without forwarding) or "drop-after" (forward, then close without answering: the
    collector accepted the events, the client never hears it)."""

    def __init__(self, upstream_port, plan=None):
        self.log = []
        self.lock = threading.Lock()
        outer = self
        plan = plan or (lambda n: None)

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with outer.lock:
                    number = len(outer.log) + 1
                    action = plan(number)
                    outer.log.append([time.monotonic(), action, dict(self.headers.items())])
                if action == "drop-before":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if isinstance(action, tuple):
                    _, code, retry_after = action
                    self.send_response(code)
                    if retry_after is not None:
                        self.send_header("Retry-After", str(retry_after))
                    data = b'{"error":"injected"}'
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                conn = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=60)
                conn.request("POST", self.path, body=body, headers=dict(self.headers.items()))
                response = conn.getresponse()
                data = response.read()
                conn.close()
                if action == "drop-after":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.send_response(response.status)
                for name, value in response.getheaders():
                    if name.lower() not in ("connection", "content-length", "transfer-encoding", "keep-alive"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def assert_each_once(events, ids):
    counts = Counter(e["event_id"] for e in events)
    assert set(counts) == set(ids), f"missing {len(set(ids) - set(counts))}, unexpected {len(set(counts) - set(ids))}"
    assert max(counts.values()) == 1, [i for i, n in counts.items() if n > 1][:5]


def assert_each_once_as_tracked(events, ids):
    """Every tracked event lands exactly once with the fields it was tracked with: a retry sends
    the very same event (same id, same fields) and the collector's (app_id, event_id)
    deduplication drops the second copy."""
    by_id = {}
    for e in events:
        server = {k: e.pop(k) for k in ("received_at",)}  # stamped per request by the collector
        assert server
        by_id.setdefault(e["event_id"], []).append(e)
    assert set(by_id) == set(ids)
    for copies in by_id.values():
        assert all(copy == copies[0] for copy in copies)
    assert all(len(copies) == 1 for copies in by_id.values()), Counter(len(c) for c in by_id.values())
