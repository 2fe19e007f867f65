"""The default lake format is Parquet: files the collector writes read back exactly with pyarrow and DuckDB."""
import hashlib
import re
import subprocess
from collections import Counter
from datetime import datetime, timezone

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from tlharness import clean_env, tracklake_bin

COLUMNS = '[event_types.page_view]\ncolumns = ["url", "referrer"]\n'


def parquet_collector(factory):
    c = factory(extra=COLUMNS, start=False)
    c.config_path.write_text(c.config_path.read_text().replace('format = "ndjson.gz"', 'format = "parquet"'))
    return c.start()


def sent_events():
    events = []
    for i in range(300):
        e = {"event_type": ["page_view", "signup"][i % 2], "event_id": f"p{i}", "user_id": f"u{i % 7}"}
        if i % 2 == 0:
            e["url"] = f"/page/{i}"
            if i % 4 == 0:
                e["referrer"] = "https://example.com/é"
        if i % 3 == 0:
            e["event_time"] = "2026-11-26T05:00:00.250Z"
        for k in range(i % 5):
            e[f"custom_{k}"] = f"v{k}-日本"
        events.append(e)
    return events


def test_parquet_files_read_back_exactly_with_pyarrow(collector_factory):
    c = parquet_collector(collector_factory)
    events = sent_events()
    for start in range(0, len(events), 50):
        assert c.post(events[start:start + 50]).json()["accepted"] == 50
    assert c.stop() == 0
    files = [p for p in c.lake.rglob("*.parquet")]
    assert {p.relative_to(c.lake).parts[0] for p in files} == {"page_view", "signup"}
    by_id = {e["event_id"]: e for e in events}
    seen = Counter()
    for f in files:
        table = pq.read_table(f, partitioning=None)
        schema = table.schema
        assert schema.field("event_id").type == pa.string() and not schema.field("event_id").nullable
        assert schema.field("received_at").type == pa.timestamp("ms", tz="UTC")
        assert schema.field("event_time").type == pa.timestamp("ms", tz="UTC")
        assert schema.field("properties").type == pa.map_(pa.string(), pa.string())
        if f.relative_to(c.lake).parts[0] == "page_view":
            assert schema.names[8:10] == ["url", "referrer"]
        meta = pq.read_metadata(f).metadata
        assert meta[b"tracklake.node_id"] == b"test-node"
        # The file's log: the one whose id the name carries (test-node-<log id>-<first>-<last>).
        assert meta[b"tracklake.log_id"] == (c.wal / "LOG_ID").read_text().strip().encode()
        assert f.name.startswith(f"test-node-{meta[b'tracklake.log_id'].decode()}-")
        for row in table.to_pylist():
            seen[row["event_id"]] += 1
            sent = by_id[row["event_id"]]
            assert row["event_type"] == sent["event_type"] and row["app_id"] == "web"
            assert row["user_id"] == sent["user_id"]
            assert row["anonymous_id"] is None
            if "event_time" in sent:
                assert row["event_time"] == datetime(2026, 11, 26, 5, 0, 0, 250000, tzinfo=timezone.utc)
            else:
                assert row["event_time"] is None
            columns = {"url", "referrer"} if sent["event_type"] == "page_view" else set()
            for col in columns:
                assert row[col] == sent.get(col)
            common = {"event_type", "event_id", "user_id", "event_time"}
            expected_props = {k: v for k, v in sent.items() if k not in common | columns}
            assert dict(row["properties"]) == expected_props
    assert seen == Counter(by_id.keys())


def test_duckdb_reads_the_lake_with_hive_partitions(collector_factory):
    c = parquet_collector(collector_factory)
    events = sent_events()
    assert c.post(events).json()["accepted"] == len(events)
    assert c.stop() == 0
    rows = duckdb.sql(
        f"select event_type, dt, count(*) from read_parquet('{c.lake}/*/*/*/*.parquet', hive_partitioning=true, "
        f"union_by_name=true) group by all order by 1").fetchall()
    today = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    assert [(r[0], str(r[1])) for r in rows] == [("page_view", today), ("signup", today)]
    assert [r[2] for r in rows] == [150, 150]
    lookup = duckdb.sql(
        f"select properties['custom_1'] from read_parquet('{c.lake}/signup/*/*/*.parquet') "
        f"where event_id = 'p3'").fetchall()
    assert lookup == [("v1-日本",)] or lookup == [(["v1-日本"],)]


