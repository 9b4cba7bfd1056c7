"""ETag / If-Match (412) and Idempotency-Key (replay, reuse with another body, racing twins)."""

from __future__ import annotations

import threading
import time

import pytest

from tests.api.conftest import assert_problem

MEETING = {"title": "Kick-off", "kind": "online", "starts_at": "2030-03-04T09:00:00+01:00", "duration_minutes": 60}


def test_every_single_resource_and_command_answer_carries_its_version_as_etag(api):
    proposal = api.propose()
    got = api.get("auditor", f"/api/v1/partnerships/{proposal['id']}")
    assert got.headers["ETag"] == '"1"'
    accepted = api.post("yantai", f"/api/v1/partnerships/{proposal['id']}/accept", {"city_id": api.city("yantai")})
    assert accepted.headers["ETag"] == f'"{accepted.get_json()["version"]}"' == '"3"'
    assert int(accepted.headers["X-Log-Position"]) > 0


def test_if_match_with_the_current_version_acts_and_a_stale_one_is_412(api):
    url = f"/api/v1/cities/{api.city('rome')}"
    etag = api.get("rome", url).headers["ETag"]
    first = api.patch("rome", url, {"description": "first"}, headers={"If-Match": etag})
    assert first.status_code == 200 and first.headers["ETag"] == '"2"'
    stale = api.patch("rome", url, {"description": "second"}, headers={"If-Match": etag})
    body = assert_problem(stale, 412, "stale-version")
    assert stale.headers["ETag"] == '"2"' and body["current_version"] == 2
    assert api.get("rome", url).get_json()["description"] == "first"
    assert api.patch("rome", url, {"description": "any"}, headers={"If-Match": "*"}).status_code == 200


@pytest.mark.parametrize(
    "path, body",
    [
        ("/partnerships/{p}/accept", {"city_id": "{yantai}"}),
        ("/partnerships/{p}/withdraw", {}),
    ],
)
def test_if_match_on_partnership_commands(api, path, body):
    proposal = api.propose()
    url = "/api/v1" + path.format(p=proposal["id"])
    body = {k: api.city("yantai") if v == "{yantai}" else v for k, v in body.items()}
    assert_problem(api.post("facilitator", url, body, headers={"If-Match": '"7"'}), 412)
    assert api.post("facilitator", url, body, headers={"If-Match": '"1"'}).status_code == 200


def test_if_match_on_commands_without_an_expected_version_in_the_domain(api):
    url = f"/api/v1/cities/{api.city('rome')}/stakeholders"
    assert_problem(api.post("rome", url, {"name": "ENEA", "kind": "research"}, headers={"If-Match": '"5"'}), 412)
    assert api.post("rome", url, {"name": "ENEA", "kind": "research"}, headers={"If-Match": '"1"'}).status_code == 201
    user_url = f"/api/v1/users/{api.user_ids['auditor']}/tokens"
    assert_problem(api.post("admin", user_url, headers={"If-Match": '"99"'}), 412)


@pytest.mark.parametrize("value", ["3", "W/", '"3", "4"', '"abc"', "'3'"])
def test_malformed_if_match_is_a_400(api, value):
    response = api.patch(
        "rome", f"/api/v1/cities/{api.city('rome')}", {"description": "x"}, headers={"If-Match": value}
    )
    assert_problem(response, 400, "malformed-if-match")


def test_weak_etag_never_matches(api):
    response = api.patch(
        "rome", f"/api/v1/cities/{api.city('rome')}", {"description": "x"}, headers={"If-Match": 'W/"1"'}
    )
    assert_problem(response, 412)


def test_idempotency_key_replays_the_first_answer_without_a_second_effect(api):
    body = {**MEETING, "invited_city_ids": [api.city("rome"), api.city("yantai")]}
    first = api.post("facilitator", "/api/v1/meetings", body, headers={"Idempotency-Key": "k-1"})
    again = api.post(
        "facilitator", "/api/v1/meetings", dict(reversed(body.items())), headers={"Idempotency-Key": "k-1"}
    )
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["ETag"] == first.headers["ETag"] and again.headers["Location"] == first.headers["Location"]
    assert again.headers["X-Log-Position"] == first.headers["X-Log-Position"]
    assert again.headers["Idempotent-Replayed"] == "true"
    history = api.get("auditor", f"/api/v1/meetings/{first.get_json()['id']}/history").get_json()["items"]
    assert len(history) == 1
    # another key is another request; another principal's same key is theirs alone
    third = api.post("facilitator", "/api/v1/meetings", body, headers={"Idempotency-Key": "k-2"})
    assert third.get_json()["id"] != first.get_json()["id"]
    admins = api.post("admin", "/api/v1/meetings", body, headers={"Idempotency-Key": "k-1"})
    assert admins.status_code == 201 and admins.get_json()["id"] != first.get_json()["id"]


