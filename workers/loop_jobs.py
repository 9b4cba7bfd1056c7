"""Jobs that close the loop: the proposer hears the answer, members hear of activation, parties of
signatures, members of milestones achieved and projects completed; and the invitation-expiry job.

Each re-reads its aggregate (at the event's version where the message is about that moment),
words the message for each recipient in their language, and never tells the person who acted.
"""

from __future__ import annotations

from typing import Any

from domain.access import SYSTEM, SYSTEM_USER_ID
from domain.errors import NotFound, RuleBroken
from domain.model.agreement import Agreement
from domain.model.partnership import Partnership
from domain.model.project import PilotProject
from domain.model.statuses import InvitationStatus, NotificationKind, Role
from domain.model.user import User
from workers.context import JobContext, current_context
from workers.delivery import Delivery, Message
from workers.job_support import Cities, load_or_none, officers, skip, tell
from workers.messages import Words
from workers.messages import partnerships as words
from workers.messages import projects as texts


def _person(ctx: JobContext, w: Words, actor: str | None) -> str:
    """Who acted, by role and city, never by name: a notification stays in the log as its recipient's
    record, where the actor's name would be their personal data out of reach of their erasure."""
    if not actor or actor == SYSTEM_USER_ID:
        return w._("twinning (automatic)")
    try:
        user = ctx.programme.load(User, actor)
    except NotFound:
        return w._("Someone")
    if user.role == Role.OFFICER and user.city_id:
        return w._("An officer of %(city)s", city=w.city(Cities(ctx)[user.city_id]))
    if user.role == Role.FACILITATOR:
        return w._("A facilitator")
    return w._("An administrator") if user.role == Role.ADMIN else w._("Someone")


def _at(ctx: JobContext, cls: type, aggregate_id: str, version: int):
    try:
        return ctx.programme.load(cls, aggregate_id, version=version)
    except NotFound:
        return None


# -- partnerships ------------------------------------------------------------------------


def send_invitation_answered(partnership_id: str, city_id: str, version: int, actor: str) -> dict[str, Any]:
    """The proposer city's officers hear who answered for which city, how, and why."""
    ctx = current_context()
    partnership = _at(ctx, Partnership, partnership_id, version)
    invitation = partnership.invitations.get(city_id) if partnership is not None else None
    if invitation is None or invitation["status"] not in (InvitationStatus.ACCEPTED, InvitationStatus.DECLINED):
        return skip("no answer of this city at this version")
    cities = Cities(ctx)
    accepted = invitation["status"] == InvitationStatus.ACCEPTED

    def build(w: Words, officer: User, _city: str) -> Message:
        title, body = words.invitation_answered(
            w, w.city(cities[city_id]), _person(ctx, w, actor), accepted, partnership.title, invitation["reason"]
        )
        return Message(NotificationKind.INVITATION_ANSWERED, "partnership", partnership_id, version, title, body)

    return tell(Delivery(ctx), officers(ctx, [partnership.proposer_city_id]), build, actor).finish()


def send_partnership_activated(partnership_id: str, version: int, actor: str) -> dict[str, Any]:
    """Every member city's officers (the proposer and those who accepted) hear it is active."""
    ctx = current_context()
    partnership = _at(ctx, Partnership, partnership_id, version)
    if partnership is None:
        return skip("the partnership is gone")
    cities = Cities(ctx)
    members = partnership.member_city_ids

    def build(w: Words, officer: User, _city: str) -> Message:
        title, body = words.partnership_activated(w, partnership.title, [w.city(cities[c]) for c in members])
        return Message(NotificationKind.PARTNERSHIP_ACTIVATED, "partnership", partnership_id, version, title, body)

    return tell(Delivery(ctx), officers(ctx, members), build, actor).finish()


def expire_invitation(partnership_id: str, city_id: str) -> dict[str, Any]:
    """INVITATION_EXPIRES_AFTER after it was sent, an invitation still pending expires (the system acts)."""
    ctx = current_context()
    try:
        ctx.programme.expire_invitation(SYSTEM, partnership_id, city_id, expires_after=ctx.invitation_expires_after)
    except NotFound:
        return skip("the partnership is gone")
    except RuleBroken as error:  # answered, withdrawn, or not yet old enough: nothing to expire
        return skip(f"the invitation did not expire: {error}")
    return {"expired": city_id}


