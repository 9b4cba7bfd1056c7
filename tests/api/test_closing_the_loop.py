"""Closing the loop through the API: feedback on held sessions and the figures it feeds, invitations
that lapse, preferences on /me, and reading the inbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.access import SYSTEM
from domain.model.partnership import InvitationNotDue
from tests.api.conftest import Api, api_on, assert_problem


@pytest.fixture(params=["sqlite", "postgres"])
def each_store_api(request):
    """The API with its views' follower running, on SQLite and on PostgreSQL."""
    with api_on(request.getfixturevalue(f"{request.param}_url")) as api:
        yield api


def held_session(api: Api, invited=("rome", "yantai", "mannheim"), attended=("rome", "yantai"), **extra) -> dict:
    """A webinar that ended yesterday, recorded as held; Mannheim was invited but did not come."""
    body = {
        "title": "Smart energy districts webinar",
        "kind": "webinar",
        "starts_at": (datetime.now(UTC) - timedelta(days=1)).replace(microsecond=0).isoformat(),
        "duration_minutes": 90,
        "invited_city_ids": [api.city(c) for c in invited],
        "attendance": 45,
        "summary": "Rome and Yantai compared their district heating pilots",
        "attended_city_ids": [api.city(c) for c in attended],
        **extra,
    }
    response = api.post("facilitator", "/api/v1/meetings/held", body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def feedback(api: Api, who: str, meeting: dict, city: str, rating=4, outcome="follow_up_planned", **extra):
    body = {"city_id": api.city(city), "rating": rating, "outcome": outcome, **extra}
    return api.post(who, f"/api/v1/meetings/{meeting['id']}/feedback", body)


def _field_named(problem: dict, field: str) -> None:
    assert any(e["field"] == field for e in problem.get("errors", [])), problem


# --- feedback ---------------------------------------------------------------------------


def test_yantai_and_rome_say_where_the_session_led_and_the_dashboard_counts_it(each_store_api):
    api = each_store_api
    meeting = held_session(api)

    given = feedback(api, "yantai", meeting, "yantai", 4, "follow_up_planned", comment="a visit to Rome in spring")
    assert given.status_code == 201, given.get_json()
    assert given.headers["ETag"] == f'"{meeting["version"] + 1}"' and given.headers["X-Log-Position"]
    [entry] = given.get_json()["feedback"]
    assert (entry["city_id"], entry["rating"], entry["outcome"], entry["comment"]) == (
        api.city("yantai"),
        4,
        "follow_up_planned",
        "a visit to Rome in spring",
    )
    assert entry["given_by"] == api.user_ids["yantai"] and entry["given_at"]

    # Months later Rome's facilitator records where it led; no earlier feedback from Rome is needed.
    later = api.post(
        "facilitator",
        f"/api/v1/meetings/{meeting['id']}/follow-up",
        {"city_id": api.city("rome"), "outcome": "agreement_reached", "comment": "MoU on district heating"},
    )
    assert later.status_code == 201, later.get_json()
    assert [f["outcome"] for f in later.get_json()["follow_ups"]] == ["agreement_reached"]

    shown = api.get("auditor", f"/api/v1/meetings/{meeting['id']}").get_json()
    assert [f["city_id"] for f in shown["feedback"]] == [api.city("yantai")]
    assert [f["city_id"] for f in shown["follow_ups"]] == [api.city("rome")]

    after = later.headers["X-Log-Position"]
    outcomes = api.get("auditor", "/api/v1/reports/dashboard", query_string={"after": after}).get_json()["sessions"][
        "outcomes"
    ]
    assert outcomes == {
        "held_sessions": 1,
        "feedback": {"no_further_contact": 0, "follow_up_planned": 1, "negotiation_started": 0, "agreement_reached": 0},
        "follow_up": {
            "no_further_contact": 0,
            "follow_up_planned": 0,
            "negotiation_started": 0,
            "agreement_reached": 1,
        },
        "sessions_with_agreement": 1,
        "agreement_share": 1.0,
    }

    history = api.get("auditor", f"/api/v1/meetings/{meeting['id']}/history").get_json()["items"]
    assert [(h["type"], h["actor"]["name"]) for h in history[-2:]] == [
        ("FeedbackGiven", "Yantai officer"),
        ("FollowUpGiven", "Programme facilitator"),
    ]
    timeline = api.get("auditor", f"/api/v1/cities/{api.city('yantai')}/timeline", query_string={"after": after})
    summaries = [t["summary"] for t in timeline.get_json()["items"]]
    assert "Yantai rated \u201cSmart energy districts webinar\u201d 4/5: follow up planned" in summaries


def test_feedback_that_breaks_a_rule_is_refused_and_nothing_is_recorded(each_store_api):
    api = each_store_api
    meeting = held_session(api)
    assert feedback(api, "yantai", meeting, "yantai").status_code == 201
    version = api.get("auditor", f"/api/v1/meetings/{meeting['id']}").get_json()["version"]

    assert_problem(feedback(api, "yantai", meeting, "yantai", 5), 409, "feedback-already-given")
    assert_problem(feedback(api, "facilitator", meeting, "mannheim"), 409, "city-did-not-attend")  # a no-show
    assert_problem(feedback(api, "chongqing", meeting, "chongqing"), 409, "city-did-not-attend")  # never invited
    assert_problem(feedback(api, "mannheim", meeting, "yantai"), 403)  # Mannheim's officer cannot speak for Yantai
    assert_problem(feedback(api, "mannheim", meeting, "rome"), 403)
    for rating in (0, 6):
        _field_named(assert_problem(feedback(api, "rome", meeting, "rome", rating), 422), "rating")
    _field_named(assert_problem(feedback(api, "rome", meeting, "rome", outcome="agreed"), 422), "outcome")
    missing = api.post("rome", f"/api/v1/meetings/{meeting['id']}/feedback", {"city_id": api.city("rome")})
    _field_named(assert_problem(missing, 422), "rating")

    upcoming = api.schedule(starts_at=(datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0).isoformat())
    assert_problem(feedback(api, "yantai", upcoming, "yantai"), 409, "meeting-not-held")
    follow_up = {"city_id": api.city("yantai"), "outcome": "follow_up_planned"}
    assert_problem(api.post("yantai", f"/api/v1/meetings/{upcoming['id']}/follow-up", follow_up), 409)

    after = api.get("auditor", f"/api/v1/meetings/{meeting['id']}").get_json()
    assert after["version"] == version and [f["city_id"] for f in after["feedback"]] == [api.city("yantai")]
    assert api.get("auditor", f"/api/v1/meetings/{upcoming['id']}").get_json()["feedback"] == []


def test_a_follow_up_once_per_city_with_if_match_and_idempotency(api):
    meeting = held_session(api)
    url = f"/api/v1/meetings/{meeting['id']}/follow-up"
    body = {"city_id": api.city("yantai"), "outcome": "negotiation_started"}
    stale = api.post("yantai", url, body, headers={"If-Match": f'"{meeting["version"] - 1}"'})
    assert_problem(stale, 412)
    first = api.post("yantai", url, body, headers={"Idempotency-Key": "yantai-follow-up"})
    retried = api.post("yantai", url, body, headers={"Idempotency-Key": "yantai-follow-up"})
    assert first.status_code == retried.status_code == 201 and retried.get_json() == first.get_json()
    assert_problem(api.post("yantai", url, body), 409, "follow-up-already-given")


def test_the_progress_review_reports_the_outcomes_of_the_partnerships_sessions(api, projector):
    partnership = api.active_partnership("rome", ("yantai",))
    project = api.launch(partnership["id"])
    meeting = held_session(api, ("rome", "yantai"), ("rome", "yantai"), partnership_id=partnership["id"])
    held_session(api)  # a session of no partnership: not this project's
    feedback(api, "rome", meeting, "rome", 5, "agreement_reached")
    last = feedback(api, "yantai", meeting, "yantai", 3, "negotiation_started")
    review = api.get(
        "auditor", "/api/v1/reports/progress-review", query_string={"after": last.headers["X-Log-Position"]}
    )
    [item] = [i for i in review.get_json()["items"] if i["project_id"] == project["id"]]
    assert item["session_outcomes"]["held_sessions"] == 1
    assert item["session_outcomes"]["feedback"]["agreement_reached"] == 1
    assert item["session_outcomes"]["feedback"]["negotiation_started"] == 1
    assert item["session_outcomes"]["agreement_share"] == 1.0


# --- invitations that lapse ---------------------------------------------------------------


def test_an_expired_invitation_shows_everywhere_and_the_partnership_goes_on_as_if_declined(api, projector):
    partnership = api.propose("rome", ("yantai", "mannheim"))
    api.post("yantai", f"/api/v1/partnerships/{partnership['id']}/accept", {"city_id": api.city("yantai")})
    month = timedelta(days=30)
    with pytest.raises(InvitationNotDue):  # a job run too early changes nothing
        api.programme.expire_invitation(SYSTEM, partnership["id"], api.city("mannheim"), expires_after=month)
    api.programme.clock.advance(days=30, seconds=1)
    result = api.programme.expire_invitation(SYSTEM, partnership["id"], api.city("mannheim"), expires_after=month)
    api.programme.clock.current = None
    shown = api.get("rome", f"/api/v1/partnerships/{partnership['id']}").get_json()
    assert shown["status"] == "active" and shown["member_city_ids"] == [api.city("rome"), api.city("yantai")]
    assert {i["city_id"]: i["status"] for i in shown["invitations"]}[api.city("mannheim")] == "expired"

    after = {"after": result.position}
    listed = api.get("rome", "/api/v1/partnerships", query_string=after).get_json()["items"]
    assert any(p["id"] == partnership["id"] and p["status"] == "active" for p in listed)
    awaiting = api.get("mannheim", f"/api/v1/cities/{api.city('mannheim')}/invitations", query_string=after)
    assert awaiting.get_json()["items"] == []
    exported = api.get("auditor", "/api/v1/exports/partnerships.csv", query_string=after).get_data(as_text=True)
    assert "Mannheim (expired)" in exported
    history = api.get("auditor", f"/api/v1/partnerships/{partnership['id']}/history").get_json()["items"]
    assert [(h["type"], h["actor"]["role"]) for h in history][-2:] == [
        ("InvitationExpired", "system"),
        ("PartnershipActivated", "system"),
    ]
    timeline = api.get("auditor", f"/api/v1/cities/{api.city('mannheim')}/timeline", query_string=after).get_json()
    told = f"The invitation of Mannheim to \u201c{partnership['title']}\u201d expired unanswered"
    assert told in [t["summary"] for t in timeline["items"]]
    again = api.post("mannheim", f"/api/v1/partnerships/{partnership['id']}/accept", {"city_id": api.city("mannheim")})
    assert_problem(again, 409, "invitation-not-pending")


# --- preferences ----------------------------------------------------------------------------


def test_an_officer_of_yantai_reads_chinese_daily_on_shanghai_time(each_store_api):
    api = each_store_api
    views = api.app.extensions["twinning"].views
    me = api.get("yantai", "/api/v1/me").get_json()
    assert me["preferences"] == {"language": "en", "email": "immediate", "timezone": "Asia/Shanghai"}

    changed = api.patch("yantai", "/api/v1/me", {"language": "zh-Hans", "email": "daily", "timezone": "Asia/Shanghai"})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["preferences"] == {"language": "zh-Hans", "email": "daily", "timezone": "Asia/Shanghai"}
    assert changed.headers["ETag"] == f'"{me["version"] + 1}"'
    api.get("yantai", "/api/v1/me/notifications", query_string={"after": changed.headers["X-Log-Position"]})
    assert views.preferences(api.user_ids["yantai"]) == {
        "language": "zh-Hans",
        "email": "daily",
        "timezone": "Asia/Shanghai",
        "own_timezone": "Asia/Shanghai",
    }

    daily = views.users_with_email("daily")
    assert [(u["id"], u["timezone"], u["language"]) for u in daily] == [
        (api.user_ids["yantai"], "Asia/Shanghai", "zh-Hans")
    ]
    same = api.patch("yantai", "/api/v1/me", {"language": "zh-Hans"})
    assert (
        same.status_code == 200
        and "X-Log-Position" not in same.headers
        and same.headers["ETag"] == changed.headers["ETag"]
    )

    # Rome's officer working from Shanghai for a month, then back on Rome's time.
    away = api.patch("rome", "/api/v1/me", {"timezone": "Asia/Shanghai"}).get_json()["preferences"]
    assert away == {"language": "en", "email": "immediate", "timezone": "Asia/Shanghai"}
    home = api.patch("rome", "/api/v1/me", {"timezone": None}).get_json()["preferences"]
    assert home["timezone"] == "Europe/Rome"
    assert api.get("facilitator", "/api/v1/me").get_json()["preferences"]["timezone"] == "UTC"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timezone": "Asia/Atlantis"}, "timezone"),
        ({"timezone": "Shanghai"}, "timezone"),
        ({"language": "zh"}, "language"),
        ({"email": "weekly"}, "email"),
        ({"email": "daily", "colour": "blue"}, "colour"),
    ],
)
def test_a_bad_preference_is_a_422_naming_the_field_and_changes_nothing(api, body, field):
    before = api.get("yantai", "/api/v1/me").get_json()
    _field_named(assert_problem(api.patch("yantai", "/api/v1/me", body), 422), field)
    assert api.get("yantai", "/api/v1/me").get_json() == before


