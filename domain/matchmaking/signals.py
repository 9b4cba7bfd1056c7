"""The signals that score a candidate city for a city, their weights and their reasons.

Points (the total is clamped to 0..100; the signals can add up to 107):

=====================================  ==========================================  =====
signal                                 points                                      max
=====================================  ==========================================  =====
candidate offers what the city seeks   30 for the first theme, +8 per further one   46
city offers what the candidate seeks   12 for the first theme, +4 per further one   20
shared themes (both offer / both seek) 3 per theme                                   9
bridges two world regions              10 when the regions differ (and are known)   10
working hours overlap (reference day)  1 per 30 min of the longest daily overlap     8
triple helix on a sought theme         5 when the candidate has public, private      5
                                       and research stakeholders on such a theme
partner of one of the city's partners  5                                             5
answers invitations fast (median)      4 within a day, 2 within 3 days,              4
                                       1 within a week, 0 slower or no history
=====================================  ==========================================  =====

Complementarity dominates on purpose (a city looks for what it lacks); the other
way round is the mutual benefit; the rest orders candidates that help equally.
Partnerships count both ways: if either profile lists the other, they are partners.
A retired city is never a candidate, nor a go-between for "partner of a partner".
Every reason is a sentence that names themes (by label), cities or regions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime

from domain.matchmaking.hours import Overlap, overlap_reason, schedule_overlap
from domain.matchmaking.profile import HELIX_KINDS, CityProfile, Suggestion, region_label
from domain.themes import THEMES, theme_label

SEEK_FIRST, SEEK_MORE, SEEK_CAP = 30, 8, 46
OFFER_FIRST, OFFER_MORE, OFFER_CAP = 12, 4, 20
SHARED_EACH, SHARED_CAP = 3, 9
REGION = 10
HOURS_PER_HALF_HOUR, HOURS_CAP = 1, 8
HELIX = 5
PARTNER_OF_PARTNER = 5
RESPONSE_BY_DAYS = {1: 4, 2: 2, 3: 2, 4: 1, 5: 1, 6: 1, 7: 1}
MAX_SCORE = 100

WEIGHTS: dict[str, int] = {
    "candidate_offers_sought": SEEK_CAP,
    "city_offers_sought": OFFER_CAP,
    "shared_themes": SHARED_CAP,
    "bridges_regions": REGION,
    "working_hours_overlap": HOURS_CAP,
    "triple_helix": HELIX,
    "partner_of_partner": PARTNER_OF_PARTNER,
    "responsiveness": max(RESPONSE_BY_DAYS.values()),
}

_N = 2 * len(THEMES) + 1
# Points by number of matching themes, as tables for the index's hot loop.
SEEK_POINTS = tuple(0 if n == 0 else min(SEEK_CAP, SEEK_FIRST + SEEK_MORE * (n - 1)) for n in range(_N))
OFFER_POINTS = tuple(0 if n == 0 else min(OFFER_CAP, OFFER_FIRST + OFFER_MORE * (n - 1)) for n in range(_N))
SHARED_POINTS = tuple(min(SHARED_CAP, SHARED_EACH * n) for n in range(_N))


def today_utc() -> date:
    return datetime.now(UTC).date()


def region_points(a: str, b: str) -> int:
    return REGION if a and b and a != b else 0


def hours_points(o: Overlap) -> int:
    return min(HOURS_CAP, HOURS_PER_HALF_HOUR * (o.minutes // 30))


def response_days(median_hours: float | None) -> int | None:
    """Whole days (1..7) within which the city usually answers; None if slower or unknown."""
    if median_hours is None or median_hours > 7 * 24:
        return None
    return max(1, -int(-median_hours // 24))


def response_points(days: int | None) -> int:
    return RESPONSE_BY_DAYS.get(days, 0) if days else 0


def response_reason(days: int) -> str:
    return (
        "Usually answers invitations within a day" if days == 1 else f"Usually answers invitations within {days} days"
    )


def names_text(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def rest_points(city: CityProfile, candidate: CityProfile, o: Overlap) -> int:
    """Points that do not depend on themes or partners: region, hours, responsiveness."""
    return (
        region_points(city.region, candidate.region)
        + hours_points(o)
        + response_points(response_days(candidate.median_response_hours))
    )


def rest_reasons(city: CityProfile, candidate: CityProfile, o: Overlap) -> list[str]:
    reasons = []
    if region_points(city.region, candidate.region):
        reasons.append(f"Bridges {region_label(city.region)} and {region_label(candidate.region)}")
    if hours_points(o):
        reasons.append(overlap_reason(o))
    days = response_days(candidate.median_response_hours)
    if response_points(days):
        reasons.append(response_reason(days))
    return reasons


def _labels(themes: Iterable[str]) -> list[str]:
    return sorted(theme_label(t) for t in themes)


def assess(city: CityProfile, candidate: CityProfile, go_betweens: list[str], o: Overlap) -> Suggestion | None:
    """Score and explain ``candidate`` for ``city``.

    ``go_betweens`` are the names of partners of the city that also work with the
    candidate; ``o`` is the working-hours overlap on the reference date.
    """
    sought = candidate.themes_offered & city.themes_sought
    offered = city.themes_offered & candidate.themes_sought
    both_offer = city.themes_offered & candidate.themes_offered
    both_seek = city.themes_sought & candidate.themes_sought
    helix = [t for t in city.themes_sought if candidate.helix.get(t, frozenset()) >= HELIX_KINDS]
    score = (
        SEEK_POINTS[len(sought)]
        + OFFER_POINTS[len(offered)]
        + SHARED_POINTS[len(both_offer) + len(both_seek)]
        + (HELIX if helix else 0)
        + (PARTNER_OF_PARTNER if go_betweens else 0)
        + rest_points(city, candidate, o)
    )
    if score <= 0:
        return None
    reasons = [f"{candidate.name} offers {label}, which {city.name} seeks" for label in _labels(sought)]
    reasons += [f"{city.name} offers {label}, which {candidate.name} seeks" for label in _labels(offered)]
    reasons += [f"Both work on {label}" for label in _labels(both_offer)]
    reasons += [f"Both seek {label}" for label in _labels(both_seek)]
    reasons += [f"Has public, private and research partners on {label}" for label in _labels(helix)]
    if go_betweens:
        verb = "works" if len(go_betweens) == 1 else "work"
        reasons.append(f"Partner of {names_text(sorted(go_betweens))}, which already {verb} with {city.name}")
    reasons += rest_reasons(city, candidate, o)
    return Suggestion(candidate.id, candidate.name, min(MAX_SCORE, score), tuple(reasons))


def _partners(profile: CityProfile, profiles: Mapping[str, CityProfile]) -> set[str]:
    found = set(profile.partners)
    found.update(p.id for p in profiles.values() if profile.id in p.partners)
    return found


def score_pair(
    city: CityProfile,
    candidate: CityProfile,
    *,
    on: date | None = None,
    profiles: Mapping[str, CityProfile] | None = None,
) -> Suggestion | None:
    """Score one candidate for one city, without an index.

    ``profiles`` (id -> profile) lets partnerships declared on either side count and
    names the partners both cities work with; without it only the two profiles'
    own ``partners`` are seen and no "partner of a partner" reason can be given.
    Returns None for the city itself, a partner, a retired city, or a score of 0.
    """
    if candidate.id == city.id or candidate.retired or city.retired:
        return None
    profiles = profiles or {}
    mine = _partners(city, profiles)
    theirs = _partners(candidate, profiles)
    if candidate.id in mine or city.id in theirs:
        return None
    go_betweens = [profiles[x].name for x in mine & theirs if x in profiles and not profiles[x].retired]
    on = on or today_utc()
    o = schedule_overlap(city.timezone, city.schedule, candidate.timezone, candidate.schedule, on)
    return assess(city, candidate, go_betweens, o)
