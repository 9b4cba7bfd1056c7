"""RQ job functions (importable by path: ``workers.jobs.<name>``).

Each job takes primitive arguments, builds what it needs from the per-process
context (``workers.context.current_context()``), re-reads the aggregate, decides
whether the notification still makes sense (a cancelled or moved meeting, an
answered invitation, an achieved milestone… sends nothing), and delivers through
``workers.delivery`` (Notification recorded first, so a second run sends nothing).
Each answers a small summary dict, kept as the job's result.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from rq import Queue, get_current_job

from domain.matchmaking import MatchIndex
from domain.model.agreement import Agreement
from domain.model.partnership import Partnership
from domain.model.project import PilotProject
from domain.model.statuses import (
    OPEN_PARTNERSHIP,
    AgreementStatus,
    InvitationStatus,
    MilestoneStatus,
    NotificationKind,
    PartnershipStatus,
    ProjectStatus,
)
from workers import messages
from workers.context import JobContext, current_context
from workers.delivery import Delivery, Message
from workers.job_support import Cities, load_or_none, officers, skip
from workers.meeting_jobs import (
    send_meeting_cancellation,
    send_meeting_invitation,
    send_meeting_reminder,
    send_meeting_update,
)
from workers.profiles import load_profiles
from workers.scheduling import arm_weekly_digest

AGREEMENT_UNSIGNED_AFTER = timedelta(days=30)
MILESTONE_WARNING = timedelta(days=7)

# Every job the dispatcher may enqueue, by the path ``workers.jobs.<name>``.
__all__ = [
    "AGREEMENT_UNSIGNED_AFTER",
    "MILESTONE_WARNING",
    "send_agreement_unsigned",
    "send_invitation_nudge",
    "send_meeting_cancellation",
    "send_meeting_invitation",
    "send_meeting_reminder",
    "send_meeting_update",
    "send_milestone_due",
    "send_partnership_invitation",
    "send_proposal_suggestions",
    "send_suggestions",
    "send_weekly_digest",
]


# -- partnerships ------------------------------------------------------------------------


def send_partnership_invitation(partnership_id: str, city_ids: list[str], version: int) -> dict[str, Any]:
    """Tell the officers of each invited city, at once, while the invitation is still pending."""
    ctx = current_context()
    partnership = load_or_none(ctx, Partnership, partnership_id)
    if partnership is None or partnership.status not in OPEN_PARTNERSHIP:
        return skip("the partnership is no longer open")
    cities = Cities(ctx)
    proposer = cities[partnership.proposer_city_id]
    delivery = Delivery(ctx)
    for city_id in city_ids:
        invitation = partnership.invitations.get(city_id)
        if invitation is None or invitation["status"] != InvitationStatus.PENDING:
            continue
        title, body = messages.partnership_invitation(
            proposer.name,
            cities[city_id].name,
            partnership.title,
            partnership.themes,
            partnership.description,
        )
        for officer, _ in officers(ctx, [city_id]):
            delivery.deliver(
                officer, Message(NotificationKind.INVITATION, "partnership", partnership_id, version, title, body)
            )
    return delivery.finish()


def send_invitation_nudge(partnership_id: str, city_id: str, version: int) -> dict[str, Any]:
    """Remind an invited city's officers of an invitation still unanswered after INVITATION_NUDGE_AFTER."""
    ctx = current_context()
    partnership = load_or_none(ctx, Partnership, partnership_id)
    if partnership is None or partnership.status != PartnershipStatus.PROPOSED:
        return skip("the partnership is no longer waiting for answers")
    invitation = partnership.invitations.get(city_id)
    if invitation is None or invitation["status"] != InvitationStatus.PENDING:
        return skip("the invitation has been answered")
    cities = Cities(ctx)
    since = ctx.now() - invitation["invited_at"]
    title, body = messages.invitation_nudge(
        cities[partnership.proposer_city_id].name,
        cities[city_id].name,
        partnership.title,
        timedelta(seconds=round(since.total_seconds())),
    )
    delivery = Delivery(ctx)
    for officer, _ in officers(ctx, [city_id]):
        delivery.deliver(
            officer, Message(NotificationKind.INVITATION_NUDGE, "partnership", partnership_id, version, title, body)
        )
    return delivery.finish()


# -- suggestions -------------------------------------------------------------------------


