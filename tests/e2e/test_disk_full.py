"""Disk full under the write-ahead log: 503 with Retry-After, health and metrics stay up, nothing
acknowledged is lost, and ingest resumes by itself when space returns."""
import subprocess
import uuid
from collections import Counter
from pathlib import Path

import pytest

from tlharness import wait_for


@pytest.fixture
def small_fs(tmp_path):
    mnt = tmp_path / "smallfs"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode().strip()}")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)])


def test_full_disk_answers_503_and_recovers(collector_factory, small_fs: Path):
    c = collector_factory(start=False)
    wal = small_fs / "wal"
    c.config_path.write_text(c.config_path.read_text()
                             .replace(f'dir = "{c.root / "data" / "wal"}"', f'dir = "{wal}"')
                             .replace('segment_bytes = "4MiB"', 'segment_bytes = "1MiB"'))
    c.start()
    filler = small_fs / "filler"
    acked, refused = [], 0
    payload = "x" * 1000
    # Fill the filesystem so that the next segment cannot be created.
    subprocess.run(["fallocate", "-l", "4M", str(filler)], check=True)
    for i in range(3000):
        batch = [{"event_type": "df", "event_id": f"d{i}-{j}", "p": payload} for j in range(10)]
        r = c.post(batch)
        if r.status_code == 200:
            acked.extend(e["event_id"] for e in batch)
        else:
            assert r.status_code == 503, r.text
            assert r.headers["Retry-After"] == "1"
            assert "space" in r.json()["error"]
            refused += 1
            if refused >= 20:
                break
    assert refused >= 20, "the disk never filled up"
    assert c.session.get(c.url + "/healthz").status_code == 200
    assert "tracklake_http_requests_total{status=\"503\"}" in c.session.get(c.url + "/metrics").text
    # Ingest answers 503, so readiness does too (it used to say 200, and a load balancer kept sending).
    ready = c.session.get(c.url + "/readyz")
    assert ready.status_code == 503 and "no disk space" in ready.json()["error"], ready.text
    assert "tracklake_ready 0" in c.session.get(c.url + "/metrics").text
    # Space returns: readiness comes back by itself (no request needed), and ingest resumes
    # without a restart.
    filler.unlink()
    wait_for(lambda: c.session.get(c.url + "/readyz").status_code == 200, timeout=30, what="/readyz to recover")
    marker = f"after-{uuid.uuid4()}"
    wait_for(lambda: c.post({"event_type": "df", "event_id": marker}).status_code == 200, timeout=30,
             what="ingest to resume")
    acked.append(marker)
    assert c.stop() == 0
    counts = Counter(e["event_id"] for e in c.lake_events())
    assert set(acked) <= set(counts), f"lost {len(set(acked) - set(counts))} acknowledged events"
    assert max(counts.values()) == 1
