"""One smoke test on both stores: the API on SQLite and on PostgreSQL, idempotency table included."""

from __future__ import annotations

import threading

import pytest

from config.settings import persistence_env
from domain.followers import Follower
from domain.views import Views
from tests.api.conftest import Api, enrol_cast, make_settings
from tests.support.cast import build_programme
from web.app import close_app, create_app


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request):
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def store_api(store_url):
    programme = build_programme(store_url)
    views = Views(persistence_env(store_url))
    app = create_app(make_settings(store_url), programme=programme, views=views)
    stop = threading.Event()
    thread = threading.Thread(target=Follower(programme, views).run, args=(stop, 0.02), daemon=True)
    thread.start()
    tokens, user_ids, city_ids = enrol_cast(programme)
    yield Api(app.test_client(), app, programme, tokens, city_ids, user_ids)
    stop.set()
    thread.join(timeout=10)
    close_app(app)
    views.close()
    programme.close()


def test_smoke_on_each_store(store_api):
    api = store_api
    body = {
        "title": "Urban agriculture",
        "proposer_city_id": api.city("rome"),
        "invited_city_ids": [api.city("yantai")],
    }
    first = api.post("rome", "/api/v1/partnerships", body, headers={"Idempotency-Key": "smoke"})
    again = api.post("rome", "/api/v1/partnerships", body, headers={"Idempotency-Key": "smoke"})
    assert first.status_code == again.status_code == 201 and again.get_json() == first.get_json()
    partnership = first.get_json()
    accepted = api.post(
        "yantai",
        f"/api/v1/partnerships/{partnership['id']}/accept",
        {"city_id": api.city("yantai")},
        headers={"If-Match": first.headers["ETag"]},
    )
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "active"
    stale = api.post(
        "yantai",
        f"/api/v1/partnerships/{partnership['id']}/conclude",
        {"outcome": "x"},
        headers={"If-Match": first.headers["ETag"]},
    )
    assert stale.status_code == 412 and stale.mimetype == "application/problem+json"
    board = api.get("auditor", "/api/v1/partnerships", query_string={"after": accepted.headers["X-Log-Position"]})
    assert board.status_code == 200 and board.get_json()["items"][0]["status"] == "active"
    assert api.client.get("/healthz").get_json()["status"] == "ok"