def _suggest(
    ctx: JobContext,
    index: MatchIndex,
    city_id: str,
    trigger: str,
    why: str,
    exclude: frozenset[str] = frozenset(),
    themes: frozenset[str] = frozenset(),
    delivery: Delivery | None = None,
) -> Delivery:
    delivery = delivery or Delivery(ctx)
    profile = index.get(city_id)
    if profile is None or profile.retired:
        return delivery
    limit = ctx.suggestion_limit
    found = [s for s in index.suggest(city_id, limit + len(exclude) + 20) if s.city_id not in exclude]
    if themes:
        on_theme = [
            s for s in found if themes & (index.get(s.city_id).themes_offered | index.get(s.city_id).themes_sought)
        ]
        found = on_theme or found
    found = found[:limit]
    if not found:
        return delivery
    title, body = messages.suggestions(profile.name, found, why)
    for officer, _ in officers(ctx, [city_id]):
        delivery.deliver(officer, Message(NotificationKind.SUGGESTION, "city", city_id, trigger, title, body))
    return delivery


def send_suggestions(city_id: str, trigger: str) -> dict[str, Any]:
    """Top partners for a city whose profile was registered or changed (``trigger`` e.g. ``v3``)."""
    ctx = current_context()
    index = MatchIndex(load_profiles(ctx.programme))
    why = "Your city's profile is new or has changed." if trigger != "v1" else "Welcome to the programme."
    return _suggest(ctx, index, city_id, trigger, why).finish()


def send_proposal_suggestions(partnership_id: str) -> dict[str, Any]:
    """Further cities the proposer might invite, on the proposal's themes where possible."""
    ctx = current_context()
    partnership = load_or_none(ctx, Partnership, partnership_id)
    if partnership is None or partnership.status != PartnershipStatus.PROPOSED:
        return skip("the proposal is no longer open")
    index = MatchIndex(load_profiles(ctx.programme))
    exclude = frozenset(partnership.invitations) | {partnership.proposer_city_id}
    why = f"You proposed the partnership '{partnership.title}'; other cities may want to join it."
    return _suggest(
        ctx,
        index,
        partnership.proposer_city_id,
        f"proposal-{partnership_id}",
        why,
        exclude=exclude,
        themes=frozenset(partnership.themes),
    ).finish()


def send_weekly_digest(week: str, rearm: bool = True) -> dict[str, Any]:
    """Every active city's officers get their top partners for the ISO week; then next week's digest is armed."""
    ctx = current_context()
    profiles = load_profiles(ctx.programme)
    index = MatchIndex(profiles)
    delivery = Delivery(ctx)
    for profile in sorted(profiles, key=lambda p: (p.name, p.id)):
        if not profile.retired:
            _suggest(ctx, index, profile.id, week, f"Your weekly partner suggestions ({week}).", delivery=delivery)
    job = get_current_job()
    if rearm and job is not None:
        arm_weekly_digest(Queue(job.origin, connection=job.connection), ctx.now())
    return delivery.finish()


# -- projects and agreements -------------------------------------------------------------


def send_milestone_due(project_id: str, milestone_id: str, due_on: str, phase: str) -> dict[str, Any]:
    """A planned milestone due within 7 days (``phase`` soon) or overdue (``phase`` overdue)."""
    ctx = current_context()
    project = load_or_none(ctx, PilotProject, project_id)
    if project is None or project.status != ProjectStatus.ACTIVE:
        return skip("the pilot project is closed")
    milestone = project.milestones.get(milestone_id)
    due = date.fromisoformat(due_on)
    if milestone is None or milestone["status"] != MilestoneStatus.PLANNED:
        return skip("the milestone is achieved")
    if milestone["due_on"] != due:
        return skip("the milestone was rescheduled; the new date has its own reminders")
    title, body = messages.milestone_due(project.title, milestone["title"], due, ctx.now().date())
    delivery = Delivery(ctx)
    for officer, _ in officers(ctx, project.member_city_ids):
        delivery.deliver(
            officer,
            Message(
                NotificationKind.MILESTONE_DUE, "project", project_id, f"{milestone_id}:{due_on}:{phase}", title, body
            ),
        )
    return delivery.finish()


def send_agreement_unsigned(agreement_id: str) -> dict[str, Any]:
    """An agreement still not signed by every party 30 days after drafting: tell the parties' cities."""
    ctx = current_context()
    agreement = load_or_none(ctx, Agreement, agreement_id)
    if agreement is None or agreement.status != AgreementStatus.DRAFTED or not agreement.unsigned_parties:
        return skip("the agreement is signed or terminated")
    title, body = messages.agreement_unsigned(
        agreement.title, agreement.kind, agreement.created_on.date(), agreement.unsigned_parties
    )
    city_ids = [p["city_id"] for p in agreement.parties if p["city_id"]]
    delivery = Delivery(ctx)
    for officer, _ in officers(ctx, city_ids):
        delivery.deliver(
            officer, Message(NotificationKind.AGREEMENT_UNSIGNED, "agreement", agreement_id, "30d", title, body)
        )
    return delivery.finish()
