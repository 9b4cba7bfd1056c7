"""RQ job functions (importable by path: ``workers.jobs.<name>``).

Each job takes primitive arguments, builds what it needs from the per-process
context (``workers.context.current_context()``), re-reads the aggregate, decides
whether the notification still makes sense (a cancelled or moved meeting, an
answered invitation, an achieved milestone… sends nothing), and delivers through
``workers.delivery`` (Notification recorded first, so a second run sends nothing).
Each answers a small summary dict, kept as the job's result.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from rq import Queue, get_current_job

from domain.errors import NotFound
from domain.matchmaking import MatchIndex
from domain.model.agreement import Agreement
from domain.model.city import City
from domain.model.meeting import Meeting
from domain.model.partnership import PENDING, Partnership
from domain.model.project import PilotProject
from domain.model.user import User
from workers import messages
from workers.calendar import meeting_ics
from workers.context import JobContext, current_context
from workers.delivery import Delivery, Message
from workers.profiles import load_profiles
from workers.scheduling import arm_weekly_digest

log = logging.getLogger(__name__)
AGREEMENT_UNSIGNED_AFTER = timedelta(days=30)
MILESTONE_WARNING = timedelta(days=7)


def _skip(reason: str, **extra: Any) -> dict[str, Any]:
    log.info("skipped: %s (nothing sent)", reason)
    return {"skipped": reason, **extra}


def _load(ctx: JobContext, cls: type, aggregate_id: str):
    try:
        return ctx.programme.load(cls, aggregate_id)
    except NotFound:
        return None


class _Cities:
    """Cities loaded once per job."""

    def __init__(self, ctx: JobContext) -> None:
        self.ctx, self.cache = ctx, {}

    def __getitem__(self, city_id: str) -> City:
        if city_id not in self.cache:
            self.cache[city_id] = self.ctx.programme.load(City, city_id)
        return self.cache[city_id]


def _officers(ctx: JobContext, city_ids: list[str]) -> list[tuple[User, str]]:
    """(officer, city id) for every active officer of these cities, each person once."""
    seen, found = set(), []
    for city_id in city_ids:
        for officer in ctx.programme.officers_of(city_id):
            if officer.id not in seen:
                seen.add(officer.id)
                found.append((officer, city_id))
    return found


# -- partnerships ------------------------------------------------------------------------


def send_partnership_invitation(partnership_id: str, city_ids: list[str], version: int) -> dict[str, Any]:
    """Tell the officers of each invited city, at once, while the invitation is still pending."""
    ctx = current_context()
    partnership = _load(ctx, Partnership, partnership_id)
    if partnership is None or partnership.status not in ("proposed", "active"):
        return _skip("the partnership is no longer open")
    cities = _Cities(ctx)
    proposer = cities[partnership.proposer_city_id]
    delivery = Delivery(ctx)
    for city_id in city_ids:
        invitation = partnership.invitations.get(city_id)
        if invitation is None or invitation["status"] != PENDING:
            continue
        title, body = messages.partnership_invitation(
            proposer.name,
            cities[city_id].name,
            partnership.title,
            partnership.themes,
            partnership.description,
        )
        for officer, _ in _officers(ctx, [city_id]):
            delivery.deliver(officer, Message("invitation", "partnership", partnership_id, version, title, body))
    return delivery.finish()


def send_invitation_nudge(partnership_id: str, city_id: str, version: int) -> dict[str, Any]:
    """Remind an invited city's officers of an invitation still unanswered after INVITATION_NUDGE_AFTER."""
    ctx = current_context()
    partnership = _load(ctx, Partnership, partnership_id)
    if partnership is None or partnership.status != "proposed":
        return _skip("the partnership is no longer waiting for answers")
    invitation = partnership.invitations.get(city_id)
    if invitation is None or invitation["status"] != PENDING:
        return _skip("the invitation has been answered")
    cities = _Cities(ctx)
    since = ctx.now() - invitation["invited_at"]
    title, body = messages.invitation_nudge(
        cities[partnership.proposer_city_id].name,
        cities[city_id].name,
        partnership.title,
        timedelta(seconds=round(since.total_seconds())),
    )
    delivery = Delivery(ctx)
    for officer, _ in _officers(ctx, [city_id]):
        delivery.deliver(officer, Message("invitation_nudge", "partnership", partnership_id, version, title, body))
    return delivery.finish()


# -- meetings ----------------------------------------------------------------------------


