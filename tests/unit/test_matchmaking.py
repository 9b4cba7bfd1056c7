"""Matchmaking: explainable partner suggestions, with cities from the IUC Asia 2020 seed."""

from __future__ import annotations

import random
import re
import uuid
from datetime import date, time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import Duplicate, InvalidValue, NotFound
from domain.matchmaking import (
    WEIGHTS,
    CityProfile,
    MatchIndex,
    Suggestion,
    region_label,
    schedule_overlap,
    score_pair,
)
from domain.themes import THEMES, theme_label

JANUARY = date(2026, 1, 15)
JULY = date(2026, 7, 15)
ALL_HELIX = frozenset({"public", "private", "research"})


def cid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"city:{name}"))


def city(name, country, region, tz, offers=(), seeks=(), partners=(), **extra) -> CityProfile:
    return CityProfile(
        id=cid(name),
        name=name,
        country=country,
        region=region,
        timezone=tz,
        themes_offered=frozenset(offers),
        themes_sought=frozenset(seeks),
        partners=frozenset(cid(p) for p in partners),
        **extra,
    )


@pytest.fixture
def seed_cities() -> dict[str, CityProfile]:
    cities = [
        city(
            "Rome",
            "IT",
            "europe",
            "Europe/Rome",
            offers={"digital-twin", "cultural-heritage", "urban-agriculture", "energy-efficiency", "smart-city"},
            seeks={"hydrogen", "energy-storage", "medical-equipment"},
            partners={"Yantai", "Stuttgart Region"},
        ),
        city(
            "Chengdu",
            "CN",
            "east-asia",
            "Asia/Shanghai",
            offers={"hydrogen", "energy-storage"},
            seeks={"digital-twin", "energy-efficiency"},
            helix={"hydrogen": ALL_HELIX},
            median_response_hours=30,
        ),
        # Yantai does not list Rome: a partnership declared on one side still counts.
        city(
            "Yantai",
            "CN",
            "east-asia",
            "Asia/Shanghai",
            offers={"urban-agriculture", "education"},
            seeks={"cultural-heritage", "digital-twin"},
        ),
        city(
            "Mannheim",
            "DE",
            "europe",
            "Europe/Berlin",
            offers={"advanced-manufacturing", "connectivity"},
            seeks={"mobility"},
            partners={"Chongqing"},
        ),
        city(
            "Chongqing",
            "CN",
            "east-asia",
            "Asia/Shanghai",
            offers={"connectivity", "mobility"},
            seeks={"advanced-manufacturing"},
        ),
        city("Manchester", "GB", "europe", "Europe/London", offers={"hydrogen"}, seeks={"energy-storage"}),
        city(
            "Stuttgart Region",
            "DE",
            "europe",
            "Europe/Berlin",
            offers={"hydrogen", "industrial-design"},
            seeks={"smart-city"},
            partners={"Rome", "Guangzhou"},
        ),
        city(
            "Guangzhou",
            "CN",
            "east-asia",
            "Asia/Shanghai",
            offers={"biotech", "medical-equipment"},
            seeks={"industrial-design", "blockchain"},
        ),
        city(
            "Liuzhou",
            "CN",
            "east-asia",
            "Asia/Shanghai",
            offers={"mobility", "advanced-manufacturing", "smart-city"},
            seeks={"urban-planning"},
            partners={"Barcelona"},
        ),
        city("Barcelona", "ES", "europe", "Europe/Madrid", offers={"smart-city", "urban-planning"}, seeks={"mobility"}),
        city(
            "Wuhan",
            "CN",
            "east-asia",
            "Asia/Shanghai",
            offers={"hydrogen", "energy-storage", "medical-equipment"},
            seeks={"digital-twin"},
            helix={"hydrogen": ALL_HELIX},
            median_response_hours=2,
            retired=True,
        ),
    ]
    return {c.name: c for c in cities}


@pytest.fixture
def index(seed_cities) -> MatchIndex:
    return MatchIndex(seed_cities.values())


def brute_force(profiles: dict[str, CityProfile], city_id: str, limit: int, on: date) -> list[Suggestion]:
    me = profiles[city_id]
    found = [score_pair(me, other, on=on, profiles=profiles) for other in profiles.values()]
    ranked = sorted((s for s in found if s is not None), key=lambda s: (-s.score, s.name, s.city_id))
    return ranked[:limit]


