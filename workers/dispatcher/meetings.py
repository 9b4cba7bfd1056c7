"""Plans for sessions: invitations, updates, cancellations and reminders before the start."""

from __future__ import annotations

from datetime import datetime, timedelta

from eventsourcing.domain import DomainEvent

from domain.model.meeting import Meeting
from domain.model.statuses import MeetingStatus
from workers.dispatcher.base import J, Plan, Planning
from workers.scheduling import JobSpec, job_id


def meeting_scheduled(event: DomainEvent, planning: Planning) -> list[JobSpec]:
    mid = str(event.originator_id)
    if event.starts_at + timedelta(minutes=event.duration_minutes) <= planning.now:
        return []  # recorded after the fact (the demo's 2020 sessions): nobody is invited to the past
    specs = [
        JobSpec(
            job_id("invite-meeting", mid, "v1"),
            J + "send_meeting_invitation",
            (mid, list(event.invited_city_ids), 1),
            description=f"invitations to session '{event.title}'",
        )
    ]
    return specs + reminders(planning, mid, 0, event.starts_at)


def participant_invited(event: DomainEvent, planning: Planning) -> list[JobSpec]:
    mid, version = str(event.originator_id), event.originator_version
    return [
        JobSpec(
            job_id("invite-meeting", mid, f"v{version}"),
            J + "send_meeting_invitation",
            (mid, [event.city_id], version),
            description=f"invitation of city {event.city_id} to session {mid}",
        )
    ]


def meeting_rescheduled(event: DomainEvent, planning: Planning) -> list[JobSpec]:
    mid = str(event.originator_id)
    meeting = planning.programme.load(Meeting, mid, version=event.originator_version)
    seq = meeting.sequence
    specs = [
        JobSpec(
            job_id("meeting-update", mid, f"s{seq}"),
            J + "send_meeting_update",
            (mid, seq, event.actor),
            description=f"session {mid} moved (sequence {seq})",
        )
    ]
    return specs + reminders(planning, mid, seq, meeting.starts_at)


def meeting_cancelled(event: DomainEvent, planning: Planning) -> list[JobSpec]:
    mid = str(event.originator_id)
    seq = planning.programme.load(Meeting, mid, version=event.originator_version).sequence
    return [
        JobSpec(
            job_id("meeting-cancel", mid, f"s{seq}"),
            J + "send_meeting_cancellation",
            (mid, seq, event.actor),
            description=f"session {mid} cancelled (sequence {seq})",
        )
    ]


def reminders(planning: Planning, mid: str, sequence: int, starts_at: datetime) -> list[JobSpec]:
    """One job per offset before the start. Offsets already past are skipped, except that a
    session starting before its last reminder time still gets one reminder at once."""
    now = planning.now
    if starts_at <= now:
        return []
    current = planning.programme.load(Meeting, mid)
    if current.status != MeetingStatus.SCHEDULED or current.sequence != sequence:
        return []  # cancelled or moved since: the later event plans what is needed
    future = [o for o in planning.reminder_offsets if starts_at - o > now]
    past = [o for o in planning.reminder_offsets if starts_at - o <= now]
    chosen = future or past[-1:]
    return [
        JobSpec(
            job_id("remind", mid, f"s{sequence}", int(o.total_seconds())),
            J + "send_meeting_reminder",
            (mid, sequence, int(o.total_seconds())),
            at=starts_at - o,
            description=f"reminder {o} before session {mid} (sequence {sequence})",
        )
        for o in chosen
    ]


PLANS = {
    Meeting.MeetingScheduled: Plan(meeting_scheduled, timed=True),
    Meeting.ParticipantInvited: Plan(participant_invited),
    Meeting.MeetingRescheduled: Plan(meeting_rescheduled, timed=True),
    Meeting.MeetingCancelled: Plan(meeting_cancelled),
}
