"""Notifications that close the loop, on real Redis, a real RQ worker and a real SMTP server.

Rome proposes to Yantai and Chongqing: Chongqing declines with its reason, Yantai accepts, and
Rome's officers hear both answers by inbox and mail while the people who answered hear nothing
of their own acts. Signatures, an agreement in force, a milestone achieved and a project
completed reach the other side; a session moved, one cancelled, one held (feedback asked of the
cities that came, and 180 days later the follow-up); an invitation left 30 days expires.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from rq.job import Job

from domain.model.meeting import Meeting
from domain.model.partnership import Partnership
from domain.model.statuses import InvitationStatus, PartnershipStatus
from tests.support.loop import come_due, finished, inbox, officer_email, second_officer, text_of
from tests.support.workers import dispatch, run_worker
from workers import jobs


@pytest.fixture
def database_url(sqlite_url):
    """The store does not matter for these stories: SQLite keeps them quick."""
    return sqlite_url


@pytest.fixture
def rome2(cast):
    """Rome's second officer: officers of a city hear, not one of them."""
    return second_officer(cast, "rome", "Giulia Rossi", "giulia@rome.example")


def test_yantai_accepts_and_romes_officers_hear_it_by_inbox_and_mail_and_the_answerers_do_not(
    cast, rome2, dispatcher, queue, clocked_context, smtp_server
):
    app, rome, yantai, chongqing = cast.programme, cast.city("rome"), cast.city("yantai"), cast.city("chongqing")
    pid = str(
        app.propose_partnership(
            cast.officer("rome"), "Urban agriculture research", rome, [yantai, chongqing], ["urban-agriculture"]
        ).aggregate.id
    )
    app.decline_invitation(cast.officer("chongqing"), pid, chongqing, "Our budget for 2027 is already committed")
    app.accept_invitation(cast.officer("yantai"), pid, yantai)
    dispatch(app, dispatcher)
    run_worker(queue, until=lambda: len(smtp_server.to("giulia@rome.example", "partnership_activated")) == 1)

    for officer, address in ((cast.officer("rome"), officer_email("rome")), (rome2, "giulia@rome.example")):
        answers = inbox(app, officer.user_id, "invitation_answered")
        assert sorted(n.title for n in answers) == [
            "Chongqing declined the invitation to 'Urban agriculture research'",
            "Yantai accepted the invitation to 'Urban agriculture research'",
        ]
        mails = {m["Subject"]: m for m in smtp_server.to(address, "invitation_answered")}
        assert set(mails) == {n.title for n in answers}, "each answer by mail too"
        declined = text_of(mails["Chongqing declined the invitation to 'Urban agriculture research'"])
        assert "An officer of Chongqing, for Chongqing, declined your city's invitation" in declined
        assert "Reason: Our budget for 2027 is already committed" in declined
        accepted = text_of(mails["Yantai accepted the invitation to 'Urban agriculture research'"])
        assert "An officer of Yantai, for Yantai, accepted your city's invitation" in accepted
        (activated,) = inbox(app, officer.user_id, "partnership_activated")
        assert activated.title == "The partnership 'Urban agriculture research' is now active"
        assert "Rome and Yantai" in activated.body
    yantai_officer, chongqing_officer = cast.officer("yantai").user_id, cast.officer("chongqing").user_id
    assert not inbox(app, yantai_officer, "invitation_answered"), "Yantai is not told of its own answer"
    assert not inbox(app, chongqing_officer, "invitation_answered")
    assert not inbox(app, yantai_officer, "partnership_activated"), "Yantai's officer activated it, by accepting"
    assert not smtp_server.to(officer_email("yantai"), "partnership_activated")
    assert not inbox(app, chongqing_officer, "partnership_activated"), "Chongqing is no member"

    # Every mail carries the RFC 8058 one-click unsubscribe.
    for mail in smtp_server.to("giulia@rome.example"):
        assert str(mail["List-Unsubscribe"]).startswith("<https://twinning.test/unsubscribe/")
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Dispatched again (it now reads the NotificationSent events too): nothing new, nothing twice.
    sent = len(smtp_server.messages)
    dispatch(app, dispatcher)
    run_worker(queue)
    assert len(smtp_server.messages) == sent


