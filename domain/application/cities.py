"""Registering cities and keeping their profiles and stakeholders."""

from __future__ import annotations

import uuid
from typing import Any

from domain.access import Principal, require_officer_of_any, require_staff
from domain.application.base import ProgrammeBase, Recorded, parse_id
from domain.errors import ConcurrencyConflict, Duplicate, InvalidValue, StaleVersion
from domain.limits import MAX_POPULATION
from domain.model.city import PROFILE_FIELDS, City
from domain.model.indexes import CityName
from domain.regions import check_country
from domain.themes import check_themes
from domain.values import check_name, check_stakeholder_kind, check_text, check_timezone, check_working_hours
from domain.zones import check_zone_of_country


def check_population(population: int | None) -> int | None:
    if population is None:
        return None
    if isinstance(population, bool) or not isinstance(population, int) or not 0 < population <= MAX_POPULATION:
        raise InvalidValue("population", f"must be a whole number from 1 to {MAX_POPULATION:,}")
    return population


PROFILE_CHECKS = {
    "name": check_name,
    "local_name": lambda v: None if v is None else check_name(v, "local_name"),
    "timezone": check_timezone,
    "population": check_population,
    "themes_offered": lambda v: check_themes(v, "themes_offered"),
    "themes_sought": lambda v: check_themes(v, "themes_sought"),
    "description": lambda v: check_text(v, "description"),
    "working_hours": check_working_hours,
}


def check_profile(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(fields) - set(PROFILE_FIELDS))
    if unknown:
        raise InvalidValue(unknown[0], "is not a profile field")
    return {key: PROFILE_CHECKS[key](value) for key, value in fields.items()}


class CitiesMixin(ProgrammeBase):
    def register_city(
        self,
        principal: Principal,
        name: str,
        country: str,
        timezone: str,
        themes_offered: list[str] = (),
        themes_sought: list[str] = (),
        **profile: Any,
    ) -> Recorded:
        require_staff(principal)
        country = check_country(country)
        fields = check_profile(
            {
                "name": name,
                "timezone": timezone,
                "themes_offered": themes_offered,
                "themes_sought": themes_sought,
                **profile,
            }
        )
        check_zone_of_country(country, fields["timezone"])
        city = City(country=country, actor=principal.user_id, **fields)
        claim = self._claim_name(country, fields["name"], str(city.id), principal.user_id)
        try:
            position = self.record(city, claim)
        except ConcurrencyConflict:
            raise Duplicate(f"{country} already has a city called {fields['name']}") from None
        return Recorded(city, position)

    def update_city(
        self,
        principal: Principal,
        city_id: str,
        changes: dict[str, Any],
        expected_version: int | None = None,
    ) -> Recorded:
        city_id = str(parse_id(city_id, "id"))
        require_officer_of_any(principal, [city_id], "this city")
        changes = check_profile(changes)
        if "timezone" in changes:
            check_zone_of_country(self.load(City, city_id).country, changes["timezone"])
        if "name" in changes:
            city = self.load(City, city_id)
            if changes["name"] != city.name:
                return self._rename(principal, city, changes, expected_version)
        return self.change(
            City,
            city_id,
            lambda c: c.update_profile(changes, actor=principal.user_id),
            expected_version=expected_version,
        )

    def _rename(
        self, principal: Principal, city: City, changes: dict[str, Any], expected_version: int | None = None
    ) -> Recorded:
        """A rename claims the new name and releases the old one in the same transaction.

        A new spelling of the same name (case, spaces) keeps the claim it already holds.
        """
        actor, read_version = principal.user_id, city.version
        if expected_version is not None and read_version != expected_version:
            raise StaleVersion(expected_version, read_version)
        old_claim = self.load(CityName, CityName.create_id(city.country, city.name))
        claims: tuple[CityName, ...] = ()
        if CityName.create_id(city.country, changes["name"]) != old_claim.id:
            claims = (self._claim_name(city.country, changes["name"], str(city.id), actor), old_claim)
        city.update_profile(changes, actor=actor)
        if claims:
            old_claim.release(actor=actor)
        try:
            return Recorded(city, self.record(city, *claims))
        except ConcurrencyConflict:
            current = self.load(City, city.id).version
            if current != read_version:  # the city itself changed meanwhile, not the name's claim
                if expected_version is not None:
                    raise StaleVersion(expected_version, current) from None
                raise
            raise Duplicate(f"{city.country} already has a city called {changes['name']}") from None

    def _claim_name(self, country: str, name: str, city_id: str, actor: str) -> CityName:
        """A new claim on ``name``, or a released claim taken again; Duplicate while another city holds it."""
        claim_id = CityName.create_id(country, name)
        if not self.exists(claim_id):
            return CityName(country=country, name=name, city_id=city_id, actor=actor)
        claim = self.load(CityName, claim_id)
        if not claim.reclaim(city_id, actor=actor):
            raise Duplicate(f"{country} already has a city called {name}")
        return claim

    def add_stakeholder(
        self,
        principal: Principal,
        city_id: str,
        name: str,
        kind: str,
        themes: list[str] = (),
        expected_version: int | None = None,
    ) -> Recorded:
        city_id = str(parse_id(city_id, "id"))
        require_officer_of_any(principal, [city_id], "this city")
        name, kind, themes = check_name(name), check_stakeholder_kind(kind), check_themes(themes)
        stakeholder_id = str(uuid.uuid4())
        return self.change(
            City,
            city_id,
            lambda c: c.add_stakeholder(stakeholder_id, name, kind, themes, actor=principal.user_id),
            expected_version=expected_version,
        )

    def remove_stakeholder(self, principal: Principal, city_id: str, stakeholder_id: str) -> Recorded:
        city_id = str(parse_id(city_id, "id"))
        require_officer_of_any(principal, [city_id], "this city")
        return self.change(City, city_id, lambda c: c.remove_stakeholder(stakeholder_id, actor=principal.user_id))

    def retire_city(self, principal: Principal, city_id: str, reason: str | None = None) -> Recorded:
        require_staff(principal)
        reason = check_text(reason, "reason")
        return self.change(City, city_id, lambda c: c.retire(reason, actor=principal.user_id))
