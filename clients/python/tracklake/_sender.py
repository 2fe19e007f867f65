"""The queue between track() and the network, and the background thread that empties it.

track() appends to a bounded deque under a lock held for a few operations (no I/O, no system
call; a waiting sender is woken only when a batch is full). What it appends is either the
event's line or what the sender makes it from (the encoder given to SendQueue), so that JSON
encoding need not run on the caller's thread. One sender thread takes batches by count, bytes or
age, encodes them and hands them to a transport (collector HTTP or Firehose) without the lock, and
retries what the transport says is worth retrying, with exponential backoff and full jitter, at
least as long as the server's Retry-After. Events are finished in order, so flush() waits for
exactly the events tracked before it was called.
"""
from __future__ import annotations

import logging
import random
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, List, Optional, Tuple

from ._ids import top_up as top_up_ids

# One event as transports see it: its bytes as sent, its event type, when it was queued
# (monotonic seconds).
QueuedEvent = Tuple[bytes, str, float]
# One event in the queue: its line (bytes) or what the encoder makes it from, its event type,
# when it was queued, its size in bytes with the newline (the line's, or close to it), then
# whatever else the encoder needs (one flat tuple: one allocation per event).
Queued = Tuple[Any, ...]

_INITIAL_BACKOFF_S = 0.1
# Events encoded between two GIL hand-overs (~0.25 ms of encoding for 1 KB events), and the
# sleep that hands it over: a real one, since sleep(0) or sched_yield() may return before a
# waiting thread on another core has woken, and the sender would take the GIL back.
_ENCODE_SLICE = 50
_GIL_HANDOVER_S = 0.00005
_MAX_RETRY_AFTER_S = 600.0


@dataclass
class Outcome:
    """What a transport did with a batch: events delivered, events refused for good, events to
    send again (after retry_after seconds at least, when the server said so)."""
    delivered: int = 0
    rejected: int = 0
    retry: Optional[List[QueuedEvent]] = None
    retry_after: Optional[float] = None
    split: bool = False  # send `retry` again at once, as two halves (the batch was too large)
    resent: int = 0      # requests the transport itself sent again (a stale kept-alive connection)


@dataclass(frozen=True)
class Stats:
    """Counters since the tracker was made. queued: tracked, not yet finished; delivered:
    acknowledged by the collector or Firehose; rejected: refused for good by the server (the
    collector keeps them in its dead-letter area); dropped: not queued because the queue was full;
    invalid: refused by track()'s validation; retries: batches sent again; abandoned: still
    undelivered when close() gave up."""
    queued: int
    delivered: int
    rejected: int
    dropped: int
    invalid: int
    retries: int
    abandoned: int


def backoff_delay(attempt: int, max_backoff: float, retry_after: Optional[float], rng=random) -> float:
    """Full jitter (uniform in [0, min(max, 0.1 s * 2^attempt)]), never below Retry-After."""
    delay = rng.uniform(0, min(max_backoff, _INITIAL_BACKOFF_S * (2 ** min(attempt, 30))))
    if retry_after is not None:
        delay = max(delay, min(retry_after, _MAX_RETRY_AFTER_S))
    return delay


class RateLimitedLog:
    """At most one line per key and interval; the next one says how many were left out."""

    def __init__(self, logger: logging.Logger, interval_s: float = 10.0):
        self._logger = logger
        self._interval = interval_s
        self._last = {}
        self._lock = threading.Lock()

    def log(self, level: int, key: str, msg: str, *args, **kwargs) -> None:
        now = time.monotonic()
        with self._lock:
            last, suppressed = self._last.get(key, (None, 0))
            if last is not None and now - last < self._interval:
                self._last[key] = (last, suppressed + 1)
                return
            self._last[key] = (now, 0)
        if suppressed:
            msg += " (%d similar messages left out)"
            args += (suppressed,)
        self._logger.log(level, msg, *args, **kwargs)


