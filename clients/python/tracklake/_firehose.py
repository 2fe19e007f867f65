"""Direct Firehose mode: the design note's architecture with no collector. Each event type goes to
its own delivery stream (stream_template, default tracking-{event_type}) with PutRecordBatch.

Records are what the collector's Firehose sink sends (src/sink/firehose/firehose_records.h), so
the lake looks the same whichever path an event took: one NDJSON line per event (event_type,
event_id, app_id, received_at, then the event's fields), every record ending in '\\n'; with
aggregate=True consecutive lines share a record of up to 1,000 KiB (Firehose bills each record
rounded up to 5 KB). A call carries at most 500 records and 4 MiB.

Answers, as the collector's sink classifies them (docs/firehose.md):
  - FailedPutCount > 0: only the failed records are sent again, up to max_record_retries rounds
    with jittered backoff (0.1 s doubling); what still fails goes back to the sender's retry;
  - throttling/availability errors, 429, 5xx, no answer: the rest of the batch is retried later;
  - any other error (ResourceNotFoundException: no stream for the type, AccessDeniedException,
    a refused signature...): the records are refused for good and each event is logged, as its
    JSON line, on the logger tracklake.firehose.<event_type>: one logger per event type (the
    design note's dedicated log stream), so a CloudWatch subscription or metric filter can pick a
    type and replay its lines.

boto3 is imported here only, so collector mode needs nothing beyond the standard library.
"""
from __future__ import annotations

import logging
import random
import re
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ._sender import Outcome, QueuedEvent, RateLimitedLog

MAX_RECORD_BYTES = 1000 * 1024
MAX_RECORDS_PER_CALL = 500
MAX_BYTES_PER_CALL = 4 * 1024 * 1024
RETRYABLE_ERRORS = frozenset((
    "ThrottlingException", "LimitExceededException", "ServiceUnavailableException", "ServiceUnavailable",
    "InternalFailure", "InternalFailureException", "InternalServerError", "ResourceInUseException",
    "ExpiredTokenException", "RequestExpired", "RequestTimeout", "RequestTimeoutException"))
_STREAM_NAME = re.compile(r"[a-zA-Z0-9_.\-]{1,64}")
_RECORD_RETRY_INITIAL_S = 0.1

# A record: its bytes and the events it carries.
Record = Tuple[bytes, List[QueuedEvent]]


def stream_name(template: str, event_type: str) -> str:
    return template.replace("{event_type}", event_type)


def pack_records(events: Sequence[QueuedEvent], aggregate: bool,
                 max_record_bytes: int = MAX_RECORD_BYTES) -> Tuple[List[Record], List[QueuedEvent]]:
    """Records of newline-terminated lines (one per event, or packed while they fit), and the
    events too large to be any record."""
    records: List[Record] = []
    oversized: List[QueuedEvent] = []
    data: List[bytes] = []
    carried: List[QueuedEvent] = []
    size = 0
    for event in events:
        line = event[0] + b"\n"
        if len(line) > max_record_bytes:
            oversized.append(event)
            continue
        if carried and (not aggregate or size + len(line) > max_record_bytes):
            records.append((b"".join(data), carried))
            data, carried, size = [], [], 0
        data.append(line)
        carried.append(event)
        size += len(line)
    if carried:
        records.append((b"".join(data), carried))
    return records, oversized


def group_into_calls(records: Sequence[Record], max_records: int = MAX_RECORDS_PER_CALL,
                     max_bytes: int = MAX_BYTES_PER_CALL) -> List[List[Record]]:
    calls: List[List[Record]] = []
    size = 0
    for record in records:
        if not calls or len(calls[-1]) >= max_records or size + len(record[0]) > max_bytes:
            calls.append([])
            size = 0
        calls[-1].append(record)
        size += len(record[0])
    return calls


class _CallFailed(Exception):
    def __init__(self, code: str, retryable: bool, detail: str):
        super().__init__(detail)
        self.code = code
        self.retryable = retryable
        self.pending: List[Record] = []  # the records of the call not delivered


