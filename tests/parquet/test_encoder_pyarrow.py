"""The Parquet files tracklake writes, read back by pyarrow and DuckDB.

Each test encodes NDJSON events with parquet_encode_tool and checks that independent readers
see exactly the schema and values the encoder contract (docs/parquet.md) promises.
"""
import datetime
import time

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


LEADING = ("event_type", "event_id", "app_id")
STANDARD_COLUMNS = ("user_id", "anonymous_id", "session_id")
# Never properties: leading fields, the event time (its own column) and tool-only received_at.
RESERVED = set(LEADING) | {"event_time", "received_at"}
FIXED_NAMES = set(LEADING) | {"received_at", "event_time", "properties"}
CODECS = ("none", "snappy", "gzip", "zstd")
UTC = datetime.timezone.utc
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)


def from_ms(ms):
    """Exact (no float rounding) UTC datetime of epoch milliseconds."""
    return EPOCH + datetime.timedelta(milliseconds=ms)


def named_columns(declared):
    names = list(STANDARD_COLUMNS)
    for name in declared:
        if name and name not in FIXED_NAMES and name not in names:
            names.append(name)
    return names


def expected_rows(events, declared=()):
    """The rows the encoder contract promises for these tool inputs."""
    names = named_columns(declared)
    rows = []
    for e in events:
        row = {k: e[k] for k in ("event_id", "event_type", "app_id")}
        row["received_at"] = from_ms(e.get("received_at", 0))
        row["event_time"] = None
        if "event_time" in e:
            row["event_time"] = datetime.datetime.fromisoformat(e["event_time"].replace("Z", "+00:00"))
        for n in names:
            row[n] = e.get(n)
        row["properties"] = [(k, v) for k, v in e.items() if k not in RESERVED and k not in names]
        rows.append(row)
    return rows


def make_event(i, **extra):
    e = {"event_type": "signup", "event_id": f"id-{i}", "app_id": "app", "received_at": 1_700_000_000_000 + i}
    e.update(extra)
    return e


def test_schema_types_are_exact(encode):
    path = encode([make_event(0, user_id="u")], columns=["plan"])
    schema = pq.read_schema(path)
    assert schema.names == ["event_id", "event_type", "app_id", "received_at", "event_time", "user_id",
                            "anonymous_id", "session_id", "plan", "properties"]
    for name in ("event_id", "event_type", "app_id", "user_id", "anonymous_id", "session_id", "plan"):
        assert schema.field(name).type == pa.string(), name
    for name in ("event_id", "event_type", "app_id", "received_at"):
        assert not schema.field(name).nullable, name
    assert schema.field("received_at").type == pa.timestamp("ms", tz="UTC")
    assert schema.field("event_time").type == pa.timestamp("ms", tz="UTC")
    assert schema.field("event_time").nullable
    assert schema.field("properties").type == pa.map_(pa.string(), pa.string())
    pf = pq.ParquetFile(path)
    assert pf.metadata.created_by == "tracklake version 0.1.0"
    assert pf.schema.column(0).logical_type.type == "STRING"
    assert pf.schema.column(0).converted_type == "UTF8"
    assert pf.schema.column(3).converted_type == "TIMESTAMP_MILLIS"


def test_footer_key_value_metadata(encode):
    path = encode([make_event(0)], node_id="n-42", first_seq=100, last_seq=200)
    meta = pq.ParquetFile(path).metadata.metadata
    assert meta[b"tracklake.version"] == b"0.1.0"
    assert meta[b"tracklake.node_id"] == b"n-42"
    assert meta[b"tracklake.wal_first_seq"] == b"100"
    assert meta[b"tracklake.wal_last_seq"] == b"200"


def test_statistics_visible_to_pyarrow(encode):
    events = [make_event(i, user_id=f"u{i}") for i in range(5)] + [make_event(5)]
    md = pq.ParquetFile(encode(events)).metadata
    names = [md.schema.column(i).name for i in range(md.num_columns)]
    user = md.row_group(0).column(names.index("user_id")).statistics
    assert (user.min, user.max, user.null_count) == ("u0", "u4", 1)
    received = md.row_group(0).column(names.index("received_at")).statistics
    assert received.has_min_max
    assert received.min == from_ms(1_700_000_000_000)


@pytest.mark.parametrize("codec", CODECS)
def test_every_codec_reads_back_in_pyarrow_and_duckdb(encode, codec):
    events = [make_event(i, url=f"/p/{i % 5}", user_id=f"u{i % 3}", event_time="2024-02-29T12:00:00.5Z")
              for i in range(500)]
    path = encode(events, compression=codec, row_group_bytes=8192)
    pf = pq.ParquetFile(path)
    assert pf.metadata.num_row_groups > 1
    assert pf.metadata.row_group(0).column(0).compression == {"none": "UNCOMPRESSED"}.get(codec, codec.upper())
    assert pq.read_table(path).to_pylist() == expected_rows(events)
    got = duckdb.sql(f"select event_id, epoch_ms(received_at), epoch_ms(event_time), user_id, properties "
                     f"from read_parquet('{path}')").fetchall()
    assert got == [(e["event_id"], e["received_at"], 1_709_208_000_500, e["user_id"], {"url": e["url"]})
                   for e in events]


