"""``MatchIndex``: fast top-N suggestions over many city profiles.

* Inverted indexes (theme -> cities offering it, theme -> cities seeking it, theme ->
  cities with all three helix kinds on it) give, by counting in C
  (``Counter.update``), how many themes each *related* candidate matches in each
  direction, so its score is a few table look-ups.
* A candidate sharing no theme and no partner with the city scores only on its
  *class* (region, time zone, working schedule, response days). Classes are scored
  once per query; their members are kept sorted by (name, id).
* UTC offsets are cached per (time zone, date) and overlaps per (offset difference,
  schedule, schedule), i.e. per time-zone pair on the reference date.
* ``ranking.top_ids`` picks the winners tier by tier with upper bounds; only they are
  explained in words by ``signals.assess`` (the same function ``score_pair`` uses).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from domain.errors import Duplicate, NotFound
from domain.matchmaking.hours import Overlap, Schedule, overlap, utc_offset_minutes
from domain.matchmaking.profile import HELIX_KINDS, CityProfile, Suggestion
from domain.matchmaking.ranking import top_ids
from domain.matchmaking.signals import (
    assess,
    hours_points,
    region_points,
    response_days,
    response_points,
    today_utc,
)

THIRD_MEMBER_REASON = (
    "Same region as {name}: under the cross-region rule it can join only as a third member, "
    "beside a city of another region"
)
ClassKey = tuple[str, str, Schedule, "int | None"]  # region, time zone, schedule, response days
_CACHE_LIMIT = 50_000


class MatchIndex:
    def __init__(self, profiles: Iterable[CityProfile] = ()) -> None:
        self._profiles: dict[str, CityProfile] = {}
        self._offering: defaultdict[str, set[str]] = defaultdict(set)
        self._seeking: defaultdict[str, set[str]] = defaultdict(set)
        self._helix_full: defaultdict[str, set[str]] = defaultdict(set)
        self._listed_by: defaultdict[str, set[str]] = defaultdict(set)  # id -> ids whose profile lists it
        self._class_of: dict[str, ClassKey] = {}
        self._classes: dict[ClassKey, list[tuple[str, str]]] = {}  # members sorted by (name, id)
        self._offsets: dict[tuple[str, date], int] = {}
        self._overlaps: dict[tuple[int, Schedule, Schedule], Overlap] = {}
        for profile in profiles:
            if profile.id in self._profiles:
                raise Duplicate(f"city {profile.id} appears twice")
            self._insert(profile, keep_sorted=False)
        for members in self._classes.values():
            members.sort()

    # -- maintenance -------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._profiles)

    def __contains__(self, city_id: object) -> bool:
        return city_id in self._profiles

    def get(self, city_id: str) -> CityProfile | None:
        return self._profiles.get(city_id)

    def add(self, profile: CityProfile) -> None:
        if profile.id in self._profiles:
            raise Duplicate(f"city {profile.id} is already indexed")
        self._insert(profile, keep_sorted=True)

    def replace(self, profile: CityProfile) -> None:
        if profile.id not in self._profiles:
            raise NotFound(f"city {profile.id} is not indexed")
        self._remove(self._profiles[profile.id])
        self._insert(profile, keep_sorted=True)

    def partners_of(self, city_id: str) -> frozenset[str]:
        """Partners either way: listed by the city, or listing it."""
        profile = self._profiles.get(city_id)
        listed = profile.partners if profile else frozenset()
        return frozenset(listed | self._listed_by.get(city_id, set()))

    def _insert(self, p: CityProfile, *, keep_sorted: bool) -> None:
        self._profiles[p.id] = p
        for other in p.partners:
            self._listed_by[other].add(p.id)
        if p.retired:
            return
        for theme in p.themes_offered:
            self._offering[theme].add(p.id)
        for theme in p.themes_sought:
            self._seeking[theme].add(p.id)
        for theme, kinds in p.helix.items():
            if kinds >= HELIX_KINDS:
                self._helix_full[theme].add(p.id)
        key = (p.region, p.timezone, p.schedule, response_days(p.median_response_hours))
        self._class_of[p.id] = key
        members = self._classes.setdefault(key, [])
        if keep_sorted:
            bisect.insort(members, (p.name, p.id))
        else:
            members.append((p.name, p.id))

    def _remove(self, p: CityProfile) -> None:
        del self._profiles[p.id]
        for other in p.partners:
            self._listed_by[other].discard(p.id)
        if p.retired:
            return
        for theme in p.themes_offered:
            self._offering[theme].discard(p.id)
        for theme in p.themes_sought:
            self._seeking[theme].discard(p.id)
        for theme in p.helix:
            self._helix_full[theme].discard(p.id)
        key = self._class_of.pop(p.id)
        members = self._classes[key]
        del members[bisect.bisect_left(members, (p.name, p.id))]
        if not members:
            del self._classes[key]

    # -- caches ---------------------------------------------------------------------

    def _offset(self, tz: str, on: date) -> int:
        key = (tz, on)
        found = self._offsets.get(key)
        if found is None:
            if len(self._offsets) > _CACHE_LIMIT:
                self._offsets.clear()
            found = self._offsets[key] = utc_offset_minutes(tz, on)
        return found

    def _overlap(self, delta: int, a: Schedule, b: Schedule) -> Overlap:
        key = (delta, a, b)
        found = self._overlaps.get(key)
        if found is None:
            if len(self._overlaps) > _CACHE_LIMIT:
                self._overlaps.clear()
            found = self._overlaps[key] = overlap(delta, a, b)
        return found

    # -- queries --------------------------------------------------------------------

    def suggest(
        self,
        city_id: str,
        limit: int = 10,
        on: date | None = None,
        *,
        cross_region: bool = False,
        within: frozenset[str] | None = None,
    ) -> list[Suggestion]:
        """The best ``limit`` candidates for the city, best first (ties: name, then id); ``within``: only
        these cities (a programme's).

        With the cross-region rule (``cross_region``) a city of the same region cannot be the
        only partner: such candidates come after every candidate of another region, each
        saying it can join only as a third member.
        """
        if not cross_region:
            return self._suggest(city_id, limit, on, within)
        city = self._profiles.get(city_id)
        wanted = limit
        while True:
            found = self._suggest(city_id, wanted, on, within)
            if city is None:
                return found
            others = [s for s in found if self._profiles[s.city_id].region != city.region]
            if len(others) >= limit or len(found) < wanted:
                break
            wanted *= 2  # same-region candidates crowded the top: look further for other regions
        same = [
            replace(s, reasons=(*s.reasons, THIRD_MEMBER_REASON.format(name=city.name)))
            for s in found
            if self._profiles[s.city_id].region == city.region
        ]
        return (others + same)[:limit]

    def _suggest(
        self, city_id: str, limit: int, on: date | None, within: frozenset[str] | None = None
    ) -> list[Suggestion]:
        city = self._profiles.get(city_id)
        if city is None:
            raise NotFound(f"city {city_id} is not indexed")
        if limit <= 0 or city.retired:
            return []
        on = on or today_utc()
        profiles = self._profiles
        excluded = self.partners_of(city_id) | {city_id}
        if within is not None:
            excluded |= profiles.keys() - within
        my_offset, my_schedule = self._offset(city.timezone, on), city.schedule

        # Points every member of a class earns: region, hours, responsiveness.
        class_points: dict[ClassKey, int] = {}
        for key in self._classes:
            region, tz, schedule, days = key
            o = self._overlap(my_offset - self._offset(tz, on), my_schedule, schedule)
            class_points[key] = region_points(city.region, region) + hours_points(o) + response_points(days)

        go_betweens: defaultdict[str, list[str]] = defaultdict(list)
        for partner in excluded - {city_id}:
            middle = profiles.get(partner)
            if middle is None or middle.retired:
                continue
            for other in self.partners_of(partner):
                cand = profiles.get(other)
                if cand is not None and not cand.retired and other not in excluded:
                    go_betweens[other].append(middle.name)

        chosen = top_ids(self, city, limit, excluded=excluded, go_betweens=go_betweens, class_points=class_points)
        result = []
        for cid in chosen:
            cand = profiles[cid]
            o = self._overlap(my_offset - self._offset(cand.timezone, on), my_schedule, cand.schedule)
            suggestion = assess(city, cand, go_betweens.get(cid, []), o)
            if suggestion is not None:
                result.append(suggestion)
        return result