def test_rome_seeking_hydrogen_ranks_chengdu_first(index, seed_cities):
    suggestions = index.suggest(cid("Rome"), on=JANUARY)
    assert suggestions[0].name == "Chengdu"
    assert "Chengdu offers Hydrogen and fuel cells, which Rome seeks" in suggestions[0].reasons
    assert "Has public, private and research partners on Hydrogen and fuel cells" in suggestions[0].reasons
    assert "Bridges Europe and East Asia" in suggestions[0].reasons
    assert "Usually answers invitations within 2 days" in suggestions[0].reasons


def test_every_reason_names_real_data(index, seed_cities):
    names = [c.name for c in seed_cities.values()]
    labels = list(THEMES.values())
    regions = [region_label(c.region) for c in seed_cities.values()]
    numbers = re.compile(r"\d+ (h|min|days|working days)|within a day|on weekdays")
    for me in seed_cities.values():
        for s in index.suggest(me.id, on=JULY):
            assert s.reasons, s
            for reason in s.reasons:
                assert reason.endswith(tuple("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789)"))
                assert (
                    any(label in reason for label in labels)
                    or any(name in reason for name in names)
                    or any(region in reason for region in regions)
                    or numbers.search(reason)
                ), reason
            theme_sentences = [r for r in s.reasons if " offers " in r or r.startswith("Both ")]
            for reason in theme_sentences:
                assert any(label in reason for label in labels), reason


def test_excludes_the_city_itself_and_its_partners_either_way(index):
    rome = [s.name for s in index.suggest(cid("Rome"), limit=100, on=JANUARY)]
    assert "Rome" not in rome
    assert "Yantai" not in rome and "Stuttgart Region" not in rome
    # Yantai's own profile lists no partner; Rome's does.
    assert "Rome" not in [s.name for s in index.suggest(cid("Yantai"), limit=100, on=JANUARY)]
    assert "Chongqing" not in [s.name for s in index.suggest(cid("Mannheim"), limit=100, on=JANUARY)]
    assert "Mannheim" not in [s.name for s in index.suggest(cid("Chongqing"), limit=100, on=JANUARY)]


def test_score_pair_refuses_self_partners_and_retired(seed_cities):
    rome, yantai, wuhan = seed_cities["Rome"], seed_cities["Yantai"], seed_cities["Wuhan"]
    assert score_pair(rome, rome, on=JANUARY) is None
    assert score_pair(rome, yantai, on=JANUARY) is None
    assert score_pair(yantai, rome, on=JANUARY, profiles={c.id: c for c in seed_cities.values()}) is None
    assert score_pair(rome, wuhan, on=JANUARY) is None
    assert score_pair(wuhan, rome, on=JANUARY) is None


def test_a_retired_city_is_never_suggested(index, seed_cities):
    for me in seed_cities.values():
        assert "Wuhan" not in [s.name for s in index.suggest(me.id, limit=100, on=JANUARY)]
    assert index.suggest(cid("Wuhan"), on=JANUARY) == []


def test_complementarity_works_both_ways(seed_cities):
    rome, chengdu = seed_cities["Rome"], seed_cities["Chengdu"]
    for_rome = score_pair(rome, chengdu, on=JANUARY)
    assert "Chengdu offers Energy storage and grids, which Rome seeks" in for_rome.reasons
    assert "Chengdu offers Hydrogen and fuel cells, which Rome seeks" in for_rome.reasons
    assert "Rome offers Digital twins and BIM/GIS, which Chengdu seeks" in for_rome.reasons
    assert "Rome offers Energy efficiency in buildings, which Chengdu seeks" in for_rome.reasons
    for_chengdu = score_pair(chengdu, rome, on=JANUARY)
    assert "Rome offers Digital twins and BIM/GIS, which Chengdu seeks" in for_chengdu.reasons
    assert "Chengdu offers Hydrogen and fuel cells, which Rome seeks" in for_chengdu.reasons
    # What the candidate offers weighs more than what the city can give it.
    one_way = city("Granada", "ES", "europe", "Europe/Madrid", offers={"hydrogen"})
    other_way = city("Nice", "FR", "europe", "Europe/Paris", seeks={"smart-city"})
    assert score_pair(rome, one_way, on=JANUARY).score > score_pair(rome, other_way, on=JANUARY).score
    assert score_pair(rome, other_way, on=JANUARY).reasons[0] == "Rome offers Smart city, which Nice seeks"


