"""Rome's officer asks to be forgotten: after the erasure nothing the programme answers, exports, queues or
mails names her, the database holds her name and email nowhere in plain text, the audit chain still
verifies, and Rome's partnership, signature and milestone remain, attributed to "erased person".

Her feedback on a held session is free text she wrote: it goes with her too.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from config.settings import persistence_env
from domain.audit import verify_programme
from domain.followers import Follower
from domain.privacy.personal import pseudonym
from domain.views import Views
from tests.api.conftest import Api, enrol_cast, make_settings
from tests.support.workers import dispatch, run_worker
from web import cli as twinning_cli
from web.app import close_app, create_app

NAME, EMAIL = "Giulia Ferraresi", "giulia.ferraresi@comune.roma.example"
OTHER_SIGNATORY = "Li Wei"
COMMENT = "The greenhouse plan needs the soil laboratory of Tuscia"
SECRETS = (NAME, EMAIL, COMMENT)


@pytest.fixture
def story(database_url, programme, dispatcher, queue, job_context, smtp_server):
    views = Views(persistence_env(database_url))
    app = create_app(make_settings(database_url), programme=programme, views=views)
    tokens, user_ids, city_ids = enrol_cast(programme)
    api = Api(app.test_client(), app, programme, tokens, city_ids, user_ids)
    api.views, api.dispatcher, api.queue = views, dispatcher, queue
    yield api
    close_app(app)
    views.close()


def settle(api) -> None:
    """The views and the dispatcher catch up, and the RQ worker runs every job queued."""
    Follower(api.programme, api.views).run_once()
    dispatch(api.programme, api.dispatcher)
    run_worker(api.queue)


def ok(response, status=200) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_json()


def record_the_story(api) -> dict[str, str]:
    rome, yantai = api.city("rome"), api.city("yantai")
    made = ok(
        api.post(
            "admin",
            "/api/v1/users",
            {"name": NAME, "email": EMAIL, "role": "officer", "city_id": rome},
            headers={"Idempotency-Key": "enrol-giulia"},
        ),
        201,
    )
    api.tokens["giulia"], api.user_ids["giulia"] = made["token"], made["id"]
    partnership = ok(
        api.post(
            "giulia",
            "/api/v1/partnerships",
            {
                "title": "Urban agriculture research",
                "proposer_city_id": rome,
                "invited_city_ids": [yantai],
                "themes": ["urban-agriculture"],
            },
            headers={"Idempotency-Key": "giulia-proposes"},
        ),
        201,
    )
    ok(api.post("yantai", f"/api/v1/partnerships/{partnership['id']}/accept", {"city_id": yantai}))
    agreement = api.draft()
    signed = ok(
        api.post(
            "giulia",
            f"/api/v1/agreements/{agreement['id']}/sign",
            {"party": "Tuscia University", "signed_on": "2020-10-30", "signatory": NAME},
            headers={"Idempotency-Key": "giulia-signs"},
        )
    )
    assert NAME in json.dumps(signed)  # the answer kept for her Idempotency-Key names her
    ok(
        api.post(
            "yantai",
            f"/api/v1/agreements/{agreement['id']}/sign",
            {"party": "Yantai University", "signed_on": "2020-10-29", "signatory": OTHER_SIGNATORY},
        )
    )
    held = ok(
        api.post(
            "facilitator",
            "/api/v1/meetings/held",
            {
                "title": "Urban agriculture kick-off",
                "kind": "online",
                "starts_at": "2020-05-12T09:00:00Z",
                "duration_minutes": 60,
                "invited_city_ids": [rome, yantai],
                "partnership_id": partnership["id"],
                "attendance": 12,
                "summary": "Curriculum agreed",
            },
        ),
        201,
    )
    feedback = {"city_id": rome, "rating": 4, "outcome": "follow_up_planned", "comment": COMMENT}
    given = ok(api.post("giulia", f"/api/v1/meetings/{held['id']}/feedback", feedback), 201)
    assert COMMENT in json.dumps(given)
    project = api.launch(partnership["id"], who="giulia")
    path = f"/api/v1/projects/{project['id']}/milestones"
    ok(api.post("giulia", path, {"title": "Summer school held", "due_on": "2021-07-01", "milestone_id": "summer"}), 201)
    ok(api.post("giulia", f"{path}/summer/achieve", {"achieved_on": "2021-07-15", "note": "First cohort"}))
    settle(api)
    return {
        "partnership": partnership["id"],
        "agreement": agreement["id"],
        "project": project["id"],
        "meeting": held["id"],
    }


def stored_text(database_url: str) -> bytes:
    """Every byte the store holds: the SQLite files, or every row of every table of the run's PostgreSQL
    database cast to text (bytea shows as hex, so the hex of the secrets is searched too)."""
    if database_url.startswith("sqlite"):
        path = Path(urlsplit(database_url).path)
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*") if p.is_file())
    import psycopg

    parts = urlsplit(database_url)
    found = []
    with psycopg.connect(host=parts.hostname, port=parts.port, user=parts.username, dbname=parts.path[1:]) as conn:
        tables = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'"
        ).fetchall()
        assert tables
        for schema, table in tables:
            rows = conn.execute(f'SELECT t::text FROM "{schema}"."{table}" t').fetchall()
            found += [row[0].encode() for row in rows]
    return b"\n".join(found)


def holds(data: bytes, secret: str) -> bool:
    raw = secret.encode("utf-8")
    return raw in data or raw.hex().encode() in data or raw.lower() in data.lower()


def redis_bytes(queue) -> bytes:
    connection, found = queue.connection, []
    for key in connection.scan_iter():
        kind = connection.type(key)
        if kind == b"hash":
            found += [k + b"=" + v for k, v in connection.hgetall(key).items()]
        elif kind == b"string":
            found.append(connection.get(key))
        elif kind == b"list":
            found += connection.lrange(key, 0, -1)
        elif kind == b"zset":
            found += connection.zrange(key, 0, -1)
        elif kind == b"set":
            found += list(connection.smembers(key))
        found.append(key)
    return b"\n".join(found)


def every_answer(api, ids: dict[str, str], giulia: str) -> dict[str, str]:
    """What the API shows about the story to the admin and the auditor, after the erasure."""
    paths = [
        f"/api/v1/users/{giulia}",
        f"/api/v1/users/{giulia}/personal-data",
        f"/api/v1/users/{giulia}/history",
        f"/api/v1/partnerships/{ids['partnership']}",
        f"/api/v1/partnerships/{ids['partnership']}/history",
        "/api/v1/partnerships",
        f"/api/v1/agreements/{ids['agreement']}",
        f"/api/v1/agreements/{ids['agreement']}/history",
        "/api/v1/agreements",
        f"/api/v1/projects/{ids['project']}",
        f"/api/v1/projects/{ids['project']}/history",
        f"/api/v1/meetings/{ids['meeting']}",
        f"/api/v1/meetings/{ids['meeting']}/history",
        "/api/v1/reports/dashboard",
        f"/api/v1/cities/{api.city('rome')}/timeline",
        "/api/v1/audit/events",
    ]
    paths += [
        f"/api/v1/exports/{kind}.{fmt}"
        for kind in ("partnerships", "meetings", "agreements", "projects", "audit")
        for fmt in ("csv", "json")
    ]
    answers = {}
    for path in paths:
        who = "admin" if "/users/" in path else "auditor"
        response = api.get(who, path)
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:300])
        answers[path] = response.get_data(as_text=True)
    return answers


def test_rome_officer_erased_is_named_nowhere_and_the_story_remains(story, database_url, smtp_server, monkeypatch):
    api = story
    ids = record_the_story(api)
    giulia = api.user_ids["giulia"]
    assert holds(stored_text(database_url), NAME), "before the erasure the views hold her signature: the search sees it"

    erased = ok(api.post("admin", f"/api/v1/users/{giulia}/erase", {"reason": "her request of 1 December 2026"}))
    shown = pseudonym(giulia)
    assert erased["user"]["status"] == "erased" and erased["user"]["name"] == shown
    assert erased["plain_text_positions"] == [], "a store written with encryption has no plain-text leftovers"
    assert ids["agreement"] in erased["aggregates"]
    assert api.get("giulia", "/api/v1/me").status_code == 401, "her token died with her data"
    mails_before = len(smtp_server.messages)

    # Later: Yantai invites Rome; Rome's other officer is told, she is not.
    later = ok(
        api.post(
            "yantai",
            "/api/v1/partnerships",
            {
                "title": "Cultural heritage",
                "proposer_city_id": api.city("yantai"),
                "invited_city_ids": [api.city("rome")],
            },
        ),
        201,
    )
    settle(api)
    assert smtp_server.to("officer@rome.example", "invitation"), "the invitation was mailed to Rome's other officer"
    later_mails = smtp_server.messages[mails_before:]
    assert later_mails and not any(holds(m.as_bytes(), s) for m in later_mails for s in SECRETS)
    assert not any(EMAIL in str(m["To"]) for m in later_mails)

    answers = every_answer(api, ids, giulia)
    for path, text in answers.items():
        for secret in SECRETS:
            assert secret not in text, f"{path} still shows {secret!r}"
    assert not any(holds(redis_bytes(api.queue), s) for s in SECRETS), "a job payload or result names her"
    data = stored_text(database_url)
    for secret in SECRETS:
        assert not holds(data, secret), f"the database still holds {secret!r} in plain text"

    # The story remains, attributed to the erased person.
    partnership = json.loads(answers[f"/api/v1/partnerships/{ids['partnership']}"])
    assert partnership["status"] == "active" and partnership["proposer_city_id"] == api.city("rome")
    agreement = json.loads(answers[f"/api/v1/agreements/{ids['agreement']}"])
    parties = {p["name"]: p for p in agreement["parties"]}
    assert agreement["status"] == "in_force"
    assert (
        parties["Tuscia University"]["signatory"] == shown and parties["Tuscia University"]["signed_on"] == "2020-10-30"
    )
    assert parties["Yantai University"]["signatory"] == OTHER_SIGNATORY
    listed = json.loads(answers["/api/v1/agreements"])["items"]
    assert {p["signatory"] for a in listed for p in a["parties"]} >= {shown, OTHER_SIGNATORY}
    project = json.loads(answers[f"/api/v1/projects/{ids['project']}"])
    assert project["milestones"][0]["status"] == "achieved"
    history = json.loads(answers[f"/api/v1/projects/{ids['project']}/history"])["items"]
    assert {e["actor"]["name"] for e in history if e["actor"] and e["actor"]["id"] == giulia} == {shown}
    assert later["status"] == "proposed"

    assert verify_programme(api.programme).ok
    monkeypatch.setenv("TWINNING_DATABASE", database_url)
    monkeypatch.delenv("TWINNING_SECRET", raising=False)
    monkeypatch.delenv("TWINNING_DATA_KEY", raising=False)
    monkeypatch.setattr(twinning_cli.common, "configure_logging", lambda level=None: None)
    verify = CliRunner().invoke(twinning_cli.cli, ["audit", "verify"], catch_exceptions=False)
    assert verify.exit_code == 0 and verify.stdout.startswith("ok"), verify.output


def test_right_of_access_returns_her_record_and_nothing_about_anyone_else(story):
    api = story
    ids = record_the_story(api)
    giulia = api.user_ids["giulia"]
    record = ok(api.get("giulia", f"/api/v1/users/{giulia}/personal-data"))
    by_admin = ok(api.get("admin", f"/api/v1/users/{giulia}/personal-data"))
    assert {**record, "generated_at": None} == {**by_admin, "generated_at": None}
    assert record["profile"] | {"registered_at": None} == {
        "id": giulia,
        "name": NAME,
        "email": EMAIL,
        "role": "officer",
        "city_id": api.city("rome"),
        "status": "active",
        "registered_at": None,
    }
    kinds = [e["type"] for e in record["events"]]
    for kind in (
        "UserRegistered",
        "UserEmailClaimed",
        "TokenIssued",
        "PartnershipProposed",
        "PartySigned",
        "ProjectLaunched",
        "MilestonePlanned",
        "MilestoneAchieved",
    ):
        assert kind in kinds, kind
    (signature,) = [e for e in record["events"] if e["type"] == "PartySigned"]
    assert signature["aggregate_id"] == ids["agreement"] and signature["data"]["signatory"] == NAME
    assert all(
        e["data"].get("actor") == giulia or e["aggregate_id"] == giulia or e["type"] == "UserEmailClaimed"
        for e in record["events"]
    )
    text = json.dumps(record)
    for other in (
        OTHER_SIGNATORY,
        "officer@yantai.example",
        "Yantai officer",
        "officer@rome.example",
        "Programme facilitator",
    ):
        assert other not in text, other
    sent = record["notifications"]
    Follower(api.programme, api.views).run_once()  # the inbox view sees what the worker sent last
    inbox = ok(api.get("giulia", "/api/v1/me/notifications"))["items"]
    assert sent and sorted(n["id"] for n in sent) == sorted(n["id"] for n in inbox), "the notifications sent to her"
    assert "invitation" not in {n["kind"] for n in sent}, "Yantai's officers' invitation is not hers"
    stranger = api.get("yantai", f"/api/v1/users/{giulia}/personal-data")
    assert stranger.status_code == 403
