"""The Python client's validation (clients/python/tracklake/rules.py) against the collector's:
the same events go to the real collector (as the NDJSON lines the client would send) and to
tracklake.rules, and the (field, rule) of every event must be the same. Python cannot link the
C++ validator, so this is what keeps the two copies in step: a rule changed on one side only
fails here.

Cases: hand-written edges of every rule (sizes, counts, key and event-type patterns, event ids,
RFC 3339 event times, reserved and server fields, value types, the order in which rules win),
then a few hundred seeded random events mixing them, under the default limits and under small
configured ones. Python dicts cannot hold duplicate keys, so "duplicate key" has no Python case."""
import json
import random

import pytest

from tracklake.rules import ENCODER, ERR_NOT_UTF8, Checker, Rules
from tlharness import OTHER_KEY, WRITE_KEY

APP = "web"          # WRITE_KEY's application (any event type)
OTHER_APP = "ios"    # OTHER_KEY's application (event_types = ["purchase"])


def wire_line(event):
    """The bytes the client sends for event; lone surrogates go as the (invalid) UTF-8 bytes a
    careless encoder would produce, which the collector must refuse as not UTF-8."""
    return ENCODER.encode(event).encode("utf-8", errors="surrogatepass")


def collector_verdicts(c, events, key):
    """(field, rule) per event from the collector, None for accepted ones."""
    verdicts = []
    for start in range(0, len(events), 500):
        chunk = events[start:start + 500]
        body = b"\n".join(wire_line(e) for e in chunk) + b"\n"
        r = c.post(body, key=key, headers={"Content-Type": "application/x-ndjson"})
        assert r.status_code in (200, 400), r.text
        answer = r.json()
        assert "rejected" in answer, answer
        by_index = {x["index"]: (x["field"], x["error"]) for x in answer["rejected"]}
        assert answer["accepted"] + len(by_index) == len(chunk)
        verdicts += [by_index.get(i) for i in range(len(chunk))]
    return verdicts


def compare(c, events, key, checker):
    got = collector_verdicts(c, events, key)
    mismatches = []
    for event, server in zip(events, got):
        client = checker.check(event)
        if client is not None and client[1] == ERR_NOT_UTF8 and server is not None:
            # The collector checks UTF-8 over the whole line before it knows any field; the
            # client names the field. The rule must agree.
            client = (server[0], client[1])
        if client != server:
            mismatches.append((json.dumps(event)[:300], "collector:", server, "python:", client))
    assert not mismatches, "\n".join(map(str, mismatches[:20]))
    return got


def ev(*pairs, event_type="page_view"):
    event = {"event_type": event_type} if event_type is not None else {}
    event.update(pairs)
    return event


TIMES_OK = ["2026-11-26T06:07:15Z", "2026-11-26T06:07:15.123Z", "2026-11-26t06:07:15z", "2026-11-26 06:07:15Z",
            "2026-11-26T06:07:15.123456789+01:00", "2026-11-26T06:07:15-23:59", "2026-11-26T23:59:60Z",
            "2024-02-29T00:00:00Z", "1900-01-01T00:00:00Z", "1899-12-31T23:59:00-00:01", "9999-12-31T23:59:59.9Z",
            "9999-12-31T00:00:00-23:59", "1970-01-01T00:00:00+23:59"]
# RFC 3339, but outside what every lake reader takes (issue 22: a whole Parquet file became unreadable).
TIMES_OUT_OF_RANGE = ["0001-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "0001-01-01T00:00:00+23:59",
                      "9999-12-31T23:59:59-23:59", "1899-12-31T23:59:59.999Z", "1900-01-01T00:00:00+00:01"]
TIMES_BAD = ["", "2026-11-26", "2026-11-26T06:07:15", "2026-02-29T00:00:00Z", "2026-11-26T24:00:00Z",
             "2026-11-26T06:60:00Z", "2026-11-26T06:07:61Z", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
             "2026-11-31T00:00:00Z", "2026-11-26T06:07:15.Z", "2026-11-26T06:07:15+24:00",
             "2026-11-26T06:07:15+01:60", "2026-11-26T06:07:15+0100", "2026-11-26T06:07:15+01", "2026-11-26T06:07:15Zx",
             "2026-1-26T06:07:15Z", "２０２６-11-26T06:07:15Z", "2026-11-26T06:07:15.１Z", "2026-11-26X06:07:15Z",
             "2026/11/26T06:07:15Z", " 2026-11-26T06:07:15Z", "2026-11-26T06:07:15Z "]
KEYS_BAD = ["", "1abc", "a b", "a/b", "Ä", "a" * 129, "é" * 100, "ab\u0000", "-x", ".x", "x:y", "x\n"]
KEYS_OK = ["a", "_x", "a.b-c_D9", "A" * 128, "Z"]
EVENT_IDS = ["", "x" * 128, "x" * 129, "é", "a\tb", "a b", "~", "\x7f", "id-1", " "]
EVENT_TYPES = ["Page", "", "a" * 64, "a" * 65, "é", "page-view", "page_view", "_x", "_", "_rejected", "x_", "0",
               "purchase"]
