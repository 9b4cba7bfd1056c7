"""A city taking part in the programme, with its profile and triple-helix stakeholders."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate, event

from domain.errors import NotFound, RuleBroken
from domain.model.statuses import CityStatus, StakeholderKind

PROFILE_FIELDS = (
    "name",
    "local_name",
    "timezone",
    "population",
    "themes_offered",
    "themes_sought",
    "description",
    "working_hours",
)


class CityRetiredError(RuleBroken):
    code = "city-retired"
    title = "The city has left the programme"


class City(Aggregate):
    @event("CityRegistered")
    def __init__(
        self,
        name: str,
        country: str,
        timezone: str,
        themes_offered: list[str],
        themes_sought: list[str],
        actor: str,
        local_name: str | None = None,
        population: int | None = None,
        description: str | None = None,
        working_hours: dict | None = None,
    ) -> None:
        self.name = name
        self.local_name = local_name
        self.country = country
        self.timezone = timezone
        self.population = population
        self.themes_offered = list(themes_offered)
        self.themes_sought = list(themes_sought)
        self.description = description
        self.working_hours = working_hours
        self.stakeholders: list[dict[str, Any]] = []
        self.status = CityStatus.ACTIVE

    def update_profile(self, changes: dict[str, Any], actor: str) -> None:
        self.check_active()
        unknown = set(changes) - set(PROFILE_FIELDS)
        if unknown:
            raise ValueError(f"not profile fields: {sorted(unknown)}")
        changed = {key: value for key, value in changes.items() if getattr(self, key) != value}
        if changed:
            self._update_profile(changes=changed, actor=actor)

    @event("ProfileUpdated")
    def _update_profile(self, changes: dict[str, Any], actor: str) -> None:
        for key, value in changes.items():
            setattr(self, key, value)

    def add_stakeholder(self, stakeholder_id: str, name: str, kind: str, themes: list[str], actor: str) -> None:
        self.check_active()
        self._add_stakeholder(stakeholder_id=stakeholder_id, name=name, kind=kind, themes=themes, actor=actor)

    @event("StakeholderAdded")
    def _add_stakeholder(self, stakeholder_id: str, name: str, kind: str, themes: list[str], actor: str) -> None:
        self.stakeholders.append(
            {"id": stakeholder_id, "name": name, "kind": StakeholderKind(kind), "themes": list(themes)}
        )

    def remove_stakeholder(self, stakeholder_id: str, actor: str) -> None:
        self.check_active()
        if not any(s["id"] == stakeholder_id for s in self.stakeholders):
            raise NotFound(f"city {self.name} has no stakeholder {stakeholder_id}")
        self._remove_stakeholder(stakeholder_id=stakeholder_id, actor=actor)

    @event("StakeholderRemoved")
    def _remove_stakeholder(self, stakeholder_id: str, actor: str) -> None:
        self.stakeholders = [s for s in self.stakeholders if s["id"] != stakeholder_id]

    def retire(self, reason: str | None, actor: str) -> None:
        self.check_active()
        self._retire(reason=reason, actor=actor)

    @event("CityRetired")
    def _retire(self, reason: str | None, actor: str) -> None:
        self.status = CityStatus.RETIRED

    def helix_kinds(self, theme: str) -> set[str]:
        return {s["kind"] for s in self.stakeholders if theme in s["themes"]}

    def check_active(self) -> None:
        if self.status != CityStatus.ACTIVE:
            raise CityRetiredError(f"{self.name} has retired from the programme")
