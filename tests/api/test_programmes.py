"""Programmes through the API, on SQLite and PostgreSQL: IUC Asia (Rome, Yantai, Mannheim, Chongqing) and
IURC Asia-Australasia (Rome, Barcelona, Chengdu) side by side; facilitators act only in their own."""

from __future__ import annotations

import csv
import io

import pytest

from tests.api.conftest import assert_problem


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request):
    return request.getfixturevalue(f"{request.param}_url")


def _position(response) -> int:
    return int(response.headers["X-Log-Position"])


def _head(api) -> int:
    return api.programme.recorder.max_notification_id()


def _fields(body: dict) -> set[str]:
    return {e["field"] for e in body.get("errors", [])}


def launch(api, code, regions, cities, facilitator=None, starts_on="2017-01-01") -> dict:
    body = {"code": code, "name": code.upper(), "regions": regions, "starts_on": starts_on}
    response = api.post("admin", "/api/v1/programmes", body)
    assert response.status_code == 201, response.get_json()
    programme = response.get_json()
    if facilitator:
        user_id = api.user_ids[facilitator]
        response = api.post("admin", f"/api/v1/programmes/{programme['id']}/facilitators", {"user_id": user_id})
        assert response.status_code == 200, response.get_json()
    for city in cities:
        response = api.post("admin", f"/api/v1/programmes/{programme['id']}/cities", {"city_id": api.city(city)})
        assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def two(api):
    """IUC Asia run by the cast's facilitator; IURC run by a second facilitator."""
    issued = api.programme.create_user(
        api.programme.authenticate(api.tokens["admin"]), "IURC facilitator", "iurc@iurc.example", "facilitator"
    )
    api.tokens["iurc"], api.user_ids["iurc"] = issued.token, str(issued.user.id)
    iuc = launch(api, "iuc-asia", ["europe", "east-asia"], ["rome", "yantai", "mannheim", "chongqing"], "facilitator")
    iurc = launch(
        api,
        "iurc-asia-australasia",
        ["europe", "east-asia", "oceania"],
        ["rome", "barcelona", "chengdu"],
        "iurc",
        starts_on="2021-01-01",
    )
    return {"iuc": iuc["id"], "iurc": iurc["id"]}


def test_an_admin_launches_a_programme_and_cities_join_it(api, two):
    found = api.get("auditor", f"/api/v1/programmes/{two['iuc']}").get_json()
    assert found["code"] == "iuc-asia" and found["regions"] == ["east-asia", "europe"]
    assert found["city_ids"] == [api.city(c) for c in ("rome", "yantai", "mannheim", "chongqing")]
    assert found["facilitator_ids"] == [api.user_ids["facilitator"]]
    assert found["status"] == "open" and found["starts_on"] == "2017-01-01" and found["ends_on"] is None


def test_the_programme_list_shows_every_programme_and_a_citys_own(api, two, projector):
    after = _head(api)
    every = api.get("auditor", "/api/v1/programmes", query_string={"after": after}).get_json()["items"]
    assert [p["code"] for p in every] == ["iuc-asia", "iurc-asia-australasia"]
    assert {c["name"] for c in every[1]["cities"]} == {"Rome", "Barcelona", "Chengdu"}
    query = {"city_id": api.city("yantai"), "after": after}
    assert [p["code"] for p in api.get("yantai", "/api/v1/programmes", query_string=query).get_json()["items"]] == [
        "iuc-asia"
    ]


def test_a_city_joining_twice_is_a_409_and_records_nothing(api, two):
    head = _head(api)
    response = api.post("facilitator", f"/api/v1/programmes/{two['iuc']}/cities", {"city_id": api.city("rome")})
    assert_problem(response, 409, "city-joined-twice")
    assert _head(api) == head


def test_only_an_admin_launches_and_a_code_is_taken_once(api, two):
    body = {
        "code": "iurc-latin-america",
        "name": "IURC Latin America",
        "regions": ["europe"],
        "starts_on": "2021-01-01",
    }
    assert_problem(api.post("facilitator", "/api/v1/programmes", body), 403)
    head = _head(api)
    taken = {**body, "code": "iuc-asia"}
    assert_problem(api.post("admin", "/api/v1/programmes", taken), 409, "programme-code-taken")
    assert _head(api) == head


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "No code", "regions": ["europe"], "starts_on": "2021-01-01"}, "code"),
        ({"code": "Bad Code", "name": "x", "regions": ["europe"], "starts_on": "2021-01-01"}, "code"),
        ({"code": "atlantis", "name": "x", "regions": ["atlantis"], "starts_on": "2021-01-01"}, "regions"),
        ({"code": "empty", "name": "x", "regions": [], "starts_on": "2021-01-01"}, "regions"),
        (
            {"code": "late", "name": "x", "regions": ["europe"], "starts_on": "2021-01-01", "ends_on": "2020-01-01"},
            "ends_on",
        ),
    ],
)
def test_bad_programmes_are_422s_naming_the_field(api, body, field):
    head = _head(api)
    problem = assert_problem(api.post("admin", "/api/v1/programmes", body), 422)
    assert any(f.split(".")[0] == field for f in _fields(problem)), problem
    assert _head(api) == head


