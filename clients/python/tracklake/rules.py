"""The collector's per-event validation rules, in Python, so that track() refuses on the caller's
side exactly what the collector would refuse.

The rules and their texts mirror the collector's one implementation: src/validate/event_checker.cc
(order of the checks), src/validate/field_rules.{h,cc} (rule texts, event ids, the JSON number
grammar), src/event/names.cc (keys and event types) and ParseRfc3339Millis in
src/common/time_util.cc (event_time, InLakeTimeRange in time_util.h). tests/clients/test_py_rules_conformance.py feeds the same
events to this module and to the real collector and compares the (field, rule) of every event,
so a change on either side that is not made on the other fails the tests.

Like the collector, an event reports only the first rule it breaks: invalid UTF-8 first, then the
event's size, then its field count, then each field in order, then "event_type required".
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterable, Optional, Sequence, Tuple

# Rule texts that do not depend on limits (src/validate/field_rules.h).
ERR_NOT_UTF8 = "must be valid UTF-8"
ERR_DUPLICATE_KEY = "duplicate key"
ERR_REQUIRED = "required"
ERR_EVENT_TYPE_NOT_ALLOWED = "not allowed for this application"
ERR_APP_ID_MISMATCH = "does not match the application of the write key"
ERR_BAD_EVENT_ID = "must be 1 to 128 printable ASCII characters"
ERR_BAD_EVENT_TIME = "must be an RFC 3339 date-time such as 2026-11-26T06:07:15.123Z"
ERR_EVENT_TIME_OUT_OF_RANGE = "must fall within 1900-01-01 and 9999-12-31 in UTC, once its offset is applied"
ERR_EVENT_TYPE_RESERVED = "reserved: event types starting with _ are tracklake's"
ERR_RESERVED = "reserved: set by the server"
ERR_GOT = "must be a string (got {})"

MAX_EVENT_ID_BYTES = 128
EVENT_TYPE_KEY = "event_type"
EVENT_ID_KEY = "event_id"
APP_ID_KEY = "app_id"
EVENT_TIME_KEY = "event_time"
RECEIVED_AT_KEY = "received_at"
_KEYS_WITH_RULES = frozenset((EVENT_TYPE_KEY, EVENT_ID_KEY, APP_ID_KEY, EVENT_TIME_KEY))

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_EVENT_TYPE = re.compile(r"[a-z0-9_]+")
_EVENT_ID = re.compile(r"[ -~]+")
# The serialisation the client sends: compact, UTF-8 as is (the collector measures these bytes).
ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)
try:  # CPython's C encoder, made once: ENCODER.encode builds one per call (~20 % of the cost)
    from json.encoder import c_encode_basestring, c_make_encoder
    _C_ENCODE = c_make_encoder(None, ENCODER.default, c_encode_basestring, None, ":", ",", False, False, True)
except (ImportError, TypeError):
    _C_ENCODE = None


def encode(event: dict) -> str:
    """event as the compact JSON text the client sends."""
    if _C_ENCODE is None:
        return ENCODER.encode(event)
    return "".join(_C_ENCODE(event, 0))


# The bytes encode() escapes in a string (ensure_ascii=False): controls, quote, backslash. UTF-8
# never uses them inside a multi-byte character.
_ESCAPED = bytes(range(0x20)) + b'"\\'
_PAIR = '":"'.join


def encode_after(head: str, fields: dict, text: str) -> bytes:
    """The line of an event as encode() makes it: head (the JSON text of its first fields, from
    its '{', without a closing brace) then fields, whose keys are valid (nothing to escape) and
    whose values are strings; text is the keys then the values concatenated. When no value needs
    escaping (the usual event) the line is joined directly, a third of the C encoder's cost."""
    if not fields:
        return (head + "}").encode()
    raw = text.encode()
    if len(raw.translate(None, _ESCAPED)) == len(raw):
        return (head + ',"' + '","'.join(map(_PAIR, fields.items())) + '"}').encode()
    return (head + "," + encode(fields)[1:]).encode()


@dataclass(frozen=True)
class Rules:
    """The collector's validation.* limits; the defaults are the collector's defaults."""
    max_fields: int = 256
    max_event_bytes: int = 32 * 1024
    max_key_bytes: int = 128
    max_event_type_bytes: int = 64

    # The rule texts that depend on the limits (MakeValidationMessages).
    @property
    def event_too_large(self) -> str:
        return f"event is larger than {self.max_event_bytes} bytes"

    @property
    def too_many_fields(self) -> str:
        return f"too many fields (at most {self.max_fields})"

    @property
    def bad_key(self) -> str:
        tail = 0 if self.max_key_bytes == 0 else self.max_key_bytes - 1
        return f"key must match [A-Za-z_][A-Za-z0-9_.-]{{0,{tail}}}"

    @property
    def bad_event_type(self) -> str:
        return f"must match [a-z0-9_]{{1,{self.max_event_type_bytes}}}"


