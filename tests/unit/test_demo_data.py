"""The IUC Asia 2020 demo programme (domain/demo/iuc_2020.json) tells the seed's story consistently.

Also covers the world-region table (domain/regions.py) that the programme rule
"partners span at least two world regions" rests on.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from importlib import resources
from zoneinfo import ZoneInfo

import pytest

from domain.errors import InvalidValue
from domain.regions import COUNTRY_NAMES, REGION_OF_COUNTRY, REGIONS, check_country, region_of
from domain.themes import THEMES

EUROPEAN_PILOTS = {
    "Burgas",
    "Bologna",
    "Barcelona",
    "Málaga",
    "Granada",
    "Rome",
    "Nice",
    "Barnsley",
    "Greater Manchester",
    "Reggio Emilia",
    "Stuttgart Region",
    "Mannheim",
    "AAK",
}
CHINESE_PILOTS = {
    "Chongqing",
    "Longyan",
    "Zhengzhou",
    "Shantou",
    "Haikou",
    "Changchun",
    "Kunming",
    "Liuzhou",
    "Yantai",
    "Weinan",
    "Tianjin",
    "Chengdu",
    "Wuhan",
    "Guangzhou",
    "Panjin",
    "Ningbo",
    "Hohhot",
    "Yangzhou",
}
THE_FIVE_AGREEMENTS = {
    frozenset({"Yantai University", "Tuscia University"}): "mou",
    frozenset({"Sapienza University of Rome", "Yantai University"}): "framework",
    frozenset({"Sapienza University of Rome", "Chengdu EIRI"}): "protocol",
    frozenset({"Manchester Fuel Cell Innovation Centre", "Chengdu EIRI"}): "mou",
    frozenset({"FREE Association", "Liuzhou Liudong District"}): "mou",
}


@pytest.fixture(scope="module")
def demo() -> dict:
    text = resources.files("domain.demo").joinpath("iuc_2020.json").read_text(encoding="utf-8")
    return json.loads(text)


@pytest.fixture(scope="module")
def cities(demo) -> dict[str, dict]:
    return {city["key"]: city for city in demo["cities"]}


def keys(items: list[dict]) -> set[str]:
    return {item["key"] for item in items}


def every_theme_list(demo) -> list[tuple[str, list[str]]]:
    lists = []
    for city in demo["cities"]:
        lists += [(city["key"], city["themes_offered"]), (city["key"], city["themes_sought"])]
        lists += [(f"{city['key']}/{s['name']}", s["themes"]) for s in city["stakeholders"]]
    lists += [(p["key"], p["themes"]) for p in demo["partnerships"]]
    lists += [(p["key"], p["themes"]) for p in demo["projects"]]
    lists += [(a["key"], a["topics"]) for a in demo["agreements"]]
    return lists


# ---------------------------------------------------------------- world regions


def test_a_country_code_is_accepted_in_any_case():
    assert check_country("it") == "IT"
    assert check_country("Cn") == "CN"


@pytest.mark.parametrize("bad", ["XX", "", "ITA", "I", " it", None, 39])
def test_an_unknown_country_is_refused_naming_the_field_and_the_value(bad):
    with pytest.raises(InvalidValue) as refused:
        check_country(bad, field="cities[0].country")
    assert refused.value.field == "cities[0].country"
    assert repr(bad) in refused.value.message


def test_china_is_east_asia_and_britain_is_europe():
    assert region_of("CN") == "east-asia"
    assert region_of("GB") == "europe"
    assert region_of("gr") == "europe"


def test_europes_edges_and_the_north_american_territories_sit_where_the_programme_puts_them():
    assert {region_of(c) for c in ("TR", "CY", "RU", "GE", "AM", "AZ")} == {"europe"}
    assert {region_of(c) for c in ("US", "CA", "GL", "BM", "PM")} == {"north-america"}
    assert {region_of(c) for c in ("HK", "MO", "TW", "MN", "KP", "KR", "JP")} == {"east-asia"}
    assert region_of("AQ") == "antarctica"


def test_every_assigned_iso_code_has_one_region_and_one_name():
    assert len(REGION_OF_COUNTRY) == 249
    assert set(COUNTRY_NAMES) == set(REGION_OF_COUNTRY)
    assert set(REGION_OF_COUNTRY.values()) == set(REGIONS)
    assert all(len(code) == 2 and code.isascii() and code.isupper() for code in REGION_OF_COUNTRY)


def test_an_unknown_country_has_no_region():
    with pytest.raises(InvalidValue):
        region_of("XX")


# ---------------------------------------------------------------- the cities


def test_the_programme_has_13_european_and_19_chinese_cities_including_nanjing(demo, cities):
    assert len(demo["cities"]) == 32
    assert len(cities) == 32, "city keys must be unique"
    european = {c["name"] for c in demo["cities"] if region_of(c["country"]) == "europe"}
    chinese = {c["name"] for c in demo["cities"] if c["country"] == "CN"}
    assert european == EUROPEAN_PILOTS
    assert chinese == CHINESE_PILOTS | {"Nanjing"}


def test_every_city_has_a_real_country_and_time_zone(demo):
    for city in demo["cities"]:
        assert check_country(city["country"], field=f"{city['key']}.country") == city["country"]
        assert ZoneInfo(city["timezone"]).key == city["timezone"]


def test_british_cities_are_gb_and_chinese_cities_keep_shanghai_time_and_local_names(cities):
    assert cities["manchester"]["country"] == cities["barnsley"]["country"] == "GB"
    assert cities["aak"]["country"] == "GR" and cities["aak"]["timezone"] == "Europe/Athens"
    assert cities["rome"]["local_name"] == "Roma"
    assert cities["malaga"]["name"] == "Málaga"
    chinese = [c for c in cities.values() if c["country"] == "CN"]
    assert {c["timezone"] for c in chinese} == {"Asia/Shanghai"}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in c["local_name"]) for c in chinese)
    assert [cities[k]["local_name"] for k in ("chongqing", "yantai", "liuzhou", "chengdu", "nanjing")] == [
        "重庆",
        "烟台",
        "柳州",
        "成都",
        "南京",
    ]


def test_every_theme_in_the_demo_is_in_the_vocabulary(demo):
    for owner, themes in every_theme_list(demo):
        unknown = [t for t in themes if t not in THEMES]
        assert not unknown, f"{owner}: {unknown}"
        assert themes, f"{owner} has no themes"


def test_stakeholders_follow_the_triple_helix(demo):
    kinds = {s["kind"] for c in demo["cities"] for s in c["stakeholders"]}
    assert kinds == {"public", "private", "research"}


def test_hydrogen_links_manchester_and_chengdu(cities):
    assert "hydrogen" in cities["manchester"]["themes_offered"]
    assert {"hydrogen", "energy-storage"} <= set(cities["chengdu"]["themes_offered"])


# ---------------------------------------------------------------- partnerships and projects


def test_every_pilot_project_row_has_its_partnership_and_project(demo):
    assert len(demo["partnerships"]) == len(keys(demo["partnerships"])) == 15
    assert len(demo["projects"]) == len(keys(demo["projects"])) == 15
    assert sorted(p["partnership"] for p in demo["projects"]) == sorted(keys(demo["partnerships"]))


def test_every_pilot_partnership_bridges_europe_and_china(demo, cities):
    for partnership in demo["partnerships"]:
        members = [partnership["proposer"], *partnership["invited"]]
        regions = {region_of(cities[key]["country"]) for key in members}
        assert len(regions) >= 2, partnership["key"]
        assert {"europe", "east-asia"} <= regions, partnership["key"]


def test_a_partnership_is_proposed_by_a_european_city_that_does_not_invite_itself(demo, cities):
    for partnership in demo["partnerships"]:
        assert partnership["proposer"] in cities
        assert region_of(cities[partnership["proposer"]]["country"]) == "europe"
        assert partnership["invited"], partnership["key"]
        assert partnership["proposer"] not in partnership["invited"]
        assert len(set(partnership["invited"])) == len(partnership["invited"]), "no city twice"
        assert set(partnership["invited"]) <= set(cities)
        if partnership["action_plan"] is not None:
            date.fromisoformat(partnership["action_plan"]["adopted_on"])
            assert partnership["action_plan"]["summary"]


def test_project_results_keep_the_seeds_words(demo):
    results = {p["key"]: p["result"] for p in demo["projects"]}
    assert results["cargo-railway"].startswith("The railway was opened in October 2018")
    assert "Yantai and Tuscia universities signed MOU" in results["urban-agriculture-academic"]
    assert all(p["status"] in {"active", "completed"} for p in demo["projects"])


def test_milestones_have_unique_keys_real_dates_and_explain_rough_ones(demo):
    for project in demo["projects"]:
        assert project["milestones"], project["key"]
        assert len(keys(project["milestones"])) == len(project["milestones"]), project["key"]
        for milestone in project["milestones"]:
            date.fromisoformat(milestone["due_on"])
            if milestone["achieved_on"] is not None:
                date.fromisoformat(milestone["achieved_on"])
            assert milestone["note"]


def test_the_mannheim_chongqing_railway_opened_in_october_2018(demo):
    railway = next(p for p in demo["projects"] if p["key"] == "cargo-railway")
    opened = railway["milestones"][0]
    assert opened["achieved_on"] == "2018-10-01" and "October 2018" in opened["note"]


def test_the_yangzhou_pavilions_are_still_being_built_for_the_2021_expo(demo):
    expo = next(p for p in demo["projects"] if p["key"] == "yangzhou-garden-pavilions")
    pavilions = next(m for m in expo["milestones"] if m["key"] == "pavilions-built")
    assert pavilions["achieved_on"] is None and pavilions["due_on"].startswith("2021-")


# ---------------------------------------------------------------- agreements


def test_the_five_agreements_of_2020_are_all_signed_by_every_party(demo, cities):
    partnerships = keys(demo["partnerships"])
    found = {}
    assert len(demo["agreements"]) == len(keys(demo["agreements"])) == 5
    for agreement in demo["agreements"]:
        names = [p["name"] for p in agreement["parties"]]
        assert len(set(names)) == len(names) >= 2, agreement["key"]
        assert all(p["city"] is None or p["city"] in cities for p in agreement["parties"])
        assert agreement["partnership"] is None or agreement["partnership"] in partnerships
        signers = [s["party"] for s in agreement["signatures"]]
        assert set(signers) <= set(names) and len(set(signers)) == len(signers), agreement["key"]
        assert set(signers) == set(names), f"{agreement['key']}: the seed says signed"
        for signature in agreement["signatures"]:
            assert date.fromisoformat(signature["signed_on"]).year == 2020
        assert agreement["date_note"]
        found[frozenset(names)] = agreement["kind"]
    assert found == THE_FIVE_AGREEMENTS


def test_yantai_and_tuscia_signed_at_the_end_of_october(demo):
    mou = next(a for a in demo["agreements"] if a["key"] == "yantai-tuscia-mou")
    assert {s["signed_on"] for s in mou["signatures"]} == {"2020-10-30"}
    assert {p["name"]: p["city"] for p in mou["parties"]} == {"Yantai University": "yantai", "Tuscia University": None}


# ---------------------------------------------------------------- meetings


def test_sessions_start_at_an_offset_time_and_last_15_to_600_minutes(demo, cities):
    partnerships = keys(demo["partnerships"])
    assert len(keys(demo["meetings"])) == len(demo["meetings"])
    for meeting in demo["meetings"]:
        starts_at = datetime.fromisoformat(meeting["starts_at"])
        assert starts_at.tzinfo is not None and starts_at.utcoffset() is not None, meeting["key"]
        assert 15 <= meeting["duration_minutes"] <= 600
        assert meeting["kind"] in {"online", "webinar", "workshop", "field_visit", "conference", "seminar"}
        assert meeting["invited"] and set(meeting["invited"]) <= set(cities)
        assert len(set(meeting["invited"])) == len(meeting["invited"])
        assert meeting["partnership"] is None or meeting["partnership"] in partnerships
        outcome = meeting["outcome"]
        if outcome is not None:
            assert set(outcome["attended"]) <= set(meeting["invited"]), meeting["key"]
            assert outcome["attendance"] >= 0 and outcome["summary"]


def test_the_4th_global_event_gathered_166_participants_on_3_december_2020(demo, cities):
    event = next(m for m in demo["meetings"] if "4th" in m["title"] and "Global Event" in m["title"])
    assert datetime.fromisoformat(event["starts_at"]).date() == date(2020, 12, 3)
    assert event["outcome"]["attendance"] == 166
    pilots = {k for k, c in cities.items() if c["name"] in EUROPEAN_PILOTS | CHINESE_PILOTS}
    assert set(event["invited"]) == pilots


def test_the_news_of_autumn_2020_is_on_the_calendar(demo):
    by_attendance = {m["outcome"]["attendance"]: m for m in demo["meetings"] if m["outcome"]}
    assert by_attendance[80]["kind"] == "seminar" and by_attendance[80]["starts_at"].startswith("2020-11-")
    assert by_attendance[50]["starts_at"].startswith("2020-10-")
    assert by_attendance[60]["starts_at"].startswith("2020-10-")
    granada = [m for m in demo["meetings"] if m["partnership"] == "granada-blockchain-biotech"]
    assert len(granada) == 3
    assert sorted(m["starts_at"][:7] for m in granada)[0] == "2020-10"
    assert sorted(m["starts_at"][:7] for m in granada)[-1] == "2020-11"


def test_demo_users_are_plainly_demo(demo):
    assert demo["users"]["facilitator"]["email"] == "facilitator@iuc-asia.example"
    assert demo["users"]["auditor"]["email"] == "auditor@iuc-asia.example"
    assert all("demo" in user["name"] for user in demo["users"].values())