def test_shared_themes_are_named(seed_cities):
    suggestion = score_pair(seed_cities["Liuzhou"], seed_cities["Rome"], on=JANUARY)
    assert "Both work on Smart city" in suggestion.reasons
    both_seek = score_pair(seed_cities["Manchester"], seed_cities["Rome"], on=JANUARY)
    assert "Both seek Energy storage and grids" in both_seek.reasons


def test_dst_rome_shanghai_overlap_is_2h_in_january_and_3h_in_july(seed_cities):
    rome, chengdu = seed_cities["Rome"], seed_cities["Chengdu"]
    january = schedule_overlap(rome.timezone, rome.schedule, chengdu.timezone, chengdu.schedule, JANUARY)
    july = schedule_overlap(rome.timezone, rome.schedule, chengdu.timezone, chengdu.schedule, JULY)
    assert (january.minutes, july.minutes) == (120, 180)
    assert january.days == july.days == frozenset(range(5))
    jan_pair, jul_pair = score_pair(rome, chengdu, on=JANUARY), score_pair(rome, chengdu, on=JULY)
    assert "Working hours overlap 2 h on weekdays" in jan_pair.reasons
    assert "Working hours overlap 3 h on weekdays" in jul_pair.reasons
    assert jul_pair.score > jan_pair.score
    index = MatchIndex([rome, chengdu])
    assert index.suggest(rome.id, on=JANUARY) == [jan_pair]
    assert index.suggest(rome.id, on=JULY) == [jul_pair]


def test_overlap_half_hour_zone_and_no_overlap():
    rome = city("Rome", "IT", "europe", "Europe/Rome", seeks={"health"})
    pune = city("Pune", "IN", "south-asia", "Asia/Kolkata", offers={"health"})
    assert "Working hours overlap 4 h 30 min on weekdays" in score_pair(rome, pune, on=JANUARY).reasons
    manchester = city("Manchester", "GB", "europe", "Europe/London", seeks={"health"})
    wellington = city("Wellington", "NZ", "oceania", "Pacific/Auckland", offers={"health"})
    reasons = score_pair(manchester, wellington, on=JANUARY).reasons
    assert not any(r.startswith("Working hours") for r in reasons)
    assert "Bridges Europe and Oceania" in reasons


def test_partner_of_a_partner_is_a_reason(index, seed_cities):
    guangzhou = next(s for s in index.suggest(cid("Rome"), on=JANUARY) if s.name == "Guangzhou")
    assert "Partner of Stuttgart Region, which already works with Rome" in guangzhou.reasons
    assert "Guangzhou offers Medical equipment, which Rome seeks" in guangzhou.reasons
    profiles = {c.id: c for c in seed_cities.values()}
    alone = score_pair(seed_cities["Rome"], seed_cities["Guangzhou"], on=JANUARY, profiles=profiles)
    assert alone == guangzhou
    # Mannheim works with Chongqing, a partner of... nobody else here: Liuzhou gets no such reason.
    liuzhou = score_pair(seed_cities["Mannheim"], seed_cities["Liuzhou"], on=JANUARY, profiles=profiles)
    assert not any(r.startswith("Partner of") for r in liuzhou.reasons)


def test_scores_in_range_and_ordering_deterministic(seed_cities):
    shuffled = list(seed_cities.values())
    results = []
    for seed in range(5):
        random.Random(seed).shuffle(shuffled)
        index = MatchIndex(shuffled)
        results.append({c.id: index.suggest(c.id, limit=20, on=JULY) for c in shuffled})
    assert all(r == results[0] for r in results)
    profiles = {c.id: c for c in seed_cities.values()}
    for city_id, suggestions in results[0].items():
        assert all(0 < s.score <= 100 for s in suggestions)
        assert suggestions == brute_force(profiles, city_id, 20, JULY)


def test_ties_are_broken_by_name_then_id():
    seeker = city("Rome", "IT", "europe", "Europe/Rome", seeks={"culture"})
    twins = [
        CityProfile(
            id=f"id-{n}",
            name=name,
            country="CN",
            region="east-asia",
            timezone="Asia/Shanghai",
            themes_offered=frozenset({"culture"}),
            themes_sought=frozenset(),
        )
        for n, name in [(3, "Yangzhou"), (2, "Haikou"), (1, "Yangzhou"), (0, "Kunming")]
    ]
    got = MatchIndex([seeker, *twins]).suggest(seeker.id, on=JANUARY)
    assert [(s.name, s.city_id) for s in got] == [
        ("Haikou", "id-2"),
        ("Kunming", "id-0"),
        ("Yangzhou", "id-1"),
        ("Yangzhou", "id-3"),
    ]
    assert len({s.score for s in got}) == 1


