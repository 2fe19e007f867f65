"""Shared fixtures: a collector (the real binary) per test, in the test's own directory. Every lake a test
leaves is read back, to the last row, with pyarrow and DuckDB after the test and with Spark at the end of
the session."""
import os
import shutil

import pytest

from tlharness import MADE, Collector, lake_files_of, make_config, read_back_lake


@pytest.fixture(autouse=True)
def _own_working_directory(tmp_path, monkeypatch):
    """Every test runs in its own empty directory, so nothing a developer left in the checkout
    (./lake and ./data from `make run`) can change what a command under test sees."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def collector_factory(tmp_path):
    made = []

    def make(extra="", auth=True, start=True, env=None, tls=None, tls_min_version=None, threads=2):
        """tls: TlsFiles to serve HTTPS with (the collector's url and session then use https)."""
        root = tmp_path / f"c{len(made)}"
        root.mkdir()
        server = tls.server_options(tls_min_version) if tls else ""
        c = Collector(root, make_config(root, extra, auth, server, threads), ca_file=tls.ca if tls else None)
        made.append(c)
        if start:
            c.start(env=env)
        return c

    yield make
    for c in made:
        if c.proc and c.proc.poll() is None:
            c.kill9()
    for c in made:
        c.rows_read_back = read_back_lake(c.lake)


@pytest.fixture
def collector(collector_factory):
    return collector_factory()


@pytest.fixture(scope="session", autouse=True)
def spark_reads_every_lake():
    """Spark, the third reader, reads every lake file the session's collectors wrote (one session for all:
    starting Spark costs about 15 s). Files are read per folder (one event type's hour), and the rows
    must be those pyarrow read."""
    yield
    files = [p for c in MADE for p in lake_files_of(c.lake)]
    if not files or shutil.which("java") is None:
        return
    pytest.importorskip("pyspark", reason="pyspark is installed by scripts/bootstrap")
    from pyspark.sql import SparkSession
    expected = {}
    for c in MADE:
        expected.update(getattr(c, "rows_read_back", None) or read_back_lake(c.lake))
    os.environ.setdefault("PYSPARK_PYTHON", shutil.which("python3") or "python3")
    spark = (SparkSession.builder.master("local[1]").appName("tracklake-lake-read-back")
             .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC")
             .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
             .getOrCreate())
    failures = []
    try:
        folders = {}
        for p in files:
            folders.setdefault((p.parent, p.name.endswith(".parquet")), []).append(p)
        for (folder, parquet), paths in sorted(folders.items()):
            names = [str(p) for p in paths]
            try:
                frame = spark.read.parquet(*names) if parquet else spark.read.json(names)
                got = len(frame.collect())
                want = sum(expected.get(p, 0) for p in paths)
                if got != want:
                    failures.append(f"{folder}: Spark read {got} rows, pyarrow {want}")
            except Exception as e:  # noqa: BLE001
                failures.append(f"{folder}: {type(e).__name__}: {str(e)[:300]}")
    finally:
        spark.stop()
    assert not failures, "lake files Spark refuses:\n" + "\n".join(failures)
