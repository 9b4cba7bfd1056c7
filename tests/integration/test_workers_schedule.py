"""The dispatcher's timetable (nudges, milestones, agreements, reminders, the weekly digest) in
RQ's scheduled registry, the scheduled jobs' decisions when they run, and the embedded worker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from domain.model.notification import Notification
from tests.support.workers import dispatch, run_worker
from workers import jobs
from workers.scheduling import iso_week, next_digest_at
from workers.worker import EmbeddedWorker


@pytest.fixture
def database_url(sqlite_url):
    return sqlite_url


def scheduled(queue) -> dict[str, datetime]:
    registry = ScheduledJobRegistry(queue=queue)
    return {job_id: registry.get_scheduled_time(job_id) for job_id in registry.get_job_ids()}


def kinds(programme) -> list[tuple[str, str]]:
    found = []
    for n in programme.recorder.select_notifications(1, 100_000):
        if n.topic.endswith("Notification.NotificationSent"):
            note = programme.load(Notification, n.originator_id)
            found.append((note.kind, note.recipient_id))
    return found


@pytest.fixture
def active_partnership(cast):
    app = cast.programme
    partnership = app.propose_partnership(
        cast.officer("rome"),
        "Urban agriculture research",
        cast.city("rome"),
        [cast.city("yantai")],
        ["urban-agriculture"],
    ).aggregate
    app.accept_invitation(cast.officer("yantai"), str(partnership.id), cast.city("yantai"))
    return partnership


@pytest.fixture
def pending_proposal(cast):
    return cast.programme.propose_partnership(
        cast.officer("rome"), "Hydrogen valleys", cast.city("rome"), [cast.city("chengdu")], ["hydrogen"]
    ).aggregate


def test_the_dispatcher_schedules_nudges_milestones_agreements_reminders_and_the_digest(
    cast,
    active_partnership,
    pending_proposal,
    dispatcher,
    queue,
    job_context,
):
    app, pid = cast.programme, str(active_partnership.id)
    now = datetime.now(UTC)
    today = now.date()
    project = app.launch_project(
        cast.officer("rome"), "Sino-Italian Faculty of Urban Agriculture", pid, ["urban-agriculture"]
    ).aggregate
    app.plan_milestone(
        cast.officer("rome"),
        str(project.id),
        "Summer school held",
        today + timedelta(days=30),
        milestone_id="summer-school",
    )
    app.plan_milestone(
        cast.officer("rome"), str(project.id), "Curriculum agreed", today + timedelta(days=3), milestone_id="curriculum"
    )
    mou = app.draft_agreement(
        cast.officer("yantai"),
        "Yantai University – Tuscia University MoU",
        "mou",
        [
            {"name": "Yantai University", "city_id": cast.city("yantai")},
            {"name": "Tuscia University", "city_id": cast.city("rome")},
        ],
    ).aggregate
    starts = now + timedelta(days=2)
    session = app.schedule_meeting(
        cast.facilitator, "Kick-off", "online", starts, 60, [cast.city("rome"), cast.city("yantai")]
    ).aggregate
    dispatch(app, dispatcher)

    plan = scheduled(queue)
    chengdu = cast.city("chengdu")
    nudge = plan[f"nudge-{pending_proposal.id}-{chengdu}-v1"]
    assert abs(nudge - (pending_proposal.created_on + timedelta(days=7))) < timedelta(seconds=1)
    assert not any(j.startswith(f"nudge-{pid}-") for j in plan), "Yantai has answered"
    soon = [j for j in plan if j.startswith(f"milestone-{project.id}-") and j.endswith("-soon")]
    assert [plan[j] for j in soon] == [
        datetime.combine(today + timedelta(days=23), datetime.min.time(), UTC) + timedelta(hours=8)
    ]
    overdue = sorted(plan[j] for j in plan if j.endswith("-overdue"))
    assert [d.date() for d in overdue] == [today + timedelta(days=4), today + timedelta(days=31)]
    assert any(j.startswith(f"milestone-{project.id}") and j.endswith("-soon") for j in queue.job_ids)
    agreement = plan[f"agreement-unsigned-{mou.id}"]
    assert abs(agreement - (mou.created_on + timedelta(days=30))) < timedelta(seconds=1)
    assert abs(plan[f"remind-{session.id}-s0-3"] - (starts - timedelta(seconds=3))) < timedelta(seconds=1)
    digest = [j for j in plan if j.startswith("digest-")]
    assert len(digest) == 1 and plan[digest[0]] == next_digest_at(now)
    assert plan[digest[0]].weekday() == 0 and plan[digest[0]].hour == 8


def test_scheduled_jobs_send_while_it_still_matters_and_nothing_after(
    cast,
    active_partnership,
    pending_proposal,
    job_context,
    smtp_server,
):
    app, pid = cast.programme, str(active_partnership.id)
    chengdu, rome, proposal = cast.city("chengdu"), cast.city("rome"), str(pending_proposal.id)

    # An invitation still pending: Chengdu's officer is nudged, once; answered, nothing more.
    nudged = jobs.send_invitation_nudge(proposal, chengdu, 1)
    assert nudged["recorded"] == 1
    (mail,) = smtp_server.to("officer@chengdu.example", "invitation_nudge")
    assert mail["Subject"] == "Chengdu has not yet answered Rome's invitation to 'Hydrogen valleys'"
    assert jobs.send_invitation_nudge(proposal, chengdu, 1)["already_sent"] == 1
    app.decline_invitation(cast.officer("chengdu"), proposal, chengdu)
    assert "skipped" in jobs.send_invitation_nudge(proposal, chengdu, 99)

    # A milestone due in 3 days: its members' officers hear of it; achieved, nothing.
    today = datetime.now(UTC).date()
    project = app.launch_project(
        cast.officer("rome"), "Faculty of Urban Agriculture", pid, ["urban-agriculture"]
    ).aggregate
    due = today + timedelta(days=3)
    app.plan_milestone(cast.officer("rome"), str(project.id), "Curriculum agreed", due, milestone_id="curriculum")
    jobs.send_milestone_due(str(project.id), "curriculum", due.isoformat(), "soon")
    (mail,) = smtp_server.to("officer@yantai.example", "milestone_due")
    assert mail["Subject"] == "The milestone 'Curriculum agreed' of 'Faculty of Urban Agriculture' is due in 3 days"
    assert len(smtp_server.to("officer@rome.example", "milestone_due")) == 1
    assert not smtp_server.to("officer@chengdu.example", "milestone_due"), "Chengdu is not a member"
    later = due + timedelta(days=10)
    app.reschedule_milestone(cast.officer("rome"), str(project.id), "curriculum", later, "Exams moved")
    assert "skipped" in jobs.send_milestone_due(str(project.id), "curriculum", due.isoformat(), "overdue")
    app.achieve_milestone(cast.officer("rome"), str(project.id), "curriculum", today)
    assert "skipped" in jobs.send_milestone_due(str(project.id), "curriculum", later.isoformat(), "soon")

    # An MoU unsigned by Tuscia: both parties' cities hear; once all signed, nothing.
    mou = app.draft_agreement(
        cast.officer("yantai"),
        "Yantai University – Tuscia University MoU",
        "mou",
        [{"name": "Yantai University", "city_id": cast.city("yantai")}, {"name": "Tuscia University", "city_id": rome}],
    ).aggregate
    app.sign_agreement(cast.officer("yantai"), str(mou.id), "Yantai University", today)
    jobs.send_agreement_unsigned(str(mou.id))
    (mail,) = smtp_server.to("officer@rome.example", "agreement_unsigned")
    assert "not yet signed by Tuscia University" in mail.get_body(("plain",)).get_content()
    app.sign_agreement(cast.officer("rome"), str(mou.id), "Tuscia University", today)
    assert "skipped" in jobs.send_agreement_unsigned(str(mou.id))

    sent = kinds(app)
    assert len(sent) == len(set(sent)) == 5


def test_suggestions_explain_themselves_and_the_weekly_digest_re_arms_itself(cast, queue, job_context, smtp_server):
    result = jobs.send_suggestions(cast.city("rome"), "v1")
    assert result["recorded"] == 1
    (mail,) = smtp_server.to("officer@rome.example", "suggestion")
    assert mail["Subject"] == "Partner suggestions for Rome"
    body = mail.get_body(("plain",)).get_content()
    assert "1. " in body and "(score " in body and "   - " in body

    week = "2026-W01"
    queue.enqueue("workers.jobs.send_weekly_digest", week, job_id=f"digest-{week}")
    run_worker(queue)
    job = Job.fetch(f"digest-{week}", connection=queue.connection)
    assert job.get_status() == "finished", job.exc_info
    assert job.return_value()["recorded"] == len(cast.officers)
    rearmed = [j for j in ScheduledJobRegistry(queue=queue).get_job_ids() if j.startswith("digest-")]
    assert rearmed == [f"digest-{iso_week(next_digest_at(datetime.now(UTC)))}"]
    assert len(smtp_server.to("officer@yantai.example", "suggestion")) == 1


def test_the_embedded_worker_and_scheduler_threads_run_due_jobs(cast, queue, job_context, smtp_server):
    app = cast.programme
    proposal = app.propose_partnership(
        cast.officer("rome"),
        "Urban agriculture research",
        cast.city("rome"),
        [cast.city("yantai")],
        ["urban-agriculture"],
    ).aggregate
    queue.enqueue_in(
        timedelta(seconds=1),
        "workers.jobs.send_partnership_invitation",
        str(proposal.id),
        [cast.city("yantai")],
        1,
        job_id="embedded-check",
    )
    embedded = EmbeddedWorker(queue, scheduler_interval=0.2).start()
    try:
        smtp_server.wait_for("officer@yantai.example", "invitation", timeout=10)
    finally:
        embedded.stop()
    assert all(not t.is_alive() for t in embedded._threads)
    assert Job.fetch("embedded-check", connection=queue.connection).get_status() == "finished"
