"""track()'s quick path (clients/python/tracklake: rules.Checker.quick_size on the caller's
thread, the line made by the sender with rules.encode_after) against its full path
(Checker.line, which test_py_rules_conformance.py keeps identical to the collector's rules): an
event the quick path lets through must pass every rule, and its line must be byte for byte the
one the full path makes, in collector and in Firehose mode. And the ids: UUIDv7, distinct across
threads and across a fork. No collector here: nothing is sent (the endpoint is never reached)."""
import os
import random
import threading

import pytest

import tracklake
from tracklake import rules
from tracklake._ids import uuid7

APP = "web"
TYPES = ["page_view", "click"]
# Values that take every branch of the encoder: escapes, controls, DEL, non-ASCII (2, 3, 4 bytes).
VALUES = ["", "plain", 'say "hi"', "back\\slash", "tab\tnew\nline", "\x00\x1f", "\x7f", "é", "ü=:/ ✓", "日本",
          "🙂", "x" * 300, "ü" * 200, "\ud800", 5, None, ["a"], True]
STRINGS = [v for v in VALUES if isinstance(v, str)]
PLAIN_KEYS = ["a", "user_id", "page.url", "x-y", "_k", "k" * 128]
KEYS = PLAIN_KEYS + ["event_id", "app_id", "event_time", "received_at", "1bad", "a b", "k" * 129]


def tracker(mode="collector", **kw):
    if mode == "firehose":
        kw.update(mode="firehose", firehose_client=object())  # never called: nothing is sent
    else:
        kw.update(endpoint="http://127.0.0.1:9")
    return tracklake.Tracker(APP, TYPES, flush_at_exit=False, batch_age=3600, **kw)


def random_fields(rng):
    fields = {}
    for _ in range(rng.randint(0, 8)):
        key = rng.choice(PLAIN_KEYS if rng.random() < 0.9 else KEYS)
        if rng.random() < 0.95:
            fields[key] = "".join(rng.choice(STRINGS) for _ in range(rng.randint(1, 3)))
        else:
            fields[key] = rng.choice(VALUES)
    return fields


def full_path_line(t, event_type, fields, event_id, ms):
    """The line track()'s full path makes for the same event (what it did for every event before)."""
    event = {"event_type": event_type, "event_id": event_id, "app_id": APP}
    if t._stamp:
        event["event_time"] = t._clock.format(ms)
    event.update(fields)
    line = t._checker.line(event)
    return t._with_received_at(event, line, ms) if t.mode == "firehose" else line


@pytest.mark.parametrize("mode,stamp,limits", [("collector", True, rules.Rules()), ("firehose", True, rules.Rules()),
                                               ("firehose", False, rules.Rules()),
                                               ("collector", False, rules.Rules(max_fields=6, max_event_bytes=600))])
def test_the_quick_path_takes_only_valid_events_and_makes_the_full_paths_bytes(mode, stamp, limits):
    t = tracker(mode, stamp_event_time=stamp, rules=limits)
    rng = random.Random(24)
    quick = 0
    for _ in range(4000):
        event_type = rng.choice(TYPES + ["Bad", "signup", 5])
        fields = random_fields(rng)
        # Half the time the keys are known first (as after a first event with them), which the
        # quick path needs.
        if rng.random() < 0.5:
            t._checker.check({"event_type": "click", **{k: "v" for k in fields}})
        made = t._quick_size(event_type, fields, t._head_bytes, t._head_fields)
        if made is None:
            continue
        quick += 1
        ms = rng.randrange(0, 253_402_300_799_999)
        event_id = uuid7(ms)
        line = t._line((fields, event_type, 0.0, 0, event_id, ms, made[1]))
        assert line == full_path_line(t, event_type, fields, event_id, ms)  # which raises for an invalid event
        plain = len(line) - (len(f',"received_at":"{t._clock.format(ms)}"') if mode == "firehose" else 0)
        assert made[0] <= plain <= limits.max_event_bytes
        if not any(c in line for c in (b'\\"', b"\\\\", b"\\u", b"\\n", b"\\t")):
            assert made[0] == plain  # no escape: the size is exact
    assert quick > 300, quick  # of 4,000: the quick path is taken often enough to be tested


def test_events_near_the_size_limit_take_the_full_path_and_get_its_answer():
    t = tracker(rules=rules.Rules(max_event_bytes=400), on_invalid="raise")
    t.track("click", pad="")  # keys known
    with pytest.raises(tracklake.ValidationError, match="event is larger than 400 bytes"):
        t.track("click", pad="x" * 400)
    assert t.track("click", pad="x" * 200)  # within 400 bytes, but escaping could double it: checked in full
    assert t.track("click", pad="x" * 10)
    queued = list(t._queue._items)
    assert isinstance(queued[-2][0], bytes) and isinstance(queued[-1][0], dict)  # full path, then quick


def test_the_snapshot_is_taken_at_track():
    t = tracker()
    mine = {"user_id": "u1", "page.url": "/a"}
    t.track("click", mine)
    t.track("click", mine)  # the keys are known now: the quick path
    mine["user_id"] = "changed"
    mine["extra"] = "added"
    for item in t._queue._items:
        line = item[0] if isinstance(item[0], bytes) else t._line(item)
        assert b'"user_id":"u1","page.url":"/a"}' in line and b"changed" not in line and b"extra" not in line


def test_ids_are_uuidv7_of_their_millisecond_and_distinct_across_threads():
    ms = 0x0123456789AB
    ids = []

    def take():
        mine = [uuid7(ms) for _ in range(20_000)]
        ids.extend(mine)
    threads = [threading.Thread(target=take) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(set(ids)) == len(ids) == 80_000
    for i in ids[:2000]:
        assert len(i) == 36 and i[:15] == "01234567-89ab-7" and i[19] in "89ab" and i[18] == i[23] == "-"
        assert int(i.replace("-", ""), 16) >> 80 == ms
    assert len({i[19] for i in ids}) == 4  # the variant's two random bits vary


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork")
def test_a_forked_child_never_hands_out_its_parents_next_ids():
    uuid7(1)  # the pool is partly used: the child inherits the rest
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        os.write(write, " ".join(uuid7(1) for _ in range(2000)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child = pipe.read().split()
    os.waitpid(pid, 0)
    parent = [uuid7(1) for _ in range(2000)]
    assert len(child) == 2000 and not set(child) & set(parent)