def test_idempotency_key_replays_errors_too_but_not_server_errors(api, monkeypatch):
    body = {"name": "Rome", "country": "IT", "timezone": "Europe/Rome"}
    first = api.post("facilitator", "/api/v1/cities", body, headers={"Idempotency-Key": "dup"})
    again = api.post("facilitator", "/api/v1/cities", body, headers={"Idempotency-Key": "dup"})
    assert first.status_code == again.status_code == 409 and again.get_json() == first.get_json()

    original = api.programme.register_city
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("boom")
        return original(*args, **kwargs)

    monkeypatch.setattr(api.programme, "register_city", flaky)
    lisbon = {"name": "Lisbon", "country": "PT", "timezone": "Europe/Lisbon"}
    assert api.post("facilitator", "/api/v1/cities", lisbon, headers={"Idempotency-Key": "retry"}).status_code == 500
    assert api.post("facilitator", "/api/v1/cities", lisbon, headers={"Idempotency-Key": "retry"}).status_code == 201


def test_same_key_with_another_body_is_a_422(api):
    body = {**MEETING, "invited_city_ids": [api.city("rome")]}
    assert api.post("facilitator", "/api/v1/meetings", body, headers={"Idempotency-Key": "k"}).status_code == 201
    other = api.post("facilitator", "/api/v1/meetings", {**body, "title": "Other"}, headers={"Idempotency-Key": "k"})
    assert_problem(other, 422, "idempotency-key-reused")
    elsewhere = api.post(
        "facilitator",
        "/api/v1/cities",
        {"name": "X", "country": "IT", "timezone": "Europe/Rome"},
        headers={"Idempotency-Key": "k"},
    )
    assert_problem(elsewhere, 422, "idempotency-key-reused")


@pytest.mark.parametrize("key", ["", "a" * 300, "bad key", "ключ".encode().decode("latin-1")])
def test_malformed_idempotency_key_is_a_400(api, key):
    """The last key is what a server sees of a non-Latin header value: its UTF-8 bytes read as Latin-1."""
    body = {**MEETING, "invited_city_ids": [api.city("rome")]}
    response = api.post("facilitator", "/api/v1/meetings", body, headers={"Idempotency-Key": key})
    assert_problem(response, 400, "malformed-idempotency-key")


def test_racing_requests_with_one_key_have_one_effect(api, monkeypatch):
    original = api.programme.schedule_meeting
    calls = []

    def slow(*args, **kwargs):
        calls.append(threading.get_ident())
        time.sleep(0.3)
        return original(*args, **kwargs)

    monkeypatch.setattr(api.programme, "schedule_meeting", slow)
    body = {**MEETING, "invited_city_ids": [api.city("rome"), api.city("yantai")]}
    barrier = threading.Barrier(4)
    answers = []

    def send():
        client = api.app.test_client()
        barrier.wait()
        response = client.post(
            "/api/v1/meetings", json=body, headers=api.headers("facilitator", {"Idempotency-Key": "race"})
        )
        answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(calls) == 1
    assert [status for status, _ in answers] == [201] * 4
    assert len({body["id"] for _, body in answers}) == 1


def test_idempotency_keys_are_kept_at_least_a_day_and_purged_later(api):
    from web.idempotency import RETENTION_SECONDS

    assert RETENTION_SECONDS >= 24 * 3600
    store = api.app.extensions["twinning"].idempotency
    assert store.claim("someone", "old-key", "f") is None
    store.complete("someone", "old-key", 201, {"ETag": '"1"'}, b"{}")
    store.purge(before=time.time() - RETENTION_SECONDS)
    assert store.get("someone", "old-key").status == 201
    store.purge(before=time.time() + 1)
    assert store.get("someone", "old-key") is None
