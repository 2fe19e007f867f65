"""Collector mode: batches as gzip NDJSON POSTs to the collector's /v1/events over one
keep-alive connection (standard library only).

Answers (README, "Sending events"):
  2xx            delivered; events listed in "rejected" are refused for good (the collector
                 keeps them in its dead-letter area), and logged by field and rule
  429, 503, 5xx,
  no answer      sent again later, not before Retry-After
  401, 403       the write key is refused: kept and sent again later (a key is fixed by its
                 operator, not by dropping events), logged
  413            the batch is split in two and sent again at once; one event alone is refused
  other 4xx      refused for good, logged
"""
from __future__ import annotations

import email.utils
import http.client
import json
import logging
import ssl
import time
import zlib
from typing import List, Optional
from urllib.parse import urlsplit

from ._sender import Outcome, QueuedEvent, RateLimitedLog

DEFAULT_PATH = "/v1/events"


def parse_retry_after(value: Optional[str], now: Optional[float] = None) -> Optional[float]:
    """Seconds from a Retry-After header (delay-seconds or an HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def gzip_bytes(data: bytes, level: int = 1) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)  # 31: a gzip member
    return compressor.compress(data) + compressor.flush()


class CollectorTransport:
    """Not thread-safe: used by the sender thread only."""

    def __init__(self, endpoint: str, write_key: Optional[str], *, ca_file: Optional[str], compress: bool,
                 timeout: float, user_agent: str, log: RateLimitedLog):
        url = urlsplit(endpoint)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(f"endpoint must be an http:// or https:// URL, not {endpoint!r}")
        self._tls = url.scheme == "https"
        self._host = url.hostname
        self._port = url.port
        self._path = url.path if url.path not in ("", "/") else DEFAULT_PATH
        self._ssl = ssl.create_default_context(cafile=ca_file) if self._tls else None
        self._timeout = timeout
        self._compress = compress
        self._headers = {"Content-Type": "application/x-ndjson", "User-Agent": user_agent}
        if compress:
            self._headers["Content-Encoding"] = "gzip"
        if write_key:
            self._headers["Authorization"] = f"Bearer {write_key}"
        self._conn: Optional[http.client.HTTPConnection] = None
        self._log = log

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self._tls:
                self._conn = http.client.HTTPSConnection(self._host, self._port, timeout=self._timeout,
                                                         context=self._ssl)
            else:
                self._conn = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def send(self, events: List[QueuedEvent]) -> Outcome:
        body = b"\n".join(e[0] for e in events) + b"\n"
        if self._compress:
            body = gzip_bytes(body)
        resent = 0
        for attempt in range(2):
            reused = self._conn is not None
            try:
                conn = self._connection()
                conn.request("POST", self._path, body=body, headers=self._headers)
                response = conn.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                outcome = self._classify(events, response.status, response.getheader("Retry-After"), data)
                outcome.resent = resent
                return outcome
            except (OSError, http.client.HTTPException) as e:
                # Refused, reset, timed out, or the server closed a kept-alive connection (the
                # collector's idle timeout; a Lambda thawed after a long freeze): a reused
                # connection gets one fresh try at once. The events carry their ids, so sending
                # them again cannot duplicate them.
                self.close()
                if reused and attempt == 0:
                    resent = 1
                    continue
                self._log.log(logging.WARNING, "network", "tracklake: collector unreachable (%s); will retry",
                              type(e).__name__)
                break
        return Outcome(retry=events, resent=resent)

    def _classify(self, events: List[QueuedEvent], status: int, retry_after: Optional[str],
                  data: bytes) -> Outcome:
        if 200 <= status < 300 or (status == 400 and data.startswith(b'{"accepted"')):
            rejected = self._rejections(data, len(events))
            return Outcome(delivered=len(events) - rejected, rejected=rejected)
        if status in (429, 401, 403) or status >= 500:
            level = logging.ERROR if status in (401, 403) else logging.WARNING
            self._log.log(level, f"http{status}", "tracklake: collector answered HTTP %d (%s); will retry",
                          status, _error_text(data))
            return Outcome(retry=events, retry_after=parse_retry_after(retry_after))
        if status == 413 and len(events) > 1:
            return Outcome(retry=events, split=True)
        self._log.log(logging.ERROR, f"http{status}", "tracklake: collector refused %d events with HTTP %d (%s)",
                      len(events), status, _error_text(data))
        return Outcome(rejected=len(events))

    def _rejections(self, data: bytes, sent: int) -> int:
        try:
            answer = json.loads(data)
            rejected = answer.get("rejected") or []
        except (ValueError, AttributeError):
            return 0
        if rejected:
            first = rejected[0]
            # Field names and rule texts only: event values never reach a log.
            self._log.log(logging.WARNING, "rejected",
                          "tracklake: collector rejected %d of %d events (first: field %r, %s)",
                          len(rejected), sent, str(first.get("field", ""))[:128], str(first.get("error", ""))[:200])
        return min(len(rejected), sent)


def _error_text(data: bytes) -> str:
    try:
        return str(json.loads(data).get("error", ""))[:200]
    except (ValueError, AttributeError):
        return ""
