"""Sending from AWS Lambda without losing events.

Between invocations Lambda freezes the execution environment: background threads make no
progress, and an environment may be frozen and then discarded without warning. Events still in the
queue when the handler returns may therefore never leave. The pattern:

    tracker = tracklake.Tracker.from_env()        # module level: reused by warm invocations

    @tracker.lambda_handler
    def handler(event, context):
        tracker.track("order_placed", order_id=event["id"])
        return {"ok": True}

The wrapper flushes before the handler returns (and when it raises), bounded by the invocation's
remaining time minus a margin, so everything tracked in an invocation is acknowledged before
the environment can be frozen. A reused environment keeps its tracker, connection and sender
thread; a request a previous freeze interrupted is retried, and the client's event ids keep the
retry from creating duplicates.
"""
from __future__ import annotations

import functools
import logging
from typing import Any, Callable, Optional

logger = logging.getLogger("tracklake")


def flush_budget(context: Any, flush_timeout: Optional[float], margin: float, default: float) -> float:
    """Seconds the flush may take: flush_timeout (default: default), and never past the
    invocation's deadline minus margin when context tells it."""
    budget = default if flush_timeout is None else flush_timeout
    remaining_ms = getattr(context, "get_remaining_time_in_millis", None)
    if callable(remaining_ms):
        budget = min(budget, remaining_ms() / 1000.0 - margin)
    return max(0.0, budget)


def _flush(tracker: Any, timeout: float) -> None:
    if not tracker.flush(timeout):
        s = tracker.stats()
        logger.error("tracklake: flush did not finish within %.1f s; %d events still queued "
                     "(they are sent on the next invocation if this environment is reused)", timeout, s.queued)


def flush_on_return(tracker: Any, handler: Optional[Callable] = None, *, flush_timeout: Optional[float] = None,
                    margin: float = 0.5):
    """Decorator (with or without arguments) for a handler(event, context)."""
    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(event: Any, context: Any = None, *args: Any, **kwargs: Any) -> Any:
            try:
                return fn(event, context, *args, **kwargs)
            finally:
                _flush(tracker, flush_budget(context, flush_timeout, margin, tracker.close_timeout))
        return wrapper
    return decorate(handler) if handler is not None else decorate


class Flushing:
    """`with tracker.flushing(timeout):` flushes when the block ends, however it ends."""

    def __init__(self, tracker: Any, timeout: Optional[float]):
        self._tracker = tracker
        self._timeout = tracker.close_timeout if timeout is None else timeout

    def __enter__(self) -> Any:
        return self._tracker

    def __exit__(self, *exc: Any) -> None:
        _flush(self._tracker, self._timeout)
