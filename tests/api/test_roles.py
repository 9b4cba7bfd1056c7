"""Who may do what, over HTTP: every write × officer of the city concerned / officer of another
city / facilitator / auditor / admin / no token. The Application decides; the web maps it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

ACTORS = ("own", "other", "facilitator", "auditor", "admin", None)
OFFICER_OR_STAFF = {"own", "facilitator", "admin"}
STAFF = {"facilitator", "admin"}
ADMIN = {"admin"}
OTHER_CITY = "barcelona"


def _fresh_user(api) -> str:
    response = api.post(
        "admin", "/api/v1/users", {"name": "Temp", "email": f"{uuid.uuid4().hex}@example.org", "role": "auditor"}
    )
    return response.get_json()["id"]


def _partnership(api, *, active=False) -> str:
    proposal = api.propose("rome", ("yantai",), who="facilitator")
    if active:
        api.post("facilitator", f"/api/v1/partnerships/{proposal['id']}/accept", {"city_id": api.city("yantai")})
    return proposal["id"]


def _meeting(api, *, past=False) -> str:
    if past:
        now = datetime.now(UTC)
        return api.schedule(
            (now - timedelta(hours=2)).isoformat(timespec="seconds"), planned_at=now - timedelta(days=7)
        )["id"]
    return api.schedule("2030-03-04T09:00:00+01:00")["id"]


def _agreement(api, *, in_force=False) -> str:
    agreement = api.draft(who="facilitator")
    if in_force:
        for party in ("Yantai University", "Tuscia University"):
            api.post(
                "facilitator", f"/api/v1/agreements/{agreement['id']}/sign", {"party": party, "signed_on": "2020-10-30"}
            )
    return agreement["id"]


def _project(api, milestone=False) -> str:
    project = api.launch(_partnership(api, active=True), who="facilitator")
    if milestone:
        api.post(
            "facilitator",
            f"/api/v1/projects/{project['id']}/milestones",
            {"title": "M", "due_on": "2031-01-01", "milestone_id": "m1"},
        )
    return project["id"]


# name: (own city, who may, arrange → (method, path, body))
WRITES = {
    "create user": (
        "rome",
        ADMIN,
        lambda api: (
            "POST",
            "/api/v1/users",
            {"name": "N", "email": f"{uuid.uuid4().hex}@example.org", "role": "auditor"},
        ),
    ),
    "issue token": ("rome", ADMIN, lambda api: ("POST", f"/api/v1/users/{_fresh_user(api)}/tokens", {})),
    "revoke tokens": ("rome", ADMIN, lambda api: ("POST", f"/api/v1/users/{_fresh_user(api)}/tokens/revoke", {})),
    "deactivate user": ("rome", ADMIN, lambda api: ("POST", f"/api/v1/users/{_fresh_user(api)}/deactivate", {})),
    "register city": (
        "rome",
        STAFF,
        lambda api: (
            "POST",
            "/api/v1/cities",
            {"name": f"C{uuid.uuid4().hex[:8]}", "country": "IT", "timezone": "Europe/Rome"},
        ),
    ),
    "update city": (
        "rome",
        OFFICER_OR_STAFF,
        lambda api: ("PATCH", f"/api/v1/cities/{api.city('rome')}", {"description": uuid.uuid4().hex}),
    ),
    "add stakeholder": (
        "rome",
        OFFICER_OR_STAFF,
        lambda api: ("POST", f"/api/v1/cities/{api.city('rome')}/stakeholders", {"name": "S", "kind": "public"}),
    ),
    "propose partnership": (
        "rome",
        OFFICER_OR_STAFF,
        lambda api: (
            "POST",
            "/api/v1/partnerships",
            {"title": "P", "proposer_city_id": api.city("rome"), "invited_city_ids": [api.city("yantai")]},
        ),
    ),
    "invite to partnership": (
        "rome",
        OFFICER_OR_STAFF,
        lambda api: ("POST", f"/api/v1/partnerships/{_partnership(api)}/invite", {"city_id": api.city("chengdu")}),
    ),
    "accept invitation": (
        "yantai",
        OFFICER_OR_STAFF,
        lambda api: ("POST", f"/api/v1/partnerships/{_partnership(api)}/accept", {"city_id": api.city("yantai")}),
    ),
    "decline invitation": (
        "yantai",
        OFFICER_OR_STAFF,
        lambda api: ("POST", f"/api/v1/partnerships/{_partnership(api)}/decline", {"city_id": api.city("yantai")}),
    ),
    "withdraw proposal": (
        "rome",
        OFFICER_OR_STAFF,
        lambda api: ("POST", f"/api/v1/partnerships/{_partnership(api)}/withdraw", {}),
    ),
    "adopt action plan": (
        "rome",
        OFFICER_OR_STAFF,
        lambda api: (
            "POST",
            f"/api/v1/partnerships/{_partnership(api, active=True)}/action-plan",
            {"summary": "S", "adopted_on": "2020-11-30"},
        ),
    ),
    "conclude partnership": (
        "yantai",
        OFFICER_OR_STAFF,
        lambda api: ("POST", f"/api/v1/partnerships/{_partnership(api, active=True)}/conclude", {"outcome": "O"}),
    ),
    "schedule meeting": (
        "rome",
        STAFF,
        lambda api: (
            "POST",
            "/api/v1/meetings",
            {
                "title": "M",
                "kind": "online",
                "starts_at": "2030-03-04T09:00:00+01:00",
                "duration_minutes": 60,
                "invited_city_ids": [api.city("rome")],
            },
        ),
    ),
    "invite to meeting": (
        "rome",
        STAFF,
        lambda api: ("POST", f"/api/v1/meetings/{_meeting(api)}/invite", {"city_id": api.city("chengdu")}),
    ),
    "reschedule meeting": (
        "rome",
        STAFF,
        lambda api: (
            "POST",
            f"/api/v1/meetings/{_meeting(api)}/reschedule",
            {"starts_at": "2030-03-05T09:00:00+01:00"},
        ),
    ),
    "cancel meeting": (
        "rome",
        STAFF,
        lambda api: ("POST", f"/api/v1/meetings/{_meeting(api)}/cancel", {"reason": "R"}),
    ),
    "record outcome": (
        "rome",
        STAFF,
        lambda api: ("POST", f"/api/v1/meetings/{_meeting(api, past=True)}/outcome", {"attendance": 3, "summary": "S"}),
    ),
    "draft agreement": (
        "yantai",
        OFFICER_OR_STAFF,
        lambda api: (
            "POST",
            "/api/v1/agreements",
            {
                "title": "A",
                "kind": "mou",
                "parties": [{"name": "Y", "city_id": api.city("yantai")}, {"name": "R", "city_id": api.city("rome")}],
            },
        ),
    ),
    "sign agreement": (
        "rome",
        OFFICER_OR_STAFF,
        lambda api: (
            "POST",
            f"/api/v1/agreements/{_agreement(api)}/sign",
            {"party": "Tuscia University", "signed_on": "2020-10-30"},
        ),
    ),
    "terminate agreement": (
        "rome",
        OFFICER_OR_STAFF,
        lambda api: (
            "POST",
            f"/api/v1/agreements/{_agreement(api, in_force=True)}/terminate",
            {"reason": "R", "on": "2022-01-01"},
        ),
    ),
    "launch project": (
        "rome",
        OFFICER_OR_STAFF,
        lambda api: ("POST", "/api/v1/projects", {"title": "P", "partnership_id": _partnership(api, active=True)}),
    ),
    "plan milestone": (
        "yantai",
        OFFICER_OR_STAFF,
        lambda api: ("POST", f"/api/v1/projects/{_project(api)}/milestones", {"title": "M", "due_on": "2031-01-01"}),
    ),
    "achieve milestone": (
        "yantai",
        OFFICER_OR_STAFF,
        lambda api: (
            "POST",
            f"/api/v1/projects/{_project(api, True)}/milestones/m1/achieve",
            {"achieved_on": "2031-01-02"},
        ),
    ),
    "reschedule milestone": (
        "rome",
        OFFICER_OR_STAFF,
        lambda api: (
            "POST",
            f"/api/v1/projects/{_project(api, True)}/milestones/m1/reschedule",
            {"due_on": "2031-02-01", "reason": "R"},
        ),
    ),
    "complete project": (
        "yantai",
        OFFICER_OR_STAFF,
        lambda api: ("POST", f"/api/v1/projects/{_project(api)}/complete", {"summary": "S"}),
    ),
    "cancel project": (
        "rome",
        OFFICER_OR_STAFF,
        lambda api: ("POST", f"/api/v1/projects/{_project(api)}/cancel", {"reason": "R"}),
    ),
}


def _who(actor: str | None, own_city: str) -> str | None:
    return {"own": own_city, "other": OTHER_CITY}.get(actor, actor)


@pytest.mark.parametrize("name", list(WRITES))
def test_role_matrix(api, name):
    own_city, allowed, arrange = WRITES[name]
    outcomes = {}
    for actor in ACTORS:
        method, path, body = arrange(api)
        headers = api.headers(_who(actor, own_city), {"Content-Type": "application/json"})
        response = api.client.open(path, method=method, json=body, headers=headers)
        outcomes[actor] = response.status_code
        if actor is None:
            expected = 401
        elif actor in allowed:
            expected = "2xx"
        else:
            expected = 403
        ok = 200 <= response.status_code < 300 if expected == "2xx" else response.status_code == expected
        assert ok, f"{name} as {actor}: {response.status_code} {response.get_data(as_text=True)[:300]}"
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json"
    assert set(outcomes) == set(ACTORS)
