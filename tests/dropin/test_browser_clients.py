"""A page on a second origin of 127.0.0.1, in Debian's headless chromium, sends to tracklake with the
real @segment/analytics-next and @snowplow/browser-tracker bundles from npm (served locally), a
fetch with a browser key and a sendBeacon; a page of an origin the app does not allow gets nothing
stored."""
import functools
import json
import shutil
import subprocess
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import IOS_BROWSER_KEY, WEB_BROWSER_KEY, exactly_once, lake_rows

CLIENTS = Path(__file__).resolve().parent.parent / "clients"
N = 5

pytestmark = pytest.mark.skipif(
    not (CLIENTS / "node_modules" / "playwright-core").exists() or not shutil.which("chromium"),
    reason="run scripts/bootstrap (chromium and the npm packages of tests/clients)")


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def page_servers():
    """Two static servers of tests/clients on 127.0.0.1: two origins."""
    servers = []
    for _ in range(2):
        s = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(CLIENTS)))
        threading.Thread(target=s.serve_forever, daemon=True).start()
        servers.append(s)
    yield [f"http://127.0.0.1:{s.server_address[1]}" for s in servers]
    for s in servers:
        s.shutdown()
        s.server_close()


def open_page(origin, collector, key, prefix, aid="web-sp"):
    url = f"{origin}/page.html?collector={collector.url}&key={key}&aid={aid}&n={N}&prefix={prefix}"
    out = subprocess.run(["node", str(CLIENTS / "browser_run.mjs"), url], cwd=CLIENTS, capture_output=True,
                         text=True, timeout=180)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])["results"]


def test_browser_clients_from_an_allowed_origin(dropin_collector, page_servers):
    good, evil = page_servers
    c = dropin_collector(origins=[good])
    ok = open_page(good, c, WEB_BROWSER_KEY, "good")
    assert ok["errors"] == [] and ok["segmentFailures"] == 0 and ok["snowplowFailures"] == [], ok
    assert len(ok["segment"]) == N and len(ok["snowplow"]) == N
    assert ok["fetch"]["status"] == 200 and ok["fetch"]["body"]["accepted"] == 1
    assert ok["beacon"] is True
    # A page of an origin the app does not list: refused (the browser hides why: no CORS header).
    # (analytics.js takes a network error for a retryable one and reports no failure: the lake says.)
    bad = open_page(evil, c, WEB_BROWSER_KEY, "evil")
    assert bad["snowplow"] == [] and "error" in bad["fetch"]
    # The allowed page with another app's browser key: 403 for every client.
    other = open_page(good, c, IOS_BROWSER_KEY, "other", aid="unknown-aid")
    assert other["segment"] == [] and other["fetch"]["status"] == 403
    assert other["snowplowFailures"] and all(s == 401 for s in other["snowplowFailures"])
    assert c.stop() == 0
    rows = lake_rows(c)
    by_id = exactly_once(rows, ok["segment"] + ok["snowplow"] + ["good-fetch", "good-beacon"])
    assert len(rows) == 2 * N + 2, [r["event_id"] for r in rows]  # nothing from the refused pages
    for mid in ok["segment"]:
        r = by_id[mid]
        assert r["event_type"] == "button_clicked" and r["app_id"] == "web" and r["anonymous_id"]
        p = r["properties"]
        assert p["event_text"] == "Button Clicked" and p["properties.flags.beta"] == "true"
        assert p["context.library.name"] == "analytics.js" and p["context.page.url"].startswith(good)
    for eid in ok["snowplow"]:
        r = by_id[eid]
        assert r["event_type"] == "page_view" and r["app_id"] == "web"
        assert r["properties"]["tracker_app_id"] == "web-sp" and r["properties"]["page_url"].startswith(good)
    assert by_id["good-fetch"]["event_type"] == "fetched" and by_id["good-beacon"]["event_type"] == "beaconed"
