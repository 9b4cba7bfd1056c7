"""Action plans over HTTP: Rome and Yantai write their UCAP, report on it, and both adopt it."""

from __future__ import annotations

from tests.api.conftest import assert_problem
from tests.api.test_smoke_stores import store_api, store_url  # noqa: F401  (the fixtures on both stores)


def _plan(api, who="rome", objectives=("A joint faculty of urban agriculture",)) -> tuple[dict, dict]:
    partnership = api.active_partnership("rome", ("yantai",))
    response = api.post(
        who,
        f"/api/v1/partnerships/{partnership['id']}/action-plans",
        {"title": "Rome–Yantai UCAP", "objectives": list(objectives)},
    )
    assert response.status_code == 201, response.get_json()
    assert response.headers["Location"] == f"/api/v1/action-plans/{response.get_json()['id']}"
    return partnership, response.get_json()


def test_the_plan_from_draft_to_adoption_by_both_members_on_each_store(store_api):  # noqa: F811
    api = store_api
    partnership, plan = _plan(api)
    url = f"/api/v1/action-plans/{plan['id']}"
    assert plan["status"] == "drafted" and [o["text"] for o in plan["objectives"]] == [
        "A joint faculty of urban agriculture"
    ]
    action = api.post(
        "yantai",
        f"{url}/actions",
        {
            "title": "Summer school",
            "responsible_city_id": api.city("yantai"),
            "starts_on": "2020-06-01",
            "ends_on": "2020-09-30",
            "means": "EUR 20,000 and two lecturers",
            "action_id": "summer-school",
        },
    )
    assert action.status_code == 201, action.get_json()
    assert api.post("yantai", f"{url}/actions/summer-school/start", {"on": "2020-06-02"}).status_code == 200
    done = api.post("yantai", f"{url}/actions/summer-school/done", {"on": "2020-09-20"}).get_json()
    assert done["actions"][0]["status"] == "done" and done["actions"][0]["done_on"] == "2020-09-20"

    indicator = api.post(
        "rome",
        f"{url}/indicators",
        {"name": "Students trained", "unit": "people", "baseline": 0, "target": 120, "indicator_id": "students"},
    )
    assert indicator.status_code == 201
    value = api.post("rome", f"{url}/indicators/students/values", {"value": 45, "on": "2020-09-30", "note": "1st"})
    assert value.status_code == 201 and value.get_json()["indicators"][0]["values"] == [
        {"value": 45.0, "on": "2020-09-30", "note": "1st"}
    ]

    first = api.post("rome", f"{url}/adopt", {"city_id": api.city("rome"), "on": "2020-11-02"}).get_json()
    assert first["status"] == "drafted"
    second = api.post("yantai", f"{url}/adopt", {"city_id": api.city("yantai"), "on": "2020-11-16"})
    assert second.status_code == 200 and second.get_json()["status"] == "adopted"
    assert second.get_json()["adopted_on"] == "2020-11-16"

    listed = api.get(
        "auditor",
        "/api/v1/action-plans",
        query_string={"partnership_id": partnership["id"], "after": second.headers["X-Log-Position"]},
    )
    assert listed.status_code == 200, listed.get_json()
    [item] = listed.get_json()["items"]
    assert item["status"] == "adopted" and item["adopted_on"] == "2020-11-16"
    assert item["actions"][0]["title"] == "Summer school" and item["indicators"][0]["latest"] == 45.0

    shown = api.get("auditor", f"/api/v1/partnerships/{partnership['id']}").get_json()
    assert shown["action_plan_id"] == plan["id"]
    history = api.get("auditor", f"{url}/history").get_json()["items"]
    assert [e["type"] for e in history][-2:] == ["MemberAdoptedActionPlan", "ActionPlanAdopted"]
    assert {e["actor"]["name"] for e in history} >= {"Rome officer", "Yantai officer"}
    timeline = api.get(
        "auditor", f"/api/v1/cities/{api.city('yantai')}/timeline", query_string={"limit": 100}
    ).get_json()["items"]
    summaries = [t["summary"] for t in timeline]
    assert "Action “Summer school” was done on 2020-09-20" in summaries
    assert "The action plan “Rome–Yantai UCAP” was adopted by every member city on 2020-11-16" in summaries


def test_the_old_action_plan_command_still_answers_as_before_and_creates_the_plan(api, projector):
    partnership = api.active_partnership("rome", ("yantai",))
    url = f"/api/v1/partnerships/{partnership['id']}"
    old = api.post("yantai", f"{url}/action-plan", {"summary": "Joint faculty", "adopted_on": "2020-11-30"})
    assert old.status_code == 200
    body = old.get_json()
    assert body["action_plan"] == {"summary": "Joint faculty", "adopted_on": "2020-11-30"}
    assert body["status"] == "active" and body["action_plan_id"]
    plan = api.get("auditor", f"/api/v1/action-plans/{body['action_plan_id']}").get_json()
    assert plan["status"] == "adopted" and plan["adopted_on"] == "2020-11-30"
    assert [o["text"] for o in plan["objectives"]] == ["Joint faculty"]
    assert plan["partnership_id"] == partnership["id"]
    assert {a["city_id"] for a in plan["adoptions"]} == {api.city("rome"), api.city("yantai")}
    listed = api.get("auditor", "/api/v1/action-plans", query_string={"after": old.headers["X-Log-Position"]})
    assert [p["id"] for p in listed.get_json()["items"]] == [plan["id"]]
    board = api.get("auditor", "/api/v1/partnerships", query_string={"after": old.headers["X-Log-Position"]})
    assert [(p["id"], p["action_plan_id"]) for p in board.get_json()["items"]] == [(partnership["id"], plan["id"])]


def test_bad_input_is_a_problem_naming_the_field_and_nothing_is_recorded(api):
    _, plan = _plan(api)
    url = f"/api/v1/action-plans/{plan['id']}"
    version = api.get("rome", url).get_json()["version"]

    unknown = assert_problem(
        api.post("rome", f"{url}/indicators/no-such/values", {"value": 1, "on": "2020-01-01"}), 404
    )
    assert "no-such" in unknown["detail"]
    outsider = assert_problem(
        api.post(
            "rome",
            f"{url}/actions",
            {
                "title": "Fair",
                "responsible_city_id": api.city("mannheim"),
                "starts_on": "2020-01-01",
                "ends_on": "2020-02-01",
            },
        ),
        422,
    )
    assert [e["field"] for e in outsider["errors"]] == ["responsible_city_id"]
    backwards = assert_problem(
        api.post(
            "rome",
            f"{url}/actions",
            {
                "title": "Fair",
                "responsible_city_id": api.city("rome"),
                "starts_on": "2020-03-01",
                "ends_on": "2020-02-01",
            },
        ),
        422,
    )
    assert [e["field"] for e in backwards["errors"]] == ["ends_on"]
    assert_problem(api.post("mannheim", f"{url}/objectives", {"text": "Take over"}), 403)
    assert_problem(
        api.post("rome", f"{url}/indicators", {"name": "CO2", "unit": "t", "baseline": 5, "target": "less"}), 422
    )
    assert_problem(api.post("rome", f"{url}/actions/none/start", {"on": "2020-01-01"}), 404)
    again = api.post("rome", f"/api/v1/partnerships/{plan['partnership_id']}/action-plans", {"title": "Second"})
    assert_problem(again, 409, "action-plan-exists")
    assert api.get("rome", url).get_json()["version"] == version