class ValidationError(ValueError):
    """An event the collector would reject: `field` ("" for the event as a whole) and `rule`,
    the collector's own words."""

    def __init__(self, field: str, rule: str):
        super().__init__(f"{field}: {rule}" if field else rule)
        self.field = field
        self.rule = rule


def is_valid_key(key: str, max_bytes: int) -> bool:
    return 0 < len(key) <= max_bytes and _KEY.fullmatch(key) is not None


def is_valid_event_type(value: str, max_bytes: int) -> bool:
    return 0 < len(value) <= max_bytes and _EVENT_TYPE.fullmatch(value) is not None


def is_valid_event_id(value: str) -> bool:
    return len(value) <= MAX_EVENT_ID_BYTES and _EVENT_ID.fullmatch(value) is not None


def truncate_utf8(text: str, max_bytes: int) -> str:
    """The longest prefix of text of at most max_bytes UTF-8 bytes (TruncateUtf8)."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    return data[:max_bytes].decode("utf-8", errors="ignore")


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return type(value).__name__  # not JSON at all: named by its Python type


def _days_in_month(y: int, m: int) -> int:
    if m == 2 and (y % 4 == 0 and y % 100 != 0 or y % 400 == 0):
        return 29
    return (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[m - 1]


# ParseRfc3339Millis's grammar: date, 'T' (or 't' or ' '), time, optional fraction, then 'Z', 'z'
# or a +hh:mm/-hh:mm offset. ASCII digits only; ranges are checked after the match.
_RFC3339 = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]+)?"
                      r"(?:[Zz]|[+-]([0-9]{2}):([0-9]{2}))")


def _days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date, year 0 included (DaysFromCivil)."""
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def rfc3339_utc_seconds(s: str) -> Optional[int]:
    """ParseRfc3339Millis, in whole UTC seconds (the fraction only adds 0-999 ms): impossible dates
    refused, second 60 read as 59, offsets up to 23:59; None when s is not such a date-time."""
    m = _RFC3339.fullmatch(s)
    if m is None:
        return None
    y, mo, d, h, mi, se = (int(g) for g in m.groups()[:6])
    if not 1 <= mo <= 12 or not 1 <= d <= _days_in_month(y, mo) or h > 23 or mi > 59 or se > 60:
        return None
    oh, om = m.group(7), m.group(8)
    offset = 0
    if oh is not None:
        if int(oh) > 23 or int(om) > 59:
            return None
        offset = (int(oh) * 60 + int(om)) * (-1 if s[-6] == "-" else 1)
    return _days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + min(se, 59) - offset * 60


def is_rfc3339(s: str) -> bool:
    return rfc3339_utc_seconds(s) is not None


# InLakeTimeRange (src/common/time_util.h): 1900-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z, the
# timestamps every lake reader takes (Spark refuses earlier ones, pyarrow and DuckDB years past 9999).
MIN_LAKE_SECONDS = -2_208_988_800
MAX_LAKE_SECONDS = 253_402_300_799


_STRINGS_ONLY = {str}


def _only_strings(event: dict) -> bool:
    return set(map(type, event.values())) == _STRINGS_ONLY


def _first_unencodable(fields: Iterable[Tuple[str, Any]]) -> str:
    for key, value in fields:
        for text in (key, value):
            if isinstance(text, str):
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    return key
    return ""


