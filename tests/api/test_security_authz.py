"""Authorisation beyond tests/api/test_roles.py: revoked and deactivated tokens, and object-level checks.

test_roles.py proves every write × (own officer, other officer, facilitator, auditor, admin,
no token) → 2xx/403/401. Here, for the same writes:

- a token that WOULD be allowed (the right role, the right city) but has been revoked, or
  whose user has been deactivated, answers 401 problem+json, and nothing is recorded;
- every refusal (403 and 401) leaves the event log exactly as it was;
- an officer who guesses the ids of another city's partnership, project or agreement (or
  names another city in the body) is refused with 403, and nothing is recorded.
"""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_problem
from tests.api.test_roles import ADMIN, STAFF, WRITES, _agreement, _partnership, _project

REFUSED_ACTORS = ("other", "auditor", "revoked", "deactivated", None)


def _head(api) -> int:
    return api.programme.recorder.max_notification_id() or 0


def _role_for(allowed: set[str], own_city: str) -> tuple[str, str | None]:
    """The role (and city) of a user who would be allowed this write."""
    if allowed == ADMIN:
        return "admin", None
    if allowed == STAFF:
        return "facilitator", None
    return "officer", own_city


def _disabled_token(api, how: str, role: str, city: str | None) -> str:
    """A token of a fresh user with this role whose tokens were revoked, or who was deactivated."""
    programme = api.programme
    admin = programme.authenticate(api.tokens["admin"])
    email = f"{how}-{role}-{city or 'staff'}@security.example"
    issued = programme.create_user(admin, f"{how} {role}", email, role, city_id=api.city(city) if city else None)
    assert programme.authenticate(issued.token).role == role  # it worked before
    if how == "revoked":
        programme.revoke_tokens(admin, str(issued.user.id))
    else:
        programme.deactivate_user(admin, str(issued.user.id))
    return issued.token


@pytest.mark.parametrize("name", list(WRITES))
def test_refusals_of_every_write_record_nothing_and_disabled_tokens_are_401(api, name):
    own_city, allowed, arrange = WRITES[name]
    role, city = _role_for(allowed, own_city)
    api.tokens["revoked"] = _disabled_token(api, "revoked", role, city)
    api.tokens["deactivated"] = _disabled_token(api, "deactivated", role, city)
    for actor in REFUSED_ACTORS:
        if actor == "other" and allowed in (ADMIN, STAFF):
            continue  # an officer of any city is refused alike; covered by test_roles
        who = {"other": "barcelona"}.get(actor, actor)
        method, path, body = arrange(api)
        before = _head(api)
        response = api.client.open(path, method=method, json=body, headers=api.headers(who))
        expected = 401 if actor in ("revoked", "deactivated", None) else 403
        assert_problem(response, expected)
        if expected == 401:
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert _head(api) == before, f"{name} as {actor}: something was recorded"
        assert api.tokens.get(who or "", "\0") not in response.get_data(as_text=True)


