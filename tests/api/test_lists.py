"""Lists, timeline, inbox, suggestions and reports read the views; ?after=N reads one's own write."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_problem
from web.api import lists


def _position(response) -> int:
    return int(response.headers["X-Log-Position"])


def test_city_directory_filters_and_pages(api, projector):
    created = api.post(
        "facilitator",
        "/api/v1/cities",
        {
            "name": "Lisbon",
            "local_name": "Lisboa",
            "country": "PT",
            "timezone": "Europe/Lisbon",
            "themes_offered": ["tourism"],
        },
    )
    after = _position(created)
    found = api.get("auditor", "/api/v1/cities", query_string={"q": "LISB", "after": after})
    assert found.status_code == 200, found.get_json()
    assert [c["name"] for c in found.get_json()["items"]] == ["Lisbon"]
    assert int(found.headers["X-View-Position"]) >= after
    by_theme = api.get("auditor", "/api/v1/cities", query_string={"theme": "tourism", "after": after}).get_json()[
        "items"
    ]
    assert [c["name"] for c in by_theme] == ["Lisbon"]
    asia = api.get("auditor", "/api/v1/cities", query_string={"region": "east-asia"}).get_json()["items"]
    assert {c["name"] for c in asia} == {"Yantai", "Chongqing", "Chengdu"}

    seen, cursor = [], None
    while True:
        query = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = api.get("rome", "/api/v1/cities", query_string=query).get_json()
        assert len(body["items"]) <= 3
        seen += [c["name"] for c in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 7
    assert_problem(api.get("rome", "/api/v1/cities", query_string={"cursor": "garbage"}), 400)
    assert_problem(api.get("rome", "/api/v1/cities", query_string={"limit": 500}), 422)
    assert_problem(api.get("rome", "/api/v1/cities", query_string={"region": "atlantis"}), 422)


def test_partnership_board_and_invitations_awaiting(api, projector):
    first = api.propose("rome", ("yantai",))
    second = api.propose("mannheim", ("chongqing", "yantai"))
    accepted = api.post("chongqing", f"/api/v1/partnerships/{second['id']}/accept", {"city_id": api.city("chongqing")})
    after = _position(accepted)
    board = api.get("rome", "/api/v1/partnerships", query_string={"after": after}).get_json()["items"]
    assert [p["id"] for p in board] == [second["id"], first["id"]]  # newest first
    mine = api.get("rome", "/api/v1/partnerships", query_string={"city_id": api.city("chongqing")}).get_json()["items"]
    assert [p["id"] for p in mine] == [second["id"]]
    awaiting = api.get("yantai", f"/api/v1/cities/{api.city('yantai')}/invitations", query_string={"after": after})
    assert {i["partnership_id"] for i in awaiting.get_json()["items"]} == {first["id"], second["id"]}
    none = api.get("chongqing", f"/api/v1/cities/{api.city('chongqing')}/invitations").get_json()["items"]
    assert none == []
    assert_problem(api.get("rome", "/api/v1/partnerships", query_string={"status": "nonsense"}), 422)


def test_calendar_agreements_and_projects_lists(api, projector):
    early = api.schedule("2030-03-04T09:00:00+01:00", cities=("rome", "yantai"))
    late = api.schedule("2030-04-04T09:00:00+02:00", cities=("mannheim", "chongqing"))
    agreement = api.draft()
    partnership = api.active_partnership()
    project = api.launch(partnership["id"])
    planned = api.post(
        "rome", f"/api/v1/projects/{project['id']}/milestones", {"title": "Summer school", "due_on": "2021-07-01"}
    )
    after = _position(planned)

    calendar = api.get("rome", "/api/v1/meetings", query_string={"after": after}).get_json()["items"]
    assert [m["id"] for m in calendar] == [early["id"], late["id"]]
    romes = api.get("rome", "/api/v1/meetings", query_string={"city_id": api.city("rome")}).get_json()["items"]
    assert [m["id"] for m in romes] == [early["id"]]
    april = api.get(
        "rome", "/api/v1/meetings", query_string={"from": "2030-04-01T00:00:00Z", "to": "2030-05-01T00:00:00Z"}
    )
    assert [m["id"] for m in april.get_json()["items"]] == [late["id"]]

    agreements = api.get("rome", "/api/v1/agreements", query_string={"city_id": api.city("rome")}).get_json()["items"]
    assert [a["id"] for a in agreements] == [agreement["id"]]
    projects = api.get("rome", "/api/v1/projects", query_string={"as_of": "2022-01-01"}).get_json()["items"]
    assert [p["id"] for p in projects] == [project["id"]]
    assert projects[0]["milestones"][0]["state"] == "overdue"


def test_city_timeline(api, projector):
    api.active_partnership("rome", ("yantai",))
    response = api.get(
        "auditor",
        f"/api/v1/cities/{api.city('rome')}/timeline",
        query_string={"after": api.programme.recorder.max_notification_id()},
    )
    assert response.status_code == 200
    body = response.get_json()
    kinds = [item["subject"]["kind"] for item in body["items"]]
    assert "partnership" in kinds and "city" in kinds
    positions = [item["position"] for item in body["items"]]
    assert positions == sorted(positions)
    assert_problem(api.get("auditor", f"/api/v1/cities/{api.user_ids['rome']}/timeline"), 404)


def test_inbox_newest_first(api, projector, programme):
    admin = programme.authenticate(api.tokens["admin"])
    recipient = api.user_ids["yantai"]
    for n in (1, 2):
        programme.record_notification(
            admin,
            f"test/{n}",
            "invitation",
            recipient,
            {"kind": "partnership", "id": f"p{n}"},
            f"Invitation {n}",
            "You are invited",
            ["inbox"],
        )
    after = programme.recorder.max_notification_id()
    inbox = api.get("yantai", "/api/v1/me/notifications", query_string={"after": after})
    assert inbox.status_code == 200, inbox.get_json()
    items = inbox.get_json()["items"]
    assert [i["title"] for i in items] == ["Invitation 2", "Invitation 1"]
    assert items[0]["subject"] == {"kind": "partnership", "id": "p2"} and items[0]["channels"] == ["inbox"]
    assert api.get("rome", "/api/v1/me/notifications", query_string={"after": after}).get_json()["items"] == []


def test_suggestions_carry_score_and_reasons(api, projector):
    after = api.programme.recorder.max_notification_id()
    response = api.get(
        "rome", f"/api/v1/cities/{api.city('rome')}/suggestions", query_string={"limit": 3, "after": after}
    )
    assert response.status_code == 200, response.get_json()
    items = response.get_json()["items"]
    assert 1 <= len(items) <= 3
    assert all(0 <= s["score"] <= 100 and s["reasons"] for s in items)
    assert api.city("rome") not in {s["city_id"] for s in items}
    assert [s["score"] for s in items] == sorted((s["score"] for s in items), reverse=True)


def test_dashboard_and_progress_review(api, projector):
    partnership = api.active_partnership()
    project = api.launch(partnership["id"])
    api.post(
        "rome",
        f"/api/v1/projects/{project['id']}/milestones",
        {"title": "Pilot", "due_on": "2021-01-01", "milestone_id": "m"},
    )
    done = api.post(
        "yantai", f"/api/v1/projects/{project['id']}/milestones/m/achieve", {"achieved_on": "2021-01-05", "note": "ok"}
    )
    after = _position(done)
    dashboard = api.get("auditor", "/api/v1/reports/dashboard", query_string={"after": after})
    assert dashboard.status_code == 200, dashboard.get_json()
    figures = dashboard.get_json()
    assert figures["cities"]["total"] == 6 and figures["partnerships"]["by_status"] == {"active": 1}
    assert figures["milestones"]["achieved"] == 1
    review = api.get("auditor", "/api/v1/reports/progress-review", query_string={"after": after}).get_json()["items"]
    assert review[0]["project"] == project["title"] and set(review[0]["cities"]) == {"Rome", "Yantai"}
    assert "Pilot" in review[0]["latest_result"]


def test_after_beyond_the_log_is_a_409_and_a_lagging_view_a_503(api, monkeypatch):
    head = api.programme.recorder.max_notification_id()
    assert_problem(api.get("rome", "/api/v1/cities", query_string={"after": head + 1000}), 409)
    monkeypatch.setattr(lists, "WAIT_SECONDS", 0.2)
    response = api.get("rome", "/api/v1/cities", query_string={"after": head})  # no projector running
    assert_problem(response, 503, "view-behind")
    assert response.headers["Retry-After"] == "1"


def test_lists_without_views_are_a_503(api):
    api.app.extensions["twinning"].views = None
    assert_problem(api.get("rome", "/api/v1/cities"), 503, "views-unavailable")


def test_a_list_without_after_answers_at_once(api):
    response = api.get("rome", "/api/v1/partnerships")
    assert response.status_code == 200 and "X-View-Position" in response.headers


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cities",
        "/api/v1/partnerships",
        "/api/v1/meetings",
        "/api/v1/agreements",
        "/api/v1/projects",
        "/api/v1/me/notifications",
        "/api/v1/reports/progress-review",
    ],
)
def test_every_list_needs_a_token(api, path):
    assert_problem(api.client.get(path), 401)
