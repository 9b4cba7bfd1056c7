"""Plans for cities and partnerships: partner suggestions, invitations, their nudges and their expiry."""

from __future__ import annotations

from datetime import datetime

from eventsourcing.domain import DomainEvent

from domain.model.city import City
from domain.model.partnership import Partnership
from domain.model.statuses import OPEN_PARTNERSHIP, InvitationStatus, PartnershipStatus
from workers.dispatcher.base import J, Plan, Planning
from workers.scheduling import JobSpec, job_id


def city_profile(event: DomainEvent, planning: Planning) -> list[JobSpec]:
    city_id, version = str(event.originator_id), event.originator_version
    if planning.stale(event):
        return []
    return [
        JobSpec(
            job_id("suggest-city", city_id, f"v{version}"),
            J + "send_suggestions",
            (city_id, f"v{version}"),
            description=f"partner suggestions for city {city_id} (profile v{version})",
            timeout=600,
        )
    ]


def _still_pending(planning: Planning, pid: str, city_ids: list[str]) -> tuple[list[str], str]:
    """The cities among these whose invitation is still pending now, and the partnership's status."""
    current = planning.programme.load(Partnership, pid)
    if current.status not in OPEN_PARTNERSHIP:
        return [], current.status
    pending = [c for c in city_ids if current.invitations.get(c, {}).get("status") == InvitationStatus.PENDING]
    return pending, current.status


def _nudge(planning: Planning, pid: str, city_id: str, version: int, invited_at: datetime) -> JobSpec:
    return JobSpec(
        job_id("nudge", pid, city_id, f"v{version}"),
        J + "send_invitation_nudge",
        (pid, city_id, version),
        at=invited_at + planning.invitation_nudge_after,
        description=f"nudge city {city_id} about partnership {pid}",
    )


def _expiry(planning: Planning, pid: str, city_id: str, version: int, invited_at: datetime) -> JobSpec:
    return JobSpec(
        job_id("expire", pid, city_id, f"v{version}"),
        J + "expire_invitation",
        (pid, city_id),
        at=invited_at + planning.invitation_expires_after,
        description=f"expire the invitation of city {city_id} to partnership {pid} if still unanswered",
    )


def partnership_proposed(event: DomainEvent, planning: Planning) -> list[JobSpec]:
    pid = str(event.originator_id)
    pending, status = _still_pending(planning, pid, list(event.invited_city_ids))
    specs = []
    if pending:
        specs.append(
            JobSpec(
                job_id("invite-partnership", pid, "v1"),
                J + "send_partnership_invitation",
                (pid, list(event.invited_city_ids), 1),
                description=f"invitations to partnership '{event.title}'",
            )
        )
    specs += [_nudge(planning, pid, city_id, 1, event.timestamp) for city_id in pending]
    specs += [_expiry(planning, pid, city_id, 1, event.timestamp) for city_id in pending]
    if status == PartnershipStatus.PROPOSED and not planning.stale(event):
        specs.append(
            JobSpec(
                job_id("suggest-proposal", pid),
                J + "send_proposal_suggestions",
                (pid,),
                description=f"more partners for '{event.title}'",
                timeout=600,
            )
        )
    return specs


def partner_invited(event: DomainEvent, planning: Planning) -> list[JobSpec]:
    pid, version, city_id = str(event.originator_id), event.originator_version, event.city_id
    if not _still_pending(planning, pid, [city_id])[0]:
        return []
    return [
        JobSpec(
            job_id("invite-partnership", pid, f"v{version}"),
            J + "send_partnership_invitation",
            (pid, [city_id], version),
            description=f"invitation of city {city_id} to partnership {pid}",
        ),
        _nudge(planning, pid, city_id, version, event.timestamp),
        _expiry(planning, pid, city_id, version, event.timestamp),
    ]


PLANS = {
    City.CityRegistered: Plan(city_profile),
    City.ProfileUpdated: Plan(city_profile),
    Partnership.PartnershipProposed: Plan(partnership_proposed, timed=True),
    Partnership.PartnerInvited: Plan(partner_invited, timed=True),
}
