"""The funder's report per world region and per thematic cluster (mixed into ``funder_report._Report``)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from domain.model.statuses import ActionPlanStatus, MeetingStatus
from domain.views.agreements import AGREEMENT_CITIES
from domain.views.clusters import CLUSTER_CITIES, CLUSTERS
from domain.views.codec import load, parse_day
from domain.views.meetings import MEETING_CITIES
from domain.views.projects import PROJECT_CITIES


class Breakdowns:
    """Needs ``db``, ``as_of``, ``pid``, ``regions``, ``city_ids``, ``involved``, ``projects``, ``project_ids``
    and ``agreement_ids``."""

    def _adopted(self, plan: dict) -> bool:
        return plan["status"] == ActionPlanStatus.ADOPTED and parse_day(plan["adopted_on"]) <= self.as_of

    def by_region(self, plans: list[dict], meetings: list[dict]) -> list[dict[str, Any]]:
        """Per world region: its cities, and the pairings, adopted plans, held sessions and projects they are in."""
        table: dict[str, Counter] = defaultdict(Counter)
        for city_id in self.city_ids:
            table[self.regions[city_id]]["cities"] += 1
        for p in self.partnerships:
            for region in {self.regions.get(c) for c in self.involved[p["id"]]} - {None}:
                table[region]["pairings"] += 1
        for plan in plans:
            if self._adopted(plan):
                for region in {self.regions.get(c) for c in load(plan["member_city_ids"])} - {None}:
                    table[region]["action_plans_adopted"] += 1
        held = {m["id"] for m in meetings if m["status"] == MeetingStatus.HELD}
        self._count_by(table, "sessions_held", MEETING_CITIES.name, "meeting_id", held)
        self._count_by(table, "projects", PROJECT_CITIES.name, "project_id", self.project_ids)
        self._count_by(table, "agreements", AGREEMENT_CITIES.name, "agreement_id", self.agreement_ids)
        keys = ("cities", "pairings", "action_plans_adopted", "sessions_held", "projects", "agreements")
        return [{"region": r, **{k: table[r][k] for k in keys}} for r in sorted(table)]

    def _count_by(self, table: dict, key: str, link: str, column: str, only: set) -> None:
        seen: dict[str, set] = defaultdict(set)
        for r in self.db.all(f"SELECT {column} AS thing, city_id FROM {link}"):
            if r["thing"] in only and (region := self.regions.get(r["city_id"])):
                seen[region].add(r["thing"])
        for region, things in seen.items():
            table[region][key] += len(things)

    def by_cluster(self, plans: list[dict], meetings: list[dict]) -> list[dict[str, Any]]:
        """Per cluster of the programme: its cities, its sessions held and their participants, the pairings and
        adopted plans its cities are in, and its projects (a member city in them and a theme of the cluster)."""
        if self.pid is None:
            return []
        clusters = self.db.all(
            f"SELECT id, name, themes FROM {CLUSTERS.name} WHERE programme_id = ? ORDER BY position", (self.pid,)
        )
        members: dict[str, set[str]] = defaultdict(set)
        for r in self.db.all(f"SELECT cluster_id, city_id FROM {CLUSTER_CITIES.name}"):
            members[r["cluster_id"]].add(r["city_id"])
        project_cities: dict[str, set[str]] = defaultdict(set)
        for r in self.db.all(f"SELECT project_id, city_id FROM {PROJECT_CITIES.name}"):
            project_cities[r["project_id"]].add(r["city_id"])
        rows = []
        for c in clusters:
            cities, themes = members[c["id"]], set(load(c["themes"]))
            sessions = [m for m in meetings if m["cluster_id"] == c["id"] and m["status"] == MeetingStatus.HELD]
            rows.append(
                {
                    "name": c["name"],
                    "themes": sorted(themes),
                    "cities": len(cities),
                    "sessions_held": len(sessions),
                    "participants": sum(m["attendance"] or 0 for m in sessions),
                    "pairings": sum(1 for involved in self.involved.values() if involved & cities),
                    "action_plans_adopted": sum(
                        1 for p in plans if self._adopted(p) and set(load(p["member_city_ids"])) & cities
                    ),
                    "projects": sum(
                        1 for p in self.projects if project_cities[p["id"]] & cities and themes & set(load(p["themes"]))
                    ),
                }
            )
        return rows
