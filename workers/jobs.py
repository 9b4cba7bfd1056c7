"""RQ job functions (importable by path: ``workers.jobs.<name>``).

Each job takes primitive arguments, builds what it needs from the per-process
context (``workers.context.current_context()``), re-reads the aggregate, decides
whether the notification still makes sense (a cancelled or moved meeting, an
answered invitation, an achieved milestone… sends nothing), and delivers through
``workers.delivery`` (Notification recorded first, so a second run sends nothing).
Each answers a small summary dict, kept as the job's result.
"""

from __future__ import annotations

from collections.abc import Callable
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
from workers.context import JobContext, current_context
from workers.delivery import Delivery, Message
from workers.digest_jobs import send_daily_digest, send_daily_digests
from workers.job_support import Cities, load_or_none, officers, skip, tell
from workers.loop_jobs import (
    expire_invitation,
    send_agreement_in_force,
    send_agreement_signed,
    send_invitation_answered,
    send_invitation_expired,
    send_milestone_achieved,
    send_partnership_activated,
    send_project_completed,
)
from workers.meeting_jobs import (
    send_feedback_request,
    send_follow_up_request,
    send_meeting_cancellation,
    send_meeting_invitation,
    send_meeting_reminder,
    send_meeting_update,
)
from workers.messages import Words
from workers.messages import partnerships as words
from workers.messages import projects as texts
from workers.profiles import load_profiles
from workers.scheduling import arm_weekly_digest

AGREEMENT_UNSIGNED_AFTER = timedelta(days=30)
MILESTONE_WARNING = timedelta(days=7)

# Every job the dispatcher may enqueue, by the path ``workers.jobs.<name>``.
__all__ = [
    "AGREEMENT_UNSIGNED_AFTER",
    "MILESTONE_WARNING",
    "expire_invitation",
    "send_agreement_in_force",
    "send_agreement_signed",
    "send_agreement_unsigned",
    "send_daily_digest",
    "send_daily_digests",
    "send_feedback_request",
    "send_follow_up_request",
    "send_invitation_answered",
    "send_invitation_expired",
    "send_invitation_nudge",
    "send_meeting_cancellation",
    "send_meeting_invitation",
    "send_meeting_reminder",
    "send_meeting_update",
    "send_milestone_achieved",
    "send_milestone_due",
    "send_partnership_activated",
    "send_partnership_invitation",
    "send_project_completed",
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

        def build(w, officer, city_id):
            title, body = words.partnership_invitation(
                w,
                w.city(proposer),
                w.city(cities[city_id]),
                partnership.title,
                partnership.themes,
                partnership.description,
            )
            return Message(NotificationKind.INVITATION, "partnership", partnership_id, version, title, body)

        tell(delivery, officers(ctx, [city_id]), build)
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
    since = timedelta(seconds=round((ctx.now() - invitation["invited_at"]).total_seconds()))

    def build(w, officer, _city_id):
        proposer, invited = w.city(cities[partnership.proposer_city_id]), w.city(cities[city_id])
        title, body = words.invitation_nudge(w, proposer, invited, partnership.title, since)
        return Message(NotificationKind.INVITATION_NUDGE, "partnership", partnership_id, version, title, body)

    return tell(Delivery(ctx), officers(ctx, [city_id]), build).finish()


# -- suggestions -------------------------------------------------------------------------


def _suggest(
    ctx: JobContext,
    index: MatchIndex,
    city_id: str,
    trigger: str,
    why: Callable[[Words], str],
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

    def build(w, officer, _city_id):
        title, body = words.suggestions(w, profile.name, found, why(w))
        return Message(NotificationKind.SUGGESTION, "city", city_id, trigger, title, body)

    return tell(delivery, officers(ctx, [city_id]), build)


def send_suggestions(city_id: str, trigger: str) -> dict[str, Any]:
    """Top partners for a city whose profile was registered or changed (``trigger`` e.g. ``v3``)."""
    ctx = current_context()
    index = MatchIndex(load_profiles(ctx.programme))
    return _suggest(ctx, index, city_id, trigger, lambda w: words.why_profile(w, trigger == "v1")).finish()


def send_proposal_suggestions(partnership_id: str) -> dict[str, Any]:
    """Further cities the proposer might invite, on the proposal's themes where possible."""
    ctx = current_context()
    partnership = load_or_none(ctx, Partnership, partnership_id)
    if partnership is None or partnership.status != PartnershipStatus.PROPOSED:
        return skip("the proposal is no longer open")
    index = MatchIndex(load_profiles(ctx.programme))
    exclude = frozenset(partnership.invitations) | {partnership.proposer_city_id}
    return _suggest(
        ctx,
        index,
        partnership.proposer_city_id,
        f"proposal-{partnership_id}",
        lambda w: words.why_proposal(w, partnership.title),
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
            _suggest(ctx, index, profile.id, week, lambda w: words.why_weekly(w, week), delivery=delivery)
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
    today = ctx.now().date()

    def build(w, officer, _city_id):
        title, body = texts.milestone_due(w, project.title, milestone["title"], due, today)
        version = f"{milestone_id}:{due_on}:{phase}"
        return Message(NotificationKind.MILESTONE_DUE, "project", project_id, version, title, body)

    return tell(Delivery(ctx), officers(ctx, project.member_city_ids), build).finish()


def send_agreement_unsigned(agreement_id: str) -> dict[str, Any]:
    """An agreement still not signed by every party 30 days after drafting: tell the parties' cities."""
    ctx = current_context()
    agreement = load_or_none(ctx, Agreement, agreement_id)
    if agreement is None or agreement.status != AgreementStatus.DRAFTED or not agreement.unsigned_parties:
        return skip("the agreement is signed or terminated")
    city_ids = [p["city_id"] for p in agreement.parties if p["city_id"]]

    def build(w, officer, _city_id):
        title, body = texts.agreement_unsigned(
            w, agreement.title, agreement.kind, agreement.created_on.date(), agreement.unsigned_parties
        )
        return Message(NotificationKind.AGREEMENT_UNSIGNED, "agreement", agreement_id, "30d", title, body)

    return tell(Delivery(ctx), officers(ctx, city_ids), build).finish()