def _meeting_mail(
    ctx: JobContext,
    meeting: Meeting,
    officer: User,
    city: City,
    kind: str,
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
    cities = _Cities(ctx)
    delivery = Delivery(ctx)
    for officer, city_id in _officers(ctx, city_ids):
        delivery.deliver(officer, _meeting_mail(ctx, meeting, officer, cities[city_id], kind, version, method, words))
    return delivery.finish()


def send_meeting_invitation(meeting_id: str, city_ids: list[str], version: int) -> dict[str, Any]:
    """Tell the invited cities' officers, with the .ics REQUEST as the session stands now."""
    ctx = current_context()
    meeting = _load(ctx, Meeting, meeting_id)
    if meeting is None or meeting.status != "scheduled":
        return _skip("the session is no longer scheduled")
    if ctx.now() >= meeting.ends_at:
        return _skip("the session is over")
    invited = [c for c in city_ids if c in meeting.invited_city_ids]
    cities = _Cities(ctx)

    def words(when: str, city_id: str) -> tuple[str, str]:
        return messages.meeting_invitation(
            cities[city_id].name, meeting.kind, meeting.title, when, meeting.location, meeting.url
        )

    delivery = Delivery(ctx)
    for officer, city_id in _officers(ctx, invited):
        message = _meeting_mail(
            ctx,
            meeting,
            officer,
            cities[city_id],
            "invitation",
            version,
            "REQUEST",
            lambda when, c=city_id: words(when, c),
        )
        delivery.deliver(officer, message)
    return delivery.finish()


def send_meeting_reminder(meeting_id: str, sequence: int, offset_seconds: int) -> dict[str, Any]:
    """A reminder ``offset_seconds`` before the start; nothing if the session was cancelled or moved since."""
    ctx = current_context()
    meeting = _load(ctx, Meeting, meeting_id)
    if meeting is None or meeting.status != "scheduled":
        return _skip("the session is no longer scheduled")
    if meeting.sequence != sequence:
        return _skip("the session has moved; the reminders of its new time will be sent")
    if ctx.now() >= meeting.starts_at:
        return _skip("the session has already started")
    offset = timedelta(seconds=offset_seconds)
    return _deliver_to_meeting(
        ctx,
        meeting,
        meeting.invited_city_ids,
        "meeting_reminder",
        f"{sequence}-{offset_seconds}",
        "REQUEST",
        lambda when: messages.meeting_reminder(
            meeting.kind, meeting.title, offset, when, meeting.location, meeting.url
        ),
    )


def send_meeting_update(meeting_id: str, sequence: int) -> dict[str, Any]:
    """A moved session: the same UID with the higher SEQUENCE, so calendars update the event."""
    ctx = current_context()
    meeting = _load(ctx, Meeting, meeting_id)
    if meeting is None or meeting.status != "scheduled":
        return _skip("the session is no longer scheduled")
    if meeting.sequence != sequence:
        return _skip("the session has moved again; the later update will be sent")
    return _deliver_to_meeting(
        ctx,
        meeting,
        meeting.invited_city_ids,
        "meeting_update",
        sequence,
        "REQUEST",
        lambda when: messages.meeting_moved(meeting.kind, meeting.title, when, meeting.location, meeting.url),
    )


def send_meeting_cancellation(meeting_id: str, sequence: int) -> dict[str, Any]:
    """A cancelled session: METHOD:CANCEL with the same UID, so calendars remove it."""
    ctx = current_context()
    meeting = _load(ctx, Meeting, meeting_id)
    if meeting is None or meeting.status != "cancelled" or meeting.sequence != sequence:
        return _skip("the session is not cancelled at this sequence")
    return _deliver_to_meeting(
        ctx,
        meeting,
        meeting.invited_city_ids,
        "meeting_update",
        sequence,
        "CANCEL",
        lambda when: messages.meeting_cancelled(meeting.kind, meeting.title, when, meeting.cancel_reason),
    )


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
    for officer, _ in _officers(ctx, [city_id]):
        delivery.deliver(officer, Message("suggestion", "city", city_id, trigger, title, body))
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
    partnership = _load(ctx, Partnership, partnership_id)
    if partnership is None or partnership.status != "proposed":
        return _skip("the proposal is no longer open")
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
    project = _load(ctx, PilotProject, project_id)
    if project is None or project.status != "active":
        return _skip("the pilot project is closed")
    milestone = project.milestones.get(milestone_id)
    due = date.fromisoformat(due_on)
    if milestone is None or milestone["status"] != "planned":
        return _skip("the milestone is achieved")
    if milestone["due_on"] != due:
        return _skip("the milestone was rescheduled; the new date has its own reminders")
    title, body = messages.milestone_due(project.title, milestone["title"], due, ctx.now().date())
    delivery = Delivery(ctx)
    for officer, _ in _officers(ctx, project.member_city_ids):
        delivery.deliver(
            officer, Message("milestone_due", "project", project_id, f"{milestone_id}:{due_on}:{phase}", title, body)
        )
    return delivery.finish()


def send_agreement_unsigned(agreement_id: str) -> dict[str, Any]:
    """An agreement still not signed by every party 30 days after drafting: tell the parties' cities."""
    ctx = current_context()
    agreement = _load(ctx, Agreement, agreement_id)
    if agreement is None or agreement.status != "drafted" or not agreement.unsigned_parties:
        return _skip("the agreement is signed or terminated")
    title, body = messages.agreement_unsigned(
        agreement.title, agreement.kind, agreement.created_on.date(), agreement.unsigned_parties
    )
    city_ids = [p["city_id"] for p in agreement.parties if p["city_id"]]
    delivery = Delivery(ctx)
    for officer, _ in _officers(ctx, city_ids):
        delivery.deliver(officer, Message("agreement_unsigned", "agreement", agreement_id, "30d", title, body))
    return delivery.finish()