def test_a_city_outside_the_programmes_regions_cannot_join(api):
    oceania = launch(api, "pacific", ["oceania"], [])
    head = _head(api)
    response = api.post("admin", f"/api/v1/programmes/{oceania['id']}/cities", {"city_id": api.city("rome")})
    assert_problem(response, 409, "region-outside-programme")
    assert _head(api) == head


def test_a_facilitator_acts_only_in_their_programmes(api, two):
    head = _head(api)
    join = api.post("iurc", f"/api/v1/programmes/{two['iuc']}/cities", {"city_id": api.city("barcelona")})
    assert_problem(join, 403, "facilitator-outside-programme")
    session = {
        "title": "Kick-off",
        "kind": "online",
        "starts_at": "2030-03-04T09:00:00+01:00",
        "duration_minutes": 90,
        "invited_city_ids": [api.city("rome"), api.city("yantai")],
        "programme_id": two["iuc"],
    }
    assert_problem(api.post("iurc", "/api/v1/meetings", session), 403, "facilitator-outside-programme")
    assert _head(api) == head
    held = api.post("facilitator", "/api/v1/meetings", session)
    assert held.status_code == 201 and held.get_json()["programme_id"] == two["iuc"]


def test_officers_act_in_every_programme_of_their_city(api, two):
    in_iuc = api.propose("rome", ("yantai",))
    in_iurc = api.propose("rome", ("chengdu",))
    assert in_iuc["programme_id"] == two["iuc"] and in_iurc["programme_id"] == two["iurc"]


def test_a_partnership_mixing_two_programmes_is_refused_and_records_nothing(api, two):
    head = _head(api)
    body = {
        "title": "Yantai and Chengdu",
        "proposer_city_id": api.city("yantai"),
        "invited_city_ids": [api.city("mannheim"), api.city("chengdu")],
        "themes": ["mobility"],
    }
    assert_problem(api.post("yantai", "/api/v1/partnerships", body), 409, "member-outside-programme")
    named = {**body, "programme_id": two["iuc"]}
    assert_problem(api.post("yantai", "/api/v1/partnerships", named), 409, "member-outside-programme")
    assert _head(api) == head


def test_an_ambiguous_or_unknown_programme_is_a_409_naming_programme_id(api, two):
    launch(api, "iurc-extra", ["europe", "east-asia"], ["rome", "yantai"])
    head = _head(api)
    body = {"title": "Rome and Yantai", "proposer_city_id": api.city("rome"), "invited_city_ids": [api.city("yantai")]}
    problem = assert_problem(api.post("rome", "/api/v1/partnerships", body), 409)
    assert _fields(problem) == {"programme_id"} and "2 programmes" in problem["detail"], problem
    unknown = {**body, "programme_id": "00000000-0000-4000-8000-000000000000"}
    problem = assert_problem(api.post("rome", "/api/v1/partnerships", unknown), 409)
    assert _fields(problem) == {"programme_id"}
    assert _head(api) == head
    chosen = api.post("rome", "/api/v1/partnerships", {**body, "programme_id": two["iuc"]})
    assert chosen.status_code == 201 and chosen.get_json()["programme_id"] == two["iuc"]


def test_sessions_agreements_and_projects_inherit_their_partnerships_programme(api, two):
    partnership = api.active_partnership("mannheim", ("chongqing",))
    assert partnership["programme_id"] == two["iuc"]
    session = api.schedule(cities=("mannheim", "chongqing"), partnership_id=partnership["id"])
    project = api.launch(partnership["id"], who="mannheim")
    body = {
        "title": "Railway MoU",
        "kind": "mou",
        "parties": [
            {"name": "Mannheim", "city_id": api.city("mannheim")},
            {"name": "Chongqing", "city_id": api.city("chongqing")},
        ],
        "partnership_id": partnership["id"],
    }
    agreement = api.post("mannheim", "/api/v1/agreements", body).get_json()
    assert session["programme_id"] == project["programme_id"] == agreement["programme_id"] == two["iuc"]
    other = api.post(
        "mannheim", "/api/v1/projects", {"title": "x", "partnership_id": partnership["id"], "programme_id": two["iurc"]}
    )
    assert _fields(assert_problem(other, 409)) == {"programme_id"}