def test_signatures_the_agreement_in_force_a_milestone_and_the_completion_reach_the_other_side(
    cast, rome2, dispatcher, queue, clocked_context, smtp_server
):
    app, rome, yantai = cast.programme, cast.officer("rome"), cast.officer("yantai")
    pid = str(
        app.propose_partnership(
            rome, "Urban agriculture", cast.city("rome"), [cast.city("yantai")], ["urban-agriculture"]
        ).aggregate.id
    )
    app.accept_invitation(yantai, pid, cast.city("yantai"))
    parties = [
        {"name": "Yantai University", "city_id": cast.city("yantai")},
        {"name": "Tuscia University", "city_id": cast.city("rome")},
    ]
    mou = str(app.draft_agreement(yantai, "Yantai–Tuscia MoU", "mou", parties, partnership_id=pid).aggregate.id)
    app.sign_agreement(yantai, mou, "Yantai University", date(2026, 11, 20), signatory="Prof. Li")
    project = str(app.launch_project(rome, "Faculty of Urban Agriculture", pid, ["urban-agriculture"]).aggregate.id)
    app.plan_milestone(rome, project, "Summer school held", date.today() + timedelta(days=60), milestone_id="summer")
    dispatch(app, dispatcher)
    run_worker(queue, until=lambda: smtp_server.to("giulia@rome.example", "agreement_signed"))

    (signed,) = inbox(app, rome.user_id, "agreement_signed")
    assert signed.title == "Yantai University signed the memorandum of understanding 'Yantai–Tuscia MoU'"
    assert "Still to sign: Tuscia University." in signed.body
    assert not inbox(app, yantai.user_id, "agreement_signed"), "the signing party is not told"

    app.sign_agreement(rome, mou, "Tuscia University", date(2026, 11, 25))
    app.achieve_milestone(rome, project, "summer", date(2026, 11, 26), note="42 students")
    app.complete_project(rome, project, "The faculty opened with 42 students")
    dispatch(app, dispatcher)
    run_worker(queue, until=lambda: smtp_server.to(officer_email("yantai"), "project_completed"))

    assert len(inbox(app, rome2.user_id, "agreement_signed")) == 1, "the last signature: the in-force notice tells"
    for who in (yantai, rome2):
        (in_force,) = inbox(app, who.user_id, "agreement_in_force")
        assert in_force.title == "The memorandum of understanding 'Yantai–Tuscia MoU' is in force"
        assert "25 November 2026" in in_force.body
        (achieved,) = inbox(app, who.user_id, "milestone_achieved")
        assert achieved.title == "Milestone achieved: 'Summer school held' of 'Faculty of Urban Agriculture'"
        assert "Note: 42 students" in achieved.body
        (completed,) = inbox(app, who.user_id, "project_completed")
        assert "The faculty opened with 42 students" in completed.body
    for kind in ("agreement_in_force", "milestone_achieved", "project_completed"):
        assert smtp_server.to(officer_email("yantai"), kind), f"{kind} by mail"
        assert not inbox(app, rome.user_id, kind), f"Rome's officer acted: no {kind} for them"