VALUES = [5, 1.5, -0.0, 10 ** 30, True, False, None, [], ["a"], {}, {"a": "b"}, "", "ü=:/ ✓\nnewline", "\u0000\u001f",
          "x" * 1000, "\ud800", "a\udfffb"]


def hand_cases():
    cases = [ev(), ev(("a", "b"), event_type=None), ev(("a", "b"))]
    cases += [ev(("event_time", t)) for t in TIMES_OK + TIMES_BAD + TIMES_OUT_OF_RANGE]
    cases += [ev((k, "v")) for k in KEYS_BAD + KEYS_OK]
    cases += [ev(("event_id", i)) for i in EVENT_IDS]
    cases += [ev(event_type=t) for t in EVENT_TYPES]
    cases += [ev(("v", v)) for v in VALUES]
    cases += [{"event_type": v} for v in VALUES]
    cases += [ev(("app_id", a)) for a in (APP, "other", "", 5)]
    cases += [ev(("received_at", "2026-11-26T06:07:15Z")), ev(("received_at", 5)), ev(("\ud800x", "v"))]
    # The first rule broken wins, in field order; event_type required comes last.
    cases += [ev(("1bad", "v"), ("n", 5)), ev(("n", 5), ("1bad", "v")), {"n": 5, "event_type": "Bad"},
              {"event_type": "Bad", "n": 5}, {"x": "y", "event_id": ""}, {"1bad": "v"},
              {"received_at": "x", "event_type": "page_view"}]
    return cases


def sized_cases(rules):
    """Events of exactly the size and field-count limits, and one over, alone and with another fault."""
    def of_size(n, *extra):
        event = ev(*extra, ("pad", ""))
        event["pad"] = "p" * (n - len(wire_line(event)))
        assert len(wire_line(event)) == n
        return event
    fields = lambda n, *extra: dict(ev(*extra), **{f"f{i}": "v" for i in range(n - 1 - len(extra))})  # noqa: E731
    return [of_size(rules.max_event_bytes), of_size(rules.max_event_bytes + 1),
            of_size(rules.max_event_bytes + 1, ("n", 5)), of_size(rules.max_event_bytes + 1, ("1bad", "v")),
            fields(rules.max_fields), fields(rules.max_fields + 1), fields(rules.max_fields + 1, ("n", 5)),
            of_size(rules.max_event_bytes - 1, ("v", "é"))]


def random_cases(seed, count):
    rng = random.Random(seed)
    keys = KEYS_BAD + KEYS_OK + ["event_id", "app_id", "event_time", "received_at", "user_id", "url", "n"]
    values = VALUES + TIMES_OK[:3] + TIMES_BAD[:5] + EVENT_IDS + ["web", "page_view", "ok"]
    cases = []
    for _ in range(count):
        event = {}
        if rng.random() < 0.9:
            event["event_type"] = rng.choice(EVENT_TYPES + ["page_view"] * 10)
        for _ in range(rng.randint(0, 6)):
            k = rng.choice(keys)
            if k not in event:
                event[k] = rng.choice(values) if rng.random() < 0.4 else f"value-{rng.random()}"
        items = list(event.items())
        rng.shuffle(items)  # event_type need not come first
        cases.append(dict(items))
    return cases


def test_default_limits_hand_cases(collector):
    rules = Rules()
    got = compare(collector, hand_cases() + sized_cases(rules), WRITE_KEY, Checker(rules, APP))
    assert got.count(None) >= 20 and len(set(got)) >= 30  # both outcomes, many distinct rules exercised


def test_default_limits_random_cases(collector):
    compare(collector, random_cases(seed=24, count=600), WRITE_KEY, Checker(Rules(), APP))


def test_an_application_limited_to_some_event_types(collector):
    checker = Checker(Rules(), OTHER_APP, ["purchase"])
    cases = [ev(event_type=t) for t in EVENT_TYPES] + [ev(("app_id", a), event_type="purchase") for a in (OTHER_APP, APP)]
    got = compare(collector, cases + random_cases(seed=7, count=100), OTHER_KEY, checker)
    assert ("event_type", "not allowed for this application") in got


@pytest.mark.parametrize("max_fields,max_event_bytes", [(5, 300), (1, 256)])
def test_configured_limits(collector_factory, max_fields, max_event_bytes):
    c = collector_factory(env={"TRACKLAKE_VALIDATION_MAX_FIELDS": str(max_fields),
                               "TRACKLAKE_VALIDATION_MAX_EVENT_BYTES": f"{max_event_bytes}B"})
    rules = Rules(max_fields=max_fields, max_event_bytes=max_event_bytes)
    compare(c, sized_cases(rules) + hand_cases() + random_cases(seed=max_fields, count=200), WRITE_KEY,
            Checker(rules, APP))
