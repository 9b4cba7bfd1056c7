"""City profiles for matchmaking: the one place they are built, for the API's suggestions and the workers' mail.

A profile keeps only what the vocabulary knows: themes of ``domain.themes.THEMES`` and
stakeholders of the triple helix (``HELIX_KINDS``); anything else a city typed is not a
reason to suggest a partner. Partners (``partners_by_city``) and the median time a city
takes to answer an invitation come from the partnership board.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import time
from typing import Any

from domain.matchmaking.profile import HELIX_KINDS, CityProfile, partners_by_city
from domain.model.statuses import CityStatus
from domain.themes import THEMES
from domain.values import parse_hhmm
from domain.views.cities import CITIES, STAKEHOLDERS
from domain.views.partnerships import INVITATIONS, PARTNERSHIPS


def working_hours(hours: dict | None) -> tuple[time, time, frozenset[int]]:
    if not hours:
        return time(9), time(18), frozenset(range(5))
    return (
        parse_hhmm(hours.get("start", "09:00")),
        parse_hhmm(hours.get("end", "18:00")),
        frozenset(hours.get("days", [0, 1, 2, 3, 4])),
    )


def known(themes: list[str]) -> frozenset[str]:
    return frozenset(t for t in themes if t in THEMES)


def city_profiles(db: Any) -> list[CityProfile]:
    """Every city as a ``CityProfile``, by name (retired ones flagged, for the index to skip)."""
    cities = [CITIES.decode(r) for r in db.all(f"SELECT * FROM {CITIES.name} ORDER BY sort_key, id")]
    helix: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for s in map(STAKEHOLDERS.decode, db.all(f"SELECT * FROM {STAKEHOLDERS.name} WHERE removed_position IS NULL")):
        if s["kind"] in HELIX_KINDS:
            for theme in known(s["themes"]):
                helix[s["city_id"]][theme].add(s["kind"])
    ties = db.all(
        "SELECT p.id AS partnership_id, p.status, p.proposer_city_id, i.city_id, i.status AS answer"
        f" FROM {PARTNERSHIPS.name} p LEFT JOIN {INVITATIONS.name} i ON i.partnership_id = p.id"
    )
    by_partnership: dict[str, tuple[str, str, dict[str, str]]] = {}
    for t in ties:
        _, _, invitations = by_partnership.setdefault(t["partnership_id"], (t["status"], t["proposer_city_id"], {}))
        if t["city_id"] is not None:
            invitations[t["city_id"]] = t["answer"]
    partners = partners_by_city(by_partnership.values())
    hours: dict[str, list[float]] = defaultdict(list)
    for r in db.all(f"SELECT city_id, response_hours FROM {INVITATIONS.name} WHERE response_hours IS NOT NULL"):
        hours[r["city_id"]].append(float(r["response_hours"]))
    profiles = []
    for c in cities:
        start, end, days = working_hours(c["working_hours"])
        answered = hours[c["id"]]
        profiles.append(
            CityProfile(
                id=c["id"],
                name=c["name"],
                country=c["country"],
                region=c["region"],
                timezone=c["timezone"],
                themes_offered=known(c["themes_offered"]),
                themes_sought=known(c["themes_sought"]),
                helix={t: frozenset(k) for t, k in helix[c["id"]].items()},
                partners=frozenset(partners.get(c["id"], ())),
                working_hours=(start, end),
                working_days=days,
                median_response_hours=statistics.median(answered) if answered else None,
                retired=c["status"] == CityStatus.RETIRED,
            )
        )
    return profiles


class ProfileQueries:
    """Mixed into ``Views``."""

    def city_profiles(self) -> list[CityProfile]:
        """Every city as a ``CityProfile`` for ``domain.matchmaking`` (retired ones flagged)."""
        with self._read() as db:
            return city_profiles(db)
