"""Helpers of bench/bench.py: processes pinned to cores, /proc sampling, wrk, loadgen, the collector."""
import json
import os
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import project_venv

project_venv.require("pyarrow")  # scripts run as `bench/x.py` start under any python3
import pyarrow.parquet as pq  # noqa: E402

SHARED = Path(os.environ.get("BENCH_SHARED", "/work/shared/bench"))
HERE = Path(__file__).resolve().parent
WRITE_KEY = "bench-write-key"
SERVER_CORE = os.environ.get("BENCH_SERVER_CORE", "0")
CLIENT_CORE = os.environ.get("BENCH_CLIENT_CORE", "1")
CLK_TCK = os.sysconf("SC_CLK_TCK")
# The rule: the lake has caught up within flush.max_age + this many seconds of the end.
CATCH_UP_GRACE_S = 5


def loadgen_event_file():
    """The reference event without its event_id, for `tracklake loadgen --event-file`, which sends that
    one event over and over: with the collector's deduplication (dedup.window) every copy of a client
    id after the first would be dropped as a retry. Without an id each copy gets a fresh server id,
    as before deduplication. (The wrk phases keep the id and make it unique per event instead:
    bench/wrk_auth.lua.)"""
    out = Path(os.environ.get("TMPDIR", "/tmp")) / f"tracklake-bench-event-{os.getpid()}.json"
    if not out.exists():
        event = json.loads((SHARED / "event.json").read_text())
        event.pop("event_id", None)
        out.write_text(json.dumps(event, separators=(",", ":")) + "\n")
    return out


def clean_env(extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKLAKE_")}
    env.update(extra or {})
    return env


def cpu_seconds(pid):
    """utime + stime of a process, in seconds (fields 14 and 15 of /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def children(pid):
    """Process ids whose parent is pid (nginx's workers), from /proc."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
    return out


def peak_rss_mib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def load_average():
    return Path("/proc/loadavg").read_text().split()[:3]


class CpuMeter:
    """CPU of a process over a window, as % of one core."""

    def __init__(self, pid):
        self.pid = pid
        self.cpu0 = cpu_seconds(pid)
        self.t0 = time.monotonic()

    def percent(self):
        return 100.0 * (cpu_seconds(self.pid) - self.cpu0) / max(time.monotonic() - self.t0, 1e-9)


def run_wrk(url, script, seconds, connections, env):
    """wrk pinned to the client core, -t1 like the reference figures; returns the RESULT fields."""
    cmd = ["taskset", "-c", CLIENT_CORE, "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url]
    out = subprocess.run(cmd, cwd=SHARED, env={**os.environ, **env}, capture_output=True, text=True,
                         timeout=seconds + 60)
    line = next((l for l in out.stdout.splitlines() if l.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no RESULT line:\n{out.stdout}\n{out.stderr}")
    r = {k: float(v) for k, v in (kv.split("=") for kv in line.split()[1:])}
    # wrk's req_per_s counts every answer, 503s included: ratios use the 2xx ones.
    r["ok_req_per_s"] = r["ok_events_per_s"] / r["events_per_req"]
    return r


def run_loadgen(binary, url, args, seconds):
    cmd = ["taskset", "-c", CLIENT_CORE, binary, "loadgen", "--url", url, "--key", WRITE_KEY,
           "--duration", str(seconds), "--json", *map(str, args)]
    out = subprocess.run(cmd, env=clean_env(), capture_output=True, text=True, timeout=seconds + 60)
    if out.returncode != 0:
        raise RuntimeError(f"loadgen failed ({out.returncode}): {out.stderr}")
    return json.loads(out.stdout)


class Nginx:
    """Debian's nginx with the shared configuration: the HTTP ceiling (return 204)."""
    PREFIX = Path("/tmp/nginx-bench")
    URL = "http://127.0.0.1:18080/v1/events"

    def __enter__(self):
        (self.PREFIX / "tmp").mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            ["taskset", "-c", SERVER_CORE, "nginx", "-p", str(self.PREFIX), "-c", str(SHARED / "nginx.conf"),
             "-g", "worker_processes 1;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen("http://127.0.0.1:18080/", timeout=1)
                return self
            except Exception:  # noqa: BLE001 - not listening yet
                time.sleep(0.05)
        raise RuntimeError("nginx did not start (port 18080 busy?)")

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGQUIT)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Collector:
    """One `tracklake serve` pinned to the server core, over its own data and lake directories."""

    def __init__(self, binary, root: Path, durability="fsync", max_age=10, extra=""):
        self.binary = binary
        self.root = root
        self.lake = root / "lake"
        root.mkdir(parents=True, exist_ok=True)
        self.config = root / "tracklake.toml"
        self.config.write_text(f"""
[node]
id = "bench"
[server]
listen = "127.0.0.1:0"
threads = 1
[wal]
dir = "{root / 'wal'}"
durability = "{durability}"
[flush]
max_age = {max_age}
[lake]
dir = "{self.lake}"
format = "parquet"
[auth]
mode = "keys"
# The reference event names app_id "web-storefront-prod": the key must belong to that app.
[apps.web-storefront-prod]
key = "{WRITE_KEY}"
{extra}
""")

    def __enter__(self):
        port_file = self.root / "port"
        self.log = open(self.root / "serve.log", "ab")
        self.proc = subprocess.Popen(
            ["taskset", "-c", SERVER_CORE, self.binary, "serve", "--config", str(self.config),
             "--port-file", str(port_file)], stdout=self.log, stderr=subprocess.STDOUT, env=clean_env())
        deadline = time.monotonic() + 30
        while not port_file.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"collector did not start:\n{(self.root / 'serve.log').read_text()}")
            time.sleep(0.02)
        self.port = int(port_file.read_text())
        self.url = f"http://127.0.0.1:{self.port}/v1/events"
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def metrics(self):
        text = urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=5).read().decode()
        out = {}
        for line in text.splitlines():
            m = re.match(r"^(tracklake_[a-z_]+)(\{[^}]*\})?\s+([0-9.eE+-]+)$", line)
            if m:
                out[m.group(1)] = out.get(m.group(1), 0.0) + float(m.group(3))
        return out

    def lake_files(self):
        if not self.lake.exists():
            return []
        return [p for p in self.lake.rglob("*.parquet")
                if p.is_file() and p.relative_to(self.lake).parts[0] != "_rejected" and ".tmp-" not in p.name]

    def lake_rows(self):
        """Events readable in the lake: the row counts of its Parquet files (footers only)."""
        return sum(pq.read_metadata(p).num_rows for p in self.lake_files())

    def wait_caught_up(self, acked, deadline_s):
        """Polls until the lake holds every event the collector accepted (and at least `acked`).
        Returns (caught_up, seconds waited, rows in lake, accepted by the server)."""
        t0 = time.monotonic()
        while True:
            # Re-read each time: answers to requests in flight when the load stopped still count.
            m = self.metrics()
            accepted = m.get("tracklake_events_accepted_total", 0)
            written = m.get("tracklake_lake_events_written_total", 0)
            if written >= accepted and written >= acked:
                rows = self.lake_rows()
                if rows >= accepted:
                    return True, time.monotonic() - t0, rows, accepted
            if time.monotonic() - t0 > deadline_s:
                return False, time.monotonic() - t0, self.lake_rows(), accepted
            time.sleep(0.1)
