"""Jobs about sessions: invitations with the .ics REQUEST, reminders, moves, cancellations, and after a
session the two questions of how it went (right after it, and FEEDBACK_FOLLOW_UP_AFTER later).

Enqueued by the path ``workers.jobs.<name>`` (``workers.jobs`` re-exports them), the one
path every job has had since the first release, so jobs already queued keep running.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from domain.model.feedback import FEEDBACK, FOLLOW_UP, answers
from domain.model.meeting import Meeting
from domain.model.notification import dedup_key
from domain.model.statuses import MeetingStatus, NotificationKind
from domain.model.user import User
from workers.calendar import meeting_ics
from workers.context import JobContext, current_context
from workers.delivery import Delivery, Message
from workers.job_support import Cities, load_or_none, officers, skip, tell
from workers.messages import Words
from workers.messages import meetings as texts

Wording = Callable[[Words, str], tuple[str, str]]  # (reader's words, the start as they read it) → title, body


def _meeting_mail(
    ctx: JobContext, meeting: Meeting, officer: User, w: Words, kind: str, version: int | str, method: str, wording
) -> Message:
    title, body = wording(w, w.when(meeting.starts_at))
    ics = meeting_ics(
        meeting,
        method,
        organiser_email=ctx.delivery.sender,
        attendee_emails=[officer.email],
        stamp=ctx.now(),
        description=body,
        summary=texts.ics_summary(w, meeting.kind, meeting.title),
    )
    return Message(kind, "meeting", str(meeting.id), version, title, body, ics=ics, ics_method=method)


def _deliver_to_meeting(
    ctx, meeting, city_ids, kind, version, method, wording: Wording, actor: str | None = None, legacy: str | None = None
) -> dict[str, Any]:
    """``legacy``: the kind this notice had before (``meeting_update``): someone already told under it is
    not told again when a job queued before the upgrade runs after it."""
    delivery = Delivery(ctx)
    recipients = officers(ctx, city_ids)
    if legacy:
        recipients = [
            (o, c)
            for o, c in recipients
            if not ctx.programme.notification_recorded(
                dedup_key(legacy, "meeting", str(meeting.id), version, str(o.id))
            )
        ]

    def build(w: Words, officer: User, _city_id: str) -> Message:
        return _meeting_mail(ctx, meeting, officer, w, kind, version, method, wording)

    return tell(delivery, recipients, build, actor).finish()


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
    delivery = Delivery(ctx)

    def build(w: Words, officer: User, city_id: str) -> Message:
        def wording(w: Words, when: str) -> tuple[str, str]:
            return texts.meeting_invitation(
                w, w.city(cities[city_id]), meeting.kind, meeting.title, when, meeting.location, meeting.url
            )

        return _meeting_mail(ctx, meeting, officer, w, NotificationKind.INVITATION, version, "REQUEST", wording)

    return tell(delivery, officers(ctx, invited), build).finish()


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
        lambda w, when: texts.meeting_reminder(
            w, meeting.kind, meeting.title, offset, when, meeting.location, meeting.url
        ),
    )


def send_meeting_update(meeting_id: str, sequence: int, actor: str | None = None) -> dict[str, Any]:
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
        NotificationKind.MEETING_MOVED,
        sequence,
        "REQUEST",
        lambda w, when: texts.meeting_moved(w, meeting.kind, meeting.title, when, meeting.location, meeting.url),
        actor,
        legacy=NotificationKind.MEETING_UPDATE,
    )


def send_meeting_cancellation(meeting_id: str, sequence: int, actor: str | None = None) -> dict[str, Any]:
    """A cancelled session: METHOD:CANCEL with the same UID, so calendars remove it."""
    ctx = current_context()
    meeting = load_or_none(ctx, Meeting, meeting_id)
    if meeting is None or meeting.status != MeetingStatus.CANCELLED or meeting.sequence != sequence:
        return skip("the session is not cancelled at this sequence")
    return _deliver_to_meeting(
        ctx,
        meeting,
        meeting.invited_city_ids,
        NotificationKind.MEETING_CANCELLED,
        sequence,
        "CANCEL",
        lambda w, when: texts.meeting_cancelled(w, meeting.kind, meeting.title, when, meeting.cancel_reason),
        actor,
        legacy=NotificationKind.MEETING_UPDATE,
    )


def _attended(meeting: Meeting) -> list[str]:
    return list((meeting.outcome or {}).get("attended_city_ids", meeting.invited_city_ids))


def _answered(meeting: Meeting, stage: str) -> set[str]:
    """The cities that already answered this stage (``feedback`` or ``follow_up``)."""
    return set(answers(meeting, stage))


def _ask(ctx: JobContext, meeting: Meeting, stage: str, kind: str, wording) -> dict[str, Any]:
    cities = Cities(ctx)
    waiting = [c for c in _attended(meeting) if c not in _answered(meeting, stage)]
    if not waiting:
        return skip(f"every attending city has given its {stage.replace('_', '-')}")

    def build(w: Words, officer: User, city_id: str) -> Message:
        title, body = wording(w, w.city(cities[city_id]), w.when(meeting.starts_at))
        return Message(kind, "meeting", str(meeting.id), f"{stage}:{city_id}", title, body)

    return tell(Delivery(ctx), officers(ctx, waiting), build).finish()


def send_feedback_request(meeting_id: str) -> dict[str, Any]:
    """After MeetingHeld: each attending city's officers are asked how it went (until their city answers)."""
    ctx = current_context()
    meeting = load_or_none(ctx, Meeting, meeting_id)
    if meeting is None or meeting.status != MeetingStatus.HELD:
        return skip("the session was not held")
    return _ask(
        ctx,
        meeting,
        FEEDBACK,
        NotificationKind.FEEDBACK_REQUEST,
        lambda w, city, when: texts.feedback_request(w, city, meeting.kind, meeting.title, when, meeting_id),
    )


def send_follow_up_request(meeting_id: str, after_seconds: int) -> dict[str, Any]:
    """FEEDBACK_FOLLOW_UP_AFTER after MeetingHeld: where did it lead since?"""
    ctx = current_context()
    meeting = load_or_none(ctx, Meeting, meeting_id)
    if meeting is None or meeting.status != MeetingStatus.HELD:
        return skip("the session was not held")
    since = timedelta(seconds=after_seconds)
    return _ask(
        ctx,
        meeting,
        FOLLOW_UP,
        NotificationKind.FOLLOW_UP_REQUEST,
        lambda w, city, when: texts.follow_up_request(w, city, meeting.kind, meeting.title, when, since, meeting_id),
    )
