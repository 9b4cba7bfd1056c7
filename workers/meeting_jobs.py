"""Jobs about sessions: invitations with the .ics REQUEST, reminders, updates and cancellations.

Enqueued by the path ``workers.jobs.<name>`` (``workers.jobs`` re-exports them), the one
path every job has had since the first release, so jobs already queued keep running.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from domain.model.city import City
from domain.model.meeting import Meeting
from domain.model.statuses import MeetingStatus, NotificationKind
from domain.model.user import User
from workers import messages
from workers.calendar import meeting_ics
from workers.context import JobContext, current_context
from workers.delivery import Delivery, Message
from workers.job_support import Cities, load_or_none, officers, skip


def _meeting_mail(
    ctx: JobContext,
    meeting: Meeting,
    officer: User,
    city: City,
    kind: NotificationKind,
    version: int | str,
    method: str,
    words,
) -> Message:
    when = messages.when_text(meeting.starts_at, city.timezone, city.name)
    title, body = words(when)
    ics = meeting_ics(
        meeting,
        method,
        organiser_email=ctx.delivery.sender,
        attendee_emails=[officer.email],
        stamp=ctx.now(),
        description=body,
    )
    return Message(kind, "meeting", str(meeting.id), version, title, body, ics=ics, ics_method=method)


def _deliver_to_meeting(ctx, meeting, city_ids, kind, version, method, words) -> dict[str, Any]:
    cities = Cities(ctx)
    delivery = Delivery(ctx)
    for officer, city_id in officers(ctx, city_ids):
        delivery.deliver(officer, _meeting_mail(ctx, meeting, officer, cities[city_id], kind, version, method, words))
    return delivery.finish()


def send_meeting_invitation(meeting_id: str, city_ids: list[str], version: int) -> dict[str, Any]:
    """Tell the invited cities' officers, with the .ics REQUEST as the session stands now."""
    ctx = current_context()
    meeting = load_or_none(ctx, Meeting, meeting_id)
    if meeting is None or meeting.status != MeetingStatus.SCHEDULED:
        return skip("the session is no longer scheduled")
    if ctx.now() >= meeting.ends_at:
        return skip("the session is over")
    invited = [c for c in city_ids if c in meeting.invited_city_ids]
    cities = Cities(ctx)

    def words(when: str, city_id: str) -> tuple[str, str]:
        return messages.meeting_invitation(
            cities[city_id].name, meeting.kind, meeting.title, when, meeting.location, meeting.url
        )

    delivery = Delivery(ctx)
    for officer, city_id in officers(ctx, invited):
        message = _meeting_mail(
            ctx,
            meeting,
            officer,
            cities[city_id],
            NotificationKind.INVITATION,
            version,
            "REQUEST",
            lambda when, c=city_id: words(when, c),
        )
        delivery.deliver(officer, message)
    return delivery.finish()


def send_meeting_reminder(meeting_id: str, sequence: int, offset_seconds: int) -> dict[str, Any]:
    """A reminder ``offset_seconds`` before the start; nothing if the session was cancelled or moved since."""
    ctx = current_context()
    meeting = load_or_none(ctx, Meeting, meeting_id)
    if meeting is None or meeting.status != MeetingStatus.SCHEDULED:
        return skip("the session is no longer scheduled")
    if meeting.sequence != sequence:
        return skip("the session has moved; the reminders of its new time will be sent")
    if ctx.now() >= meeting.starts_at:
        return skip("the session has already started")
    offset = timedelta(seconds=offset_seconds)
    return _deliver_to_meeting(
        ctx,
        meeting,
        meeting.invited_city_ids,
        NotificationKind.MEETING_REMINDER,
        f"{sequence}-{offset_seconds}",
        "REQUEST",
        lambda when: messages.meeting_reminder(
            meeting.kind, meeting.title, offset, when, meeting.location, meeting.url
        ),
    )


def send_meeting_update(meeting_id: str, sequence: int) -> dict[str, Any]:
    """A moved session: the same UID with the higher SEQUENCE, so calendars update the event."""
    ctx = current_context()
    meeting = load_or_none(ctx, Meeting, meeting_id)
    if meeting is None or meeting.status != MeetingStatus.SCHEDULED:
        return skip("the session is no longer scheduled")
    if meeting.sequence != sequence:
        return skip("the session has moved again; the later update will be sent")
    return _deliver_to_meeting(
        ctx,
        meeting,
        meeting.invited_city_ids,
        NotificationKind.MEETING_UPDATE,
        sequence,
        "REQUEST",
        lambda when: messages.meeting_moved(meeting.kind, meeting.title, when, meeting.location, meeting.url),
    )


def send_meeting_cancellation(meeting_id: str, sequence: int) -> dict[str, Any]:
    """A cancelled session: METHOD:CANCEL with the same UID, so calendars remove it."""
    ctx = current_context()
    meeting = load_or_none(ctx, Meeting, meeting_id)
    if meeting is None or meeting.status != MeetingStatus.CANCELLED or meeting.sequence != sequence:
        return skip("the session is not cancelled at this sequence")
    return _deliver_to_meeting(
        ctx,
        meeting,
        meeting.invited_city_ids,
        NotificationKind.MEETING_UPDATE,
        sequence,
        "CANCEL",
        lambda when: messages.meeting_cancelled(meeting.kind, meeting.title, when, meeting.cancel_reason),
    )