class SendQueue:
    """The bounded queue and its sender thread. Thread-safe."""

    def __init__(self, transport_factory: Callable[[], object], encode: Callable[[Queued], bytes], *,
                 batch_events: int, batch_bytes: int, batch_age: float, max_queue_events: int,
                 max_queue_bytes: int, max_backoff: float, logger: logging.Logger):
        self._transport_factory = transport_factory
        self._encode = encode
        self._transport = None
        self.batch_events = batch_events
        self.batch_bytes = batch_bytes
        self.batch_age = batch_age
        self.max_queue_events = max_queue_events
        self.max_queue_bytes = max_queue_bytes
        self.max_backoff = max_backoff
        self.log = RateLimitedLog(logger)
        self._reset()

    def _reset(self) -> None:
        """Fresh state (also in a forked child: its parent sends what was queued before the fork)."""
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._items: deque = deque()
        self._bytes = 0
        self._woken = False
        self._thread: Optional[threading.Thread] = None
        self._enqueued = 0   # events ever queued
        self._finished = 0   # of those, delivered, rejected or abandoned (in order)
        self._flushers = 0
        self._closing = False
        self._abandon = False
        self._counts = dict(delivered=0, rejected=0, dropped=0, invalid=0, retries=0, abandoned=0)

    def after_fork_in_child(self) -> None:
        self._reset()
        self._transport = None  # its connection belongs to the parent

    # --- the caller's side

    def put(self, event: Queued) -> Optional[str]:
        """Queues event; otherwise says why ("closed", or "full": counted as dropped)."""
        with self._lock:
            if self._closing:
                return "closed"
            items = self._items
            count = len(items) + 1
            size = self._bytes + event[3]
            if count > self.max_queue_events or size > self.max_queue_bytes:
                self._counts["dropped"] += 1
                return "full"
            items.append(event)
            self._bytes = size
            self._enqueued += 1
            if not self._woken and (count >= self.batch_events or size >= self.batch_bytes):
                self._woken = True
                self._cond.notify()
            if self._thread is None:
                self._start_locked()
        return None

    def count_invalid(self) -> None:
        with self._lock:
            self._counts["invalid"] += 1

    def flush(self, timeout: Optional[float]) -> bool:
        """Waits until every event queued before the call is finished; False on timeout."""
        with self._cond:
            target = self._enqueued
            if self._finished >= target:
                return True
            self._flushers += 1
            self._cond.notify_all()
            try:
                return self._cond.wait_for(lambda: self._finished >= target, timeout)
            finally:
                self._flushers -= 1

    def close(self, timeout: Optional[float]) -> bool:
        """Refuses new events, sends what is queued for up to timeout, then gives up on the rest
        (counted as abandoned). True when nothing was left behind."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
            done = self._cond.wait_for(lambda: self._finished >= self._enqueued, timeout)
            left = self._enqueued - self._finished
            if not done:
                # Given up on here, once: a request still on the wire may yet succeed, but it is
                # no longer known to, and the sender counts nothing more.
                self._abandon = True
                self._counts["abandoned"] += left
                self._finished = self._enqueued
                self._items.clear()
                self._bytes = 0
                self._cond.notify_all()
            thread = self._thread
        if not done:
            self.log.log(logging.ERROR, "abandon", "tracklake: %d events not delivered at close", left)
        elif thread is not None:
            thread.join(timeout=1.0)
        return done

    def stats(self) -> Stats:
        with self._lock:
            return Stats(queued=self._enqueued - self._finished, **self._counts)

    # --- the sender thread

    def _start_locked(self) -> None:
        self._thread = threading.Thread(target=self._run, name="tracklake-sender", daemon=True)
        self._thread.start()

    def _next_batch(self) -> Optional[List[Queued]]:
        with self._cond:
            while True:
                if self._abandon:
                    return None
                items = self._items
                now = time.monotonic()
                if items:
                    if (len(items) >= self.batch_events or self._bytes >= self.batch_bytes or self._flushers
                            or self._closing or now - items[0][2] >= self.batch_age):
                        return self._take_locked()
                    timeout = items[0][2] + self.batch_age - now
                elif self._closing:
                    return None
                else:
                    # Idle: poll instead of asking track() to wake us, so track() never signals
                    # for the first event of a batch.
                    timeout = self.batch_age
                self._cond.wait(timeout)

    def _take_locked(self) -> List[Queued]:
        items = self._items
        batch = []
        size = 0
        while items and len(batch) < self.batch_events:
            event = items[0]
            if batch and size + event[3] > self.batch_bytes:
                break
            items.popleft()
            batch.append(event)
            size += event[3]
        self._bytes -= size
        self._woken = False
        return batch

    def _run(self) -> None:
        while True:
            batch = self._next_batch()
            if batch is None:
                return
            self._deliver(self._encoded(batch))

    def _encoded(self, batch: List[Queued]) -> List[QueuedEvent]:
        """The batch's lines, made a slice at a time: between slices the sender sleeps a moment,
        so that a caller waiting for the GIL takes it now rather than after the interpreter's
        switch interval (5 ms), or after the whole batch (~2.5 ms of encoding for 500 1 KB events)."""
        top_up_ids()
        encode = self._encode
        events: List[QueuedEvent] = []
        for start in range(0, len(batch), _ENCODE_SLICE):
            if start:
                time.sleep(_GIL_HANDOVER_S)
            events += [(item[0] if type(item[0]) is bytes else encode(item), item[1], item[2])
                       for item in batch[start:start + _ENCODE_SLICE]]
        return events

    def _deliver(self, batch: List[QueuedEvent]) -> None:
        pending = [batch]
        attempt = 0
        while pending:
            events = pending.pop(0)
            try:
                if self._transport is None:
                    self._transport = self._transport_factory()
                outcome = self._transport.send(events)
            except Exception:  # a bug in a transport must not kill the sender and lose the queue
                self.log.log(logging.ERROR, "transport", "tracklake: sending failed unexpectedly; will retry",
                             exc_info=True)
                outcome = Outcome(retry=events)
            with self._cond:
                if self._abandon:
                    return
                self._counts["retries"] += outcome.resent
                self._counts["delivered"] += outcome.delivered
                self._counts["rejected"] += outcome.rejected
                self._finished += outcome.delivered + outcome.rejected
                self._cond.notify_all()
            if not outcome.retry:
                attempt = 0
                continue
            if outcome.split and len(outcome.retry) > 1:
                half = len(outcome.retry) // 2
                pending[:0] = [outcome.retry[:half], outcome.retry[half:]]
                continue
            attempt += 1
            with self._cond:
                self._counts["retries"] += 1
                delay = backoff_delay(attempt, self.max_backoff, outcome.retry_after)
                if self._cond.wait_for(lambda: self._abandon, delay):
                    return
            pending.insert(0, outcome.retry)
