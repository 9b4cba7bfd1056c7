"""Every aggregate's history: each event with its type, version, recording time and actor, on both stores."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from domain.errors import NotFound
from domain.model.meeting import Meeting
from domain.model.partnership import Partnership
from domain.model.project import PilotProject
from tests.support.cast import build_programme

CET = timezone(timedelta(hours=1))


def test_partnership_history_lists_every_event_in_order(cast, database_url):
    app, rome, yantai, chengdu = cast.programme, cast.city("rome"), cast.city("yantai"), cast.city("chengdu")
    started = datetime.now(UTC)
    pid = str(
        app.propose_partnership(
            cast.officer("rome"),
            "Urban agriculture research",
            rome,
            [yantai, chengdu],
            ["urban-agriculture"],
            description="Faculty of urban agriculture",
        ).aggregate.id
    )
    app.decline_invitation(cast.officer("chengdu"), pid, chengdu, "hydrogen first")
    app.accept_invitation(cast.officer("yantai"), pid, yantai)
    app.adopt_action_plan(cast.facilitator, pid, "Joint research agenda", date(2020, 11, 16))
    app.conclude_partnership(cast.officer("rome"), pid, "Faculty founded")
    finished = datetime.now(UTC)

    fresh = build_programme(database_url)
    try:
        history = fresh.history(Partnership, pid)
    finally:
        fresh.close()

    assert [(e.type, e.version) for e in history] == [
        ("PartnershipProposed", 1),
        ("InvitationDeclined", 2),
        ("InvitationAccepted", 3),
        ("PartnershipActivated", 4),
        ("ActionPlanAdopted", 5),
        ("PartnershipConcluded", 6),
    ]
    assert [e.actor.id for e in history] == [
        cast.officer("rome").user_id,
        cast.officer("chengdu").user_id,
        cast.officer("yantai").user_id,
        cast.officer("yantai").user_id,
        cast.facilitator.user_id,
        cast.officer("rome").user_id,
    ]
    for entry in history:
        assert entry.recorded_at.tzinfo is not None and entry.recorded_at.utcoffset() == timedelta(0)
        assert started - timedelta(seconds=1) <= entry.recorded_at <= finished + timedelta(seconds=1)
    assert [e.recorded_at for e in history] == sorted(e.recorded_at for e in history)

    proposed = history[0].data
    assert proposed["title"] == "Urban agriculture research"
    assert proposed["invited_city_ids"] == [yantai, chengdu]
    assert proposed["description"] == "Faculty of urban agriculture"
    assert {"originator_id", "originator_version", "timestamp", "actor"}.isdisjoint(proposed)
    assert history[1].data == {"city_id": chengdu, "reason": "hydrogen first"}
    assert history[4].data == {"summary": "Joint research agenda", "adopted_on": date(2020, 11, 16)}


def test_short_story_proposed_accepted_activated(cast):
    app, yantai = cast.programme, cast.city("yantai")
    pid = str(
        app.propose_partnership(cast.officer("rome"), "Urban agriculture", cast.city("rome"), [yantai]).aggregate.id
    )
    app.accept_invitation(cast.officer("yantai"), pid, yantai)
    history = app.history(Partnership, pid)
    assert [e.type for e in history] == ["PartnershipProposed", "InvitationAccepted", "PartnershipActivated"]
    assert [e.version for e in history] == [1, 2, 3]
    assert {e.actor.id for e in history[1:]} == {cast.officer("yantai").user_id}
    assert {(e.actor.name, e.actor.role) for e in history[1:]} == {("Yantai officer", "officer")}


def test_history_of_a_session_keeps_its_moves(cast, clock):
    app = cast.programme
    starts = datetime(2020, 12, 3, 9, 30, tzinfo=CET)
    clock.current = starts - timedelta(days=30)  # planned a month ahead
    mid = str(
        app.schedule_meeting(
            cast.facilitator, "4th Global Event", "conference", starts, 180, [cast.city("rome"), cast.city("yantai")]
        ).aggregate.id
    )
    app.reschedule_meeting(cast.facilitator, mid, starts + timedelta(hours=1))
    clock.current = starts + timedelta(hours=5)
    app.record_meeting_outcome(cast.admin, mid, 166, "166 participants", attended_city_ids=[cast.city("rome")])
    history = app.history(Meeting, mid)
    assert [(e.type, e.version) for e in history] == [
        ("MeetingScheduled", 1),
        ("MeetingRescheduled", 2),
        ("MeetingHeld", 3),
    ]
    assert history[0].data["starts_at"] == starts
    assert history[0].data["starts_at"].utcoffset() == timedelta(hours=1), "the offset given is kept"
    assert history[2].data["no_show_city_ids"] == [cast.city("yantai")]
    assert history[2].actor.id == cast.admin.user_id
    assert history[2].actor.role == "admin"


def test_history_of_a_project_keeps_its_business_dates(cast):
    app, yantai = cast.programme, cast.city("yantai")
    pid = str(
        app.propose_partnership(cast.officer("rome"), "Urban agriculture", cast.city("rome"), [yantai]).aggregate.id
    )
    app.accept_invitation(cast.officer("yantai"), pid, yantai)
    project = str(app.launch_project(cast.officer("rome"), "Faculty", pid).aggregate.id)
    app.plan_milestone(cast.officer("rome"), project, "Summer school", date(2021, 7, 1), milestone_id="ss")
    app.achieve_milestone(cast.officer("yantai"), project, "ss", date(2021, 7, 15), note="30 students")
    history = app.history(PilotProject, project)
    assert [e.type for e in history] == ["ProjectLaunched", "MilestonePlanned", "MilestoneAchieved"]
    assert history[1].data["due_on"] == date(2021, 7, 1)
    assert history[2].data == {"milestone_id": "ss", "achieved_on": date(2021, 7, 15), "note": "30 students"}


def test_history_of_something_that_does_not_exist_is_not_found(cast):
    app = cast.programme
    with pytest.raises(NotFound):
        app.history(Partnership, "00000000-0000-0000-0000-000000000000")
    with pytest.raises(NotFound):
        app.history(Partnership, cast.city("rome"))
