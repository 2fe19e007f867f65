"""Spark discovers the lake's Hive partitions and reads tracklake's Parquet, map column included."""
import os
import shutil

import pytest

from test_parquet_lake import parquet_collector, sent_events

pyspark = pytest.importorskip("pyspark", reason="pyspark is installed by scripts/bootstrap")


@pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs a JVM (the machine image ships OpenJDK 17)")
def test_spark_reads_partitions_counts_and_map_lookup(collector_factory):
    from pyspark.sql import SparkSession

    c = parquet_collector(collector_factory)
    events = sent_events()
    assert c.post(events).json()["accepted"] == len(events)
    assert c.stop() == 0
    os.environ.setdefault("PYSPARK_PYTHON", shutil.which("python3") or "python3")
    spark = (SparkSession.builder.master("local[1]").appName("tracklake-test")
             .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC")
             .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
             .getOrCreate())
    try:
        df = spark.read.option("mergeSchema", "true").parquet(str(c.lake / "signup"))
        assert {"dt", "hr", "properties", "received_at"} <= set(df.columns)
        assert df.count() == 150
        row = df.where("event_id = 'p3'").selectExpr("properties['custom_1'] AS v", "app_id").collect()
        assert [(r.v, r.app_id) for r in row] == [("v1-日本", "web")]
        # One table per event type (each has its own declared columns): the whole lake is their union.
        page_views = spark.read.parquet(str(c.lake / "page_view"))
        assert page_views.schema["properties"].dataType.simpleString() == "map<string,string>"
        by_type = page_views.unionByName(df, allowMissingColumns=True).groupBy("event_type").count().collect()
        assert sorted((r.event_type, r["count"]) for r in by_type) == [("page_view", 150), ("signup", 150)]
    finally:
        spark.stop()