def test_limit_and_unknown_city(index):
    assert len(index.suggest(cid("Rome"), limit=2, on=JANUARY)) == 2
    assert index.suggest(cid("Rome"), limit=0, on=JANUARY) == []
    with pytest.raises(NotFound):
        index.suggest("nope", on=JANUARY)


def test_score_is_clamped_to_100():
    rome = city(
        "Rome",
        "IT",
        "europe",
        "Europe/Rome",
        offers={"culture", "tourism", "education"},
        seeks={"hydrogen", "energy-storage", "mobility", "health"},
        partners={"Stuttgart Region"},
    )
    star = city(
        "Chengdu",
        "CN",
        "east-asia",
        "Asia/Shanghai",
        offers={"hydrogen", "energy-storage", "mobility", "culture"},
        seeks={"culture", "tourism", "education", "health"},
        helix={"hydrogen": ALL_HELIX},
        partners={"Stuttgart Region"},
        median_response_hours=3,
    )
    stuttgart = city("Stuttgart Region", "DE", "europe", "Europe/Berlin")
    profiles = {p.id: p for p in (rome, star, stuttgart)}
    assert score_pair(rome, star, on=JULY, profiles=profiles).score == 100
    assert sum(WEIGHTS.values()) > 100


def test_add_and_replace_keep_the_index_current(seed_cities):
    index = MatchIndex(seed_cities.values())
    nice = city("Nice", "FR", "europe", "Europe/Paris", offers={"culture"}, seeks={"tourism"})
    haikou = city("Haikou", "CN", "east-asia", "Asia/Shanghai", offers={"tourism"}, seeks={"culture"})
    index.add(nice)
    index.add(haikou)
    assert index.suggest(nice.id, on=JANUARY)[0].name == "Haikou"
    with pytest.raises(Duplicate):
        index.add(nice)
    index.replace(CityProfile(**{**haikou.__dict__, "partners": frozenset({nice.id})}))
    assert "Haikou" not in [s.name for s in index.suggest(nice.id, limit=50, on=JANUARY)]
    index.replace(CityProfile(**{**seed_cities["Chengdu"].__dict__, "retired": True}))
    assert "Chengdu" not in [s.name for s in index.suggest(cid("Rome"), limit=50, on=JANUARY)]
    with pytest.raises(NotFound):
        index.replace(city("Bologna", "IT", "europe", "Europe/Rome"))
    profiles = {p.id: index.get(p.id) for p in [*seed_cities.values(), nice, haikou]}
    fresh = MatchIndex(profiles.values())
    for city_id in profiles:
        assert index.suggest(city_id, limit=50, on=JULY) == fresh.suggest(city_id, limit=50, on=JULY)


def test_profiles_are_validated():
    with pytest.raises(InvalidValue):
        city("Rome", "IT", "europe", "Europe/Rome", offers={"teleportation"})
    with pytest.raises(InvalidValue):
        city("Rome", "IT", "europe", "Mars/Olympus_Mons")
    with pytest.raises(InvalidValue):
        city("Rome", "IT", "europe", "Europe/Rome", helix={"hydrogen": {"military"}})
    assert theme_label("hydrogen") == "Hydrogen and fuel cells"


# -- properties --------------------------------------------------------------------

SOME_THEMES = ["hydrogen", "mobility", "culture", "smart-city", "health", "sdg-11"]
ZONES = ["Europe/Rome", "Europe/London", "Asia/Shanghai", "Asia/Kolkata", "Pacific/Auckland", "America/New_York"]
WINDOWS = [(time(9), time(18)), (time(8, 30), time(17)), (time(22), time(6)), (time(0), time(0))]
DATES = [JANUARY, JULY, date(2026, 3, 29), date(2026, 10, 25), date(2026, 3, 8)]


