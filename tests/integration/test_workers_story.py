"""The workers' story on real Redis, a real RQ worker and a real SMTP server (aiosmtpd).

Rome proposes to Yantai and Yantai's officer is told; a session's reminder arrives with
an .ics whose DTSTART is the session's start; a cancelled session sends only its
cancellation; a moved session keeps its UID and raises its SEQUENCE.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from rq.job import Job

from config.settings import Settings
from domain.model.notification import Notification, dedup_key
from tests.support.workers import dispatch, run_worker, wait_until
from workers.channels.webhook import sign
from workers.dispatcher import open_tracking_recorder, run_dispatcher

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database_url(sqlite_url):
    """The store does not matter for these stories: SQLite keeps them quick."""
    return sqlite_url


def officer_email(key: str) -> str:
    return f"officer@{key}.example"


def inbox(programme, officer_id: str, kind: str | None = None) -> list[Notification]:
    """The officer's Notifications, found through the log (the inbox view is not ours)."""
    found = []
    for n in programme.recorder.select_notifications(1, 100_000):
        if n.topic.endswith("Notification.NotificationSent"):
            note = programme.load(Notification, n.originator_id)
            if note.recipient_id == officer_id and (kind is None or note.kind == kind):
                found.append(note)
    return found


def ics_event(message):
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, "one calendar attachment"
    calendar = Calendar.from_ical(parts[0].get_payload(decode=True))
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def job_finished(queue, job_id: str) -> bool:
    job = Job.fetch(job_id, connection=queue.connection)
    return job.get_status() in ("finished", "failed")


def test_rome_proposes_and_yantais_officer_is_told_once_in_the_inbox_and_by_email(
    cast,
    dispatcher,
    queue,
    job_context,
    smtp_server,
):
    app, rome, yantai = cast.programme, cast.city("rome"), cast.city("yantai")
    proposal = app.propose_partnership(
        cast.officer("rome"), "Urban agriculture research", rome, [yantai], ["urban-agriculture"]
    ).aggregate

    assert dispatch(app, dispatcher) > 0
    run_worker(queue, until=lambda: smtp_server.to(officer_email("yantai"), "invitation"))

    officer = cast.officer("yantai")
    (note,) = inbox(app, officer.user_id, "invitation")
    assert note.subject == {"kind": "partnership", "id": str(proposal.id)}
    assert note.title == "Rome invites Yantai to the partnership 'Urban agriculture research'"
    assert note.key == dedup_key("invitation", "partnership", str(proposal.id), 1, officer.user_id)
    (mail,) = smtp_server.to(officer_email("yantai"), "invitation")
    assert mail["Subject"] == note.title
    assert (
        "Rome invites Yantai to the partnership 'Urban agriculture research'" in mail.get_body(("plain",)).get_content()
    )
    assert mail["Message-ID"] == f"<{note.id}@twinning>"
    assert not smtp_server.to(officer_email("rome"), "invitation"), "the proposer is not invited"

    # A second pass (it now reads the NotificationSent events) enqueues and sends nothing more.
    enqueued = dispatcher.enqueued
    dispatch(app, dispatcher)
    assert dispatcher.enqueued == enqueued
    run_worker(queue)
    assert len(smtp_server.to(officer_email("yantai"), "invitation")) == 1
    assert len(inbox(app, officer.user_id, "invitation")) == 1


def test_a_session_reminder_arrives_before_the_start_with_an_ics_of_the_session(
    cast,
    dispatcher,
    queue,
    job_context,
    smtp_server,
):
    app = cast.programme
    starts = (datetime.now(UTC) + timedelta(seconds=5)).replace(microsecond=0)
    session = app.schedule_meeting(
        cast.facilitator,
        "Urban agriculture kick-off",
        "online",
        starts,
        60,
        [cast.city("rome"), cast.city("yantai")],
        url="https://meet.example/kickoff",
    ).aggregate
    dispatch(app, dispatcher)

    (reminder,) = run_worker(
        queue, until=lambda: smtp_server.to(officer_email("yantai"), "meeting_reminder"), timeout=12
    )
    assert datetime.now(UTC) < starts, "the reminder came before the start"
    assert reminder["Subject"] == "Reminder: the online session 'Urban agriculture kick-off' starts in 3 seconds"
    calendar, event = ics_event(reminder)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert event.decoded("DTSTART") == starts
    assert event.decoded("DTEND") == starts + timedelta(minutes=60)
    assert str(event["UID"]) == f"{session.id}@twinning"
    assert str(event["SUMMARY"]) == "Urban agriculture kick-off"
    assert str(event["URL"]) == "https://meet.example/kickoff"

    # The invitation went out at once, with the same UID.
    (invitation,) = smtp_server.to(officer_email("rome"), "invitation")
    assert str(ics_event(invitation)[1]["UID"]) == f"{session.id}@twinning"
    wait_until(lambda: smtp_server.to(officer_email("rome"), "meeting_reminder"), 2)


