"""The programme's cast for tests: Rome, Yantai, Mannheim, Chongqing, Chengdu and their officers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from config.settings import persistence_env
from domain.access import Principal
from domain.application import Programme

CITIES = {
    "rome": (
        "Rome",
        "IT",
        "Europe/Rome",
        ["smart-city", "digital-twin", "energy-efficiency"],
        ["hydrogen", "urban-agriculture"],
    ),
    "yantai": (
        "Yantai",
        "CN",
        "Asia/Shanghai",
        ["urban-agriculture", "education"],
        ["cultural-heritage", "energy-efficiency"],
    ),
    "mannheim": ("Mannheim", "DE", "Europe/Berlin", ["advanced-manufacturing", "connectivity"], ["connectivity"]),
    "chongqing": ("Chongqing", "CN", "Asia/Shanghai", ["connectivity"], ["advanced-manufacturing"]),
    "chengdu": ("Chengdu", "CN", "Asia/Shanghai", ["hydrogen", "energy-storage"], ["smart-city"]),
    "barcelona": ("Barcelona", "ES", "Europe/Madrid", ["smart-city", "urban-planning"], ["advanced-manufacturing"]),
}


class Clock:
    """A settable clock: tests move time instead of sleeping."""

    def __init__(self, now: datetime | None = None) -> None:
        self.current = now

    def __call__(self) -> datetime:
        return self.current or datetime.now(UTC)

    def advance(self, **delta: float) -> None:
        self.current = self() + timedelta(**delta)


@dataclass
class Cast:
    programme: Programme
    admin: Principal
    facilitator: Principal
    auditor: Principal
    city_ids: dict[str, str]
    officers: dict[str, Principal]

    def city(self, key: str) -> str:
        return self.city_ids[key]

    def officer(self, key: str) -> Principal:
        return self.officers[key]


def build_programme(database_url: str, clock: Clock | None = None, **env: str) -> Programme:
    return Programme(env={**persistence_env(database_url), **env}, clock=clock)


def enrol(programme: Programme, admin: Principal, facilitator: Principal, keys=tuple(CITIES)) -> tuple[dict, dict]:
    city_ids, officers = {}, {}
    for key in keys:
        name, country, tz, offered, sought = CITIES[key]
        city = programme.register_city(facilitator, name, country, tz, offered, sought).aggregate
        city_ids[key] = str(city.id)
        issued = programme.create_user(
            admin, f"{name} officer", f"officer@{key}.example", "officer", city_id=str(city.id)
        )
        officers[key] = programme.authenticate(issued.token)
    return city_ids, officers


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def programme(database_url, clock):
    app = build_programme(database_url, clock)
    yield app
    app.close()


@pytest.fixture
def cast(programme) -> Cast:
    admin = programme.ensure_admin("admin-token-for-tests-" + "x" * 24)
    facilitator = programme.authenticate(
        programme.create_user(admin, "IUC facilitator", "facilitator@iuc.example", "facilitator").token
    )
    auditor = programme.authenticate(
        programme.create_user(admin, "Programme auditor", "auditor@iuc.example", "auditor").token
    )
    city_ids, officers = enrol(programme, admin, facilitator)
    return Cast(programme, admin, facilitator, auditor, city_ids, officers)