def test_every_list_takes_programme_id_and_an_unknown_one_is_a_409(api, two, projector):
    iuc = api.active_partnership("rome", ("yantai",))
    iurc = api.active_partnership("rome", ("chengdu",))
    api.schedule(cities=("rome", "yantai"), partnership_id=iuc["id"])
    api.launch(iurc["id"])
    after = _head(api)
    for path in ("partnerships", "meetings", "projects", "agreements"):
        for key, expected in (("iuc", iuc), ("iurc", iurc)):
            query = {"programme_id": two[key], "after": after}
            items = api.get("auditor", f"/api/v1/{path}", query_string=query).get_json()["items"]
            assert all(i["programme_id"] == two[key] for i in items)
            if path == "partnerships":
                assert [i["id"] for i in items] == [expected["id"]]
        unknown = api.get(
            "auditor", f"/api/v1/{path}", query_string={"programme_id": "00000000-0000-4000-8000-000000000000"}
        )
        assert _fields(assert_problem(unknown, 409)) == {"programme_id"}


def test_a_cluster_gathers_programme_cities_and_its_sessions_invite_them_all(api, two, projector):
    formed = api.post(
        "facilitator",
        f"/api/v1/programmes/{two['iuc']}/clusters",
        {"name": "Smart city", "themes": ["smart-city", "connectivity"]},
    )
    assert formed.status_code == 201, formed.get_json()
    cluster = formed.get_json()
    for city in ("rome", "yantai", "mannheim"):
        joined = api.post("facilitator", f"/api/v1/clusters/{cluster['id']}/cities", {"city_id": api.city(city)})
        assert joined.status_code == 200, joined.get_json()
    head = _head(api)
    outside = api.post("facilitator", f"/api/v1/clusters/{cluster['id']}/cities", {"city_id": api.city("chengdu")})
    assert_problem(outside, 409, "member-outside-programme")
    assert_problem(
        api.post("iurc", f"/api/v1/clusters/{cluster['id']}/cities", {"city_id": api.city("chongqing")}),
        403,
        "facilitator-outside-programme",
    )
    assert_problem(
        api.post("facilitator", f"/api/v1/clusters/{cluster['id']}/cities", {"city_id": api.city("rome")}),
        409,
        "city-joined-cluster-twice",
    )
    assert _head(api) == head

    session = api.schedule(cities=(), cluster_id=cluster["id"])
    assert set(session["invited_city_ids"]) == {api.city(c) for c in ("rome", "yantai", "mannheim")}
    assert session["programme_id"] == two["iuc"] and session["cluster_id"] == cluster["id"]
    partnership = api.active_partnership("mannheim", ("chongqing",))
    project = api.post(
        "mannheim",
        "/api/v1/projects",
        {"title": "5G corridor", "partnership_id": partnership["id"], "themes": ["connectivity"]},
    ).get_json()
    left = api.post("yantai", f"/api/v1/clusters/{cluster['id']}/cities/{api.city('yantai')}/leave")
    assert left.status_code == 200 and api.city("yantai") not in left.get_json()["city_ids"]

    page = api.get("auditor", f"/api/v1/clusters/{cluster['id']}", query_string={"after": _head(api)})
    assert page.status_code == 200, page.get_json()
    shown = page.get_json()
    assert {c["name"] for c in shown["cities"]} == {"Rome", "Mannheim"}
    assert [s["id"] for s in shown["sessions"]] == [session["id"]]
    assert [p["id"] for p in shown["projects"]] == [project["id"]]
    assert_problem(api.get("auditor", f"/api/v1/clusters/{two['iuc']}"), 404)


def test_a_city_leaves_a_programme_and_a_closed_programme_takes_no_one(api, two):
    left = api.post("chengdu", f"/api/v1/programmes/{two['iurc']}/cities/{api.city('chengdu')}/leave")
    assert left.status_code == 200 and api.city("chengdu") not in left.get_json()["city_ids"]
    assert_problem(api.post("facilitator", f"/api/v1/programmes/{two['iuc']}/close", {"ends_on": "2020-12-31"}), 403)
    closed = api.post("admin", f"/api/v1/programmes/{two['iuc']}/close", {"ends_on": "2020-12-31"})
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    head = _head(api)
    again = api.post("admin", f"/api/v1/programmes/{two['iuc']}/cities", {"city_id": api.city("barcelona")})
    assert_problem(again, 409, "programme-closed")
    assert _head(api) == head


