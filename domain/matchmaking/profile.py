"""What matchmaking reads about a city (``CityProfile``) and what it answers (``Suggestion``).

A profile is a flat, frozen snapshot built by whoever owns the city read model; the
region slug arrives already computed (``"europe"``, ``"east-asia"``, ...). Profiles
are checked on construction so that every reason sentence can name real data:
themes come from the vocabulary, helix kinds from the triple helix, and the time
zone is a real IANA zone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import InvalidValue
from domain.model.statuses import OPEN_PARTNERSHIP, InvitationStatus, StakeholderKind
from domain.themes import THEMES

HELIX_KINDS: frozenset[str] = frozenset(StakeholderKind)
WEEKDAYS: frozenset[int] = frozenset(range(5))


def region_label(slug: str) -> str:
    """``"east-asia"`` -> ``"East Asia"``."""
    return slug.replace("-", " ").title()


# Cities are already partners (so never suggested to each other) while they share a partnership
# in one of these statuses, as its proposer or as an invitee whose invitation is in one of these.
TIE_STATUSES = OPEN_PARTNERSHIP
TIE_INVITATIONS = (InvitationStatus.PENDING, InvitationStatus.ACCEPTED)


def partners_by_city(partnerships) -> dict[str, set[str]]:
    """``partnerships``: (status, proposer id, {invitee id: invitation status}) → each city's partners."""
    partners: dict[str, set[str]] = {}
    for status, proposer, invitations in partnerships:
        if status not in TIE_STATUSES:
            continue
        members = {proposer} | {city for city, answer in invitations.items() if answer in TIE_INVITATIONS}
        for city in members:
            partners.setdefault(city, set()).update(members - {city})
    return partners


@dataclass(frozen=True)
class CityProfile:
    id: str
    name: str
    country: str
    region: str
    timezone: str
    themes_offered: frozenset[str]
    themes_sought: frozenset[str]
    helix: Mapping[str, frozenset[str]] = field(default_factory=dict, hash=False)
    partners: frozenset[str] = frozenset()
    working_hours: tuple[time, time] = (time(9), time(18))
    working_days: frozenset[int] = WEEKDAYS
    median_response_hours: float | None = None
    retired: bool = False

    def __post_init__(self) -> None:
        put = object.__setattr__
        for name in ("themes_offered", "themes_sought"):
            themes = frozenset(getattr(self, name))
            for theme in sorted(themes, key=str):
                if theme not in THEMES:
                    raise InvalidValue(name, f"unknown theme {theme!r}")
            put(self, name, themes)
        helix: dict[str, frozenset[str]] = {}
        for theme, kinds in dict(self.helix).items():
            if theme not in THEMES:
                raise InvalidValue("helix", f"unknown theme {theme!r}")
            kinds = frozenset(kinds)
            if not kinds <= HELIX_KINDS:
                bad = sorted(kinds - HELIX_KINDS, key=str)[0]
                raise InvalidValue("helix", f"unknown stakeholder kind {bad!r}; use public, private or research")
            helix[theme] = kinds
        put(self, "helix", MappingProxyType(helix))
        put(self, "partners", frozenset(self.partners))
        days = frozenset(self.working_days)
        if not all(isinstance(d, int) and 0 <= d <= 6 for d in days):
            raise InvalidValue("working_days", "days are integers 0 (Monday) to 6 (Sunday)")
        put(self, "working_days", days)
        hours = tuple(self.working_hours)
        if len(hours) != 2 or not all(isinstance(t, time) and t.tzinfo is None for t in hours):
            raise InvalidValue("working_hours", "a pair of local (naive) times: (start, end)")
        put(self, "working_hours", hours)
        median = self.median_response_hours
        if median is not None and (not isinstance(median, (int, float)) or math.isnan(median) or median < 0):
            raise InvalidValue("median_response_hours", "a non-negative number of hours, or None")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise InvalidValue("timezone", f"unknown IANA time zone {self.timezone!r}") from None

    @property
    def schedule(self) -> tuple[int, int, frozenset[int]]:
        """(start minute, end minute, working days); a window ending before it starts runs past midnight."""
        start, end = self.working_hours
        first = start.hour * 60 + start.minute
        last = end.hour * 60 + end.minute
        if last <= first:
            last += 24 * 60
        return first, last, self.working_days


@dataclass(frozen=True)
class Suggestion:
    city_id: str
    name: str
    score: int
    reasons: tuple[str, ...]