def send_invitation_expired(partnership_id: str, city_id: str, version: int) -> dict[str, Any]:
    """The proposer's officers and the silent city's officers hear that the invitation lapsed."""
    ctx = current_context()
    partnership = _at(ctx, Partnership, partnership_id, version)
    if partnership is None:
        return skip("the partnership is gone")
    cities = Cities(ctx)

    def build(w: Words, officer: User, _city: str) -> Message:
        title, body = words.invitation_expired(
            w,
            w.city(cities[partnership.proposer_city_id]),
            w.city(cities[city_id]),
            partnership.title,
            ctx.invitation_expires_after,
        )
        return Message(NotificationKind.INVITATION_EXPIRED, "partnership", partnership_id, version, title, body)

    return tell(Delivery(ctx), officers(ctx, [partnership.proposer_city_id, city_id]), build).finish()


# -- agreements and projects -------------------------------------------------------------


def _party_cities(agreement: Agreement, but: str | None = None) -> list[str]:
    return [p["city_id"] for p in agreement.parties if p["city_id"] and p["city_id"] != but]


def send_agreement_signed(agreement_id: str, party: str, version: int, actor: str) -> dict[str, Any]:
    """The other parties' officers hear that one party signed."""
    ctx = current_context()
    agreement = _at(ctx, Agreement, agreement_id, version)
    if agreement is None:
        return skip("the agreement is gone")
    if not agreement.unsigned_parties:
        return skip("the last signature: the in-force notice tells every party")
    signer = agreement.party(party)
    others = _party_cities(agreement, signer["city_id"])

    def build(w: Words, officer: User, _city: str) -> Message:
        title, body = texts.agreement_signed(
            w, agreement.title, agreement.kind, signer["name"], signer["signed_on"], agreement.unsigned_parties
        )
        return Message(NotificationKind.AGREEMENT_SIGNED, "agreement", agreement_id, version, title, body)

    return tell(Delivery(ctx), officers(ctx, others), build, actor).finish()


def send_agreement_in_force(agreement_id: str, version: int, actor: str) -> dict[str, Any]:
    """Every party's officers hear that the agreement is in force."""
    ctx = current_context()
    agreement = _at(ctx, Agreement, agreement_id, version)
    if agreement is None or agreement.in_force_on is None:
        return skip("the agreement is not in force at this version")

    def build(w: Words, officer: User, _city: str) -> Message:
        parties = [p["name"] for p in agreement.parties]
        title, body = texts.agreement_in_force(w, agreement.title, agreement.kind, agreement.in_force_on, parties)
        return Message(NotificationKind.AGREEMENT_IN_FORCE, "agreement", agreement_id, version, title, body)

    return tell(Delivery(ctx), officers(ctx, _party_cities(agreement)), build, actor).finish()


def send_milestone_achieved(project_id: str, milestone_id: str, version: int, actor: str) -> dict[str, Any]:
    ctx = current_context()
    project = _at(ctx, PilotProject, project_id, version)
    milestone = project.milestones.get(milestone_id) if project is not None else None
    if milestone is None or milestone["achieved_on"] is None:
        return skip("the milestone is not achieved at this version")

    def build(w: Words, officer: User, _city: str) -> Message:
        title, body = texts.milestone_achieved(
            w, project.title, milestone["title"], milestone["achieved_on"], _person(ctx, w, actor), milestone["note"]
        )
        return Message(NotificationKind.MILESTONE_ACHIEVED, "project", project_id, version, title, body)

    return tell(Delivery(ctx), officers(ctx, project.member_city_ids), build, actor).finish()


def send_project_completed(project_id: str, version: int, actor: str) -> dict[str, Any]:
    ctx = current_context()
    project = load_or_none(ctx, PilotProject, project_id)
    if project is None or project.summary is None:
        return skip("the project is not completed")

    def build(w: Words, officer: User, _city: str) -> Message:
        title, body = texts.project_completed(w, project.title, _person(ctx, w, actor), project.summary)
        return Message(NotificationKind.PROJECT_COMPLETED, "project", project_id, version, title, body)

    return tell(Delivery(ctx), officers(ctx, project.member_city_ids), build, actor).finish()
