"""Plans that close the loop: answers, activation, expiry, signatures, achievements, completion, and
the two questions after a session. One job per event, its id naming the aggregate and the event's
version, so a re-dispatched event plans the same ids."""

from __future__ import annotations

from eventsourcing.domain import DomainEvent

from domain.model.agreement import Agreement
from domain.model.meeting import Meeting
from domain.model.partnership import Partnership
from domain.model.project import PilotProject
from workers.dispatcher.base import J, Plan, Planning, short
from workers.scheduling import JobSpec, job_id


def _at_once(name: str, func: str, event: DomainEvent, *args: object, what: str) -> list[JobSpec]:
    aid, version = str(event.originator_id), event.originator_version
    return [JobSpec(job_id(name, aid, f"v{version}"), J + func, (aid, *args), description=what)]


def invitation_answered(event: DomainEvent, planning: Planning) -> list[JobSpec]:
    how = "accepted" if type(event).__name__ == "InvitationAccepted" else "declined"
    return _at_once(
        "answered",
        "send_invitation_answered",
        event,
        event.city_id,
        event.originator_version,
        event.actor,
        what=f"city {event.city_id} {how} partnership {event.originator_id}: the proposer hears it",
    )


def partnership_activated(event: DomainEvent, planning: Planning) -> list[JobSpec]:
    return _at_once(
        "activated",
        "send_partnership_activated",
        event,
        event.originator_version,
        event.actor,
        what=f"partnership {event.originator_id} active: its members hear it",
    )


def invitation_expired(event: DomainEvent, planning: Planning) -> list[JobSpec]:
    return _at_once(
        "expired",
        "send_invitation_expired",
        event,
        event.city_id,
        event.originator_version,
        what=f"invitation of city {event.city_id} to partnership {event.originator_id} expired",
    )


def party_signed(event: DomainEvent, planning: Planning) -> list[JobSpec]:
    return _at_once(
        "signed",
        "send_agreement_signed",
        event,
        event.party,
        event.originator_version,
        event.actor,
        what=f"{event.party} signed agreement {event.originator_id}: the other parties hear it",
    )


def agreement_in_force(event: DomainEvent, planning: Planning) -> list[JobSpec]:
    return _at_once(
        "in-force",
        "send_agreement_in_force",
        event,
        event.originator_version,
        event.actor,
        what=f"agreement {event.originator_id} in force",
    )


def milestone_achieved(event: DomainEvent, planning: Planning) -> list[JobSpec]:
    pid, version = str(event.originator_id), event.originator_version
    return [
        JobSpec(
            job_id("achieved", pid, short(event.milestone_id), f"v{version}"),
            J + "send_milestone_achieved",
            (pid, event.milestone_id, version, event.actor),
            description=f"milestone {event.milestone_id!r} of project {pid} achieved",
        )
    ]


def project_completed(event: DomainEvent, planning: Planning) -> list[JobSpec]:
    return _at_once(
        "completed",
        "send_project_completed",
        event,
        event.originator_version,
        event.actor,
        what=f"project {event.originator_id} completed",
    )


def meeting_held(event: DomainEvent, planning: Planning) -> list[JobSpec]:
    """Feedback at once, the follow-up FEEDBACK_FOLLOW_UP_AFTER later. A session from long ago recorded
    for history (the demo's 2020 sessions) asks nobody."""
    mid = str(event.originator_id)
    meeting = planning.programme.load(Meeting, mid, version=event.originator_version)
    if meeting.recorded_after_the_fact and planning.now - meeting.ends_at > planning.feedback_window:
        return []
    after = planning.feedback_follow_up_after
    return [
        JobSpec(
            job_id("feedback", mid),
            J + "send_feedback_request",
            (mid,),
            description=f"how did session {mid} go? (each attending city)",
        ),
        JobSpec(
            job_id("follow-up", mid, int(after.total_seconds())),
            J + "send_follow_up_request",
            (mid, int(after.total_seconds())),
            at=event.timestamp + after,
            description=f"what came of session {mid}, {after} later?",
        ),
    ]


PLANS = {
    Partnership.InvitationAccepted: Plan(invitation_answered),
    Partnership.InvitationDeclined: Plan(invitation_answered),
    Partnership.PartnershipActivated: Plan(partnership_activated),
    Agreement.PartySigned: Plan(party_signed),
    Agreement.AgreementInForce: Plan(agreement_in_force),
    PilotProject.MilestoneAchieved: Plan(milestone_achieved),
    PilotProject.ProjectCompleted: Plan(project_completed),
    Meeting.MeetingHeld: Plan(meeting_held, timed=True),
    Partnership.InvitationExpired: Plan(invitation_expired),
}