def test_moved_and_cancelled_sessions_reach_the_inbox_and_a_held_one_asks_how_it_went_then_and_later(
    cast, dispatcher, queue, clocked_context, smtp_server, clock
):
    app, facilitator = cast.programme, cast.facilitator
    rome, yantai, mannheim = cast.city("rome"), cast.city("yantai"), cast.city("mannheim")
    starts = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    moved = str(app.schedule_meeting(facilitator, "Digital twins", "webinar", starts, 60, [rome, yantai]).aggregate.id)
    app.reschedule_meeting(facilitator, moved, starts + timedelta(days=1))
    visit = app.schedule_meeting(facilitator, "Port visit", "field_visit", starts, 120, [rome, yantai]).aggregate
    app.cancel_meeting(facilitator, str(visit.id), "Typhoon warning")
    soon = datetime.now(UTC) + timedelta(minutes=30)
    kickoff = str(
        app.schedule_meeting(facilitator, "Kick-off", "online", soon, 60, [rome, yantai, mannheim]).aggregate.id
    )
    dispatch(app, dispatcher)
    run_worker(queue, until=lambda: smtp_server.to(officer_email("yantai"), "meeting_cancelled"))

    (note,) = inbox(app, cast.officer("yantai").user_id, "meeting_moved")
    assert note.title == "The webinar 'Digital twins' has moved"
    (mail,) = smtp_server.to(officer_email("yantai"), "meeting_moved")
    assert mail["Subject"] == note.title and "text/calendar" in {p.get_content_type() for p in mail.walk()}
    (note,) = inbox(app, cast.officer("rome").user_id, "meeting_cancelled")
    assert note.title == "The field visit 'Port visit' is cancelled" and "Reason: Typhoon warning" in note.body
    assert not inbox(app, facilitator.user_id), "the facilitator moved and cancelled them: not told"

    clock.advance(hours=1)  # the kick-off has started; Mannheim did not come
    app.record_meeting_outcome(facilitator, kickoff, 14, "Good start", attended_city_ids=[rome, yantai])
    dispatch(app, dispatcher)
    run_worker(queue, until=lambda: smtp_server.to(officer_email("yantai"), "feedback_request"))
    for key in ("rome", "yantai"):
        (asked,) = inbox(app, cast.officer(key).user_id, "feedback_request")
        assert asked.title == "How did the online session 'Kick-off' go?"
        assert f"/api/v1/meetings/{kickoff}/feedback" in asked.body
    assert not inbox(app, cast.officer("mannheim").user_id, "feedback_request"), "Mannheim did not attend"

    follow_up = f"follow-up-{kickoff}-{180 * 86400}"
    registry = queue.scheduled_job_registry
    due = registry.get_scheduled_time(follow_up)
    held_at = app.load(Meeting, kickoff).modified_on
    assert abs(due - (held_at + timedelta(days=180))) < timedelta(seconds=1)
    app.give_follow_up(cast.officer("yantai"), kickoff, yantai, "negotiation_started")  # Yantai told us already
    clock.advance(days=180)
    come_due(queue, follow_up)
    run_worker(queue, until=lambda: finished(queue, follow_up))
    (later,) = inbox(app, cast.officer("rome").user_id, "follow_up_request")
    assert later.title == "What came of the online session 'Kick-off'?"
    assert later.body.startswith("180 days ago Rome took part in the online session 'Kick-off'")
    assert smtp_server.to(officer_email("rome"), "follow_up_request")
    assert not inbox(app, cast.officer("yantai").user_id, "follow_up_request"), "Yantai has given its follow-up"


def test_an_invitation_unanswered_for_30_days_expires_and_both_sides_hear_it(
    cast, dispatcher, queue, clocked_context, smtp_server, clock
):
    app, rome, chengdu = cast.programme, cast.city("rome"), cast.city("chengdu")
    proposal = app.propose_partnership(cast.officer("rome"), "Hydrogen valleys", rome, [chengdu], ["hydrogen"])
    pid = str(proposal.aggregate.id)
    dispatch(app, dispatcher)
    registry = queue.scheduled_job_registry
    expire, nudge = f"expire-{pid}-{chengdu}-v1", f"nudge-{pid}-{chengdu}-v1"
    sent_at = proposal.aggregate.created_on
    assert abs(registry.get_scheduled_time(expire) - (sent_at + timedelta(days=30))) < timedelta(seconds=1)
    assert abs(registry.get_scheduled_time(nudge) - (sent_at + timedelta(days=7))) < timedelta(seconds=1)

    clock.advance(days=29)  # the job run a day early (a clock set wrong): nothing expires
    assert jobs.expire_invitation(pid, chengdu)["skipped"].startswith("the invitation did not expire")
    assert app.load(Partnership, pid).invitations[chengdu]["status"] == InvitationStatus.PENDING

    clock.advance(days=1, seconds=1)
    come_due(queue, expire)
    run_worker(queue, until=lambda: finished(queue, expire))
    assert Job.fetch(expire, connection=queue.connection).return_value() == {"expired": chengdu}
    partnership = app.load(Partnership, pid)
    assert partnership.invitations[chengdu]["status"] == InvitationStatus.EXPIRED
    assert partnership.status == PartnershipStatus.DECLINED, "as if Chengdu had declined"
    dispatch(app, dispatcher)
    run_worker(queue, until=lambda: smtp_server.to(officer_email("chengdu"), "invitation_expired"))
    for key in ("rome", "chengdu"):
        (expired,) = inbox(app, cast.officer(key).user_id, "invitation_expired")
        assert expired.title == "The invitation of Chengdu to 'Hydrogen valleys' has expired"
        assert "within 30 days" in expired.body
        assert smtp_server.to(officer_email(key), "invitation_expired")
