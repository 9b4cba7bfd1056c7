"""Happy paths of partnerships, sessions, agreements, projects, history and as_of reads."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

from icalendar import Calendar

from tests.api.conftest import assert_problem


def test_partnership_from_proposal_to_conclusion(api):
    proposal = api.propose("rome", ("yantai",))
    assert proposal["status"] == "proposed" and proposal["invitations"][0]["status"] == "pending"
    url = f"/api/v1/partnerships/{proposal['id']}"

    invited = api.post("rome", f"{url}/invite", {"city_id": api.city("chengdu")})
    assert invited.status_code == 200 and len(invited.get_json()["invitations"]) == 2
    declined = api.post("chengdu", f"{url}/decline", {"city_id": api.city("chengdu"), "reason": "no capacity"})
    assert declined.status_code == 200 and declined.get_json()["status"] == "proposed"
    accepted = api.post("yantai", f"{url}/accept", {"city_id": api.city("yantai")})
    active = accepted.get_json()
    assert active["status"] == "active" and set(active["member_city_ids"]) == {api.city("rome"), api.city("yantai")}
    assert accepted.headers["ETag"] == f'"{active["version"]}"'

    plan = api.post("yantai", f"{url}/action-plan", {"summary": "Joint faculty", "adopted_on": "2020-11-30"})
    assert plan.status_code == 200 and plan.get_json()["action_plan"] == {
        "summary": "Joint faculty",
        "adopted_on": "2020-11-30",
    }
    concluded = api.post("rome", f"{url}/conclude", {"outcome": "Faculty founded"})
    assert concluded.get_json()["status"] == "concluded" and concluded.get_json()["outcome"] == "Faculty founded"
    assert api.get("auditor", url).get_json() == concluded.get_json()


def test_withdrawn_proposal(api):
    proposal = api.propose("mannheim", ("chongqing",))
    response = api.post("mannheim", f"/api/v1/partnerships/{proposal['id']}/withdraw", {"reason": "merged"})
    assert response.get_json()["status"] == "withdrawn" and response.get_json()["closing_reason"] == "merged"
    # an empty body is fine when every field is optional
    other = api.propose("mannheim", ("chengdu",))
    bare = api.client.post(f"/api/v1/partnerships/{other['id']}/withdraw", headers=api.headers("mannheim"))
    assert bare.status_code == 200 and bare.get_json()["status"] == "withdrawn"


def test_session_scheduled_moved_held_and_its_ics(api):
    meeting = api.schedule("2030-03-04T09:00:00+01:00", location="Rome city hall", url="https://meet.example/1")
    assert meeting["status"] == "scheduled" and meeting["sequence"] == 0
    assert meeting["starts_at"] == "2030-03-04T09:00:00+01:00" and meeting["ends_at"] == "2030-03-04T10:30:00+01:00"
    url = f"/api/v1/meetings/{meeting['id']}"

    ics = api.get("rome", f"{url}/ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    event = Calendar.from_ical(ics.data).walk("VEVENT")[0]
    calendar = Calendar.from_ical(ics.data)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == f"{meeting['id']}@twinning" and int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == datetime(2030, 3, 4, 8, 0, tzinfo=UTC)

    moved = api.post(
        "facilitator", f"{url}/reschedule", {"starts_at": "2030-03-05T10:00:00+01:00", "duration_minutes": 60}
    )
    assert moved.status_code == 200 and moved.get_json()["sequence"] == 1
    event = Calendar.from_ical(api.get("rome", f"{url}/ics").data).walk("VEVENT")[0]
    assert int(event["SEQUENCE"]) == 1 and event.decoded("DTEND") == datetime(2030, 3, 5, 10, 0, tzinfo=UTC)

    invited = api.post("facilitator", f"{url}/invite", {"city_id": api.city("mannheim")})
    assert len(invited.get_json()["invited_city_ids"]) == 3

    now = datetime.now(UTC)
    past = api.schedule((now - timedelta(hours=3)).isoformat(timespec="seconds"), planned_at=now - timedelta(days=7))
    held = api.post(
        "facilitator",
        f"/api/v1/meetings/{past['id']}/outcome",
        {"attendance": 40, "summary": "MoU signed", "attended_city_ids": [api.city("rome")]},
    )
    assert held.status_code == 200, held.get_json()
    assert held.get_json()["outcome"]["no_show_city_ids"] == [api.city("yantai")]
    assert_problem(
        api.post("facilitator", f"{url}/outcome", {"attendance": 1, "summary": "too early"}),
        409,
        "outcome-before-start",
    )


def test_cancelled_session_ics_is_a_cancel(api):
    meeting = api.schedule()
    url = f"/api/v1/meetings/{meeting['id']}"
    cancelled = api.post("facilitator", f"{url}/cancel", {"reason": "flood"})
    assert cancelled.get_json()["status"] == "cancelled" and cancelled.get_json()["sequence"] == 1
    calendar = Calendar.from_ical(api.get("yantai", f"{url}/ics").data)
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 1
    assert_problem(
        api.post("facilitator", f"{url}/reschedule", {"starts_at": "2030-03-05T10:00:00Z"}),
        409,
        "meeting-not-scheduled",
    )


def test_meeting_times_need_an_offset(api):
    body = {
        "title": "T",
        "kind": "online",
        "starts_at": "2030-03-04T09:00:00",
        "duration_minutes": 60,
        "invited_city_ids": [api.city("rome")],
    }
    assert assert_problem(api.post("facilitator", "/api/v1/meetings", body), 422)["errors"][0]["field"] == "starts_at"


def test_agreement_signed_into_force_and_terminated(api):
    agreement = api.draft()
    assert agreement["status"] == "drafted"
    url = f"/api/v1/agreements/{agreement['id']}"
    first = api.post(
        "yantai", f"{url}/sign", {"party": "Yantai University", "signed_on": "2020-10-29", "signatory": "President"}
    )
    assert first.status_code == 200 and first.get_json()["status"] == "drafted"
    second = api.post("rome", f"{url}/sign", {"party": "Tuscia University", "signed_on": "2020-10-30"})
    assert second.get_json()["status"] == "in_force" and second.get_json()["in_force_on"] == "2020-10-30"
    assert_problem(
        api.post("rome", f"{url}/sign", {"party": "Tuscia University", "signed_on": "2020-10-31"}),
        409,
        "party-already-signed",
    )
    terminated = api.post("facilitator", f"{url}/terminate", {"reason": "superseded", "on": "2023-01-01"})
    assert terminated.get_json()["status"] == "terminated"
    assert terminated.get_json()["termination"] == {"reason": "superseded", "on": "2023-01-01"}
    assert_problem(api.post("rome", f"{url}/sign", {"party": "Tuscia University", "signed_on": "20201031"}), 422)


def test_project_with_milestones_to_completion(api):
    partnership = api.active_partnership()
    project = api.launch(partnership["id"])
    assert project["status"] == "active" and set(project["member_city_ids"]) == {api.city("rome"), api.city("yantai")}
    url = f"/api/v1/projects/{project['id']}"
    planned = api.post(
        "yantai",
        f"{url}/milestones",
        {"title": "Summer school", "due_on": "2021-07-01", "milestone_id": "summer-school"},
    )
    assert planned.status_code == 201 and planned.get_json()["milestones"][0]["status"] == "planned"
    moved = api.post("rome", f"{url}/milestones/summer-school/reschedule", {"due_on": "2021-07-10", "reason": "exams"})
    assert moved.get_json()["milestones"][0]["due_on"] == "2021-07-10"
    achieved = api.post(
        "yantai", f"{url}/milestones/summer-school/achieve", {"achieved_on": "2021-07-15", "note": "First cohort"}
    )
    assert achieved.get_json()["milestones"][0] | {} == {
        "id": "summer-school",
        "title": "Summer school",
        "due_on": "2021-07-10",
        "status": "achieved",
        "achieved_on": "2021-07-15",
        "note": "First cohort",
    }
    assert_problem(
        api.post("yantai", f"{url}/milestones/summer-school/achieve", {"achieved_on": "2021-07-16"}),
        409,
        "milestone-already-achieved",
    )
    assert_problem(api.post("yantai", f"{url}/milestones/nope/achieve", {"achieved_on": "2021-07-16"}), 404)
    completed = api.post("rome", f"{url}/complete", {"summary": "Done"})
    assert completed.get_json()["status"] == "completed" and completed.get_json()["summary"] == "Done"

    other = api.launch(partnership["id"], who="yantai")
    cancelled = api.post("facilitator", f"/api/v1/projects/{other['id']}/cancel", {"reason": "funding"})
    assert cancelled.get_json()["status"] == "cancelled"


def test_project_needs_an_active_partnership(api):
    proposal = api.propose()
    response = api.post("rome", "/api/v1/projects", {"title": "Too early", "partnership_id": proposal["id"]})
    assert_problem(response, 409, "partnership-not-active")


def test_history_lists_every_event_with_actor(api):
    proposal = api.propose()
    api.post("yantai", f"/api/v1/partnerships/{proposal['id']}/accept", {"city_id": api.city("yantai")})
    response = api.get("auditor", f"/api/v1/partnerships/{proposal['id']}/history")
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [e["type"] for e in items] == ["PartnershipProposed", "InvitationAccepted", "PartnershipActivated"]
    assert [e["version"] for e in items] == [1, 2, 3]
    assert items[0]["actor"]["id"] == api.user_ids["rome"] and items[1]["actor"]["id"] == api.user_ids["yantai"]
    assert items[1]["actor"]["role"] == "officer" and "Yantai" in items[1]["actor"]["name"]
    assert items[0]["data"]["title"] == proposal["title"]
    for kind, resource_id in (
        ("cities", api.city("rome")),
        ("meetings", api.schedule()["id"]),
        ("agreements", api.draft()["id"]),
    ):
        assert api.get("rome", f"/api/v1/{kind}/{resource_id}/history").status_code == 200
    assert_problem(api.get("rome", f"/api/v1/meetings/{proposal['id']}/history"), 404)


def test_user_history_hides_token_hashes_and_is_not_for_everyone(api):
    user_id = api.user_ids["rome"]
    response = api.get("auditor", f"/api/v1/users/{user_id}/history")
    assert response.status_code == 200
    assert "token_hash" not in response.get_data(as_text=True)
    assert_problem(api.get("yantai", f"/api/v1/users/{user_id}/history"), 403)


def test_as_of_reads_the_partnership_as_it_was(api):
    before_creation = datetime.now(UTC)
    time.sleep(0.01)
    proposal = api.propose()
    time.sleep(0.01)
    before_acceptance = datetime.now(UTC)
    time.sleep(0.01)
    api.post("yantai", f"/api/v1/partnerships/{proposal['id']}/accept", {"city_id": api.city("yantai")})
    url = f"/api/v1/partnerships/{proposal['id']}"

    then = api.get("auditor", url, query_string={"as_of": before_acceptance.isoformat()})
    assert then.status_code == 200 and then.get_json()["status"] == "proposed" and then.headers["ETag"] == '"1"'
    now = api.get("auditor", url, query_string={"as_of": datetime.now(UTC).isoformat()})
    assert now.get_json()["status"] == "active"
    assert_problem(api.get("auditor", url, query_string={"as_of": before_creation.isoformat()}), 404)
    # an unescaped "+" in the offset arrives as a space and is still understood
    plus = before_acceptance.astimezone(timezone(timedelta(hours=8))).isoformat()
    assert api.get("auditor", f"{url}?as_of={plus}").get_json()["status"] == "proposed"
    for kind, resource in (("agreements", api.draft()), ("projects", api.launch(proposal["id"]))):
        later = api.get(
            "auditor", f"/api/v1/{kind}/{resource['id']}", query_string={"as_of": datetime.now(UTC).isoformat()}
        )
        assert later.status_code == 200 and later.get_json()["id"] == resource["id"]
