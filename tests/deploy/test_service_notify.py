"""systemd's Type=notify protocol, spoken for real: the test listens on a unix datagram socket
as the service manager does, hands it to the collector as $NOTIFY_SOCKET, and checks what
arrives and when (READY=1 only once the log is recovered and the listener answers, STOPPING=1
when a stop begins, each from the main process as NotifyAccess=main demands)."""
import signal
import socket
import struct

import pytest
import requests

from tlharness import WRITE_KEY

SCM_CREDENTIALS = 2  # linux/socket.h; Python's socket module does not export it


class NotifySocket:
    """The service manager's end: a datagram socket that asks the kernel for the sender's pid."""

    def __init__(self, path):
        self.path = str(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)

    def receive(self, timeout=30.0):
        """(assignments as a dict, sender pid) of the next datagram, or None after timeout."""
        self.sock.settimeout(timeout)
        try:
            data, ancillary, _, _ = self.sock.recvmsg(4096, socket.CMSG_SPACE(12))
        except socket.timeout:
            return None
        pid = None
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == SCM_CREDENTIALS:
                pid, _uid, _gid = struct.unpack("iII", payload[:12])
        fields = dict(line.split("=", 1) for line in data.decode().splitlines() if line)
        return fields, pid

    def until(self, key, timeout=30.0):
        """Every message up to and including the first that sets key."""
        seen = []
        while True:
            got = self.receive(timeout)
            assert got is not None, f"no {key} within {timeout}s; got {seen}"
            seen.append(got)
            if key in got[0]:
                return seen

    def close(self):
        self.sock.close()


@pytest.fixture
def notify(tmp_path):
    n = NotifySocket(tmp_path / "notify.sock")
    yield n
    n.close()


def test_ready_only_after_recovery_and_listening_then_stopping(collector_factory, notify):
    c = collector_factory(start=False)
    # Something to recover: accepted events left in the log by a kill -9.
    c.start()
    assert c.post({"event_type": "signup"}).status_code == 200
    c.kill9()

    c.start(env={"NOTIFY_SOCKET": notify.path})
    messages = notify.until("READY")
    fields, pid = messages[-1]
    assert fields["READY"] == "1"
    assert pid == c.proc.pid, "systemd (NotifyAccess=main) only listens to the main process"
    assert "accepting events" in fields["STATUS"]
    assert messages[0][0].get("STATUS") == "recovering the write-ahead log"
    # The moment READY arrives: the log is recovered and the listener answers.
    assert "recovered the write-ahead log" in c.log_path.read_text()
    assert requests.get(c.url + "/readyz", timeout=5).status_code == 200
    assert c.post({"event_type": "signup"}).status_code == 200

    c.proc.send_signal(signal.SIGTERM)
    fields, pid = notify.until("STOPPING")[-1]
    assert fields["STOPPING"] == "1" and pid == c.proc.pid
    assert c.proc.wait(timeout=90) == 0
    # The drain delivered both: the recovered event and the one sent after READY.
    assert [e["event_type"] for e in c.lake_events()] == ["signup", "signup"]


def test_sighup_neither_stops_nor_drops_the_collector(collector_factory, notify):
    c = collector_factory(start=False)
    c.start(env={"NOTIFY_SOCKET": notify.path})
    notify.until("READY")
    c.proc.send_signal(signal.SIGHUP)
    assert c.post({"event_type": "after_hup"}).status_code == 200
    assert c.proc.poll() is None
    assert "reloading the configuration is not supported" in c.log_path.read_text()
    assert c.stop() == 0


def test_no_ready_when_the_listener_cannot_start(collector_factory, notify):
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    port = busy.getsockname()[1]
    c = collector_factory(start=False)
    c.config_path.write_text(c.config_path.read_text().replace('listen = "127.0.0.1:0"', f'listen = "127.0.0.1:{port}"'))
    with pytest.raises(AssertionError, match="exited with 1"):
        c.start(env={"NOTIFY_SOCKET": notify.path})
    busy.close()
    seen = []
    while (got := notify.receive(timeout=0.5)) is not None:
        seen.append(got[0])
    assert seen and all("READY" not in f for f in seen), seen


def test_without_notify_socket_nothing_is_sent_and_nothing_breaks(collector):
    assert collector.post({"event_type": "x"}, key=WRITE_KEY).status_code == 200
    assert collector.stop() == 0
    assert "service manager" not in collector.log_path.read_text()
