"""Segment's and Snowplow's Node SDKs (@segment/analytics-node, @snowplow/node-tracker, unmodified from
npm, installed by scripts/bootstrap into tests/clients/node_modules) sending to tracklake."""
import json
import subprocess
from pathlib import Path

import pytest

from conftest import exactly_once, lake_rows
from tlharness import WRITE_KEY

CLIENTS = Path(__file__).resolve().parent.parent / "clients"
N = 30

pytestmark = pytest.mark.skipif(not (CLIENTS / "node_modules" / "@segment" / "analytics-node").exists(),
                                reason="run scripts/bootstrap (npm packages of tests/clients)")


def node(script, *args):
    out = subprocess.run(["node", str(CLIENTS / script), *map(str, args)], cwd=CLIENTS, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_segment_node_sdk(dropin_collector):
    c = dropin_collector()
    assert node("segment_node.mjs", c.url, WRITE_KEY, "node-seg", N) == {"errors": []}
    result = node("segment_node.mjs", c.url, "wrong-key", "node-wrong", 3)
    assert result["errors"], "a wrong key is reported to the SDK"
    assert c.stop() == 0
    ids = [f"node-seg-{i}" for i in range(N)]
    rows = exactly_once(lake_rows(c), ids)
    assert not [r for r in lake_rows(c) if r["event_id"].startswith("node-wrong")]
    r = rows["node-seg-4"]
    assert r["event_type"] == "product_viewed" and r["user_id"] == "node-u1" and r["app_id"] == "web"
    p = r["properties"]
    assert p["properties.sku"] == "sku-4" and p["properties.price"] == "9.99" and p["properties.tags"] == '["a","b"]'
    assert p["properties.nested.deep"] == "true" and p["context.library.name"] == "@segment/analytics-node"


def test_snowplow_node_tracker(dropin_collector):
    c = dropin_collector()
    result = node("snowplow_node.mjs", "127.0.0.1", c.port, WRITE_KEY, N)
    assert result["failures"] == []
    wrong = node("snowplow_node.mjs", "127.0.0.1", c.port, "wrong-key", 2)
    assert wrong["failures"] and all(s == 401 for s in wrong["failures"])
    assert c.stop() == 0
    rows = exactly_once(lake_rows(c), result["ids"])
    assert not {r["event_id"] for r in lake_rows(c)} & set(wrong["ids"])
    for i, eid in enumerate(result["ids"]):
        r = rows[eid]
        assert r["user_id"] == "node-user" and r["app_id"] == "web"
        if i % 2 == 0:
            assert r["event_type"] == "page_view" and r["properties"]["page_url"] == f"https://shop/n/{i}"
        else:
            assert r["event_type"] == "signup" and r["properties"]["unstruct_event.seats"] == str(i)