@st.composite
def small_world(draw):
    n = draw(st.integers(min_value=1, max_value=9))
    ids = [f"c{i}" for i in range(n)]
    themes = st.frozensets(st.sampled_from(SOME_THEMES), max_size=3)
    profiles = []
    for i in ids:
        profiles.append(
            CityProfile(
                id=i,
                name=draw(st.sampled_from(["Rome", "Chengdu", "Yantai", "Mannheim"])),
                country="XX",
                region=draw(st.sampled_from(["europe", "east-asia", "oceania", ""])),
                timezone=draw(st.sampled_from(ZONES)),
                themes_offered=draw(themes),
                themes_sought=draw(themes),
                helix=draw(
                    st.dictionaries(
                        st.sampled_from(SOME_THEMES), st.frozensets(st.sampled_from(sorted(ALL_HELIX))), max_size=2
                    )
                ),
                partners=draw(st.frozensets(st.sampled_from(ids + ["elsewhere"]), max_size=3)),
                working_hours=draw(st.sampled_from(WINDOWS)),
                working_days=draw(st.frozensets(st.integers(0, 6), max_size=7)),
                median_response_hours=draw(st.none() | st.floats(0, 400, allow_nan=False)),
                retired=draw(st.booleans()),
            )
        )
    return profiles


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=small_world(), limit=st.integers(1, 12), on=st.sampled_from(DATES))
def test_property_scores_in_range_no_self_or_partners_sorted(world, limit, on):
    index = MatchIndex(world)
    profiles = {p.id: p for p in world}
    for me in world:
        got = index.suggest(me.id, limit=limit, on=on)
        assert len(got) <= limit
        partners = me.partners | {p.id for p in world if me.id in p.partners}
        for s in got:
            assert 0 <= s.score <= 100 and s.reasons
            assert s.city_id != me.id and s.city_id not in partners
            assert not profiles[s.city_id].retired
        assert got == sorted(got, key=lambda s: (-s.score, s.name, s.city_id))
        assert got == brute_force(profiles, me.id, limit, on)


def test_fast_ranking_agrees_with_scoring_every_pair_on_a_larger_world():
    """Hundreds of cities, so the index's tiers and class shortcuts really prune."""
    rng = random.Random(7)
    themes = sorted(THEMES)
    world = []
    for i in range(300):
        zone, region = rng.choice(
            [
                ("Europe/Rome", "europe"),
                ("Europe/London", "europe"),
                ("Asia/Shanghai", "east-asia"),
                ("Asia/Tokyo", "east-asia"),
                ("Asia/Kolkata", "south-asia"),
            ]
        )
        bare = rng.random() < 0.15  # no themes at all: only region, hours and responsiveness count
        world.append(
            CityProfile(
                id=f"city-{i:03d}",
                name=rng.choice(["Rome", "Chengdu", "Yantai", "Liuzhou", "Barcelona"]) + f" {i % 40}",
                country="XX",
                region=region,
                timezone=zone,
                themes_offered=frozenset() if bare else frozenset(rng.sample(themes, rng.randint(1, 4))),
                themes_sought=frozenset() if bare else frozenset(rng.sample(themes, rng.randint(0, 4))),
                helix={t: ALL_HELIX for t in rng.sample(themes, 1)} if rng.random() < 0.3 else {},
                partners=frozenset(f"city-{rng.randrange(300):03d}" for _ in range(rng.randint(0, 2))),
                median_response_hours=rng.choice([None, 5, 30, 70, 150, 500]),
                retired=rng.random() < 0.03,
            )
        )
    index = MatchIndex(world)
    profiles = {p.id: p for p in world}
    for n, me in enumerate(world[:25]):
        on = (JANUARY, JULY)[n % 2]
        for limit in (1, 10):
            assert index.suggest(me.id, limit=limit, on=on) == brute_force(profiles, me.id, limit, on)


def test_cities_are_partners_while_a_proposal_or_partnership_ties_them():
    from domain.matchmaking import partners_by_city

    partners = partners_by_city(
        [
            ("proposed", "rome", {"chengdu": "pending", "yantai": "declined"}),
            ("active", "mannheim", {"chongqing": "accepted"}),
            ("withdrawn", "barcelona", {"liuzhou": "pending"}),
            ("declined", "nice", {"haikou": "declined"}),
        ]
    )

    assert partners["rome"] == {"chengdu"} and partners["chengdu"] == {"rome"}
    assert partners["mannheim"] == {"chongqing"}
    assert "yantai" not in partners and "barcelona" not in partners and "haikou" not in partners