# --- reading the inbox ------------------------------------------------------------------------


def _notify(api: Api, who: str, n: int) -> str:
    subject = {"kind": "partnership", "id": f"p{n}"}
    return str(
        api.programme.record_notification(
            SYSTEM,
            f"invitation/partnership/p{n}/1/{who}",
            "invitation",
            api.user_ids[who],
            subject,
            f"Invited {n}",
            "b",
            ["inbox"],
        ).aggregate.id
    )


def test_rome_reads_one_notification_then_all_and_the_unread_filter_follows(each_store_api):
    api = each_store_api
    ids = [_notify(api, "rome", n) for n in range(3)]
    theirs = _notify(api, "yantai", 9)
    position = api.programme.recorder.max_notification_id()
    inbox = api.get("rome", "/api/v1/me/notifications", query_string={"after": position}).get_json()["items"]
    assert [n["id"] for n in inbox] == ids[::-1] and all(n["read_at"] is None for n in inbox)

    one = api.post("rome", f"/api/v1/me/notifications/{ids[0]}/read")
    assert one.status_code == 200 and one.get_json()["read_at"] is not None
    assert api.post("rome", f"/api/v1/me/notifications/{ids[0]}/read").get_json() == one.get_json()
    assert_problem(api.post("rome", f"/api/v1/me/notifications/{theirs}/read"), 404)  # Yantai's: not told it exists
    assert_problem(api.post("rome", f"/api/v1/me/notifications/{api.city('rome')}/read"), 404)

    query = {"unread": "true", "after": one.headers["X-Log-Position"]}
    unread = api.get("rome", "/api/v1/me/notifications", query_string=query).get_json()["items"]
    assert [n["id"] for n in unread] == ids[:0:-1]

    everything = api.post("rome", "/api/v1/me/notifications/read")
    assert everything.status_code == 200 and everything.get_json() == {"marked": 2}
    query["after"] = everything.headers["X-Log-Position"]
    assert api.get("rome", "/api/v1/me/notifications", query_string=query).get_json()["items"] == []
    read = api.get("rome", "/api/v1/me/notifications", query_string={"after": query["after"]}).get_json()["items"]
    assert len(read) == 3 and all(n["read_at"] for n in read)
    assert api.post("rome", "/api/v1/me/notifications/read").get_json() == {"marked": 0}
    yantai = api.get("yantai", "/api/v1/me/notifications", query_string={"unread": "true"}).get_json()["items"]
    assert [n["id"] for n in yantai] == [theirs]


