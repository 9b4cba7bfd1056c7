"""Bad input over HTTP: every wrong thing a client can send is a clear 4xx problem+json, never a 500,
and what is accepted is stored exactly as sent (or refused, never silently mangled).

Lengths (names ≤ 200, descriptions ≤ 10,000), list sizes (invitees ≤ 50, parties ≤ 50),
Unicode names round-tripping, control characters refused with the field named, SQL and
header injection strings stored verbatim and harmless, dates out of range, huge integers,
deep nesting and wrong types.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from tests.api.conftest import assert_problem

PROBLEM = "application/problem+json"


def _head(api) -> int:
    return api.programme.recorder.max_notification_id() or 0


def _city_body(**fields) -> dict:
    return {"name": f"City {uuid.uuid4().hex[:8]}", "country": "IT", "timezone": "Europe/Rome", **fields}


def _field_named(body: dict, field: str) -> None:
    assert any(e["field"] == field for e in body.get("errors", [])), body


# -- lengths ------------------------------------------------------------------------------


def _write(api, kind: str, value: str):
    """One write per kind of text field, with ``value`` in that field. Answers (response, field name)."""
    if kind == "city.name":
        return api.post("facilitator", "/api/v1/cities", _city_body(name=value)), "name"
    if kind == "city.local_name":
        return api.post("facilitator", "/api/v1/cities", _city_body(local_name=value)), "local_name"
    if kind == "city.description":
        return api.post("facilitator", "/api/v1/cities", _city_body(description=value)), "description"
    if kind == "partnership.title":
        body = {"title": value, "proposer_city_id": api.city("rome"), "invited_city_ids": [api.city("yantai")]}
        return api.post("rome", "/api/v1/partnerships", body), "title"
    if kind == "partnership.description":
        body = {
            "title": "T",
            "proposer_city_id": api.city("rome"),
            "invited_city_ids": [api.city("yantai")],
            "description": value,
        }
        return api.post("rome", "/api/v1/partnerships", body), "description"
    if kind == "meeting.title":
        body = {
            "title": value,
            "kind": "online",
            "starts_at": "2030-03-04T09:00:00+01:00",
            "duration_minutes": 60,
            "invited_city_ids": [api.city("rome")],
        }
        return api.post("facilitator", "/api/v1/meetings", body), "title"
    if kind == "agreement.party":
        body = {
            "title": "MoU",
            "kind": "mou",
            "parties": [
                {"name": value, "city_id": api.city("yantai")},
                {"name": "Tuscia University", "city_id": api.city("rome")},
            ],
        }
        return api.post("yantai", "/api/v1/agreements", body), "parties.0.name"
    if kind == "stakeholder.name":
        return api.post(
            "rome", f"/api/v1/cities/{api.city('rome')}/stakeholders", {"name": value, "kind": "research"}
        ), "name"
    if kind == "user.name":
        return api.post(
            "admin", "/api/v1/users", {"name": value, "email": f"{uuid.uuid4().hex}@example.org", "role": "auditor"}
        ), "name"
    if kind == "decline.reason":
        partnership = api.propose()
        return api.post(
            "yantai",
            f"/api/v1/partnerships/{partnership['id']}/decline",
            {"city_id": api.city("yantai"), "reason": value},
        ), "reason"
    if kind == "project.description":
        active = api.active_partnership()
        body = {"title": "P", "partnership_id": active["id"], "description": value}
        return api.post("rome", "/api/v1/projects", body), "description"
    raise AssertionError(kind)


NAMES = [
    "city.name",
    "city.local_name",
    "partnership.title",
    "meeting.title",
    "agreement.party",
    "stakeholder.name",
    "user.name",
]
TEXTS = ["city.description", "partnership.description", "decline.reason", "project.description"]


@pytest.mark.parametrize("kind", NAMES + TEXTS)
def test_text_at_its_limit_is_stored_whole_and_one_more_character_is_a_422_naming_the_field(api, kind):
    limit = 200 if kind in NAMES else 10_000
    at_limit = ("柳" * (limit // 2)) + ("á" * (limit - limit // 2))  # characters, not bytes, are counted
    response, field = _write(api, kind, at_limit)
    assert 200 <= response.status_code < 300, response.get_json()
    assert at_limit in json.dumps(response.get_json(), ensure_ascii=False)
    before = _head(api)
    response, field = _write(api, kind, at_limit + "x")
    body = assert_problem(response, 422)
    _field_named(body, field)
    assert str(limit) in body["detail"]
    if not kind.startswith(("decline", "project")):  # those arrange a scene first
        assert _head(api) == before


def test_invitees_up_to_50_and_parties_up_to_50_are_fine_and_one_more_is_a_422(api):
    facilitator = api.programme.authenticate(api.tokens["facilitator"])
    many = [
        str(api.programme.register_city(facilitator, f"Town {i}", "CN", "Asia/Shanghai").aggregate.id)
        for i in range(50)
    ]
    body = {"title": "Big", "proposer_city_id": api.city("rome"), "invited_city_ids": many}
    created = api.post("rome", "/api/v1/partnerships", body)
    assert created.status_code == 201, created.get_json()
    assert len(created.get_json()["invitations"]) == 50
    before = _head(api)
    too_many = api.post("rome", "/api/v1/partnerships", {**body, "invited_city_ids": many + [api.city("yantai")]})
    _field_named(assert_problem(too_many, 422), "invited_city_ids")
    assert (
        api.post(
            "facilitator",
            "/api/v1/agreements",
            {"title": "A", "kind": "mou", "parties": [{"name": f"Party {i}"} for i in range(50)]},
        ).status_code
        == 201
    )
    too_many = api.post(
        "facilitator",
        "/api/v1/agreements",
        {"title": "A", "kind": "mou", "parties": [{"name": f"Party {i}"} for i in range(51)]},
    )
    _field_named(assert_problem(too_many, 422), "parties")
    # a list far too long is refused before any id in it is looked at
    huge = api.post(
        "rome", "/api/v1/partnerships", {**body, "invited_city_ids": [str(uuid.uuid4()) for _ in range(20_000)]}
    )
    _field_named(assert_problem(huge, 422), "invited_city_ids")
    assert _head(api) == before + 1  # only the agreement with 50 parties


# -- Unicode ------------------------------------------------------------------------------


def test_unicode_names_round_trip_intact_through_command_read_list_search_and_history(api, projector):
    liuzhou = api.post(
        "facilitator",
        "/api/v1/cities",
        {
            "name": "Liuzhou",
            "local_name": "柳州",
            "country": "CN",
            "timezone": "Asia/Shanghai",
            "description": "广西壮族自治区 · «ciudad» — ✓",
        },
    )
    malaga = api.post(
        "facilitator",
        "/api/v1/cities",
        {"name": "Málaga", "local_name": "Màlaga", "country": "ES", "timezone": "Europe/Madrid"},
    )
    assert liuzhou.status_code == malaga.status_code == 201
    lz, mg = liuzhou.get_json(), malaga.get_json()
    assert (lz["local_name"], lz["description"]) == ("柳州", "广西壮族自治区 · «ciudad» — ✓")
    assert (mg["name"], mg["local_name"]) == ("Málaga", "Màlaga")
    assert api.get("rome", f"/api/v1/cities/{lz['id']}").get_json()["local_name"] == "柳州"
    position = malaga.headers["X-Log-Position"]
    for query, expected in (("柳", "Liuzhou"), ("MÁLAGA", "Málaga"), ("málaga", "Málaga"), ("màl", "Málaga")):
        found = api.get("rome", f"/api/v1/cities?q={query}&after={position}").get_json()["items"]
        assert [c["name"] for c in found] == [expected], (query, found)
    history = api.get("auditor", f"/api/v1/cities/{mg['id']}/history").get_json()["items"]
    assert history[0]["data"]["name"] == "Málaga"


def test_a_name_spelled_with_a_combining_accent_is_the_same_name(api):
    """ "Málaga" as a + U+0301 is stored in NFC and collides with "Málaga"; it does not make a second city."""
    first = api.post(
        "facilitator", "/api/v1/cities", {"name": "Ma\u0301laga", "country": "ES", "timezone": "Europe/Madrid"}
    )
    assert first.status_code == 201 and first.get_json()["name"] == "M\u00e1laga"
    assert_problem(
        api.post(
            "facilitator", "/api/v1/cities", {"name": "M\u00e1laga", "country": "ES", "timezone": "Europe/Madrid"}
        ),
        409,
        "duplicate",
    )
    assert_problem(
        api.post(
            "facilitator", "/api/v1/cities", {"name": "MA\u0301LAGA", "country": "ES", "timezone": "Europe/Madrid"}
        ),
        409,
        "duplicate",
    )


CONTROLS = ["\x00", "\x07", "\x1b[31m", "\x7f", "\x85", "\x9b"]


@pytest.mark.parametrize("char", CONTROLS, ids=lambda c: f"U+{ord(c[0]):04X}")
@pytest.mark.parametrize(
    "kind", ["city.name", "city.description", "partnership.title", "agreement.party", "user.name", "decline.reason"]
)
def test_control_characters_are_refused_with_the_field_named(api, kind, char):
    response, field = _write(api, kind, f"Ro{char}me")
    body = assert_problem(response, 422)
    _field_named(body, field)


@pytest.mark.parametrize(
    "text", ["Rome\u202e", "Ro\u200bme", "\u2066Rome\u2069", "\ufeffRome"], ids=["RLO", "ZWSP", "isolate", "BOM"]
)
def test_invisible_formatting_characters_are_refused_in_names(api, text):
    _field_named(assert_problem(api.post("facilitator", "/api/v1/cities", _city_body(name=text)), 422), "name")


@pytest.mark.parametrize("field", ["name", "local_name", "description"])
def test_a_lone_surrogate_is_a_422_not_a_500(api, field):
    """JSON may spell a lone surrogate ("\\ud800"); Python reads it into a str that cannot be stored as UTF-8."""
    fields = {"name": '"Rome2"', "local_name": '"Roma"', "description": '"fine"', field: '"A\\ud800B"'}
    raw = "{" + ", ".join(f'"{k}": {v}' for k, v in fields.items()) + ', "country": "IT", "timezone": "Europe/Rome"}'
    response = api.client.post(
        "/api/v1/cities", data=raw, headers=api.headers("facilitator", {"Content-Type": "application/json"})
    )
    _field_named(assert_problem(response, 422), field)


# -- injection ------------------------------------------------------------------------------

INJECTIONS = [
    "'; DROP TABLE x; --",
    "Robert'); DROP TABLE stored_events;--",
    "1 OR 1=1",
    '" OR ""="',
    "%' OR name LIKE '%",
    "$(rm -rf /)",
    "<script>alert(1)</script>",
    "{{7*7}} ${7*7}",
    "../../../../etc/passwd",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_strings_are_stored_verbatim_and_harmless(api, projector, text):
    created = api.post("facilitator", "/api/v1/cities", _city_body(name=f"X {text}", description=f"about {text}"))
    assert created.status_code == 201, created.get_json()
    city = created.get_json()
    assert (city["name"], city["description"]) == (f"X {text}", f"about {text}")
    proposal = api.post(
        "rome",
        "/api/v1/partnerships",
        {
            "title": text,
            "proposer_city_id": api.city("rome"),
            "invited_city_ids": [api.city("yantai")],
            "description": text,
        },
    )
    assert proposal.status_code == 201 and proposal.get_json()["title"] == text
    position = proposal.headers["X-Log-Position"]
    # the text as a search term and a filter value is just text
    found = api.get("rome", "/api/v1/cities", query_string={"q": text, "after": position})
    assert found.status_code == 200
    assert [c["id"] for c in found.get_json()["items"]] == [city["id"]]
    # kind is one of the schema's enum: anything else is refused, naming it (not run as SQL)
    _field_named(assert_problem(api.get("rome", "/api/v1/agreements", query_string={"kind": text}), 422), "kind")
    # and every table is still there
    assert len(api.get("rome", "/api/v1/cities?limit=200").get_json()["items"]) == 7
    assert (
        api.get("auditor", f"/api/v1/partnerships/{proposal.get_json()['id']}/history").get_json()["items"][0]["data"][
            "title"
        ]
        == text
    )


def test_header_injection_text_is_stored_as_text_and_never_becomes_a_header(api):
    evil = "Fine\r\nX-Evil: 1\r\nSet-Cookie: session=stolen"
    created = api.post("facilitator", "/api/v1/cities", _city_body(description=evil))
    assert created.status_code == 201
    assert created.get_json()["description"] == evil
    for response in (created, api.get("rome", created.headers["Location"])):
        assert "X-Evil" not in response.headers and "Set-Cookie" not in response.headers
    # in a single-line field (a name, which becomes an email subject and a calendar summary) it is refused
    _field_named(
        assert_problem(api.post("facilitator", "/api/v1/cities", _city_body(name="Rome\r\nX-Evil: 1")), 422), "name"
    )
    _field_named(
        assert_problem(
            api.post("admin", "/api/v1/users", {"name": "N", "email": "a@b.org\r\nBcc: all@x.org", "role": "auditor"}),
            422,
        ),
        "email",
    )
    # and in headers the client controls, it is not echoed
    echoed = api.get("rome", "/api/v1/me", headers={"X-Request-Id": "abc X-Evil: 1"})
    assert "X-Evil" not in echoed.headers["X-Request-Id"]


# -- dates, numbers, nesting, types -------------------------------------------------------------


def _scene_urls(api) -> dict:
    active = api.active_partnership()
    project = api.launch(active["id"])
    return {
        "p": active["id"],
        "project": project["id"],
        "agreement": api.draft()["id"],
        "meeting": api.schedule()["id"],
        "held": api.schedule("2020-03-04T09:00:00+01:00", planned_at=datetime(2020, 2, 3, tzinfo=UTC))["id"],
        "rome": api.city("rome"),
    }


BAD_BODIES = [
    # dates out of range or impossible
    ("rome", "/partnerships/{p}/action-plan", {"summary": "S", "adopted_on": "0001-01-01"}, 422),
    ("rome", "/partnerships/{p}/action-plan", {"summary": "S", "adopted_on": "9999-12-31"}, 422),
    ("rome", "/partnerships/{p}/action-plan", {"summary": "S", "adopted_on": "2021-02-29"}, 422),
    ("rome", "/partnerships/{p}/action-plan", {"summary": "S", "adopted_on": "2021-13-01"}, 422),
    ("rome", "/partnerships/{p}/action-plan", {"summary": "S", "adopted_on": "20210101"}, 422),
    ("rome", "/partnerships/{p}/action-plan", {"summary": "S", "adopted_on": 20210101}, 422),
    ("yantai", "/agreements/{agreement}/sign", {"party": "Yantai University", "signed_on": "1899-12-31"}, 422),
    ("facilitator", "/meetings/{meeting}/reschedule", {"starts_at": "0001-01-01T00:00:00+00:00"}, 422),
    ("facilitator", "/meetings/{meeting}/reschedule", {"starts_at": "2030-03-04T25:00:00+01:00"}, 422),
    ("facilitator", "/meetings/{meeting}/reschedule", {"starts_at": "2030-03-04T09:00:00+99:99"}, 422),
    ("facilitator", "/meetings/{meeting}/reschedule", {"starts_at": "2030-03-04T09:00:00"}, 422),
    ("facilitator", "/meetings/{meeting}/reschedule", {"starts_at": "99999-03-04T09:00:00+01:00"}, 422),
    ("rome", "/projects/{project}/milestones", {"title": "M", "due_on": "-001-01-01"}, 422),
    # huge integers
    ("facilitator", "/cities", {"name": "Big", "country": "IT", "timezone": "Europe/Rome", "population": 10**30}, 422),
    ("facilitator", "/cities", {"name": "Neg", "country": "IT", "timezone": "Europe/Rome", "population": -1}, 422),
    (
        "facilitator",
        "/meetings",
        {
            "title": "M",
            "kind": "online",
            "starts_at": "2030-03-04T09:00:00+01:00",
            "duration_minutes": 2**64,
            "invited_city_ids": ["{rome}"],
        },
        422,
    ),
    ("facilitator", "/meetings/{held}/outcome", {"attendance": 2**70, "summary": "S"}, 422),
    (
        "facilitator",
        "/cities",
        {
            "name": "WH",
            "country": "IT",
            "timezone": "Europe/Rome",
            "working_hours": {"start": "09:00", "end": "18:00", "days": [2**63]},
        },
        422,
    ),
    # wrong types
    ("facilitator", "/cities", {"name": 5, "country": "IT", "timezone": "Europe/Rome"}, 422),
    ("facilitator", "/cities", {"name": ["Rome"], "country": "IT", "timezone": "Europe/Rome"}, 422),
    ("facilitator", "/cities", {"name": {"$ne": None}, "country": "IT", "timezone": "Europe/Rome"}, 422),
    ("facilitator", "/cities", {"name": None, "country": "IT", "timezone": "Europe/Rome"}, 422),
    ("facilitator", "/cities", {"name": "B", "country": "IT", "timezone": "Europe/Rome", "population": True}, 422),
    ("facilitator", "/cities", {"name": "F", "country": "IT", "timezone": "Europe/Rome", "population": 1.5}, 422),
    ("facilitator", "/cities", {"name": "S", "country": "IT", "timezone": "Europe/Rome", "population": "5"}, 422),
    (
        "facilitator",
        "/cities",
        {"name": "T", "country": "IT", "timezone": "Europe/Rome", "themes_offered": "smart-city"},
        422,
    ),
    ("facilitator", "/cities", {"name": "T", "country": "ITA", "timezone": "Europe/Rome"}, 422),
    ("facilitator", "/cities", {"name": "T", "country": "IT", "timezone": "../../etc/localtime"}, 422),
    ("rome", "/partnerships", {"title": "T", "proposer_city_id": "not-a-uuid", "invited_city_ids": ["{rome}"]}, 422),
    ("rome", "/partnerships", {"title": "T", "proposer_city_id": "{rome}", "invited_city_ids": "{rome}"}, 422),
    ("rome", "/partnerships", {"title": "T", "proposer_city_id": "{rome}", "invited_city_ids": [None]}, 422),
    ("rome", "/partnerships", {"title": "T", "proposer_city_id": "{rome}", "invited_city_ids": []}, 422),
    ("yantai", "/agreements", {"title": "A", "kind": "mou", "parties": ["Yantai", "Rome"]}, 422),
    ("facilitator", "/agreements", {"title": "A", "kind": "treaty", "parties": [{"name": "A"}, {"name": "B"}]}, 422),
    ("facilitator", "/meetings/{held}/outcome", {"attendance": "many", "summary": "S"}, 422),
    ("facilitator", "/cities", [], 422),
    ("facilitator", "/cities", "Rome", 422),
    ("facilitator", "/cities", 42, 422),
]


@pytest.mark.parametrize("who, path, body, status", BAD_BODIES, ids=[f"{i}:{b[1]}" for i, b in enumerate(BAD_BODIES)])
def test_bad_values_and_types_are_clear_4xx_problems_and_record_nothing(api, who, path, body, status):
    urls = _scene_urls(api)

    def fill(value):
        if isinstance(value, str):
            return value.format(**urls) if "{" in value and "}" in value and "$" not in value else value
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    before = _head(api)
    response = api.client.post(
        "/api/v1" + path.format(**urls),
        data=json.dumps(fill(body)),
        headers=api.headers(who, {"Content-Type": "application/json"}),
    )
    problem = assert_problem(response, status)
    assert problem.get("detail"), problem
    assert _head(api) == before


RAW_BODIES = [
    b"{",  # truncated
    b'{"name": "Rome",}',  # trailing comma
    b"{'name': 'Rome'}",  # not JSON quotes
    b'{"name": "Rome" "country": "IT"}',
    b"\xff\xfe\x00",  # not UTF-8
    b'{"population": ' + b"9" * 5000 + b"}",  # an integer longer than Python will parse
    b'{"name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    b"[" * 3000 + b"]" * 3000,
    b'{"name": "Rome", "country": "IT", "timezone": "Europe/Rome", "x": ' + b'{"y":' * 900 + b"1" + b"}" * 900 + b"}",
]


@pytest.mark.parametrize("raw", RAW_BODIES, ids=range(len(RAW_BODIES)))
def test_malformed_and_deeply_nested_bodies_are_400_or_422_never_500(api, raw):
    before = _head(api)
    response = api.client.post(
        "/api/v1/cities", data=raw, headers=api.headers("facilitator", {"Content-Type": "application/json"})
    )
    assert response.status_code in (400, 413, 422), (response.status_code, response.get_data()[:300])
    assert response.mimetype == PROBLEM
    assert response.get_json(force=True)["detail"]
    assert _head(api) == before


BAD_QUERIES = [
    "/api/v1/cities?q=%00",
    "/api/v1/cities?q=a%00b",
    "/api/v1/cities?q=" + "x" * 201,
    "/api/v1/cities?limit=0",
    "/api/v1/cities?limit=99999999999999999999999",
    "/api/v1/cities?limit=-1",
    "/api/v1/cities?limit=1.5",
    "/api/v1/cities?cursor=%27%3B--",
    "/api/v1/cities?cursor=" + "A" * 3000,
    "/api/v1/cities?region=atlantis",
    "/api/v1/cities?theme=%00",
    "/api/v1/partnerships?status=%00",
    "/api/v1/agreements?kind=%00",
    "/api/v1/partnerships?city_id=%27%20OR%201%3D1",
    "/api/v1/partnerships?after=-1",
    "/api/v1/partnerships?after=99999999999999999999999999",
    "/api/v1/meetings?from=0000-01-01T00:00:00Z",
    "/api/v1/meetings?from=2030-01-01T00:00:00%2B25:00",
    "/api/v1/meetings/slots?city_ids=%00",
    "/api/v1/meetings/slots?city_ids=" + ",".join(str(uuid.uuid4()) for _ in range(100)),
    "/api/v1/projects?as_of=2021-02-30",
    "/api/v1/reports/dashboard?as_of=0000-00-00",
    "/api/v1/partnerships/{p}?as_of=9999-12-31T23:59:59Z",
]


@pytest.mark.parametrize("url", BAD_QUERIES, ids=range(len(BAD_QUERIES)))
def test_bad_query_parameters_are_4xx_problems(api, url):
    urls = _scene_urls(api)
    response = api.get("rome", url.format(**urls))
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data()[:300])
    assert response.mimetype == PROBLEM


@pytest.mark.parametrize(
    "path", ["/api/v1/partnerships", "/api/v1/me/notifications", "/api/v1/reports/progress-review"]
)
def test_a_forged_cursor_with_a_huge_position_is_refused_not_a_crash(api, path):
    import base64
    import json

    for tag in ("partnerships", "inbox", "progress-review", "timeline"):
        forged = base64.urlsafe_b64encode(json.dumps([tag, 10**30]).encode()).decode().rstrip("=")
        response = api.get("rome", f"{path}?cursor={forged}")
        # well formed (the document's pattern) but not handed out by this list: 400, never a 422
        assert response.status_code == 400, response.get_json()
        assert response.content_type == "application/problem+json"
        assert response.get_json()["type"].endswith("/invalid-cursor")


def test_audit_events_after_a_huge_position_is_refused_not_a_crash(api):
    response = api.get("auditor", "/api/v1/audit/events?after=99999999999999999999999")
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
