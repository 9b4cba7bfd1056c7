"""The words of every notification, in the reader's language (English or Simplified Chinese).

Texts are gettext message catalogues (``translations/<lang>/LC_MESSAGES/messages.po``, compiled
to ``.mo`` by ``make catalogues``), not string tables in code; dates, times and lists are
formatted per locale by Babel, in the reader's time zone. ``Words`` is one reader's view: their
language and time zone. The texts themselves are in ``partnerships``, ``meetings``, ``projects``
and ``digest``, each a function of a ``Words`` and the facts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.lists import format_list
from babel.support import Translations

from domain.themes import THEMES

TRANSLATIONS = Path(__file__).parent / "translations"
DEFAULT_LANGUAGE = "en"
# preference value → (catalogue folder, Babel locale for dates and lists)
LANGUAGES = {"en": ("en", "en_GB"), "zh-Hans": ("zh_Hans", "zh_Hans_CN")}
_HAN = re.compile(r"[\u3400-\u9fff]")


class CatalogueMissing(RuntimeError):
    """A compiled catalogue is missing: mail must not go out silently in another language."""


@cache
def catalogue(folder: str) -> Translations:
    path = TRANSLATIONS / folder / "LC_MESSAGES" / "messages.mo"
    if not path.exists():
        raise CatalogueMissing(f"{path} is missing: run `make catalogues` to compile the message catalogues")
    with path.open("rb") as handle:
        return Translations(handle, domain="messages")


@dataclass(frozen=True)
class Words:
    """One reader's language and clock. ``place``: what their time zone is called in the text
    (their city's name, or None when they chose a zone of their own: then the zone's name)."""

    language: str = DEFAULT_LANGUAGE
    timezone: str = "UTC"
    place: str | None = None

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            object.__setattr__(self, "language", DEFAULT_LANGUAGE)

    @property
    def locale(self) -> str:
        return LANGUAGES[self.language][1]

    @property
    def chinese(self) -> bool:
        return self.language == "zh-Hans"

    @property
    def _t(self) -> Translations:
        return catalogue(LANGUAGES[self.language][0])

    def _(self, message: str, **values: Any) -> str:
        text = self._t.gettext(message)
        return text % values if values else text

    def n_(self, singular: str, plural: str, count: int, **values: Any) -> str:
        return self._t.ngettext(singular, plural, count) % {"count": count, **values}

    def p_(self, context: str, message: str, **values: Any) -> str:
        text = self._t.pgettext(context, message)
        return text % values if values else text

    # -- formatting --------------------------------------------------------------------------

    def city(self, city: Any) -> str:
        """The name as recorded; for a Chinese reader the local name beside it when it is written in Han."""
        local = getattr(city, "local_name", None)
        if self.chinese and local and local != city.name and _HAN.search(local):
            return f"{city.name}（{local}）"
        return city.name

    def names(self, items: Iterable[str]) -> str:
        items = list(items)
        return format_list(items, locale=self.locale) if items else ""

    def themes(self, themes: Iterable[str]) -> str:
        return self.names([THEMES.get(t, t) for t in themes])

    def when(self, instant: datetime) -> str:
        """The instant in the reader's zone, with UTC beside it: ``Wednesday, 28 October 2020, 16:00 Yantai time (08:00 UTC)``."""
        zone = ZoneInfo(self.timezone)
        local = instant.astimezone(zone)
        utc = format_time(instant.astimezone(UTC), "HH:mm", locale=self.locale)
        values = {
            "date": format_date(local.date(), "full", locale=self.locale),
            "time": format_time(local, "HH:mm", locale=self.locale),
            "utc": utc,
        }
        if self.timezone == "UTC":
            return self._("%(date)s, %(time)s UTC", **values)
        return self._("%(date)s, %(time)s %(place)s time (%(utc)s UTC)", place=self.place or self.timezone, **values)

    def date(self, day: date) -> str:
        return format_date(day, "long", locale=self.locale)

    def duration(self, delta: timedelta) -> str:
        """``7 days``, ``24 hours``, ``1 hour``, ``90 minutes``, ``3 seconds``."""
        seconds = int(delta.total_seconds())
        if seconds >= 2 * 86400 and seconds % 86400 == 0:
            return self.n_("%(count)d day", "%(count)d days", seconds // 86400)
        if seconds >= 3600 and seconds % 3600 == 0:
            return self.n_("%(count)d hour", "%(count)d hours", seconds // 3600)
        if seconds >= 60 and seconds % 60 == 0:
            return self.n_("%(count)d minute", "%(count)d minutes", seconds // 60)
        return self.n_("%(count)d second", "%(count)d seconds", seconds)

    def session(self, kind: str) -> str:
        """What a session of this kind is called: ``online session``, ``workshop`` …"""
        words = {
            "online": self._("online session"),
            "webinar": self._("webinar"),
            "workshop": self._("workshop"),
            "field_visit": self._("field visit"),
            "conference": self._("conference"),
            "seminar": self._("seminar"),
        }
        return words.get(kind, self._("session"))

    def agreement(self, kind: str) -> str:
        words = {
            "mou": self._("memorandum of understanding"),
            "framework": self._("framework agreement"),
            "protocol": self._("protocol"),
        }
        return words.get(kind, self._("agreement"))

    def place_lines(self, location: str | None, url: str | None) -> list[str]:
        lines = []
        if location:
            lines.append(self._("Where: %(location)s", location=location))
        if url:
            lines.append(self._("Link: %(url)s", url=url))
        return lines


ENGLISH = Words()
