"""Delivery channels: the signed webhook, .eml files when no SMTP is set, and a channel that
fails being resent by RQ's retry — once — without a second Notification."""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from rq import Retry
from rq.job import Job

from domain.model.notification import Notification
from tests.support.workers import free_port, outbox_files, run_worker
from workers import jobs
from workers.channels.webhook import sign


@pytest.fixture
def database_url(sqlite_url):
    return sqlite_url


def propose(cast, invited=("yantai",)):
    return cast.programme.propose_partnership(
        cast.officer("rome"),
        "Urban agriculture research",
        cast.city("rome"),
        [cast.city(k) for k in invited],
        ["urban-agriculture"],
    ).aggregate


def test_the_webhook_receives_each_notification_signed_with_hmac_sha256(cast, job_context, webhook_server, smtp_server):
    job_context.replace(webhook_url=webhook_server.url, secret="s3cret-for-hooks")
    proposal = propose(cast)

    result = jobs.send_partnership_invitation(str(proposal.id), [cast.city("yantai")], 1)
    assert result["sent"] == 1

    ((headers, body),) = webhook_server.received
    expected = "sha256=" + hmac.new(b"s3cret-for-hooks", body, hashlib.sha256).hexdigest()
    assert headers["X-Twinning-Signature"] == expected == sign(body, "s3cret-for-hooks")
    assert headers["Content-Type"] == "application/json"
    data = json.loads(body)
    officer = cast.officer("yantai")
    assert data["kind"] == "invitation" and data["recipient_id"] == officer.user_id
    assert data["subject"] == {"kind": "partnership", "id": str(proposal.id)}
    assert data["title"] == "Rome invites Yantai to the partnership 'Urban agriculture research'"
    note = cast.programme.load(Notification, data["id"])
    assert note.channels == ["inbox", "email", "webhook"]
    assert len(smtp_server.to("officer@yantai.example")) == 1

    jobs.send_partnership_invitation(str(proposal.id), [cast.city("yantai")], 1)
    assert len(webhook_server.received) == 1, "sent once"


def test_without_smtp_mail_is_written_as_eml_files_in_the_outbox(cast, job_context, tmp_path, smtp_server):
    outbox = tmp_path / "var" / "outbox"
    job_context.replace(smtp_url=None, outbox_dir=outbox)
    app = cast.programme
    proposal = propose(cast, invited=("yantai", "chongqing"))
    session = app.schedule_meeting(
        cast.facilitator,
        "Urban agriculture kick-off",
        "online",
        datetime.now(UTC) + timedelta(days=3),
        60,
        [cast.city("yantai")],
    ).aggregate

    jobs.send_partnership_invitation(str(proposal.id), [cast.city("yantai"), cast.city("chongqing")], 1)
    jobs.send_meeting_invitation(str(session.id), [cast.city("yantai")], 1)

    files = outbox_files(outbox)
    assert len(files) == 3 and not smtp_server.messages
    parsed = [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]
    subjects = sorted(m["Subject"] for m in parsed)
    assert subjects == [
        "Rome invites Chongqing to the partnership 'Urban agriculture research'",
        "Rome invites Yantai to the partnership 'Urban agriculture research'",
        "Yantai is invited to the online session 'Urban agriculture kick-off'",
    ]
    (meeting_mail,) = [m for m in parsed if "session" in m["Subject"]]
    assert meeting_mail["To"] == "Yantai officer <officer@yantai.example>"
    (part,) = [p for p in meeting_mail.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    event = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == session.starts_at.replace(microsecond=0)
    assert "Yantai time" in meeting_mail.get_body(("plain",)).get_content()

    jobs.send_meeting_invitation(str(session.id), [cast.city("yantai")], 1)
    assert len(outbox_files(outbox)) == 3, "a second run writes nothing"


def test_a_failed_email_is_resent_by_the_retry_once_and_the_notification_stays_single(
    cast,
    queue,
    job_context,
    smtp_server,
):
    job_context.replace(smtp_url=f"smtp://127.0.0.1:{free_port()}")  # nobody listens there
    proposal = propose(cast)
    job = queue.enqueue(
        "workers.jobs.send_partnership_invitation",
        str(proposal.id),
        [cast.city("yantai")],
        1,
        job_id="invite-retry-check",
        retry=Retry(max=2, interval=1),
    )

    run_worker(queue)  # first attempt: recorded, the email fails
    job = Job.fetch(job.id, connection=queue.connection)
    assert job.get_status() == "scheduled" and job.retries_left == 1
    assert list(job.meta["undelivered"].values()) == [["email"]]

    job_context.replace(smtp_url=smtp_server.url)  # the mail server is back
    run_worker(queue, until=lambda: smtp_server.to("officer@yantai.example"), timeout=10)
    job = Job.fetch(job.id, connection=queue.connection)
    assert job.get_status() == "finished" and job.meta["undelivered"] == {}
    assert len(smtp_server.to("officer@yantai.example")) == 1
    notes = [
        n
        for n in cast.programme.recorder.select_notifications(1, 100_000)
        if n.topic.endswith("Notification.NotificationSent")
    ]
    assert len(notes) == 1
