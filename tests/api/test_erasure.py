"""Erasure through the API: admins only, with a reason; twice is a conflict; never the last admin."""

from __future__ import annotations

from domain.privacy.personal import pseudonym
from tests.api.conftest import assert_problem


def test_erasing_twice_is_a_conflict(api):
    rome = api.user_ids["rome"]
    first = api.post("admin", f"/api/v1/users/{rome}/erase", {"reason": "asked by letter"})
    assert first.status_code == 200 and first.get_json()["user"]["name"] == pseudonym(rome)
    again = assert_problem(
        api.post("admin", f"/api/v1/users/{rome}/erase", {"reason": "asked again"}), 409, "already-erased"
    )
    assert rome in again["detail"]
    assert api.get("admin", f"/api/v1/users/{rome}").get_json()["status"] == "erased"


def test_the_last_active_admin_cannot_be_erased(api):
    admin = api.user_ids["admin"]
    assert_problem(api.post("admin", f"/api/v1/users/{admin}/erase", {"reason": "leaving"}), 409, "last-admin")
    assert api.get("admin", "/api/v1/me").get_json()["status"] == "active", "nothing was recorded"
    other = api.post(
        "admin", "/api/v1/users", {"name": "Second admin", "email": "second@iuc.example", "role": "admin"}
    ).get_json()
    erased = api.post("admin", f"/api/v1/users/{admin}/erase", {"reason": "leaving"})
    assert erased.status_code == 200, erased.get_json()
    api.tokens["second"] = other["token"]
    assert api.get("second", "/api/v1/me").status_code == 200
    assert api.get("admin", "/api/v1/me").status_code == 401


def test_only_an_admin_erases_and_a_reason_is_given(api):
    rome = api.user_ids["rome"]
    assert_problem(api.post("auditor", f"/api/v1/users/{rome}/erase", {"reason": "x"}), 403)
    assert_problem(api.post("rome", f"/api/v1/users/{rome}/erase", {"reason": "x"}), 403)
    missing = assert_problem(api.post("admin", f"/api/v1/users/{rome}/erase", {}), 422)
    assert "reason" in str(missing)
    assert api.get("admin", f"/api/v1/users/{rome}").get_json()["status"] == "active"


def test_personal_data_is_for_the_person_or_an_admin(api):
    rome = api.user_ids["rome"]
    assert api.get("rome", f"/api/v1/users/{rome}/personal-data").status_code == 200
    assert api.get("admin", f"/api/v1/users/{rome}/personal-data").status_code == 200
    assert_problem(api.get("yantai", f"/api/v1/users/{rome}/personal-data"), 403)
    assert_problem(api.get("auditor", f"/api/v1/users/{rome}/personal-data"), 403)


def kept_keys(api) -> set[tuple[str, str]]:
    from web.idempotency import TABLE

    with api.app.extensions["twinning"].idempotency.storage.transaction(commit=False) as db:
        return {(r["owner"], r["key"]) for r in db.all(f"SELECT owner, key FROM {TABLE}")}


def test_kept_answers_that_hold_the_persons_data_are_purged(api):
    from web.idempotency import _row_key

    body = {"name": "Giulia Ferraresi", "email": "giulia@comune.roma.example", "role": "officer"}
    made = api.post("admin", "/api/v1/users", {**body, "city_id": api.city("rome")}, headers={"Idempotency-Key": "g1"})
    giulia = made.get_json()["id"]
    api.tokens["giulia"] = made.get_json()["token"]
    proposal = {"title": "Smart city", "proposer_city_id": api.city("rome"), "invited_city_ids": [api.city("yantai")]}
    api.post("giulia", "/api/v1/partnerships", proposal, headers={"Idempotency-Key": "g2"})
    unrelated = {"title": "Hydrogen", "proposer_city_id": api.city("yantai"), "invited_city_ids": [api.city("rome")]}
    api.post("yantai", "/api/v1/partnerships", unrelated, headers={"Idempotency-Key": "y1"})
    admin, yantai = api.user_ids["admin"], api.user_ids["yantai"]
    assert {(admin, _row_key("g1")), (giulia, _row_key("g2")), (yantai, _row_key("y1"))} <= kept_keys(api)

    assert api.post("admin", f"/api/v1/users/{giulia}/erase", {"reason": "her request"}).status_code == 200
    kept = kept_keys(api)
    assert (admin, _row_key("g1")) not in kept, "the answer naming her (POST /users) is purged"
    assert (giulia, _row_key("g2")) not in kept, "her own answers are purged"
    assert (yantai, _row_key("y1")) in kept, "answers about nobody erased are kept"
