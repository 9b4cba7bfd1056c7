"""Helpers for the notifications that close the loop: Liuzhou and its Chinese-speaking officer, a
job context on the test's clock, the inbox read from the log, jobs brought due as the clock moves."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar
from rq.job import Job

from domain.access import Principal
from domain.model.notification import Notification
from workers.context import install_context

PUBLIC_URL = "https://twinning.test"


def officer_email(key: str) -> str:
    return f"officer@{key}.example"


@dataclass
class Liuzhou:
    city_id: str
    officer: Principal
    email: str = "officer@liuzhou.example"


def enrol_liuzhou(cast) -> Liuzhou:
    """Liuzhou (柳州), Guangxi, whose officer reads Chinese."""
    app = cast.programme
    city = app.register_city(
        cast.facilitator,
        "Liuzhou",
        "CN",
        "Asia/Shanghai",
        ["advanced-manufacturing", "green-infrastructure"],
        ["smart-city"],
        local_name="柳州",
    ).aggregate
    issued = app.create_user(cast.admin, "柳州 officer", "officer@liuzhou.example", "officer", city_id=str(city.id))
    officer = app.authenticate(issued.token)
    app.change_preferences(officer, officer.user_id, language="zh-Hans")
    return Liuzhou(str(city.id), officer)


def second_officer(cast, key: str, name: str, email: str) -> Principal:
    issued = cast.programme.create_user(cast.admin, name, email, "officer", city_id=cast.city(key))
    return cast.programme.authenticate(issued.token)


@pytest.fixture
def clocked_context(job_context, clock):
    """The job context on the test's clock, with the public URL the mailed links start with."""
    context = replace(job_context.context, clock=clock)
    context = context.with_delivery(public_url=PUBLIC_URL)
    job_context.context = context
    install_context(context)
    return context


def inbox(programme, user_id: str, kind: str | None = None) -> list[Notification]:
    """A person's Notifications, through the log (oldest first)."""
    found = []
    for n in programme.recorder.select_notifications(1, 100_000):
        if n.topic.endswith("Notification.NotificationSent"):
            note = programme.load(Notification, n.originator_id)
            if note.recipient_id == user_id and (kind is None or note.kind == kind):
                found.append(note)
    return found


def kinds_sent(programme) -> set[str]:
    found = set()
    for n in programme.recorder.select_notifications(1, 100_000):
        if n.topic.endswith("Notification.NotificationSent"):
            found.add(programme.load(Notification, n.originator_id).kind)
    return found


def text_of(mail) -> str:
    return mail.get_body(("plain",)).get_content()


def ics_event(mail):
    parts = [p for p in mail.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, "one calendar attachment"
    calendar = Calendar.from_ical(parts[0].get_payload(decode=True))
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def unsubscribe_path(mail) -> str:
    """The path of the mail's one-click link (``List-Unsubscribe: <https://…/unsubscribe/<token>>``)."""
    url = str(mail["List-Unsubscribe"]).strip().strip("<>")
    assert url.startswith(PUBLIC_URL + "/unsubscribe/"), url
    return urlsplit(url).path


def come_due(queue, job_id: str) -> None:
    """The clock has reached a job scheduled for later: RQ's scheduler (in the worker) enqueues it now."""
    job = Job.fetch(job_id, connection=queue.connection)
    assert job.get_status() == "scheduled", job.get_status()
    queue.scheduled_job_registry.schedule(job, datetime.now(UTC))


def finished(queue, job_id: str) -> bool:
    return Job.fetch(job_id, connection=queue.connection).get_status() in ("finished", "failed")
