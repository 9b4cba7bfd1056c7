"""The plans that close the loop: which job each event calls for, with which id, when, and for whom.

The ids name the aggregate and the event's version (a re-dispatched event plans the same ids);
the expiry is INVITATION_EXPIRES_AFTER after each invitation was sent, beside the nudge; the
follow-up question FEEDBACK_FOLLOW_UP_AFTER after the session was held; the actor rides along,
so the job can leave them out.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from workers.dispatcher import Dispatcher
from workers.dispatcher.base import Planning
from workers.scheduling import next_sweep_at, sweep_spec


def planned(people, after: int = 0):
    """(event, its jobs) for every event recorded after position ``after``, planned now."""
    app = people.programme
    dispatcher = Dispatcher(app, queue=None, tracking_recorder=None, invitation_expires_after=timedelta(days=30))
    now = datetime.now(UTC)
    found = []
    for notification in app.recorder.select_notifications(start=after + 1, limit=10_000):
        event = app.mapper.to_domain_event(notification)
        found.append((event, dispatcher.plan(event, now)))
    return found


def jobs_of(found, event_name: str):
    return [spec for event, specs in found if type(event).__name__ == event_name for spec in specs]


def test_answers_and_activation_are_planned_for_the_proposer_with_the_actor_and_the_version(people):
    app, city = people.programme, people.city
    pid = str(
        app.propose_partnership(people.officer("rome"), "Rooftop farms", city("rome"), [city("yantai")]).aggregate.id
    )
    app.accept_invitation(people.officer("yantai"), pid, city("yantai"))
    found = planned(people)

    (answered,) = jobs_of(found, "InvitationAccepted")
    assert answered.job_id == f"answered-{pid}-v2"
    assert answered.func == "workers.jobs.send_invitation_answered"
    assert answered.args == (pid, city("yantai"), 2, people.officer("yantai").user_id)
    assert answered.at is None
    (activated,) = jobs_of(found, "PartnershipActivated")
    assert activated.job_id == f"activated-{pid}-v3"
    assert activated.args == (pid, 3, people.officer("yantai").user_id)
    assert [s.job_id for s in jobs_of(planned(people), "InvitationAccepted")] == [answered.job_id], "same ids again"


def test_each_pending_invitation_has_its_expiry_30_days_after_it_was_sent_beside_its_nudge(people):
    app, city = people.programme, people.city
    proposal = app.propose_partnership(people.officer("rome"), "Hydrogen", city("rome"), [city("chengdu")]).aggregate
    pid = str(proposal.id)
    app.invite_to_partnership(people.officer("rome"), pid, city("yantai"))
    found = planned(people)

    proposed = {s.job_id: s for s in jobs_of(found, "PartnershipProposed")}
    expire = proposed[f"expire-{pid}-{city('chengdu')}-v1"]
    assert expire.func == "workers.jobs.expire_invitation" and expire.args == (pid, city("chengdu"))
    assert expire.at == proposal.created_on + timedelta(days=30)
    assert proposed[f"nudge-{pid}-{city('chengdu')}-v1"].at == proposal.created_on + timedelta(days=7)
    invited = {s.job_id: s for s in jobs_of(found, "PartnerInvited")}
    assert f"expire-{pid}-{city('yantai')}-v2" in invited

    app.decline_invitation(people.officer("chengdu"), pid, city("chengdu"))
    after = {s.job_id for s in jobs_of(planned(people), "PartnershipProposed")}
    assert not any(j.startswith(f"expire-{pid}-{city('chengdu')}") for j in after), "answered: nothing to expire"


def test_an_expired_invitation_is_told_and_signatures_achievements_and_completion_are_planned(people):
    from domain.access import SYSTEM

    app, city, rome, yantai = people.programme, people.city, people.officer("rome"), people.officer("yantai")
    lapsing = str(app.propose_partnership(rome, "Canal heritage", city("rome"), [city("chengdu")]).aggregate.id)
    app.expire_invitation(SYSTEM, lapsing, city("chengdu"))
    pid = str(app.propose_partnership(rome, "Farms", city("rome"), [city("yantai")]).aggregate.id)
    app.accept_invitation(yantai, pid, city("yantai"))
    parties = [{"name": "Yantai University", "city_id": city("yantai")}, {"name": "Tuscia", "city_id": city("rome")}]
    aid = str(app.draft_agreement(yantai, "MoU", "mou", parties).aggregate.id)
    app.sign_agreement(yantai, aid, "Yantai University", date.today())
    app.sign_agreement(rome, aid, "Tuscia", date.today())
    project = str(app.launch_project(rome, "Pilot", pid).aggregate.id)
    app.plan_milestone(rome, project, "Survey", date.today() + timedelta(days=9), milestone_id="survey")
    app.achieve_milestone(rome, project, "survey", date.today())
    app.complete_project(rome, project, "Done")
    found = planned(people)

    (expired,) = jobs_of(found, "InvitationExpired")
    assert expired.job_id.startswith(f"expired-{lapsing}-v") and expired.args[:2] == (lapsing, city("chengdu"))
    signed = jobs_of(found, "PartySigned")
    assert [s.args[1] for s in signed] == ["Yantai University", "Tuscia"]
    assert [s.args[3] for s in signed] == [yantai.user_id, rome.user_id]
    (in_force,) = jobs_of(found, "AgreementInForce")
    assert in_force.func == "workers.jobs.send_agreement_in_force" and in_force.args[2] == rome.user_id
    (achieved,) = jobs_of(found, "MilestoneAchieved")
    assert achieved.args[:2] == (project, "survey") and achieved.args[3] == rome.user_id
    (completed,) = jobs_of(found, "ProjectCompleted")
    assert completed.job_id.startswith(f"completed-{project}-v")


def test_a_held_session_asks_for_feedback_at_once_and_the_follow_up_180_days_later_not_for_old_history(people):
    app, city, facilitator = people.programme, people.city, people.facilitator
    yesterday = datetime.now(UTC) - timedelta(days=1)
    recent = app.record_held_meeting(
        facilitator, "Kick-off", "online", yesterday, 60, [city("rome"), city("yantai")], 9, "A start"
    ).aggregate
    app.record_held_meeting(
        facilitator,
        "IUC 2020 closing",
        "conference",
        datetime(2020, 11, 20, 8, tzinfo=UTC),
        90,
        [city("rome")],
        80,
        "Old",
    )
    found = planned(people)
    held = [specs for event, specs in found if type(event).__name__ == "MeetingHeld"]
    assert held[1] == [], "a 2020 session recorded for history asks nobody"
    feedback, follow_up = held[0]
    mid = str(recent.id)
    assert (feedback.job_id, feedback.at) == (f"feedback-{mid}", None)
    assert follow_up.job_id == f"follow-up-{mid}-{180 * 86400}"
    assert follow_up.at == recent.modified_on + timedelta(days=180)
    assert follow_up.args == (mid, 180 * 86400)


def test_moves_and_cancellations_carry_their_actor_so_the_facilitator_is_not_told(people):
    app, city, facilitator = people.programme, people.city, people.facilitator
    soon = datetime.now(UTC) + timedelta(days=3)
    mid = str(
        app.schedule_meeting(facilitator, "Twins", "webinar", soon, 60, [city("rome"), city("yantai")]).aggregate.id
    )
    app.reschedule_meeting(facilitator, mid, soon + timedelta(days=1))
    app.cancel_meeting(facilitator, mid, "typhoon")
    found = planned(people)
    (update,) = [s for s in jobs_of(found, "MeetingRescheduled") if s.func.endswith("send_meeting_update")]
    assert update.args == (mid, 1, facilitator.user_id)
    (cancel,) = jobs_of(found, "MeetingCancelled")
    assert cancel.args == (mid, 2, facilitator.user_id)


def test_the_digest_sweep_runs_every_quarter_hour_so_each_zones_0800_falls_on_one():
    assert next_sweep_at(datetime(2027, 3, 27, 6, 59, 59, tzinfo=UTC)) == datetime(2027, 3, 27, 7, 0, tzinfo=UTC)
    assert next_sweep_at(datetime(2027, 3, 27, 7, 0, tzinfo=UTC)) == datetime(2027, 3, 27, 7, 15, tzinfo=UTC)
    spec = sweep_spec(datetime(2027, 3, 27, 23, 50, tzinfo=UTC))
    assert spec.job_id == "daily-digests-20270328T0000" and spec.args == ("20270328T0000",)
    assert Planning.__dataclass_fields__["invitation_expires_after"].default == timedelta(days=30)
    assert Planning.__dataclass_fields__["feedback_follow_up_after"].default == timedelta(days=180)