def test_a_revoked_token_stays_dead_while_a_newly_issued_one_works(api):
    admin = api.programme.authenticate(api.tokens["admin"])
    officer_id = api.user_ids["rome"]
    old = api.tokens["rome"]
    assert api.post("admin", f"/api/v1/users/{officer_id}/tokens/revoke", {}).status_code == 200
    assert_problem(api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {old}"}), 401)
    new = api.post("admin", f"/api/v1/users/{officer_id}/tokens", {}).get_json()["token"]
    assert new != old
    assert api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {new}"}).status_code == 200
    assert_problem(api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {old}"}), 401)
    # deactivation kills the new token too, and a deactivated user cannot be given a working one
    api.programme.deactivate_user(admin, officer_id)
    assert_problem(api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {new}"}), 401)
    before = _head(api)
    assert_problem(api.post("admin", f"/api/v1/users/{officer_id}/tokens", {}), 409, "user-deactivated")
    assert _head(api) == before


def test_a_revoked_admin_cannot_administer(api):
    admin = api.programme.authenticate(api.tokens["admin"])
    issued = api.programme.create_user(admin, "Second admin", "admin2@security.example", "admin")
    api.programme.revoke_tokens(admin, str(issued.user.id))
    before = _head(api)
    response = api.client.post(
        "/api/v1/users",
        json={"name": "Mallory", "email": "mallory@example.org", "role": "admin"},
        headers={"Authorization": f"Bearer {issued.token}"},
    )
    assert_problem(response, 401)
    assert _head(api) == before


# -- object level: guessing the ids of another city's things ----------------------------------


def _scene(api) -> dict:
    """Rome and Yantai's things; Barcelona's officer is the outsider who knows (guesses) their ids."""
    proposed = _partnership(api)  # rome proposes, yantai invited
    active = _partnership(api, active=True)
    return {
        "proposed": proposed,
        "active": active,
        "project": _project(api, milestone=True),
        "agreement": _agreement(api),  # Yantai University & Tuscia University (Rome)
        "in_force": _agreement(api, in_force=True),
    }


OUTSIDER_ATTEMPTS = {
    # name: (who, method, path template, body template)
    "accept rome-yantai as yantai": ("barcelona", "POST", "/partnerships/{proposed}/accept", {"city_id": "{yantai}"}),
    "decline rome-yantai as yantai": ("barcelona", "POST", "/partnerships/{proposed}/decline", {"city_id": "{yantai}"}),
    "invite self to rome's proposal": (
        "barcelona",
        "POST",
        "/partnerships/{proposed}/invite",
        {"city_id": "{barcelona}"},
    ),
    "withdraw rome's proposal": ("barcelona", "POST", "/partnerships/{proposed}/withdraw", {"reason": "mine now"}),
    "adopt rome-yantai action plan": (
        "barcelona",
        "POST",
        "/partnerships/{active}/action-plan",
        {"summary": "S", "adopted_on": "2021-01-01"},
    ),
    "conclude rome-yantai": ("barcelona", "POST", "/partnerships/{active}/conclude", {"outcome": "ended by outsider"}),
    "propose in rome's name": (
        "barcelona",
        "POST",
        "/partnerships",
        {"title": "Fake", "proposer_city_id": "{rome}", "invited_city_ids": ["{chengdu}"]},
    ),
    "launch project on rome-yantai": (
        "barcelona",
        "POST",
        "/projects",
        {"title": "Hijack", "partnership_id": "{active}"},
    ),
    "plan milestone in their project": (
        "barcelona",
        "POST",
        "/projects/{project}/milestones",
        {"title": "M", "due_on": "2031-01-01"},
    ),
    "achieve their milestone": (
        "barcelona",
        "POST",
        "/projects/{project}/milestones/m1/achieve",
        {"achieved_on": "2031-01-02"},
    ),
    "reschedule their milestone": (
        "barcelona",
        "POST",
        "/projects/{project}/milestones/m1/reschedule",
        {"due_on": "2032-01-01", "reason": "R"},
    ),
    "complete their project": ("barcelona", "POST", "/projects/{project}/complete", {"summary": "S"}),
    "cancel their project": ("barcelona", "POST", "/projects/{project}/cancel", {"reason": "R"}),
    "draft an agreement between others": (
        "barcelona",
        "POST",
        "/agreements",
        {
            "title": "A",
            "kind": "mou",
            "parties": [{"name": "Y", "city_id": "{yantai}"}, {"name": "R", "city_id": "{rome}"}],
        },
    ),
    "sign for Tuscia University": (
        "barcelona",
        "POST",
        "/agreements/{agreement}/sign",
        {"party": "Tuscia University", "signed_on": "2020-10-30"},
    ),
    "terminate their agreement": (
        "barcelona",
        "POST",
        "/agreements/{in_force}/terminate",
        {"reason": "R", "on": "2022-01-01"},
    ),
    "edit rome's profile": ("barcelona", "PATCH", "/cities/{rome}", {"description": "defaced"}),
    "add a stakeholder to rome": (
        "barcelona",
        "POST",
        "/cities/{rome}/stakeholders",
        {"name": "Fake Ltd", "kind": "private"},
    ),
    # a party to the agreement, but signing for the OTHER party
    "yantai signs for Tuscia University": (
        "yantai",
        "POST",
        "/agreements/{agreement}/sign",
        {"party": "Tuscia University", "signed_on": "2020-10-30"},
    ),
    # invited itself, but answering for a fellow invitee
    "chengdu accepts for yantai": ("chengdu", "POST", "/partnerships/{two_invited}/accept", {"city_id": "{yantai}"}),
    # a member of the partnership, but the proposer's right
    "yantai withdraws rome's proposal": ("yantai", "POST", "/partnerships/{proposed}/withdraw", {}),
    "yantai invites to rome's proposal": (
        "yantai",
        "POST",
        "/partnerships/{proposed}/invite",
        {"city_id": "{chengdu}"},
    ),
    # reading another user's account
    "read another officer's user": ("barcelona", "GET", "/users/{rome_user}", None),
    "read another officer's history": ("barcelona", "GET", "/users/{rome_user}/history", None),
}


def _fill(value, ids):
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize("name", list(OUTSIDER_ATTEMPTS))
def test_an_officer_guessing_ids_of_another_citys_things_is_refused_and_nothing_is_recorded(api, name):
    ids = {**_scene(api), **api.city_ids, "rome_user": api.user_ids["rome"]}
    ids["two_invited"] = api.propose("rome", ("yantai", "chengdu"))["id"]
    who, method, path, body = OUTSIDER_ATTEMPTS[name]
    watched = (
        ("partnerships", "proposed"),
        ("partnerships", "active"),
        ("partnerships", "two_invited"),
        ("projects", "project"),
        ("agreements", "agreement"),
        ("agreements", "in_force"),
        ("cities", "rome"),
    )
    before_head = _head(api)
    before = {key: api.get("admin", f"/api/v1/{kind}/{ids[key]}").get_json() for kind, key in watched}
    response = api.client.open(
        "/api/v1" + path.format(**ids), method=method, json=_fill(body, ids), headers=api.headers(who)
    )
    assert_problem(response, 403, "forbidden")
    assert _head(api) == before_head, f"{name}: something was recorded"
    assert {key: api.get("admin", f"/api/v1/{kind}/{ids[key]}").get_json() for kind, key in watched} == before


def test_an_officer_cannot_use_an_idempotency_key_to_read_anothers_answer(api):
    """Keys are per principal: the same key from another user is a new request, not a replay."""
    body = {"title": "Rome's", "proposer_city_id": api.city("rome"), "invited_city_ids": [api.city("yantai")]}
    first = api.post("rome", "/api/v1/partnerships", body, headers={"Idempotency-Key": "shared-key"})
    assert first.status_code == 201
    stolen = api.post("barcelona", "/api/v1/partnerships", body, headers={"Idempotency-Key": "shared-key"})
    assert_problem(stolen, 403)
    assert "Idempotent-Replayed" not in stolen.headers
