"""Keyset pagination and the filters of lists: ``limit`` (1..200) and an opaque ``cursor`` naming the last item served.

A cursor is the list's tag and the sort key of the last item, JSON in URL-safe
base64. Keyset (not offset) pagination walks a list that grows while it is read
without duplicates or gaps; the tag stops a cursor of one list from being used on
another.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.errors import InvalidValue, UnknownCursor
from domain.limits import DEFAULT_LIMIT, MAX_CURSOR, MAX_LIMIT, MAX_NAME
from domain.values import _CONTROL
from domain.views.codec import instant, unaccented


def check_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidValue("limit", f"must be a whole number from 1 to {MAX_LIMIT}")
    return limit


MIN_KEY, MAX_KEY = -(2**63), 2**63 - 1


def encode_cursor(tag: str, *key: Any) -> str:
    raw = json.dumps([tag, *key], separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(tag: str, cursor: str | None, *types: type) -> list[Any] | None:
    """The key inside ``cursor`` (checked against the expected types), or None for the first page."""
    if cursor is None or cursor == "":
        return None
    if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR:  # what the document already refuses
        raise InvalidValue("cursor", f"must be text of at most {MAX_CURSOR} characters")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw.decode("utf-8"))
        if not isinstance(values, list) or len(values) != len(types) + 1 or values[0] != tag:
            raise ValueError
        key = values[1:]
        if not all(isinstance(v, t) and not isinstance(v, bool) for v, t in zip(key, types)):
            raise ValueError
        if any(isinstance(v, int) and not MIN_KEY <= v <= MAX_KEY for v in key):
            raise ValueError  # a database integer is 64 bits; a bigger one is not a position we handed out
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise UnknownCursor() from None
    return key


def split(rows: list[dict[str, Any]], limit: int, cursor_of) -> tuple[list[dict[str, Any]], str | None]:
    """``rows`` holds up to limit + 1 rows: the extra one only says that there is a next page."""
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, cursor_of(rows[-1])
    return rows, None


# -- filters -----------------------------------------------------------------------------------

Page = dict[str, Any]


class Where:
    """Conditions and their parameters, in order."""

    def __init__(self) -> None:
        self.conditions: list[str] = []
        self.params: list[Any] = []

    def add(self, condition: str, *params: Any) -> None:
        self.conditions.append(condition)
        self.params.extend(params)

    def sql(self) -> str:
        return (" WHERE " + " AND ".join(self.conditions)) if self.conditions else ""


def like(text: str) -> str:
    escaped = unaccented(text).replace("!", "!!").replace("%", "!%").replace("_", "!_")
    return f"%{escaped}%"


def check_instant(value: datetime | None, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InvalidValue(field, "must be a date-time with a time-zone offset")
    return instant(value)


def check_text(value: str | UUID | None, field: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, UUID):
        return str(value)
    if not isinstance(value, str) or len(value) > MAX_NAME:
        raise InvalidValue(field, f"must be text of at most {MAX_NAME} characters")
    if _CONTROL.search(value):  # PostgreSQL refuses NUL in text; no filter value holds control characters
        raise InvalidValue(field, "must not contain control characters")
    return value


def check_as_of(as_of: date | None, today: date) -> date:
    if as_of is None:
        return today
    if not isinstance(as_of, date) or isinstance(as_of, datetime):
        raise InvalidValue("as_of", "must be a calendar date YYYY-MM-DD")
    return as_of