class Checker:
    """Applies the rules for one application. Thread-safe: the only state is a bounded cache of
    keys already found valid (a set, replaced whole when full), which a race can only make miss."""

    _MAX_KNOWN_KEYS = 4096

    def __init__(self, rules: Rules = Rules(), app_id: str = "",
                 allowed_event_types: Optional[Sequence[str]] = None):
        self.rules = rules
        self.app_id = app_id
        self.allowed = frozenset(allowed_event_types or ())
        # Allowed types that match the pattern: an event type among them needs no other check.
        self._allowed_valid = frozenset(t for t in self.allowed
                                        if is_valid_event_type(t, rules.max_event_type_bytes) and not t.startswith("_"))
        self._known_keys: set = set()
        self._plain_keys: set = set()  # of those, the keys without rules of their own
        # Rendered once, as the collector does.
        self._bad_key = rules.bad_key
        self._bad_event_type = rules.bad_event_type

    def line(self, event: dict, trusted: frozenset = frozenset()) -> bytes:
        """The event as the NDJSON line the client sends (without its newline), or
        ValidationError naming the first rule it breaks. event's order is the wire order.
        trusted: keys whose values the caller made itself and knows valid (a fresh event_id, its
        own app_id, an event_time it formatted), whose value rules are skipped."""
        try:
            line = encode(event).encode("utf-8")
        except UnicodeEncodeError:
            # A lone surrogate: the collector refuses the line as not UTF-8 without naming a
            # field; the client can say which one.
            raise ValidationError(_first_unencodable(event.items()), ERR_NOT_UTF8) from None
        except (TypeError, ValueError):
            line = None  # a value JSON cannot hold: named by the field checks below
        if line is not None and len(line) > self.rules.max_event_bytes:
            raise ValidationError("", self.rules.event_too_large)
        if len(event) > self.rules.max_fields:
            raise ValidationError("", self.rules.too_many_fields)
        self._check_fields(event, trusted)
        assert line is not None  # every value is a string once the field checks pass
        return line

    def quick_size(self, event_type: Any, fields: dict, head_bytes: int,
                   head_fields: int) -> Optional[Tuple[int, str]]:
        """Whether an event surely passes line(), told from a few C-level operations, without
        encoding it: (size, text), or None when only line() can tell.

        The event is a head then fields. The head is event_type (checked here: one of the allowed
        types) and fields the caller made valid itself (a fresh event_id, its own app_id, an
        event_time it formatted): head_fields fields, head_bytes bytes of JSON with both braces,
        besides event_type's value. Sure means: every key of fields found valid before and none
        with a rule of its own, every value a string, all of it valid UTF-8, within the field
        count, and within the size even if every character of the values had to be escaped.
        size: the line's bytes when no value needs escaping (the usual event; fewer than the
        line's otherwise); text: the keys then the values concatenated, for encode_after."""
        if type(event_type) is not str or event_type not in self._allowed_valid \
                or not self._plain_keys.issuperset(fields):
            return None
        try:
            text = "".join([*fields, *fields.values()])  # one join: cheaper than keys and values apart
        except TypeError:  # a value that is not a string
            return None
        count = len(fields)
        if count + head_fields > self.rules.max_fields:
            return None
        if text.isascii():
            text_bytes = len(text)
        else:
            try:
                text_bytes = len(text.encode())
            except UnicodeEncodeError:  # a lone surrogate
                return None
        # ,"key":"value" per field; an escape makes one character at most 6 bytes (\u001f), and
        # keys have none.
        size = head_bytes + len(event_type) + 6 * count + text_bytes
        if size + 5 * len(text) > self.rules.max_event_bytes:
            return None
        return size, text

    def check(self, event: dict) -> Optional[Tuple[str, str]]:
        """(field, rule) of the first rule event breaks, or None."""
        try:
            self.line(event)
        except ValidationError as e:
            return e.field, e.rule
        return None

    def _check_fields(self, event: dict, trusted: frozenset) -> None:
        if self._known_keys.issuperset(event) and _only_strings(event):
            # Fast path (every key seen valid before, every value a string): only the values of
            # the keys with rules of their own remain, in field order.
            for key in [k for k in event if k in _KEYS_WITH_RULES]:
                if key not in trusted:
                    self._check_value(key, event[key])
            if EVENT_TYPE_KEY not in event:
                raise ValidationError(EVENT_TYPE_KEY, ERR_REQUIRED)
            return
        rules = self.rules
        known = self._known_keys
        has_event_type = False
        for key, value in event.items():
            if key not in known:
                if not isinstance(key, str) or not is_valid_key(key, rules.max_key_bytes):
                    raise ValidationError(truncate_utf8(str(key), rules.max_key_bytes), self._bad_key)
                if key == RECEIVED_AT_KEY:
                    raise ValidationError(key, ERR_RESERVED)
                if len(known) >= self._MAX_KNOWN_KEYS:
                    known = self._known_keys = set()
                    self._plain_keys = set()
                known.add(key)
                if key not in _KEYS_WITH_RULES:
                    self._plain_keys.add(key)
            if type(value) is not str and not isinstance(value, str):
                raise ValidationError(key, ERR_GOT.format(_type_name(value)))
            if key in _KEYS_WITH_RULES:
                if key not in trusted:
                    self._check_value(key, value)
                has_event_type = has_event_type or key == EVENT_TYPE_KEY
        if not has_event_type:
            raise ValidationError(EVENT_TYPE_KEY, ERR_REQUIRED)

    def _check_value(self, key: str, value: str) -> None:
        if key == EVENT_TYPE_KEY:
            if value in self._allowed_valid:
                return
            if not is_valid_event_type(value, self.rules.max_event_type_bytes):
                raise ValidationError(key, self._bad_event_type)
            if value.startswith("_"):
                raise ValidationError(key, ERR_EVENT_TYPE_RESERVED)
            if self.allowed and value not in self.allowed:
                raise ValidationError(key, ERR_EVENT_TYPE_NOT_ALLOWED)
        elif key == EVENT_ID_KEY:
            if not is_valid_event_id(value):
                raise ValidationError(key, ERR_BAD_EVENT_ID)
        elif key == APP_ID_KEY:
            if self.app_id and value != self.app_id:
                raise ValidationError(key, ERR_APP_ID_MISMATCH)
        else:  # event_time
            seconds = rfc3339_utc_seconds(value)
            if seconds is None:
                raise ValidationError(key, ERR_BAD_EVENT_TIME)
            if not MIN_LAKE_SECONDS <= seconds <= MAX_LAKE_SECONDS:
                raise ValidationError(key, ERR_EVENT_TIME_OUT_OF_RANGE)
