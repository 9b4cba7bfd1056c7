"""City: registration, its unique name per country, profile and triple-helix stakeholders."""

from __future__ import annotations

import pytest

from domain.errors import Duplicate, InvalidValue, NotFound, StaleVersion
from domain.model.city import City, CityRetiredError
from domain.model.indexes import CityName

FACILITATOR = "user-facilitator"


def register(people, name: str, country: str = "IT", timezone: str = "Europe/Rome", **profile):
    return people.programme.register_city(people.facilitator, name, country, timezone, **profile).aggregate


def test_registered_city_keeps_its_profile(people):
    city = register(
        people,
        "Liuzhou",
        "CN",
        "Asia/Shanghai",
        local_name="柳州",
        population=4_158_800,
        themes_offered=["advanced-manufacturing", "sdg-11"],
        themes_sought=["mobility", "mobility"],
        working_hours={"start": "08:30", "end": "17:30", "days": [4, 0, 1, 2, 3]},
    )
    stored = people.programme.load(City, city.id)
    assert (stored.name, stored.local_name, stored.country, stored.timezone) == (
        "Liuzhou",
        "柳州",
        "CN",
        "Asia/Shanghai",
    )
    assert stored.themes_offered == ["advanced-manufacturing", "sdg-11"]
    assert stored.themes_sought == ["mobility"]
    assert stored.working_hours == {"start": "08:30", "end": "17:30", "days": [0, 1, 2, 3, 4]}
    assert (stored.status, stored.stakeholders, stored.version) == ("active", [], 1)


@pytest.mark.parametrize("spelling", ["Rome", "rome", "ROME", "  Rome  ", "RoMe"])
def test_city_name_unique_per_country_case_insensitively(people, spelling):
    app = people.programme
    before = app.recorder.max_notification_id()
    with pytest.raises(Duplicate):
        register(people, spelling)
    assert app.recorder.max_notification_id() == before


def test_same_city_name_allowed_in_another_country(people):
    rome_georgia = register(people, "Rome", "US", "America/New_York")
    assert rome_georgia.country == "US"
    assert str(rome_georgia.id) != people.city("rome")
    with pytest.raises(Duplicate):
        register(people, "rome", "us", "America/New_York")


def test_renamed_city_releases_its_old_name(people):
    app = people.programme
    app.update_city(people.officer("rome"), people.city("rome"), {"name": "Roma Capitale"})
    assert app.load(City, people.city("rome")).name == "Roma Capitale"
    released = app.load(CityName, CityName.create_id("IT", "Rome"))
    assert released.city_id is None
    rome_again = register(people, "Rome")
    assert app.load(CityName, CityName.create_id("IT", "rome")).city_id == str(rome_again.id)
    with pytest.raises(Duplicate):
        register(people, "roma capitale")


def test_city_cannot_be_renamed_to_a_name_another_city_holds(people):
    app = people.programme
    milan = register(people, "Milan")
    with pytest.raises(Duplicate):
        app.update_city(people.facilitator, str(milan.id), {"name": "ROME", "population": 1_400_000})
    stored = app.load(City, milan.id)
    assert (stored.name, stored.population, stored.version) == ("Milan", None, 1)
    assert app.load(CityName, CityName.create_id("IT", "Milan")).city_id == str(milan.id)


def test_rename_with_an_expected_version_still_claims_the_new_name(people):
    app = people.programme
    milan = register(people, "Milan")
    with pytest.raises(Duplicate):
        app.update_city(people.facilitator, str(milan.id), {"name": "Rome"}, expected_version=1)
    with pytest.raises(StaleVersion):
        app.update_city(people.facilitator, str(milan.id), {"name": "Milano"}, expected_version=2)
    renamed = app.update_city(people.facilitator, str(milan.id), {"name": "Milano"}, expected_version=1).aggregate
    assert (renamed.name, renamed.version) == ("Milano", 2)
    assert app.load(CityName, CityName.create_id("IT", "Milano")).city_id == str(milan.id)
    assert app.load(CityName, CityName.create_id("IT", "Milan")).city_id is None


def test_city_may_respell_its_own_name(people):
    app = people.programme
    renamed = app.update_city(people.officer("rome"), people.city("rome"), {"name": "ROME"}).aggregate
    assert (renamed.name, renamed.version) == ("ROME", 2)
    assert app.load(CityName, CityName.create_id("IT", "Rome")).city_id == people.city("rome")


def test_a_name_released_by_one_city_can_be_taken_by_another_rename(people):
    app = people.programme
    milan = register(people, "Milan")
    app.update_city(people.officer("rome"), people.city("rome"), {"name": "Roma"})
    app.update_city(people.facilitator, str(milan.id), {"name": "Rome"})
    assert app.load(City, milan.id).name == "Rome"
    assert app.load(CityName, CityName.create_id("IT", "Rome")).city_id == str(milan.id)
    with pytest.raises(Duplicate):
        app.update_city(people.officer("rome"), people.city("rome"), {"name": "rome"})


