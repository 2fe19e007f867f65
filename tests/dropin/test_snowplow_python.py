"""Snowplow's Python tracker (snowplow-tracker, unmodified from PyPI) sending to tracklake, POST and
GET, with the server key in the Authorization header of the requests session it accepts."""
import base64
import json

import requests
from snowplow_tracker import Emitter, PageView, SelfDescribing, SelfDescribingJson, StructuredEvent, Subject, Tracker

from conftest import PAGE_ORIGIN, exactly_once, lake_rows
from tlharness import WRITE_KEY

N = 40
CHECKOUT = "iglu:com.acme/checkout/jsonschema/1-0-0"
WEB_PAGE = "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0"


def tracker(c, method, key=WRITE_KEY, failures=None):
    session = requests.Session()
    if key:
        session.headers["Authorization"] = f"Bearer {key}"
    emitter = Emitter("127.0.0.1", protocol="http", port=c.port, method=method, batch_size=10, session=session,
                      on_failure=(lambda sent, failed: failures.append(failed)) if failures is not None else None)
    subject = Subject().set_user_id("user-7").set_domain_user_id("duid-1").set_domain_session_id("sess-1")
    return Tracker("ns", emitter, subject=subject, app_id="shop-backend"), emitter


def test_python_tracker_events_land_once_with_mapped_columns(dropin_collector):
    c = dropin_collector()
    ids = {}
    for method in ("post", "get"):
        t, emitter = tracker(c, method)
        for i in range(N // 2):
            ctx = [SelfDescribingJson(WEB_PAGE, {"id": f"page-{i}"})]
            if i % 4 == 0:
                ids[t.track(PageView(page_url=f"https://shop/p/{i}", page_title="Product", context=ctx))] = "page_view"
            elif i % 4 == 1:
                ids[t.track(StructuredEvent(category="shop", action="add", label="sku-1", value=2.5))] = "structured"
            else:
                ids[t.track(SelfDescribing(SelfDescribingJson(CHECKOUT, {"step": i, "total": 10.5, "coupon": None}),
                                           context=ctx))] = "checkout"
        emitter.flush()
    assert c.stop() == 0
    rows = exactly_once(lake_rows(c), list(ids))
    for eid, event_type in ids.items():
        r = rows[eid]
        assert r["event_type"] == event_type and r["app_id"] == "web" and r["user_id"] == "user-7", r
        p = r["properties"]
        assert r["anonymous_id"] == "duid-1" and r["session_id"] == "sess-1" and p["tracker_app_id"] == "shop-backend"
        assert p["platform"] == "pc" and p["v_tracker"].startswith("py-") and r["event_time"] is not None
        assert "dvce_created_tstamp" in p and "dvce_sent_tstamp" in p
        if event_type == "page_view":
            assert p["page_url"].startswith("https://shop/p/") and p["page_title"] == "Product"
            assert p["contexts.com_snowplowanalytics_snowplow_web_page_1.id"].startswith("page-")
        elif event_type == "structured":
            assert (p["se_category"], p["se_action"], p["se_label"], p["se_value"]) == ("shop", "add", "sku-1", "2.5")
        else:
            assert p["event_vendor"] == "com.acme" and p["event_name"] == "checkout" and p["event_version"] == "1-0-0"
            assert p["unstruct_event.total"] == "10.5" and "unstruct_event.coupon" not in p


def test_wrong_key_refused_and_nothing_stored(dropin_collector):
    c = dropin_collector()
    failures = []
    t, emitter = tracker(c, "post", key="not-a-key", failures=failures)
    t.track(PageView(page_url="https://shop/x"))
    emitter.flush()
    assert failures, "the tracker was told"
    r = requests.post(c.url + "/com.snowplowanalytics.snowplow/tp2", headers={"Authorization": "Bearer nope"},
                      json={"schema": "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4",
                            "data": [{"e": "pv", "eid": "sp-x"}]})
    assert r.status_code == 401 and r.json()["field"] == "Authorization"
    assert c.stop() == 0
    assert lake_rows(c) == []


def payload(*events):
    return {"schema": "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4", "data": list(events)}


def test_keyless_browser_traffic_by_aid_from_allowed_origins(dropin_collector):
    c = dropin_collector()
    tp2 = c.url + "/com.snowplowanalytics.snowplow/tp2"
    ue = {"schema": "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0",
          "data": {"schema": "iglu:com.acme/Link Click/jsonschema/2-1-0", "data": {"target": "x", "deep": {"a": [1]}}}}
    cx = {"schema": "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1",
          "data": [{"schema": WEB_PAGE, "data": {"id": "a"}}, {"schema": WEB_PAGE, "data": {"id": "b"}}]}
    b64 = lambda o: base64.urlsafe_b64encode(json.dumps(o).encode()).decode().rstrip("=")
    events = [{"e": "ue", "eid": "k-1", "aid": "web-sp", "ue_px": b64(ue), "cx": b64(cx), "ip": "1.2.3.4",
               "dtm": "1700000000000", "stm": "1700000005000"},
              {"e": "pv", "eid": "k-2", "aid": "other-sp"},  # not an id of web
              {"e": "zz", "eid": "k-3", "aid": "web-sp"},
              {"e": "ue", "eid": "k-4", "aid": "web-sp", "ue_pr": "{not json"}]
    headers = {"Origin": PAGE_ORIGIN, "Content-Type": "application/json; charset=UTF-8", "SP-Anonymous": "*"}
    r = requests.post(tp2, json=payload(*events), headers=headers)
    assert r.status_code == 200 and r.text == "ok"
    assert r.headers["Access-Control-Allow-Origin"] == PAGE_ORIGIN
    # The same from a page of another origin, or with no origin at all: 403, nothing stored.
    for origin in ("https://evil.example", None):
        h = {k: v for k, v in headers.items() if k != "Origin" or origin}
        if origin:
            h["Origin"] = origin
        r = requests.post(tp2, json=payload({"e": "pv", "eid": "k-5", "aid": "web-sp"}), headers=h)
        assert r.status_code == 403 and r.json()["field"] == "Origin"
    r = requests.post(tp2, json=payload({"e": "pv", "eid": "k-6", "aid": "unknown"}), headers=headers)
    assert r.status_code == 401 and r.json()["field"] == "aid"
    # GET /i and /ice.png: a GIF, never cached.
    for path, eid in (("/i", "k-7"), ("/ice.png", "k-8")):
        r = requests.get(c.url + path, params={"e": "se", "eid": eid, "aid": "web-sp", "se_ca": "c", "se_ac": "a",
                                               "url": "https://shop/?q=1&x=é"}, headers={"Referer": PAGE_ORIGIN + "/p"})
        assert r.status_code == 200 and r.headers["Content-Type"] == "image/gif", r.text
        assert r.headers["Cache-Control"] == "no-cache, no-store, must-revalidate"
    r = requests.post(tp2, data="{nope", headers=headers)
    assert r.status_code == 400 and "JSON" in r.json()["error"]
    r = requests.post(tp2, json={"schema": "iglu:x/y/jsonschema/1-0-0", "data": []}, headers=headers)
    assert r.status_code == 400 and r.json()["field"] == "schema"
    assert c.stop() == 0
    rows = exactly_once(lake_rows(c), ["k-1", "k-7", "k-8"])
    assert {r["event_id"] for r in lake_rows(c)} == {"k-1", "k-7", "k-8"}
    k1 = rows["k-1"]["properties"]
    assert rows["k-1"]["event_type"] == "link_click" and rows["k-1"]["app_id"] == "web"
    assert k1["unstruct_event.target"] == "x" and k1["unstruct_event.deep.a"] == "[1]"
    assert k1["contexts.com_snowplowanalytics_snowplow_web_page_1.id"] == "a"
    assert k1["contexts.com_snowplowanalytics_snowplow_web_page_1_2.id"] == "b"
    assert "user_ipaddress" not in k1  # SP-Anonymous
    delta = (rows["k-1"]["received_at"] - rows["k-1"]["event_time"]).total_seconds()
    assert 4.9 <= delta <= 7, delta  # sent 5 s after it was created, by the device's clock
    assert rows["k-7"]["properties"]["page_url"] == "https://shop/?q=1&x=é"
    assert rows["k-7"]["event_type"] == "structured"
