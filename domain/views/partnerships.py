"""The partnership board: partnerships with their invitations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from domain.model.partnership import Partnership
from domain.model.statuses import InvitationStatus, PartnershipStatus
from domain.storage import marks
from domain.views import timeline
from domain.views.cities import CITIES, name
from domain.views.codec import contains, day, dump, instant, member, parse_day, parse_instant
from domain.views.context import Context, handles, looks_up
from domain.views.paging import Page, Where, check_limit, check_text, decode_cursor, encode_cursor, split
from domain.views.table import Table
from domain.views.timeline import listing, quoted, tells

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
    names = listing([name(ctx, c, position) for c in dict.fromkeys(e.invited_city_ids)])
    return f"{name(ctx, e.proposer_city_id, position)} proposed {quoted(e.title)} to {names}"


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
    return f"{name(ctx, p['proposer'], position)} invited {name(ctx, e.city_id, position)} to {quoted(p['title'])}"


def _answer(ctx: Context, position: int, e: Any, status: str, reason: str | None) -> None:
    pid = str(e.originator_id)
    partnership = ctx.get("partnerships", pid)
    if partnership is None:
        return
    invitation = partnership["invitations"].get(e.city_id)
    hours = None
    if invitation is not None:
        hours = max(0.0, (e.timestamp - parse_instant(invitation["invited_at"])) / timedelta(hours=1))
        invitation["status"] = status
    ctx.db.update_key(
        INVITATIONS.name,
        (pid, e.city_id),
        {"status": status, "answered_at": instant(e.timestamp), "reason": reason, "response_hours": hours},
    )
    ctx.touch(PARTNERSHIPS.name, e, pid)
    timeline.record(ctx, involved(partnership, e.city_id), position)


@tells(Partnership.InvitationAccepted, Partnership.InvitationDeclined)
def _answered(ctx: Context, position: int, e: Any) -> str:
    verb = "accepted" if isinstance(e, Partnership.InvitationAccepted) else "declined"
    title = ctx.get("partnerships", str(e.originator_id))["title"]
    return f"{name(ctx, e.city_id, position)} {verb} the invitation to {quoted(title)}"


@handles(Partnership.InvitationAccepted, Partnership.InvitationDeclined)
def answered(ctx: Context, position: int, e: Any) -> None:
    if isinstance(e, Partnership.InvitationAccepted):
        _answer(ctx, position, e, InvitationStatus.ACCEPTED, None)
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
    Partnership.PartnershipActivated: lambda ctx, at, e, p: f"{quoted(p['title'])} became active",
    Partnership.PartnershipDeclined: lambda ctx, at, e, p: f"{quoted(p['title'])} was declined by every invited city",
    Partnership.ProposalWithdrawn: lambda ctx, at, e, p: (
        f"{name(ctx, p['proposer'], at)} withdrew {quoted(p['title'])}"
    ),
    Partnership.ActionPlanAdopted: lambda ctx, at, e, p: (
        f"An action plan for {quoted(p['title'])} was adopted on {day(e.adopted_on)}"
    ),
    Partnership.PartnershipConcluded: lambda ctx, at, e, p: f"{quoted(p['title'])} concluded",
}


@tells(*STAGES)
def _stage(ctx: Context, position: int, e: Any) -> str:
    return STAGES[type(e)](ctx, position, e, ctx.get("partnerships", str(e.originator_id)))


@handles(Partnership.ProgrammeAssigned)
def programme_assigned(ctx: Context, position: int, e: Any) -> None:
    """The upgrade placed a partnership recorded before programmes existed."""
    ctx.touch(PARTNERSHIPS.name, e, programme_id=e.programme_id)


# -- queries ---------------------------------------------------------------------------------

_BOARD = (
    f"SELECT p.*, c.name AS proposer_name FROM {PARTNERSHIPS.name} p LEFT JOIN {CITIES.name} c"
    " ON c.id = p.proposer_city_id"
)


class PartnershipQueries:
    """Mixed into ``Views``."""

    def partnerships(
        self,
        status: str | None = None,
        city_id: str | None = None,
        theme: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        programme_id: str | None = None,
    ) -> Page:
        """Newest first; ``city_id`` as proposer or invitee."""
        limit = check_limit(limit)
        after = decode_cursor("partnerships", cursor, int)
        where = Where()
        if status := check_text(status, "status"):
            where.add("p.status = ?", status)
        if city_id := check_text(city_id, "city_id"):
            where.add(
                f"(p.proposer_city_id = ? OR p.id IN (SELECT partnership_id FROM {INVITATIONS.name} WHERE city_id = ?))",
                str(city_id),
                str(city_id),
            )
        if theme := check_text(theme, "theme"):
            where.add(contains("p.themes"), member(theme))
        if programme_id := check_text(programme_id, "programme_id"):
            where.add("p.programme_id = ?", programme_id)
        if after:
            where.add("p.position < ?", after[0])
        with self._read() as db:
            rows = db.all(f"{_BOARD}{where.sql()} ORDER BY p.position DESC LIMIT ?", (*where.params, limit + 1))
            rows, next_cursor = split(rows, limit, lambda r: encode_cursor("partnerships", r["position"]))
            return {"items": partnership_items(db, rows), "next_cursor": next_cursor}

    def partnership(self, partnership_id: str) -> dict[str, Any] | None:
        with self._read() as db:
            rows = db.all(f"{_BOARD} WHERE p.id = ?", (str(partnership_id),))
            return partnership_items(db, rows)[0] if rows else None


def partnership_items(db: Any, rows: list[dict]) -> list[dict]:
    ids = [r["id"] for r in rows]
    invitations: dict[str, list[dict]] = defaultdict(list)
    if ids:
        for stored in db.all(
            f"SELECT i.*, c.name FROM {INVITATIONS.name} i LEFT JOIN {CITIES.name} c ON c.id = i.city_id"
            f" WHERE i.partnership_id IN ({marks(ids)}) ORDER BY i.position, i.ordinal",
            ids,
        ):
            i = INVITATIONS.decode(stored)
            shown = {k: i[k] for k in ("city_id", "status", "invited_at", "answered_at", "reason")}
            invitations[i["partnership_id"]].append({**shown, "name": stored["name"]})
    items = []
    for stored in rows:
        r = PARTNERSHIPS.decode(stored)
        plan = r["action_plan"]
        if plan:
            plan["adopted_on"] = parse_day(plan["adopted_on"])
        own = (
            "id",
            "title",
            "status",
            "proposer_city_id",
            "programme_id",
            "themes",
            "description",
            "outcome",
            "closing_reason",
        )
        # proposed_at: a deprecated alias of created_at, kept for one release
        when = ("version", "proposed_at", "updated_at", "position")
        items.append(
            {
                **{k: r[k] for k in (*own, *when)},
                "proposer_name": stored["proposer_name"],
                "invitations": invitations[r["id"]],
                "member_city_ids": [r["proposer_city_id"]]
                + [i["city_id"] for i in invitations[r["id"]] if i["status"] == InvitationStatus.ACCEPTED],
                "action_plan": plan,
                "created_at": r["proposed_at"],
            }
        )
    return items
