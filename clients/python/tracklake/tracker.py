"""Tracker: what a service embeds to send events, to a collector or straight to Firehose.

    tracker = Tracker("checkout", event_types=["purchase", "refund"],
                      endpoint="https://collector.internal", write_key=os.environ["KEY"])
    tracker.track("purchase", user_id="u1", order_id="o-9", amount="12.50")

track() validates on the caller's thread with the collector's rules, stamps event_id (UUIDv7)
and event_time, and queues the event; it never waits for the network. The usual event (a known
event type, keys seen before, string values, well under the size limit) is queued as its fields,
proved valid by a few C-level operations (rules.Checker.quick_size), and the background thread
that sends batches (see _sender.py) encodes it; any other event is checked and encoded in full on
the caller's thread, which raises what the collector would refuse. flush(timeout) waits for what
was tracked before it; at interpreter exit the queue is flushed for up to close_timeout seconds.
In AWS Lambda, wrap the handler with tracker.lambda_handler (see aws_lambda.py): a frozen
execution environment runs no threads.

Thread-safe: one Tracker per process is meant to be shared by all threads. After os.fork() the
child starts empty (the parent sends what it had queued) with its own sender thread.
"""
from __future__ import annotations

import atexit
import logging
import os
import time
import weakref
from typing import Any, Callable, Mapping, Optional, Sequence

from . import rules as _rules
from ._ids import Rfc3339, uuid7
from ._sender import SendQueue, Stats
from .rules import encode_after
from ._version import __version__

logger = logging.getLogger("tracklake")

COLLECTOR = "collector"
FIREHOSE = "firehose"
DEFAULT_STREAM_TEMPLATE = "tracking-{event_type}"

_TRACKERS: "weakref.WeakSet[Tracker]" = weakref.WeakSet()
# Values track() makes itself, valid by construction (a UUIDv7, the tracker's app_id, a formatted now).
_MADE_HERE = frozenset(("event_id", "app_id", "event_time"))
RECEIVED_AT = _rules.RECEIVED_AT_KEY