def test_inspect_and_ddl_commands(collector_factory):
    c = parquet_collector(collector_factory)
    assert c.post(sent_events()[:10]).status_code == 200
    assert c.stop() == 0
    f = next(c.lake.rglob("*.parquet"))
    out = subprocess.run([tracklake_bin(), "inspect", str(f), "--rows", "2"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "properties" in out.stdout and "ZSTD" in out.stdout.upper() and '"event_id": "p' in out.stdout
    ddl = subprocess.run([tracklake_bin(), "ddl", "--config", str(c.config_path), "--dialect", "duckdb"],
                         capture_output=True, text=True, cwd=c.root, env=clean_env())
    assert ddl.returncode == 0, ddl.stderr
    con = duckdb.connect()
    con.execute(ddl.stdout)
    assert con.sql('select count(*) from "page_view"').fetchone()[0] == 5
    athena = subprocess.run([tracklake_bin(), "ddl", "--config", str(c.config_path), "--dialect", "athena",
                             "--location", "s3://bucket/lake"], capture_output=True, text=True, cwd=c.root, env=clean_env())
    assert "`url` string" in athena.stdout and "projection.enabled" in athena.stdout


# What `tracklake ddl --dialect athena` declares, as pyarrow reads the Parquet type.
ATHENA_TYPES = {"string": pa.string(), "timestamp": pa.timestamp("ms", tz="UTC"),
                "map<string,string>": pa.map_(pa.string(), pa.string())}


def ddl_tables(stdout):
    """{table: [(column, type)]} of an Athena DDL."""
    tables = {}
    for name, body in re.findall(r"CREATE EXTERNAL TABLE IF NOT EXISTS `(\w+)` \(\n(.*?)\)\nPARTITIONED", stdout, re.S):
        tables[name] = re.findall(r"^  `([^`]+)` (\S+?),?$", body, re.M)
    return tables


def test_ddl_declares_the_columns_of_the_files_the_collector_writes(collector_factory):
    # Declared columns that repeat a fixed or standard column, or name the map, must not make
    # the table and the files disagree.
    c = collector_factory(extra='[event_types.page_view]\ncolumns = ["url", "user_id", "properties", "event_time", '
                                '"referrer"]\n', start=False)
    c.config_path.write_text(c.config_path.read_text().replace('format = "ndjson.gz"', 'format = "parquet"'))
    c.start()
    assert c.post(sent_events()[:20]).json()["accepted"] == 20
    assert c.stop() == 0
    ddl = subprocess.run([tracklake_bin(), "ddl", "--config", str(c.config_path), "--dialect", "athena",
                          "--location", "s3://bucket/lake"], capture_output=True, text=True, cwd=c.root, env=clean_env())
    assert ddl.returncode == 0, ddl.stderr
    tables = ddl_tables(ddl.stdout)
    assert set(tables) == {"page_view", "signup"}
    for event_type, columns in tables.items():
        files = list((c.lake / event_type).rglob("*.parquet"))
        assert files
        for f in files:
            schema = pq.read_schema(f)
            assert [(n, ATHENA_TYPES[t]) for n, t in columns] == [(field.name, field.type) for field in schema]
    assert [n for n, _ in tables["page_view"]][8:10] == ["url", "referrer"]


def test_ddl_names_no_table_after_a_lake_directory_that_is_not_an_event_type(collector_factory):
    # A directory name becomes a SQL identifier: one no collector could have written must not.
    c = collector_factory(start=False)
    for name in ("page_view", "x`; DROP TABLE t; --", "Upper", "_rejected", "a" * 65):
        (c.lake / name).mkdir(parents=True)
    ddl = subprocess.run([tracklake_bin(), "ddl", "--config", str(c.config_path), "--dialect", "athena"],
                         capture_output=True, text=True, cwd=c.root, env=clean_env())
    assert ddl.returncode == 0, ddl.stderr
    assert re.findall(r"CREATE EXTERNAL TABLE IF NOT EXISTS `(\w+)`", ddl.stdout) == ["page_view"]


def test_parquet_codec_and_dictionary_limit_come_from_config(collector_factory):
    c = collector_factory(extra=COLUMNS, start=False)
    c.config_path.write_text(c.config_path.read_text().replace(
        'format = "ndjson.gz"',
        'format = "parquet"\nparquet_compression = "snappy"\nparquet_dictionary_bytes = "64KiB"'))
    c.start()
    # 300 distinct 400-byte values: one page, and 120 KB of dictionary. Under the default 8 MiB
    # limit the page is dictionary-encoded; past a 64 KiB limit it is written PLAIN, and a chunk
    # without dictionary pages gets no dictionary page.
    events = [{"event_type": "signup", "event_id": f"d{i}", "blob": hashlib.sha256(str(i).encode()).hexdigest() * 6 + "x" * 16}
              for i in range(300)]
    assert c.post(events).json()["accepted"] == len(events)
    assert c.stop() == 0
    files = list(c.lake.rglob("*.parquet"))
    assert len(files) == 1
    rg = pq.ParquetFile(files[0]).metadata.row_group(0)
    assert {rg.column(i).compression for i in range(rg.num_columns)} == {"SNAPPY"}
    keys, values = rg.column(rg.num_columns - 2), rg.column(rg.num_columns - 1)
    assert values.path_in_schema == "properties.key_value.value"
    assert keys.has_dictionary_page and not values.has_dictionary_page
    table = pq.read_table(files[0], partitioning=None)
    assert sorted(dict(p)["blob"] for p in table.column("properties").to_pylist()) == sorted(e["blob"] for e in events)


def test_event_times_readers_refuse_are_refused_and_the_file_stays_readable(collector_factory):
    # Accepted before issue 22, the first three made pyarrow refuse the whole file ("date value out of
    # range"), the valid events in it included; Spark refuses timestamps before 1900 as well.
    # conftest.py reads every lake back with pyarrow, DuckDB and Spark.
    c = parquet_collector(collector_factory)
    bad = ["0000-01-01T00:00:00Z", "0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59", "1899-12-31T23:59:59Z"]
    good = ["1900-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "2026-11-26T05:00:00Z"]
    events = [{"event_type": "page_view", "event_id": f"t{i}", "event_time": t} for i, t in enumerate(bad + good)]
    r = c.post(events).json()
    assert r["accepted"] == len(good)
    assert r["rejected"] == [{"index": i, "field": "event_time",
                              "error": "must fall within 1900-01-01 and 9999-12-31 in UTC, once its offset is applied"}
                             for i in range(len(bad))]
    assert c.stop() == 0
    [f] = [p for p in c.lake.rglob("*.parquet") if p.relative_to(c.lake).parts[0] == "page_view"]
    rows = pq.read_table(f, partitioning=None).to_pylist()
    assert sorted(row["event_id"] for row in rows) == ["t4", "t5", "t6"]
    assert min(row["event_time"] for row in rows).year == 1900
