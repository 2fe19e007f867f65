"""Crash safety under load: rounds of kill -9 at ~2,000 events/s, readers never see a partial file,
damaged log tails are skipped and counted, and SIGTERM under load loses nothing for retrying clients."""
import gzip
import json
import random
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections import Counter

import pyarrow.parquet as pq

from tlharness import WRITE_KEY, clean_env, tracklake_bin, wait_for

ROUNDS = 20


def parquet_collector(factory, **kw):
    c = factory(start=False, **kw)
    c.config_path.write_text(c.config_path.read_text().replace('format = "ndjson.gz"', 'format = "parquet"')
                             .replace("max_age = 3600", "max_age = 1"))
    return c


def read_lake(c):
    """Every event id in every complete lake file; a partial or corrupt file fails the read."""
    ids = []
    for p in c.lake.rglob("*.parquet"):
        ids.extend(pq.read_table(p, columns=["event_id"], partitioning=None).column("event_id").to_pylist())
    return ids


def paced_load(c, rng, acked, stop, prefix, events_per_s=2000, batch=50, value_bytes=None):
    interval = batch / events_per_s
    i = 0
    next_t = time.monotonic()
    while not stop.is_set():
        events = [{"event_type": rng.choice(["a", "b", "c"]), "event_id": f"{prefix}-{i}-{j}",
                   "v": "x" * (value_bytes or rng.randrange(300))} for j in range(batch)]
        i += 1
        try:
            r = c.post(events)
        except Exception:
            return  # the collector died mid-request: never acknowledged
        if r.status_code == 200:
            acked.update(e["event_id"] for e in events)
        next_t += interval
        time.sleep(max(0.0, next_t - time.monotonic()))


def kill_rounds(c, rng, rounds, round_s, on_kill=lambda: None, **load):
    """Rounds of paced load cut by kill -9, a lake reader running throughout; then a clean restart
    and stop. Returns (acknowledged ids, Counter of ids in the lake, reader errors)."""
    acked = set()
    reader_errors = []
    reading = threading.Event()

    def reader():
        # A reader scanning the lake while it is written must never meet a half-written file.
        while not reading.is_set():
            try:
                read_lake(c)
            except FileNotFoundError:
                pass  # listed, then replaced by a replay: fine
            except Exception as e:  # noqa: BLE001
                reader_errors.append(repr(e))
            time.sleep(0.05)

    rt = threading.Thread(target=reader)
    rt.start()
    try:
        for round_ in range(rounds):
            c.start()
            stop = threading.Event()
            t = threading.Thread(target=paced_load, args=(c, rng, acked, stop, f"r{round_}"), kwargs=load)
            t.start()
            time.sleep(rng.uniform(*round_s))
            c.kill9()
            on_kill()
            stop.set()
            t.join()
    finally:
        reading.set()
        rt.join()
    c.start()
    assert c.stop() == 0
    return acked, Counter(read_lake(c)), reader_errors


def assert_exactly_once(c, acked, counts, reader_errors):
    assert acked <= set(counts), f"lost {len(acked - set(counts))} of {len(acked)} acknowledged events"
    assert max(counts.values()) == 1, "an event landed twice"
    assert reader_errors == []
    assert not list(c.lake.rglob("*.tmp")), "temporary files left behind"


def test_twenty_rounds_of_kill_dash_nine_under_load(collector_factory):
    rng = random.Random(2026)
    c = parquet_collector(collector_factory)
    acked, counts, reader_errors = kill_rounds(c, rng, ROUNDS, (0.3, 1.5))
    print(f"\nkill -9 rounds: {ROUNDS}, acknowledged {len(acked)}, in lake {len(counts)}, "
          f"files {len(list(c.lake.rglob('*.parquet')))}")
    assert len(acked) > ROUNDS * 500
    assert_exactly_once(c, acked, counts, reader_errors)


def test_kill_dash_nine_with_recycled_log_segments(collector_factory):
    # 1 MiB segments filled at ~4 MB/s and released a second later: each round recycles several,
    # so every restart recovers segments holding older records after their own.
    rng = random.Random(27)
    c = parquet_collector(collector_factory)
    c.config_path.write_text(c.config_path.read_text().replace('segment_bytes = "4MiB"', 'segment_bytes = "1MiB"'))
    recycled_at_kill = []
    acked, counts, reader_errors = kill_rounds(
        c, rng, 6, (2.5, 4.0), on_kill=lambda: recycled_at_kill.append(len(list(c.wal.glob("*.r.wal")))),
        events_per_s=4000, batch=100, value_bytes=1000)
    print(f"\nrecycled segments at each kill: {recycled_at_kill}, acknowledged {len(acked)}, in lake {len(counts)}")
    assert sum(recycled_at_kill) > 0, "no recycled segment was ever recovered: the test tests nothing"
    assert_exactly_once(c, acked, counts, reader_errors)


