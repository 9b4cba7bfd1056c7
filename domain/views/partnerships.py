"""The partnership board: partnerships with their invitations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from domain.model.partnership import Partnership
from domain.model.statuses import InvitationStatus, PartnershipStatus
from domain.views import timeline
from domain.views.cities import name
from domain.views.codec import day, dump, instant, parse_instant
from domain.views.context import Context, handles, looks_up
from domain.views.table import Table
from domain.views.timeline import quoted, tells
from domain.views.told import Names, Told

PARTNERSHIPS = Table(
    "view_partnerships",
    "id, title, proposer_city_id, programme_id?, status, themes:json, description?, action_plan:json?, outcome?, closing_reason?,"
    " proposed_at:instant, updated_at:instant, version:int, position:bigint",
    key="id",
    indexes={
        "by_position": "position",
        "by_status": "status, position",
        "by_proposer": "proposer_city_id, position",
        "by_programme": "programme_id, position",
    },
)
INVITATIONS = Table(
    "view_invitations",
    "partnership_id, city_id, status, invited_at:instant, answered_at:instant?, reason?, response_hours:real?,"
    " position:bigint, ordinal:int",
    key="partnership_id, city_id",
    indexes={"by_city": "city_id, status, position"},
)
TABLES = (PARTNERSHIPS, INVITATIONS)


@looks_up("partnerships", copy=lambda p: {**p, "invitations": {c: dict(i) for c, i in p["invitations"].items()}})
def _load(db: Any, pid: str) -> dict[str, Any] | None:
    row = db.one(f"SELECT title, proposer_city_id, status FROM {PARTNERSHIPS.name} WHERE id = ?", (pid,))
    if row is None:
        return None
    invitations = db.all(
        f"SELECT city_id, status, invited_at FROM {INVITATIONS.name} WHERE partnership_id = ? ORDER BY position, ordinal",
        (pid,),
    )
    return {
        "title": row["title"],
        "proposer": row["proposer_city_id"],
        "status": row["status"],
        "invitations": {r["city_id"]: {"status": r["status"], "invited_at": r["invited_at"]} for r in invitations},
    }


def involved(partnership: dict[str, Any], also: str | None = None) -> list[str]:
    """The proposer, every invitee that has not declined, and the city the event names."""
    cities = [partnership["proposer"]]
    cities += [c for c, i in partnership["invitations"].items() if i["status"] != InvitationStatus.DECLINED]
    if also and also not in cities:
        cities.append(also)
    return cities


# -- handlers --------------------------------------------------------------------------------


def _invite(ctx: Context, pid: str, city_id: str, at: str, position: int, ordinal: int) -> None:
    INVITATIONS.insert(
        ctx.db,
        partnership_id=pid,
        city_id=city_id,
        status=InvitationStatus.PENDING,
        invited_at=at,
        position=position,
        ordinal=ordinal,
    )


@handles(Partnership.PartnershipProposed)
def proposed(ctx: Context, position: int, e: Any) -> None:
    pid, at = str(e.originator_id), instant(e.timestamp)
    invited = list(dict.fromkeys(e.invited_city_ids))
    PARTNERSHIPS.insert(
        ctx.db,
        id=pid,
        title=e.title,
        proposer_city_id=e.proposer_city_id,
        programme_id=e.programme_id,
        status=PartnershipStatus.PROPOSED,
        themes=dump(list(e.themes)),
        description=e.description,
        proposed_at=at,
        updated_at=at,
        version=e.originator_version,
        position=position,
    )
    for ordinal, city_id in enumerate(invited):
        _invite(ctx, pid, city_id, at, position, ordinal)
    partnership = {
        "title": e.title,
        "proposer": e.proposer_city_id,
        "status": PartnershipStatus.PROPOSED,
        "invitations": {c: {"status": InvitationStatus.PENDING, "invited_at": at} for c in invited},
    }
    ctx.put("partnerships", pid, partnership)
    timeline.record(ctx, involved(partnership), position)


@tells(Partnership.PartnershipProposed)
def _proposed(ctx: Context, position: int, e: Any) -> str:
    return Told(
        "{city} proposed {partnership} to {cities}",
        city=name(ctx, e.proposer_city_id, position),
        partnership=quoted(e.title),
        cities=Names([name(ctx, c, position) for c in dict.fromkeys(e.invited_city_ids)]),
    )


@handles(Partnership.PartnerInvited)
def partner_invited(ctx: Context, position: int, e: Any) -> None:
    pid, at = str(e.originator_id), instant(e.timestamp)
    partnership = ctx.get("partnerships", pid)
    if partnership is None:
        return
    _invite(ctx, pid, e.city_id, at, position, 0)
    partnership["invitations"][e.city_id] = {"status": InvitationStatus.PENDING, "invited_at": at}
    ctx.touch(PARTNERSHIPS.name, e, pid)
    timeline.record(ctx, involved(partnership, e.city_id), position)


@tells(Partnership.PartnerInvited)
def _partner_invited(ctx: Context, position: int, e: Any) -> str:
    p = ctx.get("partnerships", str(e.originator_id))
    return Told(
        "{city} invited {invited} to {partnership}",
        city=name(ctx, p["proposer"], position),
        invited=name(ctx, e.city_id, position),
        partnership=quoted(p["title"]),
    )


def _answer(ctx: Context, position: int, e: Any, status: str, reason: str | None, answered: bool = True) -> None:
    pid = str(e.originator_id)
    partnership = ctx.get("partnerships", pid)
    if partnership is None:
        return
    invitation = partnership["invitations"].get(e.city_id)
    hours = None
    if invitation is not None:
        invitation["status"] = status
    if invitation is not None and answered:  # a lapsed invitation was never answered: no response time
        hours = max(0.0, (e.timestamp - parse_instant(invitation["invited_at"])) / timedelta(hours=1))
    ctx.db.update_key(
        INVITATIONS.name,
        (pid, e.city_id),
        {"status": status, "answered_at": instant(e.timestamp), "reason": reason, "response_hours": hours},
    )
    ctx.touch(PARTNERSHIPS.name, e, pid)
    timeline.record(ctx, involved(partnership, e.city_id), position)


@tells(Partnership.InvitationAccepted, Partnership.InvitationDeclined, Partnership.InvitationExpired)
def _answered(ctx: Context, position: int, e: Any) -> str:
    title = quoted(ctx.get("partnerships", str(e.originator_id))["title"])
    city = name(ctx, e.city_id, position)
    if isinstance(e, Partnership.InvitationExpired):
        return Told("The invitation of {city} to {partnership} expired unanswered", city=city, partnership=title)
    if isinstance(e, Partnership.InvitationAccepted):
        return Told("{city} accepted the invitation to {partnership}", city=city, partnership=title)
    return Told("{city} declined the invitation to {partnership}", city=city, partnership=title)


@handles(Partnership.InvitationAccepted, Partnership.InvitationDeclined, Partnership.InvitationExpired)
def answered(ctx: Context, position: int, e: Any) -> None:
    if isinstance(e, Partnership.InvitationAccepted):
        _answer(ctx, position, e, InvitationStatus.ACCEPTED, None)
    elif isinstance(e, Partnership.InvitationExpired):
        _answer(ctx, position, e, InvitationStatus.EXPIRED, None, answered=False)
    else:
        _answer(ctx, position, e, InvitationStatus.DECLINED, getattr(e, "reason", None))


def _change(ctx: Context, position: int, e: Any, **columns: Any) -> None:
    pid = str(e.originator_id)
    partnership = ctx.get("partnerships", pid)
    if partnership is None:
        return
    ctx.touch(PARTNERSHIPS.name, e, pid, **columns)
    if "status" in columns:
        partnership["status"] = columns["status"]
    timeline.record(ctx, involved(partnership), position)


CHANGES: dict[type, Callable[[Any], dict[str, Any]]] = {
    Partnership.PartnershipActivated: lambda e: {"status": PartnershipStatus.ACTIVE},
    Partnership.PartnershipDeclined: lambda e: {"status": PartnershipStatus.DECLINED},
    Partnership.ProposalWithdrawn: lambda e: {
        "status": PartnershipStatus.WITHDRAWN,
        "closing_reason": getattr(e, "reason", None),
    },
    Partnership.ActionPlanAdopted: lambda e: {
        "action_plan": dump({"summary": e.summary, "adopted_on": day(e.adopted_on)})
    },
    Partnership.PartnershipConcluded: lambda e: {"status": PartnershipStatus.CONCLUDED, "outcome": e.outcome},
}


@handles(*CHANGES)
def changed(ctx: Context, position: int, e: Any) -> None:
    _change(ctx, position, e, **CHANGES[type(e)](e))


STAGES: dict[type, Callable[[Context, int, Any, dict], str]] = {
    Partnership.PartnershipActivated: lambda ctx, at, e, p: Told(
        "{partnership} became active", partnership=quoted(p["title"])
    ),
    Partnership.PartnershipDeclined: lambda ctx, at, e, p: Told(
        "{partnership} was declined by every invited city", partnership=quoted(p["title"])
    ),
    Partnership.ProposalWithdrawn: lambda ctx, at, e, p: Told(
        "{city} withdrew {partnership}", city=name(ctx, p["proposer"], at), partnership=quoted(p["title"])
    ),
    Partnership.ActionPlanAdopted: lambda ctx, at, e, p: Told(
        "An action plan for {partnership} was adopted on {day}", partnership=quoted(p["title"]), day=day(e.adopted_on)
    ),
    Partnership.PartnershipConcluded: lambda ctx, at, e, p: Told(
        "{partnership} concluded", partnership=quoted(p["title"])
    ),
}


@tells(*STAGES)
def _stage(ctx: Context, position: int, e: Any) -> str:
    return STAGES[type(e)](ctx, position, e, ctx.get("partnerships", str(e.originator_id)))


@handles(Partnership.ProgrammeAssigned)
def programme_assigned(ctx: Context, position: int, e: Any) -> None:
    """The upgrade placed a partnership recorded before programmes existed."""
    ctx.touch(PARTNERSHIPS.name, e, programme_id=e.programme_id)
