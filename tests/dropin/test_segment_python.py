"""Segment's Python SDK (segment-analytics-python, unmodified from PyPI) sending to tracklake."""
import base64
import json

import requests
from segment.analytics import Client

from conftest import IOS_BROWSER_KEY, OTHER_ORIGIN, PAGE_ORIGIN, WEB_BROWSER_KEY, exactly_once, lake_rows
from tlharness import WRITE_KEY

N = 50


def segment_client(c, key, errors):
    return Client(write_key=key, host=c.url, on_error=lambda e, batch: errors.append((e, len(batch))),
                  max_retries=1, upload_size=20)


def test_python_sdk_events_land_once_with_mapped_columns(dropin_collector):
    c = dropin_collector()
    errors = []
    client = segment_client(c, WRITE_KEY, errors)
    ids = [f"py-seg-{i}" for i in range(N)]
    for i, mid in enumerate(ids):
        client.track(user_id=f"u{i % 5}", event="Order Completed", message_id=mid,
                     properties={"revenue": 12.5, "currency": "EUR", "coupon": None, "items": [1, 2],
                                 "Order Total": i, "nested": {"ok": True}})
    client.identify(user_id="u1", traits={"email": "a@example.com"}, message_id="py-seg-identify")
    client.page(user_id="u1", name="Home", properties={"url": "https://shop/"}, message_id="py-seg-page")
    client.screen(user_id="u1", name="Cart", message_id="py-seg-screen")
    client.group(user_id="u1", group_id="g1", traits={"plan": "pro"}, message_id="py-seg-group")
    client.alias(previous_id="anon-1", user_id="u1", message_id="py-seg-alias")
    client.flush()
    client.shutdown()
    assert errors == []
    assert c.stop() == 0
    rows = exactly_once(lake_rows(c), ids + [f"py-seg-{t}" for t in ("identify", "page", "screen", "group", "alias")])
    r = rows["py-seg-7"]
    assert r["event_type"] == "order_completed" and r["app_id"] == "web" and r["user_id"] == "u2"
    p = r["properties"]
    assert p["event_text"] == "Order Completed"
    assert p["properties.revenue"] == "12.5" and p["properties.currency"] == "EUR"
    assert "properties.coupon" not in p  # null dropped
    assert p["properties.items"] == "[1, 2]" and p["properties.Order_Total"] == "7"
    assert p["properties.nested.ok"] == "true"
    assert p["context.library.name"] == "analytics-python"
    assert r["event_time"] is not None and "sent_at" in p and "original_timestamp" in p
    assert rows["py-seg-identify"]["event_type"] == "identify"
    assert rows["py-seg-identify"]["properties"]["traits.email"] == "a@example.com"
    assert rows["py-seg-page"]["event_type"] == "page" and rows["py-seg-page"]["properties"]["name"] == "Home"
    assert rows["py-seg-screen"]["event_type"] == "screen"
    assert rows["py-seg-group"]["properties"]["group_id"] == "g1"
    assert rows["py-seg-alias"]["properties"]["previous_id"] == "anon-1"


def test_python_sdk_wrong_key_is_refused_and_nothing_stored(dropin_collector):
    c = dropin_collector()
    errors = []
    client = segment_client(c, "not-a-key", errors)
    client.track(user_id="u", event="Nope", message_id="py-wrong-key")
    client.flush()
    client.shutdown()
    assert errors and "401" in str(errors[0][0])
    # A browser key from a server (no Origin), and another app's browser key from web's page.
    for key, origin in ((WEB_BROWSER_KEY, None), (IOS_BROWSER_KEY, PAGE_ORIGIN)):
        headers = {"Content-Type": "text/plain"}
        if origin:
            headers["Origin"] = origin
        body = {"writeKey": key, "batch": [{"type": "track", "event": "x", "userId": "u", "messageId": "py-wrong-2"}]}
        r = c.session.post(c.url + "/v1/batch", data=json.dumps(body), headers=headers)
        assert r.status_code == 403, r.text
        assert r.json()["success"] is False and r.json()["field"] == "Origin"
        if origin:  # the page may read why (CORS on errors too)
            assert r.headers["Access-Control-Allow-Origin"] == origin
    assert c.stop() == 0
    assert lake_rows(c) == []