class FirehoseTransport:
    """Not thread-safe: used by the sender thread only."""

    @staticmethod
    def check_template(template: str, event_types: Sequence[str]) -> None:
        for t in event_types:
            name = stream_name(template, t)
            if not _STREAM_NAME.fullmatch(name):
                raise ValueError(f"stream name {name!r} (from {template!r}) is not 1 to 64 of [a-zA-Z0-9_.-]")

    def __init__(self, template: str, *, region: Optional[str], endpoint: Optional[str], aggregate: bool,
                 client: Any, timeout: float, max_record_retries: int, log: RateLimitedLog):
        if client is None:
            import boto3
            from botocore.config import Config
            # A session of its own: boto3's default session is shared by the whole process and
            # keeps the credentials it resolved first. Retries are ours, not botocore's.
            client = boto3.session.Session().client("firehose", region_name=region, endpoint_url=endpoint,
                                  config=Config(retries={"total_max_attempts": 1, "mode": "standard"},
                                                connect_timeout=timeout, read_timeout=timeout))
        from botocore.exceptions import BotoCoreError, ClientError
        self._network_errors = (BotoCoreError, OSError)
        self._client_error = ClientError
        self._client = client
        self._template = template
        self._aggregate = aggregate
        self._max_record_retries = max_record_retries
        self._logs: Dict[str, RateLimitedLog] = {}

    def _log(self, event_type: str) -> RateLimitedLog:
        if event_type not in self._logs:
            self._logs[event_type] = RateLimitedLog(logging.getLogger(f"tracklake.firehose.{event_type}"))
        return self._logs[event_type]

    def send(self, events: List[QueuedEvent]) -> Outcome:
        by_type: Dict[str, List[QueuedEvent]] = {}
        for event in events:
            by_type.setdefault(event[1], []).append(event)
        outcome = Outcome(retry=[])
        for event_type, typed in by_type.items():
            self._send_type(event_type, typed, outcome)
        if not outcome.retry:
            outcome.retry = None
        return outcome

    def _send_type(self, event_type: str, events: List[QueuedEvent], outcome: Outcome) -> None:
        stream = stream_name(self._template, event_type)
        records, oversized = pack_records(events, self._aggregate)
        if oversized:
            self._dead_letters(event_type, stream, oversized, "over the 1,000 KiB record limit")
            outcome.rejected += len(oversized)
        calls = group_into_calls(records)
        for i, call in enumerate(calls):
            try:
                left = self._put_call(event_type, stream, call, outcome)
            except _CallFailed as e:
                if e.retryable:
                    self._log(event_type).log(logging.WARNING, "retry", "tracklake: PutRecordBatch to %s failed (%s); "
                                              "will retry", stream, e)
                    outcome.retry += [ev for record in e.pending for ev in record[1]]
                    outcome.retry += [ev for later in calls[i + 1:] for record in later for ev in record[1]]
                    return
                failed = [ev for record in e.pending for ev in record[1]]
                self._dead_letters(event_type, stream, failed, str(e))
                outcome.rejected += len(failed)
                continue
            outcome.retry += [ev for record in left for ev in record[1]]

    def _put_call(self, event_type: str, stream: str, call: List[Record], outcome: Outcome) -> List[Record]:
        """Sends call, then its failed records again for up to max_record_retries rounds; returns
        the records still failing."""
        pending = call
        for round_number in range(self._max_record_retries + 1):
            if round_number:
                time.sleep(random.uniform(0, _RECORD_RETRY_INITIAL_S * 2 ** round_number))
            try:
                answers = self._put(stream, pending)
            except _CallFailed as e:
                e.pending = pending
                raise
            failed = []
            first_error = ""
            for record, answer in zip(pending, answers):
                if answer.get("ErrorCode"):
                    failed.append(record)
                    first_error = first_error or f"{answer.get('ErrorCode')}: {answer.get('ErrorMessage', '')}"
                else:
                    outcome.delivered += len(record[1])
            failed += pending[len(answers):]  # an answer that does not account for every record
            if not failed:
                return []
            self._log(event_type).log(logging.WARNING, "records", "tracklake: %d of %d records to %s failed (%s); "
                                      "sending them again", len(failed), len(pending), stream, first_error[:200])
            pending = failed
        return pending

    def _put(self, stream: str, records: List[Record]) -> List[dict]:
        try:
            answer = self._client.put_record_batch(DeliveryStreamName=stream,
                                                   Records=[{"Data": data} for data, _ in records])
        except self._client_error as e:
            error = e.response.get("Error", {})
            code = str(error.get("Code", ""))
            status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
            retryable = code in RETRYABLE_ERRORS or status == 429 or status >= 500
            raise _CallFailed(code, retryable, f"HTTP {status} {code}: {str(error.get('Message', ''))[:200]}") from None
        except self._network_errors as e:
            raise _CallFailed("", True, f"no answer: {type(e).__name__}") from None
        return answer.get("RequestResponses", [])

    def _dead_letters(self, event_type: str, stream: str, events: List[QueuedEvent], reason: str) -> None:
        # Each line is JSON (newlines escaped): one log record per event, replayable from the logs.
        logger = logging.getLogger(f"tracklake.firehose.{event_type}")
        for event in events:
            logger.error("tracklake: event not delivered to %s (%s): %s", stream, reason,
                         event[0].decode("utf-8", errors="replace"))
