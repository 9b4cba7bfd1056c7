"""Value rules shared by the aggregates: time zones, instants, business dates, text."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import InvalidValue
from domain.limits import MAX_NAME, MAX_TEXT, MAX_URL, MAX_YEAR, MIN_YEAR
from domain.model.statuses import StakeholderKind, one_of

STAKEHOLDER_KINDS = tuple(StakeholderKind)
# Character classes as regex text (``\\xHH``, ``\\uHHHH``), so the web schemas state the same rules as patterns.
CONTROL_CHARACTERS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 (but tab and newlines), DEL and C1 controls
# What str.strip() removes: a text of only these is empty.
SPACE_CHARACTERS = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
LINE_BREAKS = r"\t\n\r"  # a name is one line
_CONTROL = re.compile(f"[{CONTROL_CHARACTERS}]")
_SURROGATE = re.compile(
    r"[\ud800-\udfff]"
)  # a lone surrogate (JSON "\ud800") is not text: it cannot be stored as UTF-8
# Invisible characters that make a name look like another: bidi embeddings, overrides and isolates,
# zero-width space, word joiner, byte-order mark. (ZWJ/ZWNJ stay: some scripts need them.)
INVISIBLE_CHARACTERS = r"\u200b\u2060\ufeff\u202a-\u202e\u2066-\u2069"
_INVISIBLE = re.compile(f"[{INVISIBLE_CHARACTERS}]")
HHMM_PATTERN = r"^([01][0-9]|2[0-3]):([0-5][0-9])$"
_HHMM = re.compile(HHMM_PATTERN)


def check_timezone(name: str, field: str = "timezone") -> str:
    if not isinstance(name, str) or not name or name != name.strip() or ("/" not in name and name != "UTC"):
        raise InvalidValue(field, f"{name!r} is not an IANA time zone such as Europe/Rome or Asia/Shanghai")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidValue(field, f"{name!r} is not an IANA time zone such as Europe/Rome or Asia/Shanghai") from error
    return name


def check_instant(value: datetime, field: str) -> datetime:
    """An instant must carry its offset: a naive time is ambiguous across Europe and China."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InvalidValue(field, "must be a date-time with a time-zone offset, e.g. 2020-12-03T09:30:00+01:00")
    return value


def utc(value: datetime) -> datetime:
    return check_instant(value, "instant").astimezone(UTC)


def check_date(value: date, field: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidValue(field, "must be a calendar date YYYY-MM-DD")
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise InvalidValue(field, f"must lie between the years {MIN_YEAR} and {MAX_YEAR}")
    return value


def check_text(value: str | None, field: str, *, limit: int = MAX_TEXT, required: bool = False) -> str | None:
    """Plain text: trimmed, length-bounded, no control characters (newlines and tabs are fine)."""
    if value is None:
        if required:
            raise InvalidValue(field, "is required")
        return None
    if not isinstance(value, str):
        raise InvalidValue(field, "must be text")
    value = value.strip()
    if required and not value:
        raise InvalidValue(field, "must not be empty")
    if len(value) > limit:
        raise InvalidValue(field, f"must be at most {limit} characters (got {len(value)})")
    if _CONTROL.search(value):
        raise InvalidValue(field, "must not contain control characters")
    if _SURROGATE.search(value):
        raise InvalidValue(field, "must be valid Unicode text (it holds a lone surrogate code point)")
    return value


def check_name(value: str, field: str = "name") -> str:
    """A single line, in Unicode NFC, so "Málaga" typed with a combining accent is the same name as "Málaga"."""
    checked = check_text(value, field, limit=MAX_NAME, required=True)
    if "\n" in checked or "\r" in checked or "\t" in checked:
        raise InvalidValue(field, "must be a single line")
    if _INVISIBLE.search(checked):
        raise InvalidValue(
            field, "must not contain invisible formatting characters (bidi overrides, zero-width spaces)"
        )
    checked = unicodedata.normalize("NFC", checked)
    if len(checked) > MAX_NAME:
        raise InvalidValue(field, f"must be at most {MAX_NAME} characters (got {len(checked)})")
    return checked


WEB_SCHEMES = ("http", "https")


def is_web_link(value: str | None) -> bool:
    """An http(s) link with a host: what a browser or calendar may open without running anything."""
    if not isinstance(value, str) or any(c.isspace() or unicodedata.category(c) == "Cc" for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:  # an unbalanced IPv6 bracket
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.hostname)


def check_url(value: str | None, field: str = "url") -> str | None:
    """Links are opened by browsers and calendar clients: javascript:, data: or file: would run or read."""
    checked = check_text(value, field, limit=MAX_URL)
    if checked is not None and not is_web_link(checked):
        raise InvalidValue(field, "must be an http:// or https:// link such as https://meet.example/rome-yantai")
    return checked


def check_stakeholder_kind(kind: str, field: str = "kind") -> StakeholderKind:
    return one_of(StakeholderKind, kind, field, " (the triple helix)")


def check_working_hours(hours: dict | None, field: str = "working_hours") -> dict | None:
    """``{"start": "09:00", "end": "18:00", "days": [0..4]}`` local time, Monday = 0."""
    if hours is None:
        return None
    if not isinstance(hours, dict) or set(hours) - {"start", "end", "days"}:
        raise InvalidValue(field, "expected {start: 'HH:MM', end: 'HH:MM', days: [0-6]}")
    start, end = hours.get("start", "09:00"), hours.get("end", "18:00")
    for name, text in (("start", start), ("end", end)):
        if not isinstance(text, str) or not _HHMM.match(text):
            raise InvalidValue(f"{field}.{name}", "expected HH:MM in 24-hour local time")
    if start >= end:
        raise InvalidValue(field, "start must be before end")
    days = hours.get("days", [0, 1, 2, 3, 4])
    if (
        not isinstance(days, list)
        or not days
        or any(isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6 for d in days)
    ):
        raise InvalidValue(f"{field}.days", "expected a non-empty list of weekdays 0 (Monday) to 6 (Sunday)")
    return {"start": start, "end": end, "days": sorted(set(days))}


def parse_hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))