def test_reports_take_programme_id_and_refuse_an_unknown_one(api, two, projector):
    iuc = api.active_partnership("rome", ("yantai",))
    api.active_partnership("rome", ("chengdu",))
    api.launch(iuc["id"])
    query = {"programme_id": two["iuc"], "after": _head(api)}
    dashboard = api.get("auditor", "/api/v1/reports/dashboard", query_string=query).get_json()
    assert dashboard["programme_id"] == two["iuc"]
    assert dashboard["partnerships"]["total"] == 1 and dashboard["projects"]["total"] == 1
    assert dashboard["cities"]["total"] == 4  # Rome, Yantai, Mannheim, Chongqing
    everything = api.get("auditor", "/api/v1/reports/dashboard", query_string={"after": _head(api)}).get_json()
    assert everything["partnerships"]["total"] == 2
    review = api.get("auditor", "/api/v1/reports/progress-review", query_string=query).get_json()["items"]
    assert [r["partnership_id"] for r in review] == [iuc["id"]]
    in_iurc = {"programme_id": two["iurc"], "after": _head(api)}
    assert api.get("auditor", "/api/v1/reports/progress-review", query_string=in_iurc).get_json()["items"] == []
    for path in ("/api/v1/reports/dashboard", "/api/v1/reports/progress-review"):
        unknown = {"programme_id": "00000000-0000-4000-8000-000000000000"}
        assert _fields(assert_problem(api.get("auditor", path, query_string=unknown), 409)) == {"programme_id"}


def test_suggestions_stay_within_the_citys_programmes_or_the_one_named(api, two, projector):
    after = _head(api)
    path = f"/api/v1/cities/{api.city('yantai')}/suggestions"
    mine = api.get("yantai", path, query_string={"after": after, "limit": 50}).get_json()["items"]
    assert {s["name"] for s in mine} <= {"Rome", "Mannheim", "Chongqing"} and mine
    rome = f"/api/v1/cities/{api.city('rome')}/suggestions"
    in_iurc = api.get("rome", rome, query_string={"after": after, "limit": 50, "programme_id": two["iurc"]})
    assert {s["name"] for s in in_iurc.get_json()["items"]} <= {"Barcelona", "Chengdu"}
    everywhere = api.get("rome", rome, query_string={"after": after, "limit": 50}).get_json()["items"]
    assert {"Chengdu", "Yantai"} <= {s["name"] for s in everywhere}


def test_exports_take_programme_id(api, two, projector):
    iuc = api.active_partnership("rome", ("yantai",))
    api.active_partnership("rome", ("chengdu",))
    query = {"programme_id": two["iuc"], "after": _head(api)}
    exported = api.get("auditor", "/api/v1/exports/partnerships.json", query_string=query)
    assert exported.status_code == 200, exported.get_data(as_text=True)[:300]
    assert [row["id"] for row in exported.get_json()["items"]] == [iuc["id"]]
    for kind in ("partnerships", "meetings", "agreements", "projects"):
        sheet = api.get("auditor", f"/api/v1/exports/{kind}.csv", query_string={"after": _head(api)})
        header, *rows = csv.reader(io.StringIO(sheet.get_data().decode("utf-8-sig"), newline=""))
        assert header[-1] == "programme_id", (kind, header)
        if kind == "partnerships":
            by_id = {row[0]: row[-1] for row in rows}
            assert by_id[iuc["id"]] == two["iuc"] and set(by_id.values()) == {two["iuc"], two["iurc"]}
    unknown = {"programme_id": "00000000-0000-4000-8000-000000000000"}
    assert_problem(api.get("rome", "/api/v1/exports/partnerships.json", query_string=unknown), 403)
    got = api.get("auditor", "/api/v1/exports/partnerships.csv", query_string=unknown)
    assert _fields(assert_problem(got, 409)) == {"programme_id"}


def test_a_programmes_history_names_who_did_what(api, two):
    entries = api.get("auditor", f"/api/v1/programmes/{two['iuc']}/history").get_json()["items"]
    assert [e["type"] for e in entries] == ["ProgrammeLaunched", "FacilitatorAssigned"] + ["CityJoined"] * 4
    assert {e["actor"]["role"] for e in entries} == {"admin"}
    assert entries[2]["data"]["city_id"] == api.city("rome")


def test_the_citys_timeline_tells_its_programmes_and_clusters(api, two, projector):
    cluster = api.post(
        "facilitator", f"/api/v1/programmes/{two['iuc']}/clusters", {"name": "Smart city", "themes": ["smart-city"]}
    ).get_json()
    api.post("facilitator", f"/api/v1/clusters/{cluster['id']}/cities", {"city_id": api.city("rome")})
    api.post("rome", f"/api/v1/programmes/{two['iurc']}/cities/{api.city('rome')}/leave", {"reason": "IUC only"})
    query = {"after": _head(api), "limit": 50}
    told = [
        e["summary"]
        for e in api.get("rome", f"/api/v1/cities/{api.city('rome')}/timeline", query_string=query).get_json()["items"]
    ]
    assert "Rome joined the programme IUC-ASIA" in told
    assert "Rome joined the cluster \u201cSmart city\u201d" in told
    assert "Rome left the programme IURC-ASIA-AUSTRALASIA" in told