def test_torn_and_bit_flipped_log_tails_are_skipped_and_counted(collector_factory):
    c = collector_factory()
    for i in range(10):
        assert c.post([{"event_type": "t", "event_id": f"t{i}-{j}"} for j in range(10)]).status_code == 200
    c.kill9()  # everything is still only in the log (flush.max_age = 3600)
    [segment] = sorted(c.wal.glob("*.wal"))
    data = bytearray(segment.read_bytes())
    end = len(data.rstrip(b"\0"))  # the records; the zeros after them were written ahead of appends
    data[end // 2] ^= 0x40  # a bit flip inside one record
    torn = b"\x07torn tail of a record that was never finished"
    data[end:end + len(torn)] = torn  # where a crash tears a write: right after the last record
    segment.write_bytes(bytes(data))
    c.start()
    metrics = c.session.get(c.url + "/metrics").text
    skipped = float(re.search(r"^tracklake_wal_corrupt_bytes_skipped_total (\S+)$", metrics, re.M).group(1))
    assert skipped > 46
    assert c.post({"event_type": "after"}).status_code == 200
    assert c.stop() == 0
    ids = [e["event_id"] for e in c.lake_events() if e["event_type"] == "t"]
    assert 90 <= len(ids) < 100 and len(set(ids)) == len(ids), len(ids)
    assert "damaged or torn bytes" in c.log_path.read_text()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_sigterm_under_load_loses_nothing_for_send_clients(collector_factory, tmp_path):
    port = free_port()
    env = {"TRACKLAKE_SERVER_LISTEN": f"127.0.0.1:{port}"}
    c = collector_factory(env=env)
    files = []
    for k in range(3):
        f = tmp_path / f"events{k}.ndjson"
        f.write_text("\n".join(json.dumps({"event_type": "g", "event_id": f"g{k}-{i}", "p": "y" * 200})
                               for i in range(20_000)) + "\n")
        files.append(f)
    senders = [subprocess.Popen([tracklake_bin(), "send", str(f), "--url", f"http://127.0.0.1:{port}/v1/events",
                                 "--key", WRITE_KEY, "--batch", "200", "--retries", "100"],
                                stderr=subprocess.PIPE, text=True, env=clean_env()) for f in files]
    time.sleep(1.0)
    assert c.stop(signal.SIGTERM) == 0  # graceful: in-flight requests finish, open batches flushed
    time.sleep(0.5)
    c.start(env=env)
    for s in senders:
        _, err = s.communicate(timeout=120)
        assert s.returncode == 0, err
    assert c.stop() == 0
    counts = Counter(e["event_id"] for e in c.lake_events())
    assert set(counts) >= {f"g{k}-{i}" for k in range(3) for i in range(20_000)}
    # Requests in flight at SIGTERM are answered before the process exits, so no client resends an
    # accepted batch: nothing is duplicated either.
    assert max(counts.values()) == 1


def test_a_second_collector_on_the_same_log_directory_refuses_to_start(collector_factory, tmp_path):
    """Two collectors on one wal.dir: the second would recover, deliver and trim the first's segments
    under it, deleting events the first had acknowledged. It must refuse, naming the holder, and the
    first must keep serving and deliver everything."""
    first = collector_factory()
    assert first.post([{"event_type": "page_view", "event_id": f"before-{i}"} for i in range(50)]).status_code == 200
    second = subprocess.run(
        [tracklake_bin(), "serve", "--config", str(first.config_path), "--port-file", str(tmp_path / "second.port")],
        cwd=first.root, env=clean_env(), capture_output=True, text=True, timeout=60)
    assert second.returncode != 0
    output = second.stdout + second.stderr
    assert f"the write-ahead log directory {first.wal} is in use by another process (pid {first.proc.pid})" in output, output
    assert not (tmp_path / "second.port").exists()
    assert first.post([{"event_type": "page_view", "event_id": f"after-{i}"} for i in range(50)]).status_code == 200
    assert first.stop() == 0
    ids = sorted(e["event_id"] for e in first.lake_events())
    assert ids == sorted([f"before-{i}" for i in range(50)] + [f"after-{i}" for i in range(50)])
    # The lock goes with the process: the directory opens again once the first has stopped.
    first.start()
    assert first.post({"event_type": "page_view", "event_id": "restarted"}).status_code == 200


def test_a_new_log_in_place_of_a_lost_one_keeps_the_lakes_files(collector_factory):
    """A wal.dir that is lost between runs (an ephemeral volume, a replaced disk) starts numbering at
    1 again. Its first batch used to take the name of the old log's first batch in the same partition
    and overwrite it: the lake silently lost delivered events. The log id keeps the names apart."""
    c = collector_factory()
    names = []
    for run in range(2):
        if run:
            shutil.rmtree(c.wal)
            c.start()
        assert c.post({"event_type": "signup", "event_id": f"run-{run}"}).status_code == 200
        assert c.stop() == 0
        log_id = (c.wal / "LOG_ID").read_text().strip()
        assert re.fullmatch(r"[0-9a-f]{8}", log_id), log_id
        names.append(log_id)
    assert names[0] != names[1]
    files = sorted(p.name for p in c.lake_files())
    assert len(files) == 2, files
    assert all(re.fullmatch(rf"test-node-({names[0]}|{names[1]})-0+1-0+1\.ndjson\.gz", f) for f in files), files
    assert sorted(e["event_id"] for e in c.lake_events()) == ["run-0", "run-1"]
