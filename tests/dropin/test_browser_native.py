"""The native API from a web page: CORS preflight, browser keys in the URL (sendBeacon cannot set
headers), and NDJSON posted under curl's default content type."""
import json

import requests

from conftest import IOS_BROWSER_KEY, PAGE_ORIGIN, WEB_BROWSER_KEY, exactly_once, lake_rows
from tlharness import WRITE_KEY


def test_preflight_and_cors_headers_on_every_answer(dropin_collector):
    c = dropin_collector()
    for path in ("/v1/events", "/v1/batch", "/v1/t"):
        r = requests.options(c.url + path, headers={"Origin": PAGE_ORIGIN, "Access-Control-Request-Method": "POST",
                                                    "Access-Control-Request-Headers": "authorization,content-type"})
        assert r.status_code == 204, (path, r.text)
        assert r.headers["Access-Control-Allow-Origin"] == PAGE_ORIGIN
        assert r.headers["Access-Control-Allow-Credentials"] == "true"
        assert "Authorization" in r.headers["Access-Control-Allow-Headers"]
        assert "SP-Anonymous" in r.headers["Access-Control-Allow-Headers"]
        assert int(r.headers["Access-Control-Max-Age"]) > 0
    r = requests.options(c.url + "/v1/events", headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and "Access-Control-Allow-Origin" not in r.headers
    # Errors carry the headers too, so the page can read them.
    r = requests.post(c.url + "/v1/events", data="{}", headers={"Origin": PAGE_ORIGIN})
    assert r.status_code == 401 and r.headers["Access-Control-Allow-Origin"] == PAGE_ORIGIN
    assert c.stop() == 0


def test_browser_key_in_the_url_from_an_allowed_origin_only(dropin_collector):
    c = dropin_collector()
    beacon = lambda key, origin, eid: requests.post(
        c.url + f"/v1/events?writeKey={key}", data=json.dumps({"event_type": "click", "event_id": eid}),
        headers={"Content-Type": "text/plain;charset=UTF-8", **({"Origin": origin} if origin else {})})
    assert beacon(WEB_BROWSER_KEY, PAGE_ORIGIN, "b-1").status_code == 200
    assert beacon(WEB_BROWSER_KEY, "https://evil.example", "b-2").status_code == 403
    assert beacon(WEB_BROWSER_KEY, None, "b-3").status_code == 403
    assert beacon(IOS_BROWSER_KEY, PAGE_ORIGIN, "b-4").status_code == 403  # another app's key
    r = beacon(WRITE_KEY, PAGE_ORIGIN, "b-5")  # a server key never goes in a URL
    assert r.status_code == 401 and "Authorization header" in r.json()["error"]
    assert beacon("pk_unknown_0123456789", PAGE_ORIGIN, "b-6").status_code == 401
    assert c.stop() == 0
    rows = lake_rows(c)
    exactly_once(rows, ["b-1"])
    assert {r["event_id"] for r in rows} == {"b-1"}
    assert rows[0]["app_id"] == "web"


def test_ndjson_under_curls_default_content_type(dropin_collector):
    c = dropin_collector()
    body = "\n".join(json.dumps({"event_type": "signup", "event_id": f"nd-{i}"}) for i in range(5)) + "\n"
    r = c.session.post(c.url + "/v1/events", data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Authorization": f"Bearer {WRITE_KEY}"})
    assert r.status_code == 200 and r.json()["accepted"] == 5, r.text
    assert c.stop() == 0
    exactly_once(lake_rows(c), [f"nd-{i}" for i in range(5)])