# --- the contract in /openapi.json -------------------------------------------------------------


def test_openapi_states_the_rules_of_the_new_operations(api):
    spec = api.client.get("/openapi.json").get_json()
    operations = {
        ("post", "/api/v1/meetings/{meeting_id}/feedback"): "give_meeting_feedback",
        ("post", "/api/v1/meetings/{meeting_id}/follow-up"): "give_meeting_follow_up",
        ("patch", "/api/v1/me"): "update_me",
        ("post", "/api/v1/me/notifications/{notification_id}/read"): "mark_notification_read",
        ("post", "/api/v1/me/notifications/read"): "mark_all_notifications_read",
    }
    for (method, path), operation_id in operations.items():
        assert spec["paths"][path][method]["operationId"] == operation_id
    schemas = spec["components"]["schemas"]
    feedback_in = schemas["FeedbackIn"]
    assert set(feedback_in["required"]) == {"city_id", "rating", "outcome"}
    assert (feedback_in["properties"]["rating"]["minimum"], feedback_in["properties"]["rating"]["maximum"]) == (1, 5)
    outcomes = {"no_further_contact", "follow_up_planned", "negotiation_started", "agreement_reached"}
    assert set(feedback_in["properties"]["outcome"]["enum"]) == outcomes
    assert set(schemas["FollowUpIn"]["required"]) == {"city_id", "outcome"}
    preferences = schemas["PreferencesIn"]["properties"]
    enums = {
        name: {v for option in p.get("anyOf", [p]) for v in option.get("enum", [])} for name, p in preferences.items()
    }
    assert enums["language"] == {"en", "zh-Hans"} and enums["email"] == {"immediate", "daily", "off"}
    unread = [p for p in spec["paths"]["/api/v1/me/notifications"]["get"]["parameters"] if p["name"] == "unread"]
    assert unread and unread[0]["in"] == "query"
