"""A cooperation programme (IUC Asia 2017-2020, IURC Asia-Australasia 2021-): its world regions,
its cities and the facilitators who act in it.

The Application itself is called ``Programme`` (the one door to the store), so the
aggregate is ``CooperationProgramme``. Its id derives from its code, so the store itself
refuses a second programme with the same code.
"""

from __future__ import annotations

import re
from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidValue, RuleBroken
from domain.limits import MAX_PROGRAMME_CODE, MAX_PROGRAMME_REGIONS
from domain.model.statuses import ProgrammeStatus
from domain.regions import REGIONS

_NAMESPACE = uuid5(NAMESPACE_URL, "https://twinning.example/programmes")
CODE_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"  # a slug: iuc-asia, iurc-asia-australasia
_CODE = re.compile(CODE_PATTERN)


class ProgrammeNotResolved(RuleBroken):
    """Which programme a new thing belongs to depends on what is recorded (its cities' programmes): 409."""

    code = "programme-not-resolved"
    title = "Which programme this belongs to cannot be told from its cities: name it in programme_id"

    def __init__(self, message: str) -> None:
        super().__init__(f"programme_id: {message}")
        self.field, self.message = "programme_id", message


class CityJoinedTwice(RuleBroken):
    code = "city-joined-twice"
    title = "A city joins a programme once"


class CityNotInProgramme(RuleBroken):
    code = "city-not-in-programme"
    title = "The city is not a member of this programme"


class FacilitatorAssignedTwice(RuleBroken):
    code = "facilitator-assigned-twice"
    title = "A facilitator is assigned to a programme once"


class ProgrammeClosedError(RuleBroken):
    code = "programme-closed"
    title = "Nothing more can join a closed programme"


class RegionOutsideProgramme(RuleBroken):
    code = "region-outside-programme"
    title = "The city's world region is not one of the programme's regions"


def check_code(code: str) -> str:
    if not isinstance(code, str) or not _CODE.match(code) or len(code) > MAX_PROGRAMME_CODE:
        raise InvalidValue(
            "code", f"must be a slug of lower-case letters, digits and single hyphens, at most {MAX_PROGRAMME_CODE}"
        )
    return code


def check_regions(regions: list[str]) -> list[str]:
    if not isinstance(regions, list) or not regions or len(regions) > MAX_PROGRAMME_REGIONS:
        raise InvalidValue("regions", f"give from 1 to {MAX_PROGRAMME_REGIONS} world regions")
    for region in regions:
        if region not in REGIONS:
            raise InvalidValue("regions", f"unknown world region {region!r}; one of {', '.join(REGIONS)}")
    return sorted(set(regions))


def programme_id_of(code: str) -> UUID:
    return uuid5(_NAMESPACE, f"programme/{code}")


class CooperationProgramme(Aggregate):
    @staticmethod
    def create_id(code: str, **_: object) -> UUID:
        return programme_id_of(code)

    @classmethod
    def launch(
        cls, code: str, name: str, regions: list[str], starts_on: date, actor: str, ends_on: date | None = None
    ) -> CooperationProgramme:
        if ends_on is not None and ends_on < starts_on:
            raise InvalidValue("ends_on", f"{ends_on} is before starts_on {starts_on}")
        return cls(
            code=check_code(code),
            name=name,
            regions=check_regions(regions),
            starts_on=starts_on,
            ends_on=ends_on,
            actor=actor,
        )

    @event("ProgrammeLaunched")
    def __init__(
        self, code: str, name: str, regions: list[str], starts_on: date, ends_on: date | None, actor: str
    ) -> None:
        self.code = code
        self.name = name
        self.regions = list(regions)
        self.starts_on = starts_on
        self.ends_on = ends_on
        self.city_ids: list[str] = []
        self.facilitator_ids: list[str] = []
        self.status = ProgrammeStatus.OPEN

    def admit(self, city_id: str, region: str, actor: str) -> None:
        """``region``: the city's world region, which must be one of the programme's."""
        self._check_open()
        if city_id in self.city_ids:
            raise CityJoinedTwice(f"the city {city_id} is already in {self.code}")
        if region not in self.regions:
            raise RegionOutsideProgramme(f"the city is in {region}; {self.code} covers {', '.join(self.regions)}")
        self._join(city_id=city_id, actor=actor)

    @event("CityJoined")
    def _join(self, city_id: str, actor: str) -> None:
        self.city_ids.append(city_id)

    def release(self, city_id: str, actor: str, reason: str | None = None) -> None:
        self.check_member(city_id)
        self._leave(city_id=city_id, reason=reason, actor=actor)

    @event("CityLeft")
    def _leave(self, city_id: str, reason: str | None, actor: str) -> None:
        self.city_ids.remove(city_id)

    def assign_facilitator(self, user_id: str, actor: str) -> None:
        self._check_open()
        if user_id in self.facilitator_ids:
            raise FacilitatorAssignedTwice(f"the user {user_id} already facilitates {self.code}")
        self._assign(user_id=user_id, actor=actor)

    @event("FacilitatorAssigned")
    def _assign(self, user_id: str, actor: str) -> None:
        self.facilitator_ids.append(user_id)

    def close(self, ends_on: date, actor: str) -> None:
        self._check_open()
        if ends_on < self.starts_on:
            raise InvalidValue("ends_on", f"{ends_on} is before the programme's start {self.starts_on}")
        self._close(ends_on=ends_on, actor=actor)

    @event("ProgrammeClosed")
    def _close(self, ends_on: date, actor: str) -> None:
        self.status = ProgrammeStatus.CLOSED
        self.ends_on = ends_on

    def check_member(self, city_id: str, field: str | None = None) -> None:
        if city_id not in self.city_ids:
            raise CityNotInProgramme(f"the city {city_id} is not in {self.code}" + (f" ({field})" if field else ""))

    def _check_open(self) -> None:
        if self.status == ProgrammeStatus.CLOSED:
            raise ProgrammeClosedError(f"{self.code} closed on {self.ends_on}")


class ProgrammeRegistry(Aggregate):
    """Every programme's id and code in one place: commands that resolve a city's programmes
    load it first (a store without it has no programme at all)."""

    @staticmethod
    def create_id(**_: object) -> UUID:
        return uuid5(_NAMESPACE, "registry")

    @event("RegistryOpened")
    def __init__(self, actor: str) -> None:
        self.programmes: dict[str, str] = {}

    def enter(self, programme_id: str, code: str, actor: str) -> None:
        self._enter(programme_id=programme_id, code=code, actor=actor)

    @event("ProgrammeRegistered")
    def _enter(self, programme_id: str, code: str, actor: str) -> None:
        self.programmes[programme_id] = code
