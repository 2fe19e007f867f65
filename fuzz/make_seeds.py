#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/ (committed; rerun only to change them).

  fuzz/make_seeds.py [--parquet-tool PATH]

validate/: request bodies (JSON, NDJSON, broken ones); wal_dir/: log directories for wal_dir_fuzzer; wal/: record streams framed like
wal_record.cc's AppendRecord (format 2 with the fuzzer's salt, and format 1), segment files with headers, with event-record and seal payloads, plus torn and bit-flipped
copies; gunzip/: gzip members; parquet/: files written by tracklake's encoder through
parquet_encode_tool (skipped unless the tool is given or found in build/release/src/encode/parquet).
Regression seeds (crash inputs kept after a fix) are named regression-* and never rewritten.
"""
import argparse
import gzip
import json
import os
import struct
import subprocess
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent
CORPUS = ROOT / "corpus"

# CRC32C (Castagnoli), as src/common/crc32c.h, and its masking.
_POLY = 0x82F63B78
_TABLE = []
for n in range(256):
    c = n
    for _ in range(8):
        c = (c >> 1) ^ _POLY if c & 1 else c >> 1
    _TABLE.append(c)


def crc32c(data: bytes) -> int:
    c = 0xFFFFFFFF
    for b in data:
        c = _TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283


def mask(crc: int) -> int:
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def crc32c_extend(c: int, data: bytes) -> int:
    c ^= 0xFFFFFFFF
    for b in data:
        c = _TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


# wal_fuzzer.cc's kFuzzSalt: the record-stream seeds are framed with it.
FUZZ_SALT = 0x747261636B6C616B


def wal_record_v1(rtype: int, seq: int, payload: bytes) -> bytes:
    """Format 1 (no salt): CRC of type, seq and payload."""
    tail = struct.pack("<BQ", rtype, seq)
    return struct.pack("<II", mask(crc32c(tail + payload)), len(payload)) + tail + payload


def wal_record(rtype: int, seq: int, payload: bytes, salt: int = FUZZ_SALT) -> bytes:
    """Format 2: CRC from the salt's, over length, type, seq and payload (wal_record.cc)."""
    covered = struct.pack("<IBQ", len(payload), rtype, seq)
    seed = crc32c(struct.pack("<Q", salt))
    return struct.pack("<I", mask(crc32c_extend(seed, covered + payload))) + covered + payload


def segment_header(first_seq: int, salt: int) -> bytes:
    head = b"TLWALSEG" + struct.pack("<I", 2)
    tail = struct.pack("<QQ", first_seq, salt)
    crc = mask(crc32c_extend(crc32c(head), tail))
    return head + struct.pack("<I", crc) + tail