# Characters from each UTF-8 length class and the edge of every plane boundary we care about.
PLANE_CHARS = "\u0080\u07ff\u0800\uffff\U00010000\U0001f600\U0010ffff"
text_values = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40) | \
    st.sampled_from(["", PLANE_CHARS, "x" * 65536, "\u00e9" * 40000])
keys = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=12).filter(
    lambda k: k not in RESERVED)
events_strategy = st.lists(
    st.fixed_dictionaries(
        {"event_id": text_values, "event_type": st.just("t"), "app_id": text_values},
        optional={"user_id": text_values, "session_id": text_values, "plan": text_values,
                  "event_time": st.integers(0, 4_102_444_800_000).map(
                      lambda ms: from_ms(ms).isoformat(
                          timespec="milliseconds").replace("+00:00", "Z")),
                  "received_at": st.integers(-10**12, 10**13)},
    ).flatmap(lambda base: st.dictionaries(keys, text_values, max_size=8).map(lambda extra: {**extra, **base})),
    min_size=1, max_size=12)


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(events=events_strategy, codec=st.sampled_from(CODECS),
       declared=st.lists(st.sampled_from(["plan", "user_id", "event_id", "", "missing"]), max_size=3))
def test_random_events_round_trip(encode, events, codec, declared):
    path = encode(events, compression=codec, columns=declared)
    assert pq.read_table(path).to_pylist() == expected_rows(events, declared)
    got = duckdb.sql(f"select event_id, properties from read_parquet('{path}')").fetchall()
    assert got == [(r["event_id"], dict(r["properties"])) for r in expected_rows(events, declared)]


@pytest.mark.parametrize("case", ["empty_strings", "big_values", "all_planes", "many_keys", "no_keys",
                                  "always_null_columns", "single_row"])
def test_edge_cases(encode, case):
    events = {
        "empty_strings": [make_event(0, user_id="", **{"": ""}), make_event(1, event_id="", url="")],
        "big_values": [make_event(i, blob=chr(0x61 + i) * 65536, user_id="\U0010ffff" * 16384) for i in range(3)],
        "all_planes": [make_event(0, **{PLANE_CHARS: PLANE_CHARS, "k": "\u0080\u0800\U00010000\U0010ffff"})],
        "many_keys": [make_event(i, **{f"key{k}": f"v{i}-{k}" for k in range(200)}) for i in range(20)],
        "no_keys": [make_event(i) for i in range(10)],
        "always_null_columns": [make_event(i, other="x") for i in range(50)],
        "single_row": [make_event(0, a="b")],
    }[case]
    declared = ["plan"]
    path = encode(events, columns=declared)
    table = pq.read_table(path)
    assert table.to_pylist() == expected_rows(events, declared)
    if case == "always_null_columns":
        for name in ("user_id", "anonymous_id", "session_id", "plan", "event_time"):
            assert table.column(name).null_count == len(events)
    if case == "no_keys":  # empty maps, not nulls
        assert table.column("properties").null_count == 0
    got = duckdb.sql(f"select count(*), sum(cardinality(properties)) from read_parquet('{path}')").fetchone()
    assert got == (len(events), sum(len(r["properties"]) for r in expected_rows(events, declared)))


def test_million_rows_across_row_groups(encode):
    n = 1_000_000
    lines = "".join(
        f'{{"event_type":"click","event_id":"e{i}","app_id":"a{i % 10}","received_at":{i},"k":"v{i % 100}"}}\n'
        for i in range(n))
    started = time.monotonic()
    path = encode(None, row_group_bytes=4 << 20, ndjson=lines)
    table = pq.read_table(path)
    md = pq.ParquetFile(path).metadata
    assert md.num_rows == n
    assert md.num_row_groups >= 3
    event_ids = table.column("event_id").combine_chunks()
    assert event_ids.equals(pa.array([f"e{i}" for i in range(n)], pa.string()))
    received = pc.cast(table.column("received_at"), pa.int64()).combine_chunks()
    assert received.equals(pa.array(range(n), pa.int64()))
    props = table.column("properties").combine_chunks()
    assert props.null_count == 0
    assert props.offsets.equals(pa.array(range(n + 1), pa.int32()))  # exactly one entry per row
    assert props.keys.unique().to_pylist() == ["k"]
    assert props.items.equals(pa.array([f"v{i % 100}" for i in range(n)]))
    assert duckdb.sql(f"select count(distinct event_id), max(epoch_ms(received_at)) "
                      f"from read_parquet('{path}')").fetchone() == (n, n - 1)
    assert time.monotonic() - started < 30