@pytest.mark.parametrize(
    "timezone", ["Europe/Atlantis", "CET+1", "", " Europe/Rome", "GMT+8", "../../etc/passwd", None]
)
def test_city_time_zone_must_be_an_iana_zone(people, timezone):
    with pytest.raises(InvalidValue) as refused:
        register(people, "Nowhere", "IT", timezone)
    assert refused.value.field == "timezone"


@pytest.mark.parametrize("country", ["XX", "Italy", "", "ITA"])
def test_city_country_must_be_an_iso_code(people, country):
    with pytest.raises(InvalidValue) as refused:
        register(people, "Nowhere", country)
    assert refused.value.field == "country"


def test_city_themes_come_from_the_vocabulary(people):
    with pytest.raises(InvalidValue) as refused:
        register(people, "Nowhere", themes_sought=["smart-city", "space-tourism"])
    assert refused.value.field == "themes_sought"
    with pytest.raises(InvalidValue):
        register(people, "Nowhere", themes_offered=["sdg-18"])


@pytest.mark.parametrize("population", [0, -1, 100_000_001, True, 1.5, "1000"])
def test_population_is_a_plausible_whole_number(people, population):
    with pytest.raises(InvalidValue) as refused:
        register(people, "Nowhere", population=population)
    assert refused.value.field == "population"


def test_profile_update_changes_only_what_differs(people):
    app = people.programme
    rome = people.city("rome")
    updated = app.update_city(
        people.officer("rome"), rome, {"population": 2_844_000, "timezone": "Europe/Rome"}
    ).aggregate
    assert (updated.population, updated.version) == (2_844_000, 2)
    unchanged = app.update_city(people.officer("rome"), rome, {"population": 2_844_000}).aggregate
    assert unchanged.version == 2
    events = list(app.events.get(updated.id))
    assert events[-1].changes == {"population": 2_844_000}


def test_unknown_profile_field_is_refused(people):
    with pytest.raises(InvalidValue) as refused:
        people.programme.update_city(people.officer("rome"), people.city("rome"), {"mayor": "Gualtieri"})
    assert refused.value.field == "mayor"
    with pytest.raises(ValueError):
        City(
            name="X", country="IT", timezone="Europe/Rome", themes_offered=[], themes_sought=[], actor=FACILITATOR
        ).update_profile({"country": "FR"}, actor=FACILITATOR)


def test_stakeholders_follow_the_triple_helix(people):
    app = people.programme
    rome = people.city("rome")
    for name, kind in (("Roma Capitale", "public"), ("ACEA", "private"), ("Sapienza University", "research")):
        app.add_stakeholder(people.officer("rome"), rome, name, kind, ["smart-city"])
    city = app.load(City, rome)
    assert city.helix_kinds("smart-city") == {"public", "private", "research"}
    assert city.helix_kinds("hydrogen") == set()
    with pytest.raises(InvalidValue) as refused:
        app.add_stakeholder(people.officer("rome"), rome, "Friends of Rome", "charity", ["culture"])
    assert refused.value.field == "kind"
    assert len(app.load(City, rome).stakeholders) == 3


def test_stakeholder_is_removed_by_its_id_and_an_unknown_one_is_not_found(people):
    app = people.programme
    rome = people.city("rome")
    city = app.add_stakeholder(people.officer("rome"), rome, "ACEA", "private", ["energy-efficiency"]).aggregate
    stakeholder_id = city.stakeholders[0]["id"]
    with pytest.raises(NotFound):
        app.remove_stakeholder(people.officer("rome"), rome, "no-such-stakeholder")
    assert app.remove_stakeholder(people.officer("rome"), rome, stakeholder_id).aggregate.stakeholders == []


def test_retired_city_changes_no_more(people):
    app = people.programme
    rome = people.city("rome")
    retired = app.retire_city(people.facilitator, rome, "left the programme").aggregate
    assert retired.status == "retired"
    with pytest.raises(CityRetiredError):
        app.update_city(people.officer("rome"), rome, {"population": 1})
    with pytest.raises(CityRetiredError):
        app.add_stakeholder(people.officer("rome"), rome, "ACEA", "private")
    with pytest.raises(CityRetiredError):
        app.retire_city(people.facilitator, rome)
    assert app.load(City, rome).version == 2


def test_unknown_city_is_not_found(people):
    with pytest.raises(NotFound):
        people.programme.load(City, "00000000-0000-0000-0000-000000000000")
    with pytest.raises(InvalidValue) as refused:
        people.programme.load(City, "rome")
    assert refused.value.field == "id"
