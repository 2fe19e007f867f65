"""Event ids (UUIDv7, RFC 9562) and RFC 3339 timestamps, cheap enough for track().

Ids need uniqueness, not secrecy: a Mersenne Twister seeded from the OS gives 74 random bits per
id with no system call. A forked child gets a fresh seed (os.register_at_fork), or parent and
child would hand out the same ids.
"""
from __future__ import annotations

import os
import random
import time

_rng = random.Random()


def _reseed() -> None:
    _rng.seed(os.urandom(32))


_reseed()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reseed)

_RAND_B_BITS = 62
_RAND_B_MASK = (1 << _RAND_B_BITS) - 1


def uuid7(ms: int) -> str:
    """A fresh UUIDv7 for Unix time ms, in its 36-character text form."""
    r = _rng.getrandbits(12 + _RAND_B_BITS)
    value = (ms & 0xFFFFFFFFFFFF) << 80 | 0x7 << 76 | (r >> _RAND_B_BITS) << 64 | 0b10 << 62 | (r & _RAND_B_MASK)
    h = "%032x" % value
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


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


def now_ms() -> int:
    return time.time_ns() // 1_000_000