def test_http_api_shapes_limits_and_errors(dropin_collector):
    c = dropin_collector()
    auth = (WRITE_KEY, "")
    post = lambda path, body, **kw: requests.post(c.url + path, data=body, auth=auth, timeout=10, **kw)
    r = post("/v1/track", json.dumps({"userId": "u", "event": "Signed Up", "messageId": "h-1"}))
    assert r.status_code == 200 and r.json() == {"success": True}
    r = post("/v1/batch", "{not json")
    assert r.status_code == 400 and r.json()["success"] is False and "JSON" in r.json()["message"]
    r = post("/v1/batch", json.dumps({"batch": [{"type": "track", "userId": "u", "event": "x",
                                                 "properties": {"p": "y" * 600}}] * 1000}))
    assert r.status_code == 400 and "512000" in r.json()["message"]
    r = post("/v1/track", json.dumps({"userId": "u", "event": "x", "properties": {"p": "y" * 40000}}))
    assert r.status_code == 400
    # Per-message rules: named field and rule; the batch's other messages land.
    body = {"sentAt": "2026-01-01T00:00:10Z", "context": {"app": {"name": "shop"}}, "batch": [
        {"type": "track", "event": "Viewed", "userId": "u", "messageId": "h-2", "timestamp": "2026-01-01T00:00:00Z",
         "context": {"app": {"version": "2"}}},
        {"type": "track", "userId": "u", "messageId": "h-3"},
        {"type": "nope", "userId": "u", "messageId": "h-4"},
        {"type": "track", "event": "x", "messageId": "h-5"},
        {"type": "track", "event": "!!!", "userId": "u", "messageId": "h-6"}]}
    r = post("/v1/import", json.dumps(body))
    assert r.status_code == 200, r.text
    assert [(x["index"], x["field"]) for x in r.json()["rejected"]] == [(1, "event"), (2, "type"), (3, "userId"),
                                                                     (4, "event")]
    # The pixel API: base64 JSON in ?data=, a GIF back.
    data = base64.b64encode(json.dumps({"writeKey": WEB_BROWSER_KEY, "userId": "u", "event": "Opened",
                                        "messageId": "h-7"}).encode()).decode()
    r = requests.get(c.url + "/v1/pixel/track", params={"data": data}, headers={"Referer": PAGE_ORIGIN + "/mail"})
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/gif" and r.content.startswith(b"GIF89a")
    assert "no-store" in r.headers["Cache-Control"]
    assert c.stop() == 0
    rows = exactly_once(lake_rows(c), ["h-1", "h-2", "h-7"])
    h2 = rows["h-2"]
    # Skew: sent 10 s after it happened by the client's clock, so 10 s before it was received.
    delta = (h2["received_at"] - h2["event_time"]).total_seconds()
    assert 9.9 <= delta <= 12, delta
    assert h2["properties"]["context.app.version"] == "2" and h2["properties"]["context.app.name"] == "shop"
    assert rows["h-7"]["event_type"] == "opened"
    assert not {r["event_id"] for r in lake_rows(c)} & {"h-3", "h-4", "h-5", "h-6"}


def test_rate_limit_is_429_with_retry_after_in_each_protocols_shape(dropin_collector):
    c = dropin_collector(web_extra="rate_limit = 5\nrate_burst = 5")
    batch = {"batch": [{"type": "track", "event": "x", "userId": "u", "messageId": f"rl-{i}"} for i in range(10)]}
    # The first batch bigger than the burst goes through and leaves the bucket in debt (token_bucket.h).
    r = requests.post(c.url + "/v1/batch", data=json.dumps(batch), auth=(WRITE_KEY, ""), timeout=10)
    assert r.status_code == 200 and r.json() == {"success": True}, r.text
    batch = {"batch": [{"type": "track", "event": "x", "userId": "u", "messageId": f"rl-b-{i}"} for i in range(10)]}
    r = requests.post(c.url + "/v1/batch", data=json.dumps(batch), auth=(WRITE_KEY, ""), timeout=10)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert r.json()["success"] is False and r.json()["code"] == "rate_limited"
    tp2 = {"schema": "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4",
           "data": [{"e": "pv", "eid": f"rl-sp-{i}"} for i in range(10)]}
    r = requests.post(c.url + "/com.snowplowanalytics.snowplow/tp2", json=tp2,
                      headers={"Authorization": f"Bearer {WRITE_KEY}"}, timeout=10)
    assert r.status_code == 429 and "Retry-After" in r.headers and "rate limit" in r.json()["error"]
    assert c.stop() == 0
    assert {r["event_id"] for r in lake_rows(c)} == {f"rl-{i}" for i in range(10)}