def varint(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def event_record(fields, kind=1, received_at=1_795_000_000_000, event_time=-(1 << 63)) -> bytes:
    out = struct.pack("<BBqqH", 1, kind, received_at, event_time, len(fields))
    for k, v in fields:
        out += varint(len(k)) + k + varint(len(v)) + v
    return out


def write(folder: str, name: str, data: bytes):
    d = CORPUS / folder
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def validate_seeds():
    seeds = {
        "object.json": b'{"event_type":"page_view","user_id":"u1","url":"/home"}',
        "array.json": b'[{"event_type":"click","event_id":"ok-1"},{"event_type":"click","n":5},'
                      b'{"user_id":"no-type"},{"event_type":"click","app_id":"someone-else"},'
                      b'{"event_type":"click","event_time":"2026-11-26T06:00:00.5+01:00"}]',
        "ndjson.txt": b'{"event_type":"nd","event_id":"n1"}\n\n  \r\n{"event_type":"purchase","price":"9.99"}\r\n'
                      b'[1,2]\n"str"\n{bad json\n{"event_type":"x","k":"\xff\xfe"}\n',
        "scalars.json": b'[{"event_type":"purchase","n":-1.5e+10,"b":true,"f":false,"z":null,"o":{"a":1},'
                        b'"a":[1,"x"]}, 7, "s", null, true, [ ]]',
        "escapes.json": b'{"event_type":"page_view","k\\u00e9y":"v\\n\\t\\"\\\\\\/\\u0000\\ud83d\\ude00",'
                        b'"u":"\xe2\x82\xac"}',
        "dup_reserved.json": b'{"event_type":"a","event_type":"b","received_at":"x","event_id":"\x01","app_id":"web"}',
        "event_time.ndjson": b'{"event_type":"page_view","event_time":"2026-11-26T06:07:15.123Z"}\n'
                             b'{"event_type":"page_view","event_time":"2026-13-40T99:99:99Z"}\n'
                             b'{"event_type":"page_view","event_time":"1970-01-01T00:00:00-23:59"}\n',
        "long_key.json": b'{"event_type":"x","' + b"k" * 140 + b'":"v","Bad Key":"v"}',
        "many_fields.json": b"{" + b",".join(b'"f%d":"v"' % i for i in range(8)) + b',"event_type":"page_view"}',
        "trailing.json": b'{"event_type":"x"} {"event_type":"y"}',
        "nested.json": b"[" * 64 + b"]" * 64,
        "numbers.ndjson": b'{"event_type":"x","n":0}\n{"event_type":"x","n":-0.0e-0}\n'
                          b'{"event_type":"x","n":123456789012345678901234567890}\n{"event_type":"x","n":1e999}\n'
                          b'{"event_type":"x","n":01}\n',
        "bad_type.json": b'[{"event_type":"Bad Type"},{"event_type":""},{"event_type":"' + b"a" * 65 +
                         b'"},{"event_type":"page_view"}]',
        "bom.json": b'\xef\xbb\xbf{"event_type":"x"}',
    }
    for name, data in seeds.items():
        write("validate", name, data)


def wal_seeds():
    ev = event_record([(b"event_type", b"page_view"), (b"event_id", b"e1"), (b"app_id", b"web"), (b"url", b"/")])
    rej = event_record([(b"app_id", b"web"), (b"index", b"1"), (b"field", b"n"), (b"error", b"required"),
                        (b"raw", b'{"n":5}')], kind=2)
    seal = b"1\t2\t2\tpage_view/dt=2026-11-18/hr=06"
    seg = wal_record(1, 1, ev) + wal_record(1, 2, rej) + wal_record(2, 3, seal) + wal_record(3, 4, seal)
    write("wal", "segment.wal", seg)
    write("wal", "torn_tail.wal", seg[:-7])
    flipped = bytearray(seg)
    flipped[len(wal_record(1, 1, ev)) + 20] ^= 0x10  # inside the second record: resync to the third
    write("wal", "bit_flip.wal", bytes(flipped))
    write("wal", "stale_seq.wal", wal_record(1, 9, ev) + wal_record(1, 3, ev) + wal_record(1, 10, ev))
    write("wal", "garbage_between.wal", wal_record(1, 1, ev) + b"\0" * 40 + b"\xff" * 9 + wal_record(1, 2, ev))
    write("wal", "event_record.bin", ev)
    write("wal", "empty_payload.wal", wal_record(1, 1, b"") + wal_record(2, 2, b"\t\t\t"))
    write("wal", "format1.wal", wal_record_v1(1, 1, ev) + wal_record_v1(1, 2, rej) + wal_record_v1(2, 3, seal))
    salt = 0x0123456789ABCDEF
    file = segment_header(1, salt) + b"".join(
        wal_record(t, i + 1, p, salt) for i, (t, p) in enumerate([(1, ev), (1, rej), (2, seal), (3, seal)]))
    write("wal", "file.wal", file)
    write("wal", "file_torn.wal", file[:-9])
    forged = b"".join(wal_record_v1(1, 10**12 + i, ev) for i in range(3))
    write("wal", "file_forged_tail.wal", segment_header(1, salt) + wal_record(1, 1, ev, salt) + forged)
    write("wal", "file_other_generation.wal", segment_header(9, salt + 1) + wal_record(1, 9, ev, salt + 1))


def dir_file(kind: int, step: int, body: bytes) -> bytes:
    """One file of a wal_dir_fuzzer input (see fuzz/wal_dir_fuzzer.cc)."""
    return struct.pack("<BBH", kind, step, len(body)) + body


def dir_records(*records) -> bytes:
    """Records for a framed file: (type, payload), numbered one after the other."""
    return b"".join(struct.pack("<BBB", t - 1, 1, len(p)) + p for t, p in records)


def wal_dir_seeds():
    ev = event_record([(b"event_type", b"page_view"), (b"event_id", b"e1"), (b"app_id", b"web")])
    seal = b"1\t2\t2\tpage_view/dt=2026-11-18/hr=06"
    fmt2, fmt1, raw = 4, 8, 0
    two = dir_records((1, ev), (1, ev), (2, seal), (3, seal))
    write("wal_dir", "format2_log", dir_file(fmt2, 1, two) + dir_file(fmt2 | 1, 4, two) + dir_file(2, 9, b"spare"))
    write("wal_dir", "format1_then_format2", dir_file(fmt1, 1, two) + dir_file(fmt2, 4, two))
    write("wal_dir", "recycled_stale_tail",
          dir_file(fmt2 | 1, 1, two) + dir_file(raw | 1, 4, segment_header(2, 7) + wal_record(1, 5, ev, 7)) +
          dir_file(fmt2, 6, two))
    forged = b"".join(wal_record_v1(1, 10**12 + i, ev) for i in range(3))
    write("wal_dir", "forged_after_records", dir_file(raw, 1, segment_header(1, 9) + wal_record(1, 1, ev, 9) + forged))
    write("wal_dir", "same_name_twice", dir_file(fmt2, 1, two) + dir_file(fmt2 | 1, 0, two))


def gunzip_seeds():
    write("gunzip", "ndjson.gz", gzip.compress(b'{"event_type":"x"}\n' * 20, mtime=0))
    write("gunzip", "two_members.gz", gzip.compress(b"ab", mtime=0) + gzip.compress(b"cd", mtime=0))
    write("gunzip", "bomb.gz", gzip.compress(b" " * 200_000, mtime=0))
    write("gunzip", "stored.gz", gzip.compress(b"hello", compresslevel=0, mtime=0))
    write("gunzip", "truncated.gz", gzip.compress(b"truncated body " * 10, mtime=0)[:-6])
    write("gunzip", "raw_deflate.bin", zlib.compress(b"not gzip framed"))
    write("gunzip", "empty.gz", gzip.compress(b"", mtime=0))


def parquet_seeds(tool: str):
    events = [
        {"event_type": "page_view", "event_id": f"e{i}", "app_id": "web", "received_at": 1_795_000_000_000 + i,
         "user_id": f"u{i % 2}", "url": f"/p{i}", **({"event_time": "2026-11-26T06:07:15.123Z"} if i % 2 else {})}
        for i in range(4)
    ]
    ndjson = "".join(json.dumps(e) + "\n" for e in events).encode()
    variants = {
        "none.parquet": ["--compression", "none"],
        "snappy.parquet": ["--compression", "snappy"],
        "gzip.parquet": ["--compression", "gzip", "--columns", "url"],
        "zstd_two_groups.parquet": ["--compression", "zstd", "--row-group-bytes", "64"],
    }
    for name, args in variants.items():
        data = subprocess.run([tool, *args], input=ndjson, capture_output=True, check=True).stdout
        write("parquet", name, data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_tool = ROOT.parent / "build" / "release" / "src" / "encode" / "parquet" / "parquet_encode_tool"
    ap.add_argument("--parquet-tool", default=str(default_tool))
    args = ap.parse_args()
    validate_seeds()
    wal_seeds()
    wal_dir_seeds()
    gunzip_seeds()
    if os.access(args.parquet_tool, os.X_OK):
        parquet_seeds(args.parquet_tool)
    else:
        print(f"make_seeds: {args.parquet_tool} not found; parquet seeds left as they are")


if __name__ == "__main__":
    main()