def _after_fork_in_child() -> None:
    for tracker in list(_TRACKERS):
        tracker._queue.after_fork_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class Tracker:
    """Sends the events of one application (app_id) of the declared event_types.

    Collector mode (endpoint given): gzip NDJSON to the collector's /v1/events with write_key.
    Firehose mode (mode="firehose"): PutRecordBatch to one delivery stream per event type
    (stream_template), records in the collector's Firehose format; needs boto3.
    """

    def __init__(self, app_id: str, event_types: Sequence[str], endpoint: Optional[str] = None,
                 write_key: Optional[str] = None, *, mode: Optional[str] = None,
                 ca_file: Optional[str] = None, compress: bool = True,
                 stream_template: str = DEFAULT_STREAM_TEMPLATE, firehose_region: Optional[str] = None,
                 firehose_endpoint: Optional[str] = None, aggregate: bool = False,
                 firehose_client: Any = None, max_record_retries: int = 3,
                 batch_events: int = 500, batch_bytes: int = 512 * 1024, batch_age: float = 1.0,
                 max_queue_events: int = 100_000, max_queue_bytes: int = 64 * 1024 * 1024,
                 request_timeout: float = 10.0, max_backoff: float = 30.0, close_timeout: float = 5.0,
                 on_invalid: str = "raise", stamp_event_time: bool = True,
                 rules: _rules.Rules = _rules.Rules(), flush_at_exit: bool = True):
        if mode is None:
            if not endpoint:
                raise ValueError("give endpoint= (the collector's URL) or mode='firehose'")
            mode = COLLECTOR
        if mode not in (COLLECTOR, FIREHOSE):
            raise ValueError(f"mode must be {COLLECTOR!r} or {FIREHOSE!r}, not {mode!r}")
        if mode == COLLECTOR and not endpoint:
            raise ValueError("collector mode needs an endpoint (the collector's URL)")
        if not app_id:
            raise ValueError("app_id is required")
        if isinstance(event_types, str) or not event_types:
            raise ValueError("event_types must be a non-empty list of the event types this service sends")
        for t in event_types:
            if not _rules.is_valid_event_type(t, rules.max_event_type_bytes) or t.startswith("_"):
                raise ValueError(f"event type {t!r} does not match {rules.bad_event_type[len('must match '):]}"
                                 " (and may not start with '_')")
        if on_invalid not in ("raise", "log"):
            raise ValueError("on_invalid must be 'raise' or 'log'")
        if batch_bytes >= max_queue_bytes or batch_events > max_queue_events:
            raise ValueError("a batch must be smaller than the queue")
        self.app_id = app_id
        self.event_types = tuple(event_types)
        self.mode = mode
        self.close_timeout = close_timeout
        self._raise_invalid = on_invalid == "raise"
        self._stamp = stamp_event_time
        self._checker = _rules.Checker(rules, app_id, self.event_types)
        self._clock = Rfc3339()
        self._quick_size = self._quick_path(mode == FIREHOSE)
        if mode == COLLECTOR:
            from ._collector import CollectorTransport
            # Fail now, not on the sender thread, on a malformed endpoint.
            CollectorTransport(endpoint, write_key, ca_file=ca_file, compress=compress, timeout=request_timeout,
                               user_agent="", log=None)

            def factory():
                return CollectorTransport(endpoint, write_key, ca_file=ca_file, compress=compress,
                                          timeout=request_timeout, user_agent=f"tracklake-python/{__version__}",
                                          log=self._queue.log)
        else:
            import importlib.util
            from ._firehose import FirehoseTransport
            if firehose_client is None and importlib.util.find_spec("boto3") is None:
                raise ValueError("firehose mode needs boto3: pip install 'tracklake[firehose]'")
            FirehoseTransport.check_template(stream_template, self.event_types)

            def factory():
                return FirehoseTransport(stream_template, region=firehose_region, endpoint=firehose_endpoint,
                                         aggregate=aggregate, client=firehose_client, timeout=request_timeout,
                                         max_record_retries=max_record_retries, log=self._queue.log)
        self._queue = SendQueue(factory, self._line, batch_events=batch_events, batch_bytes=batch_bytes,
                                batch_age=batch_age, max_queue_events=max_queue_events,
                                max_queue_bytes=max_queue_bytes, max_backoff=max_backoff, logger=logger)
        _TRACKERS.add(self)
        self._exit_hook: Optional[Callable[[], None]] = None
        if flush_at_exit:
            ref = weakref.ref(self)

            def at_exit() -> None:
                tracker = ref()
                if tracker is not None:
                    tracker.close()
            self._exit_hook = at_exit
            atexit.register(at_exit)

    @classmethod
    def from_env(cls, **overrides: Any) -> "Tracker":
        """A Tracker configured from the environment; keyword arguments take precedence.

        TRACKLAKE_APP_ID, TRACKLAKE_EVENT_TYPES (comma-separated), TRACKLAKE_ENDPOINT,
        TRACKLAKE_WRITE_KEY, TRACKLAKE_CA_FILE, TRACKLAKE_MODE (collector or firehose; default
        collector when TRACKLAKE_ENDPOINT is set, else firehose when
        TRACKLAKE_FIREHOSE_STREAM_TEMPLATE is), TRACKLAKE_FIREHOSE_STREAM_TEMPLATE,
        TRACKLAKE_FIREHOSE_REGION, TRACKLAKE_FIREHOSE_ENDPOINT, TRACKLAKE_FIREHOSE_AGGREGATE
        (true/false), TRACKLAKE_BATCH_AGE (seconds), TRACKLAKE_ON_INVALID (raise or log).
        """
        env = os.environ
        kwargs: dict = {}

        def put(name: str, var: str, convert: Callable[[str], Any] = str) -> None:
            value = env.get(var)
            if value not in (None, ""):
                kwargs[name] = convert(value)
        put("app_id", "TRACKLAKE_APP_ID")
        put("event_types", "TRACKLAKE_EVENT_TYPES", lambda v: [t.strip() for t in v.split(",") if t.strip()])
        put("endpoint", "TRACKLAKE_ENDPOINT")
        put("write_key", "TRACKLAKE_WRITE_KEY")
        put("ca_file", "TRACKLAKE_CA_FILE")
        put("mode", "TRACKLAKE_MODE")
        put("stream_template", "TRACKLAKE_FIREHOSE_STREAM_TEMPLATE")
        put("firehose_region", "TRACKLAKE_FIREHOSE_REGION")
        put("firehose_endpoint", "TRACKLAKE_FIREHOSE_ENDPOINT")
        put("aggregate", "TRACKLAKE_FIREHOSE_AGGREGATE", _parse_bool)
        put("batch_age", "TRACKLAKE_BATCH_AGE", float)
        put("on_invalid", "TRACKLAKE_ON_INVALID")
        kwargs.update(overrides)
        if "mode" not in kwargs and not kwargs.get("endpoint") and "stream_template" in kwargs:
            kwargs["mode"] = FIREHOSE
        if "app_id" not in kwargs or "event_types" not in kwargs:
            raise ValueError("set TRACKLAKE_APP_ID and TRACKLAKE_EVENT_TYPES (or pass app_id and event_types)")
        return cls(**kwargs)

    def track(self, event_type: str, fields: Optional[Mapping[str, Any]] = None, /, **kwfields: Any) -> Optional[str]:
        """Validates and queues one event; returns its event_id, or None when the queue was full
        (counted in stats().dropped), the tracker was closed, or, with on_invalid="log", the
        event was invalid.

        Fields are flat string values, given as keyword arguments and/or a mapping (for keys that
        are not Python names, such as "page.url"). event_id, app_id and event_time may be given;
        otherwise event_id is a fresh UUIDv7, app_id the tracker's and event_time now. Raises
        ValidationError (field, rule: the collector's own words) for an event the collector
        would reject, including an event type outside event_types.
        """
        # A copy: the caller may change its mapping once track() has returned.
        f = kwfields if fields is None else {**fields, **kwfields}
        ms = time.time_ns() // 1_000_000
        quick = self._quick_size(event_type, f, self._head_bytes, self._head_fields)
        if quick is not None:
            event_id = uuid7(ms)
            # The sender makes the line (self._line); f is nobody else's now.
            refused = self._queue.put((f, event_type, time.monotonic(), quick[0] + 1, event_id, ms, quick[1]))
        else:
            if "event_id" in f or "app_id" in f or "event_time" in f:
                event, trusted = self._event_with_given_fields(event_type, f, ms)
            else:
                event = {"event_type": event_type, "event_id": uuid7(ms), "app_id": self.app_id}
                if self._stamp:
                    event["event_time"] = self._clock.format(ms)
                event.update(f)
                trusted = _MADE_HERE
            try:
                line = self._checker.line(event, trusted)
            except _rules.ValidationError as e:
                self._queue.count_invalid()
                if self._raise_invalid:
                    raise
                self._queue.log.log(logging.WARNING, "invalid", "tracklake: event of type %r not tracked: %s",
                                    str(event_type)[:64], e)
                return None
            if self.mode == FIREHOSE:
                line = self._with_received_at(event, line, ms)
            event_id = event["event_id"]
            refused = self._queue.put((line, event_type, time.monotonic(), len(line) + 1))
        if refused == "full":
            self._queue.log.log(logging.WARNING, "dropped", "tracklake: queue full, event dropped "
                                "(stats().dropped counts them)")
            return None
        if refused:
            self._queue.log.log(logging.WARNING, "closed", "tracklake: track() after close(); event not sent")
            return None
        return event_id

    def _quick_path(self, firehose: bool) -> Callable[..., Optional[tuple]]:
        """Sets up the quick path of track() and returns its check, or one that always says
        "check in full" when the head track() makes would not pass the rules (an app_id that
        is not a valid string)."""
        self._head_fields = self._head_bytes = 0
        fields = ["event_type", "event_id", "app_id"] + (["event_time"] if self._stamp else [])
        sample = {"event_type": self.event_types[0], "event_id": "00000000-0000-7000-8000-000000000000",
                  "app_id": self.app_id, "event_time": self._clock.format(0)}
        if self._checker.check({k: sample[k] for k in fields}) is not None:
            return lambda *args: None
        # The head's bytes besides event_type's value: what the collector's size rule measures.
        self._head_fields = len(fields)
        self._head_bytes = len(_rules.encode({k: sample[k] for k in fields}).encode()) - len(self.event_types[0])
        times = ([RECEIVED_AT] if firehose else []) + (["event_time"] if self._stamp else [])
        self._head_template = '{"event_type":"%s","event_id":"%s","app_id":' \
            + _rules.encode(self.app_id).replace("%", "%%") + "".join(f',"{k}":"%s"' for k in times)
        self._head_times = len(times)
        return self._checker.quick_size

    def _line(self, queued: tuple) -> bytes:
        """The line of an event track() queued by the quick path (on the sender's thread): the
        same bytes as the full path makes, received_at included in Firehose mode."""
        fields, event_type, _, _, event_id, ms, text = queued
        if self._head_times == 0:
            head = self._head_template % (event_type, event_id)
        else:
            stamp = self._clock.format(ms)
            head = self._head_template % ((event_type, event_id, stamp) if self._head_times == 1
                                          else (event_type, event_id, stamp, stamp))
        return encode_after(head, fields, text)

    def _event_with_given_fields(self, event_type: str, f: dict, ms: int):
        """The event when the caller gave event_id, app_id or event_time: theirs are checked."""
        made = set(_MADE_HERE)
        event = {"event_type": event_type}
        if "event_id" in f:
            event["event_id"] = f.pop("event_id")
            made.discard("event_id")
        else:
            event["event_id"] = uuid7(ms)
        event["app_id"] = f.pop("app_id") if "app_id" in f else self.app_id
        if event["app_id"] is not self.app_id:
            made.discard("app_id")
        if "event_time" in f:
            event["event_time"] = f.pop("event_time")
            made.discard("event_time")
        elif self._stamp:
            event["event_time"] = self._clock.format(ms)
        event.update(f)
        return event, frozenset(made)

    def _with_received_at(self, event: dict, line: bytes, ms: int) -> bytes:
        """The line as the collector's Firehose sink writes it: event_type, event_id, app_id,
        received_at, then the other fields."""
        head = _rules.ENCODER.encode({k: event[k] for k in ("event_type", "event_id", "app_id")}).encode()[:-1]
        stamp = f',"received_at":"{self._clock.format(ms)}"'.encode()
        return head + stamp + line[len(head):]

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Waits until every event tracked before this call is delivered (or refused for good);
        False if timeout seconds passed first. None waits as long as it takes."""
        return self._queue.flush(timeout)

    def close(self, timeout: Optional[float] = None) -> bool:
        """Flushes for up to timeout (default close_timeout) and stops; later track() calls
        are dropped. True when nothing was left undelivered."""
        if self._exit_hook is not None:
            atexit.unregister(self._exit_hook)
            self._exit_hook = None
        return self._queue.close(self.close_timeout if timeout is None else timeout)

    def stats(self) -> Stats:
        return self._queue.stats()

    def __enter__(self) -> "Tracker":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def lambda_handler(self, handler: Optional[Callable] = None, *, flush_timeout: Optional[float] = None,
                       margin: float = 0.5):
        """Decorator for an AWS Lambda handler: flushes before the handler returns (or raises)."""
        from .aws_lambda import flush_on_return
        return flush_on_return(self, handler, flush_timeout=flush_timeout, margin=margin)

    def flushing(self, timeout: Optional[float] = None):
        """Context manager: flushes when the block ends (a Lambda handler's body, a batch job)."""
        from .aws_lambda import Flushing
        return Flushing(self, timeout)


def _parse_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"not a boolean: {value!r}")
