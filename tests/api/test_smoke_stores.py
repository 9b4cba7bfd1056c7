"""One smoke test on both stores: the API on SQLite and on PostgreSQL, idempotency table included."""

from __future__ import annotations

import pytest

from tests.api.conftest import api_on


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request):
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def store_api(store_url):
    with api_on(store_url) as api:
        yield api


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