def test_a_cancelled_session_sends_its_cancellation_and_no_reminder(cast, dispatcher, queue, job_context, smtp_server):
    app = cast.programme
    starts = (datetime.now(UTC) + timedelta(seconds=5)).replace(microsecond=0)
    session = app.schedule_meeting(
        cast.facilitator,
        "Hydrogen workshop",
        "workshop",
        starts,
        90,
        [cast.city("chengdu"), cast.city("rome")],
        location="Chengdu",
    ).aggregate
    dispatch(app, dispatcher)  # the reminder is scheduled for the session as it was
    reminder_id = f"remind-{session.id}-s0-3"
    assert Job.fetch(reminder_id, connection=queue.connection).get_status() == "scheduled"
    app.cancel_meeting(cast.facilitator, str(session.id), "The venue is closed")
    dispatch(app, dispatcher)

    run_worker(queue, until=lambda: job_finished(queue, reminder_id), timeout=12)
    job = Job.fetch(reminder_id, connection=queue.connection)
    assert job.get_status() == "finished" and job.return_value()["skipped"]
    assert not smtp_server.to(officer_email("chengdu"), "meeting_reminder")
    (cancel,) = smtp_server.to(officer_email("chengdu"), "meeting_cancelled")
    assert cancel["Subject"] == "The workshop 'Hydrogen workshop' is cancelled"
    assert "Reason: The venue is closed" in cancel.get_body(("plain",)).get_content()
    calendar, event = ics_event(cancel)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == f"{session.id}@twinning"
    assert int(event["SEQUENCE"]) == 1


def test_a_moved_session_keeps_its_uid_with_a_higher_sequence_and_is_reminded_at_its_new_time(
    cast,
    dispatcher,
    queue,
    job_context,
    smtp_server,
):
    app = cast.programme
    starts = (datetime.now(UTC) + timedelta(seconds=5)).replace(microsecond=0)
    session = app.schedule_meeting(
        cast.facilitator, "Smart city seminar", "seminar", starts, 60, [cast.city("mannheim"), cast.city("chongqing")]
    ).aggregate
    address = officer_email("chongqing")
    dispatch(app, dispatcher)
    run_worker(queue, until=lambda: smtp_server.to(address, "invitation"))  # sent with SEQUENCE 0
    moved = starts + timedelta(seconds=2)
    app.reschedule_meeting(cast.facilitator, str(session.id), moved)
    dispatch(app, dispatcher)

    (reminder,) = run_worker(queue, until=lambda: smtp_server.to(address, "meeting_reminder"), timeout=12)
    _, first = ics_event(smtp_server.to(address, "invitation")[0])
    (update,) = smtp_server.to(address, "meeting_moved")
    _, second = ics_event(update)
    assert str(first["UID"]) == str(second["UID"]) == f"{session.id}@twinning"
    assert int(second["SEQUENCE"]) > int(first["SEQUENCE"])
    assert first.decoded("DTSTART") == starts
    assert second.decoded("DTSTART") == moved
    assert ics_event(reminder)[1].decoded("DTSTART") == moved
    assert int(ics_event(reminder)[1]["SEQUENCE"]) == 1
    old = Job.fetch(f"remind-{session.id}-s0-3", connection=queue.connection)
    assert old.get_status() == "finished" and old.return_value()["skipped"], "the old time's reminder sent nothing"
    assert len(smtp_server.to(address, "meeting_reminder")) == 1


def test_run_dispatcher_follows_the_log_until_stopped(cast, queue, redis_url, sqlite_url, tmp_path):
    """The long-running ``twinning dispatch`` loop: Follower + Dispatcher, stopped by an Event."""
    app = cast.programme
    proposal = app.propose_partnership(
        cast.officer("rome"),
        "Urban agriculture research",
        cast.city("rome"),
        [cast.city("yantai")],
        ["urban-agriculture"],
    ).aggregate
    settings = Settings(mode="test", var_dir=tmp_path, database_url=sqlite_url, redis_url=redis_url)
    stop = threading.Event()
    thread = threading.Thread(
        target=run_dispatcher, args=(settings, stop), kwargs={"programme": app, "poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        wait_until(lambda: f"invite-partnership-{proposal.id}-v1" in queue.job_ids, 10, what="the invitation job")
        app.invite_to_partnership(cast.officer("rome"), str(proposal.id), cast.city("chengdu"))
        wait_until(lambda: f"invite-partnership-{proposal.id}-v2" in queue.job_ids, 10, what="the second invitation")
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
    recorder, factory = open_tracking_recorder(settings.store_env())
    try:
        assert recorder.max_tracking_id("dispatcher") == app.recorder.max_notification_id()
    finally:
        factory.close()


def test_a_separate_rq_worker_process_builds_its_context_from_the_environment(
    cast,
    dispatcher,
    queue,
    smtp_server,
    webhook_server,
    redis_url,
    sqlite_url,
    tmp_path,
):
    """``rq worker --burst --with-scheduler``: jobs import by path and read TWINNING_DATABASE, SMTP_URL,
    TWINNING_WEBHOOK_URL, TWINNING_SECRET… from the environment."""
    app = cast.programme
    app.propose_partnership(
        cast.officer("mannheim"),
        "Industry 4.0 corridor",
        cast.city("mannheim"),
        [cast.city("chongqing")],
        ["advanced-manufacturing"],
    )
    dispatch(app, dispatcher)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TWINNING_MODE": "test",
        "TWINNING_DATABASE": sqlite_url,
        "SMTP_URL": smtp_server.url,
        "REDIS_URL": redis_url,
        "TWINNING_VAR_DIR": str(tmp_path / "var"),
        "TWINNING_WEBHOOK_URL": webhook_server.url,
        "TWINNING_SECRET": "process-secret",
    }
    rq = str(Path(sys.executable).with_name("rq"))
    result = subprocess.run(
        [rq, "worker", "--burst", "--with-scheduler", "--url", redis_url, "twinning"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    (mail,) = smtp_server.to(officer_email("chongqing"), "invitation")
    assert mail["Subject"] == "Mannheim invites Chongqing to the partnership 'Industry 4.0 corridor'"
    assert len(inbox(app, cast.officer("chongqing").user_id, "invitation")) == 1
    signed = [(h, b) for h, b in webhook_server.received if b'"kind":"invitation"' in b]
    assert len(signed) == 1
    headers, body = signed[0]
    assert headers["X-Twinning-Signature"] == sign(body, "process-secret")
