"""API tests: the Flask test client against a Programme on a real SQLite store.

The cast (admin, facilitator, auditor, and an officer per city) is enrolled through
the Programme directly, keeping every token so requests can act as anyone.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from config.settings import Settings, persistence_env
from domain.followers import Follower
from domain.views import Views
from tests.support.cast import CITIES, build_programme
from web.app import close_app, create_app

ADMIN_TOKEN = "admin-token-for-api-tests-" + "x" * 24
PROBLEM = "application/problem+json"


@pytest.fixture
def database_url(sqlite_url):
    """API tests run on SQLite only (the store-parametrised smoke test asks for both itself)."""
    return sqlite_url


@dataclass
class Api:
    client: Any
    app: Any
    programme: Any
    tokens: dict[str, str] = field(default_factory=dict)
    city_ids: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, str] = field(default_factory=dict)

    def city(self, key: str) -> str:
        return self.city_ids[key]

    def headers(self, who: str | None, extra: dict | None = None) -> dict:
        headers = {} if who is None else {"Authorization": f"Bearer {self.tokens[who]}"}
        headers.update(extra or {})
        return headers

    def get(self, who, path, **kwargs):
        return self.client.get(path, headers=self.headers(who, kwargs.pop("headers", None)), **kwargs)

    def post(self, who, path, json=None, **kwargs):
        return self.client.post(
            path, json={} if json is None else json, headers=self.headers(who, kwargs.pop("headers", None)), **kwargs
        )

    def patch(self, who, path, json=None, **kwargs):
        return self.client.patch(
            path, json=json or {}, headers=self.headers(who, kwargs.pop("headers", None)), **kwargs
        )

    # -- shortcuts for arranging a scene ---------------------------------------------------

    def propose(self, proposer="rome", invited=("yantai",), who=None, **extra) -> dict:
        body = {
            "title": f"{proposer} with {', '.join(invited)}",
            "proposer_city_id": self.city(proposer),
            "invited_city_ids": [self.city(c) for c in invited],
            "themes": ["urban-agriculture"],
            **extra,
        }
        response = self.post(who or proposer, "/api/v1/partnerships", body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def active_partnership(self, proposer="rome", invited=("yantai",)) -> dict:
        partnership = self.propose(proposer, invited)
        for city in invited:
            response = self.post(city, f"/api/v1/partnerships/{partnership['id']}/accept", {"city_id": self.city(city)})
            assert response.status_code == 200, response.get_json()
        return response.get_json()

    def schedule(
        self, starts_at="2030-03-04T09:00:00+01:00", cities=("rome", "yantai"), planned_at=None, **extra
    ) -> dict:
        """A session; ``planned_at`` (a datetime) schedules it back then, so that it may have started by now."""
        body = {
            "title": "Kick-off",
            "kind": "online",
            "starts_at": starts_at,
            "duration_minutes": 90,
            "invited_city_ids": [self.city(c) for c in cities],
            **extra,
        }
        self.programme.clock.current = planned_at
        try:
            response = self.post("facilitator", "/api/v1/meetings", body)
        finally:
            self.programme.clock.current = None
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def draft(self, parties=(("Yantai University", "yantai"), ("Tuscia University", "rome")), who="yantai") -> dict:
        body = {
            "title": "Universities MoU",
            "kind": "mou",
            "parties": [{"name": n, "city_id": self.city(c)} for n, c in parties],
            "topics": ["urban-agriculture"],
        }
        response = self.post(who, "/api/v1/agreements", body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def launch(self, partnership_id: str, who="rome") -> dict:
        response = self.post(
            who,
            "/api/v1/projects",
            {"title": "Urban agriculture faculty", "partnership_id": partnership_id, "themes": ["urban-agriculture"]},
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()


def enrol_cast(programme) -> tuple[dict, dict, dict]:
    """Admin, facilitator, auditor and one officer per city of the test cast, with their tokens."""
    admin = programme.ensure_admin(ADMIN_TOKEN)
    tokens, user_ids, city_ids = {"admin": ADMIN_TOKEN}, {"admin": admin.user_id}, {}
    for role in ("facilitator", "auditor"):
        issued = programme.create_user(admin, f"Programme {role}", f"{role}@iuc.example", role)
        tokens[role], user_ids[role] = issued.token, str(issued.user.id)
    facilitator = programme.authenticate(tokens["facilitator"])
    for key, (name, country, tz, offered, sought) in CITIES.items():
        city = programme.register_city(facilitator, name, country, tz, offered, sought).aggregate
        city_ids[key] = str(city.id)
        issued = programme.create_user(
            admin, f"{name} officer", f"officer@{key}.example", "officer", city_id=str(city.id)
        )
        tokens[key], user_ids[key] = issued.token, str(issued.user.id)
    return tokens, user_ids, city_ids


def make_settings(database_url: str, **overrides) -> Settings:
    return Settings(mode="test", database_url=database_url, admin_token=ADMIN_TOKEN, **overrides)


@contextmanager
def api_on(url: str) -> Iterator[Api]:
    """The API on the store at ``url``, its views' follower running in a thread, the cast enrolled."""
    programme = build_programme(url)
    views = Views(persistence_env(url))
    app = create_app(make_settings(url), programme=programme, views=views)
    stop = threading.Event()
    thread = threading.Thread(target=Follower(programme, views).run, args=(stop, 0.02), daemon=True)
    thread.start()
    tokens, user_ids, city_ids = enrol_cast(programme)
    try:
        yield Api(app.test_client(), app, programme, tokens, city_ids, user_ids)
    finally:
        stop.set()
        thread.join(timeout=10)
        close_app(app)
        views.close()
        programme.close()


@pytest.fixture
def views(database_url):
    found = Views(persistence_env(database_url))
    yield found
    found.close()


@pytest.fixture
def app(programme, database_url, views):
    application = create_app(make_settings(database_url), programme=programme, views=views)
    application.config["TESTING"] = True
    yield application
    close_app(application)


@pytest.fixture
def projector(programme, views):
    """The views' follower running in a thread, as the projector process does."""
    stop = threading.Event()
    follower = Follower(programme, views)
    thread = threading.Thread(target=follower.run, args=(stop, 0.02), daemon=True, name="test-projector")
    thread.start()
    yield follower
    stop.set()
    thread.join(timeout=10)


@pytest.fixture
def api(app, programme) -> Api:
    tokens, user_ids, city_ids = enrol_cast(programme)
    return Api(app.test_client(), app, programme, tokens, city_ids, user_ids)


def assert_problem(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    assert response.mimetype == PROBLEM, response.mimetype
    body = response.get_json(force=True)
    assert body["status"] == status
    assert body["type"].startswith("https://twinning.example/problems/")
    assert body["title"]
    if code is not None:
        assert body["type"] == f"https://twinning.example/problems/{code}", body
    return body


@pytest.fixture
def pages(programme, database_url, views, tmp_path):
    """The app for the pages' tests: mail into ``tmp_path/outbox``, links under http://pages.test, the cast
    enrolled (``pages.tokens``, ``pages.user_ids``); helpers in tests/support/pages.py."""
    app = create_app(
        make_settings(database_url, var_dir=tmp_path, public_url="http://pages.test"), programme=programme, views=views
    )
    tokens, user_ids, _city_ids = enrol_cast(programme)
    app.tokens, app.user_ids, app.outbox = tokens, user_ids, tmp_path / "outbox"
    yield app
    close_app(app)
