"""Bytes Firehose bills per event, measured on the records tracklake actually sends.

Firehose bills ingestion per record, each rounded up to the next 5 KB. One 0.5 KB event per
record is billed as 5 KB (ten times its size); aggregation (firehose.aggregate = true) packs
events into records of up to 1,000 KiB, where the rounding disappears. The events here are
the design note's extremes, 0.5 KB and 4 KB of client JSON. The figures are printed and
quoted in docs/firehose.md."""
import json
import math

import pytest

from test_firehose import FirehoseProxy, firehose_config, post_all, streams  # noqa: F401 (a fixture)

BILLING_UNIT = 5 * 1024
EVENTS = 1000


def event_of(size, i):
    """A client event whose JSON text is exactly `size` bytes."""
    event = {"event_type": "page_view", "event_id": f"e-{i:06d}", "user_id": "u-42", "pad": ""}
    event["pad"] = "p" * (size - len(json.dumps(event)))
    assert len(json.dumps(event)) == size
    return event


def billed(records):
    return sum(max(1, math.ceil(len(r) / BILLING_UNIT)) * BILLING_UNIT for r in records)


@pytest.mark.parametrize("event_bytes", [512, 4096])
@pytest.mark.parametrize("aggregate", [False, True])
def test_bytes_billed_per_event(collector_factory, moto, streams, tiny_server, event_bytes, aggregate, capsys):
    s = streams("page_view")
    proxy = FirehoseProxy(moto, tiny_server)
    c = collector_factory(extra=firehose_config(s, proxy.url) +
                          f'stream_template = "{s.template}"\naggregate = {str(aggregate).lower()}\n',
                          env=moto.env())
    post_all(c, [event_of(event_bytes, i) for i in range(EVENTS)], per_request=100)
    assert c.stop() == 0
    records = proxy.records()
    lines = sum(r.count(b"\n") for r in records)
    assert lines == EVENTS and len(s.events("page_view")) == EVENTS
    line_bytes = sum(map(len, records)) / EVENTS
    per_event = billed(records) / EVENTS
    with capsys.disabled():
        print(f"\nfirehose billing: client event {event_bytes} B, NDJSON line {line_bytes:.0f} B, "
              f"aggregate={aggregate}: {len(records)} records, {per_event:.0f} B billed per event "
              f"({per_event / line_bytes:.2f}x the bytes sent)")
    if aggregate:
        assert len(records) < EVENTS / 100
        assert per_event < line_bytes * 1.01  # only the last record's rounding is left
    else:
        assert len(records) == EVENTS
        assert per_event == BILLING_UNIT  # both sizes fit in one 5 KB unit per record
