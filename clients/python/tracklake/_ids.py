"""Event ids (UUIDv7, RFC 9562) and RFC 3339 timestamps, cheap enough for track().

Ids need uniqueness, not secrecy. The random part of an id (74 bits, formatted with its dashes and
variant) comes from a pool made 1,024 at a time from a Mersenne Twister seeded by the OS, so no id
costs a system call; the text of the millisecond is cached. Taking an id is one list.pop(), atomic
under the GIL, so two threads can never take the same random part; the sender thread keeps the
pool filled (top_up), so the caller's thread seldom makes a batch of them. A forked child empties the
pool and reseeds, or parent and child would hand out the same ids. Ids are not ordered within a
millisecond (RFC 9562 leaves that optional; the collector's ids are not either).
"""
from __future__ import annotations

import os
import random
import struct
import time
from typing import List, Tuple

_rng = random.Random()
_POOL_IDS = 1024
_pool: List[str] = []
# 10 random bytes per id: 20 hex digits, of which 19 are used: rand_a (3), then the variant
# digit (the low nibble of byte 1, forced to 10xx: 8, 9, a or b) and 3 digits, then 12.
_VARIANT = bytes((b & 0xF3) | 0x08 for b in range(256))
_GROUPS = struct.Struct("3s4s12sx")
_prefix: Tuple[int, str] = (-1, "")


def _reseed() -> None:
    _rng.seed(os.urandom(32))
    _pool.clear()


_reseed()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reseed)


def _refill() -> None:
    raw = bytearray(_rng.getrandbits(80 * _POOL_IDS).to_bytes(10 * _POOL_IDS, "little"))
    raw[1::10] = raw[1::10].translate(_VARIANT)
    # C loops only: ~2,600 instructions per id where formatting each id costs ~12,000.
    _pool.extend(map(bytes.decode, map(b"-".join, _GROUPS.iter_unpack(raw.hex().encode()))))


def top_up() -> None:
    """Refills the pool before it runs dry, so that track() seldom pays for a refill (the sender
    thread calls this between batches)."""
    if len(_pool) < _POOL_IDS:
        _refill()


def uuid7(ms: int) -> str:
    """A fresh UUIDv7 for Unix time ms, in its 36-character text form."""
    global _prefix
    prefix = _prefix
    if prefix[0] != ms:  # the cache is one tuple, replaced whole: a race only formats it twice
        h = "%012x" % (ms & 0xFFFFFFFFFFFF)
        prefix = _prefix = (ms, f"{h[:8]}-{h[8:]}-7")
    while True:
        try:
            return prefix[1] + _pool.pop()
        except IndexError:
            _refill()


class Rfc3339:
    """Formats milliseconds as 2026-11-26T06:07:15.123Z; the part up to the second is cached,
    since consecutive events mostly share it. Thread-safe: the cache is one tuple, replaced whole."""

    def __init__(self) -> None:
        self._cached = (-1, "")

    def format(self, ms: int) -> str:
        second, milli = divmod(ms, 1000)
        cached_second, prefix = self._cached
        if second != cached_second:
            prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._cached = (second, prefix)
        return f"{prefix}.{milli:03d}Z"
