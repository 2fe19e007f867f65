"""Collectors for the drop-in protocol tests: a Parquet lake, a server key and a browser key per app."""
from collections import Counter

import pyarrow.parquet as pq
import pytest

from tlharness import OTHER_KEY, WRITE_KEY

WEB_BROWSER_KEY = "pk_web_0123456789abcdef"
IOS_BROWSER_KEY = "pk_ios_0123456789abcdef"
PAGE_ORIGIN = "http://127.0.0.1:8000"    # the web app's pages
OTHER_ORIGIN = "http://127.0.0.1:9000"   # the ios app's pages

BROWSER_APPS = f"""
[apps.web]
key = "{WRITE_KEY}"
browser_keys = ["{WEB_BROWSER_KEY}"]
allowed_origins = ["{PAGE_ORIGIN}"]
snowplow_app_ids = ["web-sp"]

[apps.ios]
key = "{OTHER_KEY}"
browser_keys = ["{IOS_BROWSER_KEY}"]
allowed_origins = ["{OTHER_ORIGIN}"]
"""


@pytest.fixture
def dropin_collector(collector_factory):
    """A collector writing Parquet whose apps have browser access (web: PAGE_ORIGIN)."""
    def make(origins=None, web_extra=""):
        c = collector_factory(auth=False, start=False)
        text = c.config_path.read_text().replace('format = "ndjson.gz"', 'format = "parquet"')
        text = text.replace('[auth]\nmode = "none"\n', '[auth]\nmode = "keys"\n' + BROWSER_APPS.replace(
            f'allowed_origins = ["{PAGE_ORIGIN}"]',
            f'allowed_origins = {origins or [PAGE_ORIGIN]}'.replace("'", '"') + "\n" + web_extra))
        c.config_path.write_text(text)
        return c.start()
    return make


def lake_rows(collector):
    """Every event row of the Parquet lake (dead letters aside), read back with pyarrow."""
    rows = []
    for f in collector.lake.rglob("*.parquet"):
        if f.relative_to(collector.lake).parts[0] == "_rejected":
            continue
        table = pq.read_table(f, partitioning=None)
        for row in table.to_pylist():
            row["properties"] = dict(row.get("properties") or [])
            rows.append(row)
    return rows


def exactly_once(rows, ids):
    """The rows of ids, each found exactly once; returns them by event_id."""
    counts = Counter(r["event_id"] for r in rows)
    assert {i: counts[i] for i in ids} == {i: 1 for i in ids}
    return {r["event_id"]: r for r in rows if r["event_id"] in ids}
