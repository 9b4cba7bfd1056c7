"""How view columns hold Python values, the same way in SQLite and PostgreSQL.

Instants are fixed-width UTC ISO text (``2020-10-28T08:00:00.000000+00:00``), which sorts
chronologically in both databases; dates ``YYYY-MM-DD``; lists and small records JSON
text. Search and sort keys are folded once, when a row is written.
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from datetime import UTC, date, datetime
from json.encoder import c_encode_basestring, c_make_encoder  # type: ignore[attr-defined]
from typing import Any

_last_instant: tuple[Any, str] = (None, "")
INSTANT_LENGTH = len("2020-10-28T08:00:00.000000+00:00")


class Stamp(datetime):
    """A datetime decoded from the log that keeps its stored text when that is already an instant's text.

    The library stores ``isoformat()``: for a UTC time with microseconds that is exactly what
    ``instant`` writes, so a view stores the text as read instead of formatting it again.
    """

    __slots__ = ("text",)
    text: str | None


# sqlite3 adapts by exact type: a Stamp bound as a parameter is stored as a datetime would be.
sqlite3.register_adapter(Stamp, lambda value: value.isoformat(" "))


def stamp(text: str) -> Stamp:
    value = Stamp.fromisoformat(text)
    value.text = text if len(text) == INSTANT_LENGTH and text.endswith("+00:00") else None
    return value


def instant(value: datetime) -> str:
    """A tz-aware instant as fixed-width UTC text, so text order is time order."""
    global _last_instant
    if type(value) is Stamp:
        # Only ``stamp`` sets the text: a Stamp made by arithmetic or ``replace`` has none.
        text = getattr(value, "text", None)
        if text is not None:
            return text
    last = _last_instant  # one event's timestamp is asked for several times in a row
    if value is last[0]:
        return last[1]
    text = (value if value.tzinfo is UTC else value.astimezone(UTC)).isoformat(timespec="microseconds")
    _last_instant = (value, text)
    return text


def parse_instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def parse_day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _json_default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value)
    return str(value)


_encode = json.JSONEncoder(default=_json_default, ensure_ascii=False, separators=(",", ":")).encode
# The C encoder itself, as ``_encode`` uses it, without its per-call set-up (a view writes many small lists).
_c_encode = (
    None
    if c_make_encoder is None or c_encode_basestring is None
    else c_make_encoder(None, _json_default, c_encode_basestring, None, ":", ",", False, False, True)
)


def dump(value: Any) -> str:
    if _c_encode is None or isinstance(value, str):
        return _encode(value)
    return "".join(_c_encode(value, 0))


def load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def flag(value: int | None) -> bool | None:
    return None if value is None else bool(value)


def fold(text: str | None) -> str:
    """Unicode-safe case folding for search and sorting (Málaga ≡ MÁLAGA ≡ ma\u0301laga)."""
    if not text:
        return ""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFKC", text).casefold())


def unaccented(text: str | None) -> str:
    """Folded and without combining marks: what a search matches, so "malaga" finds Málaga."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", fold(text)) if not unicodedata.combining(ch))


def sort_key(name: str | None) -> str:
    """Order names as people expect: accents second (Liuzhou < Málaga < Mannheim), then exact spelling."""
    return f"{unaccented(name)}\x1f{fold(name)}"


def contains(json_list_column: str) -> str:
    """SQL: the JSON list in that column holds the value given as the parameter (see ``member``)."""
    return f"{json_list_column} LIKE ? ESCAPE '!'"


def member(value: str) -> str:
    """The parameter of ``contains``: the value's own JSON text, which only that list element spells."""
    escaped = dump(value).replace("!", "!!").replace("%", "!%").replace("_", "!_")
    return f"%{escaped}%"
