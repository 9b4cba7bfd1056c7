"""Choosing the top ``limit`` candidate ids for a city without scoring every city.

Related candidates (sharing a theme or a partner with the city) are found through
the index's inverted indexes: counting in C (``Counter.update``) how many themes
each candidate offers that the city seeks (k) and seeks that the city offers (j).
Partners of partners (few) are scored first; the others in groups by (k, j), split
by triple helix on a sought theme, best upper bound first; a group is skipped once
its upper bound falls below the score of the ``limit``-th best candidate found so
far (equal scores are kept: names decide ties).

A candidate sharing no theme and no partner scores exactly its *class*'s points
(region, time zone, schedule, response days). Classes are read best first, each
class's members already sorted by (name, id), and only while they can still reach
the top.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from domain.matchmaking.profile import CityProfile
from domain.matchmaking.signals import (
    HELIX,
    MAX_SCORE,
    OFFER_CAP,
    OFFER_POINTS,
    PARTNER_OF_PARTNER,
    SEEK_CAP,
    SEEK_POINTS,
    SHARED_CAP,
    SHARED_POINTS,
)

if TYPE_CHECKING:
    from domain.matchmaking.index import MatchIndex


def top_ids(
    index: MatchIndex,
    city: CityProfile,
    limit: int,
    *,
    excluded: Collection[str],
    go_betweens: Mapping[str, Any],
    class_points: Mapping[Any, int],
) -> list[str]:
    profiles, class_of = index._profiles, index._class_of
    seek: Counter[str] = Counter()
    for theme in city.themes_sought:
        seek.update(index._offering.get(theme, ()))
    offer: Counter[str] = Counter()
    for theme in city.themes_offered:
        offer.update(index._seeking.get(theme, ()))
    helix: set[str] = set()
    for theme in city.themes_sought:
        helix.update(index._helix_full.get(theme, ()))
    my_offers, my_seeks = city.themes_offered, city.themes_sought
    buckets: list[list[str]] = [[] for _ in range(MAX_SCORE + 1)]

    def score(ids: Iterable[str]) -> None:
        seek_get, offer_get = seek.get, offer.get
        for cid in ids:
            if cid in excluded:
                continue
            cand = profiles[cid]
            s = (
                SEEK_POINTS[seek_get(cid, 0)]
                + OFFER_POINTS[offer_get(cid, 0)]
                + SHARED_POINTS[len(my_offers & cand.themes_offered) + len(my_seeks & cand.themes_sought)]
                + class_points[class_of[cid]]
            )
            if cid in helix:
                s += HELIX
            if cid in go_betweens:
                s += PARTNER_OF_PARTNER
            buckets[s if s < MAX_SCORE else MAX_SCORE].append(cid)

    def floor() -> int:
        """Score of the ``limit``-th best so far (1 while there are fewer)."""
        seen = 0
        for s in range(MAX_SCORE, 0, -1):
            seen += len(buckets[s])
            if seen >= limit:
                return s
        return 1

    def sharing_only() -> set[str]:
        found = set(helix)
        for theme in my_offers:
            found.update(index._offering.get(theme, ()))
        for theme in my_seeks:
            found.update(index._seeking.get(theme, ()))
        return found - seek.keys() - offer.keys()

    # Partners of partners are few: score them first, then leave them out of the groups.
    score(go_betweens)
    s1, o1 = seek.keys(), offer.keys()
    s2 = {cid for cid, n in seek.items() if n > 1}
    o2 = {cid for cid, n in offer.items() if n > 1}
    groups: list[tuple[int, Callable[[], set[str]]]] = [  # (k, j) groups and their theme points
        (SEEK_CAP + OFFER_CAP, lambda: s2 & o2),
        (SEEK_CAP + OFFER_POINTS[1], lambda: (s2 & o1) - o2),
        (SEEK_POINTS[1] + OFFER_CAP, lambda: (o2 & s1) - s2),
        (SEEK_CAP, lambda: s2 - o1),
        (SEEK_POINTS[1] + OFFER_POINTS[1], lambda: (s1 & o1) - s2 - o2),
        (SEEK_POINTS[1], lambda: s1 - s2 - o1),
        (OFFER_CAP, lambda: o1 - s1),
        (0, sharing_only),
    ]
    # Each group splits in two, with and without triple helix on a sought theme.
    rest = SHARED_CAP + max(class_points.values(), default=0)
    pending = [(points + HELIX + rest, True, n) for n, (points, _) in enumerate(groups)]
    pending += [(points + rest, False, n) for n, (points, _) in enumerate(groups)]
    made: dict[int, set[str]] = {}
    for bound, with_helix, n in sorted(pending, key=lambda g: -g[0]):
        if min(MAX_SCORE, bound) < floor():
            break
        if n not in made:
            made[n] = groups[n][1]()
            made[n] -= go_betweens.keys()
        score(made[n] & helix if with_helix else made[n] - helix)

    # Unrelated candidates earn exactly their class's points.
    at_least = [0] * (MAX_SCORE + 2)  # at_least[p]: candidates so far scoring >= p
    for s in range(MAX_SCORE, -1, -1):
        at_least[s] = at_least[s + 1] + len(buckets[s])
    lowest, taken_total = floor(), 0
    for key in sorted(class_points, key=class_points.__getitem__, reverse=True):
        points = class_points[key]
        if points < lowest or points <= 0:
            break
        taken = []
        for _, cid in index._classes[key]:
            if cid in excluded or cid in seek or cid in offer or cid in helix or cid in go_betweens:
                continue
            cand = profiles[cid]
            if my_offers & cand.themes_offered or my_seeks & cand.themes_sought:
                continue
            taken.append(cid)
            if len(taken) == limit:
                break
        buckets[min(points, MAX_SCORE)].extend(taken)
        taken_total += len(taken)
        if at_least[points] + taken_total >= limit:
            lowest = max(lowest, points)

    chosen: list[str] = []
    for s in range(MAX_SCORE, 0, -1):
        if buckets[s]:
            chosen.extend(heapq.nsmallest(limit - len(chosen), buckets[s], key=lambda c: (profiles[c].name, c)))
            if len(chosen) >= limit:
                break
    return chosen
