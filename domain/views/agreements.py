"""Agreements (MoUs, letters of intent...) with their parties and signatures."""

from __future__ import annotations

from typing import Any

from domain.model.agreement import Agreement
from domain.model.statuses import AgreementStatus
from domain.privacy.personal import pseudonym
from domain.views import timeline
from domain.views.codec import day, dump, instant, load, parse_day
from domain.views.context import Context, handles, looks_up, on_erasure
from domain.views.paging import Page, Where, check_limit, check_text, decode_cursor, encode_cursor, split
from domain.views.table import Table
from domain.views.timeline import quoted, tells
from domain.views.told import Names, Told

AGREEMENTS = Table(
    "view_agreements",
    "id, title, kind, status, parties:json, topics:json, partnership_id?, programme_id?, in_force_on:day?, terminated_on:day?,"
    " termination_reason?, drafted_at:instant, updated_at:instant, version:int, position:bigint",
    key="id",
    indexes={
        "by_position": "position",
        "by_status": "status, position",
        "by_partnership": "partnership_id, position",
    },
)
AGREEMENT_CITIES = Table(
    "view_agreement_cities",
    "agreement_id, city_id",
    key="agreement_id, city_id",
    indexes={"by_city": "city_id, agreement_id"},
)
TABLES = (AGREEMENTS, AGREEMENT_CITIES)


@looks_up("agreements", copy=lambda a: {**a, "parties": [dict(p) for p in a["parties"]]})
def _load(db: Any, aid: str) -> dict[str, Any] | None:
    row = db.one(f"SELECT title, kind, parties FROM {AGREEMENTS.name} WHERE id = ?", (aid,))
    return None if row is None else {"title": row["title"], "kind": row["kind"], "parties": load(row["parties"])}


def party_cities(agreement: dict[str, Any]) -> list[str]:
    cities: list[str] = []
    for party in agreement["parties"]:
        if party.get("city_id") and party["city_id"] not in cities:
            cities.append(party["city_id"])
    return cities


# -- handlers --------------------------------------------------------------------------------


@handles(Agreement.AgreementDrafted)
def drafted(ctx: Context, position: int, e: Any) -> None:
    aid, at = str(e.originator_id), instant(e.timestamp)
    parties = [
        {
            "name": p["name"],
            "city_id": p.get("city_id"),
            "signed_on": day(p.get("signed_on")),
            "signatory": p.get("signatory"),
        }
        for p in e.parties
    ]
    AGREEMENTS.insert(
        ctx.db,
        id=aid,
        title=e.title,
        kind=e.kind,
        status=AgreementStatus.DRAFTED,
        parties=dump(parties),
        topics=dump(list(e.topics)),
        partnership_id=e.partnership_id,
        programme_id=e.programme_id,
        drafted_at=at,
        updated_at=at,
        version=e.originator_version,
        position=position,
    )
    agreement = {"title": e.title, "kind": e.kind, "parties": parties}
    ctx.put("agreements", aid, agreement)
    cities = party_cities(agreement)
    for city_id in cities:
        AGREEMENT_CITIES.insert(ctx.db, agreement_id=aid, city_id=city_id)
    timeline.record(ctx, cities, position)


@handles(Agreement.PartySigned)
def party_signed(ctx: Context, position: int, e: Any) -> None:
    aid = str(e.originator_id)
    agreement = ctx.get("agreements", aid)
    if agreement is None:
        return
    for party in agreement["parties"]:
        if party["name"].casefold() == e.party.casefold():
            party["signed_on"], party["signatory"] = day(e.signed_on), e.signatory
    ctx.touch(AGREEMENTS.name, e, parties=dump(agreement["parties"]))
    timeline.record(ctx, party_cities(agreement), position)


@on_erasure
def signatory_erased(ctx: Context, position: int, e: Any) -> None:
    """The signatures the erased person recorded name them no more (the event lists them, by party)."""
    shown = pseudonym(str(e.originator_id))
    for aid, party_name in e.signatures:
        agreement = ctx.get("agreements", aid)
        if agreement is None:
            continue
        for party in agreement["parties"]:
            if party["name"].casefold() == party_name.casefold() and party.get("signatory") is not None:
                party["signatory"] = shown
        ctx.db.update_key(AGREEMENTS.name, (aid,), {"parties": dump(agreement["parties"])})


@handles(Agreement.AgreementInForce)
def in_force(ctx: Context, position: int, e: Any) -> None:
    aid = str(e.originator_id)
    agreement = ctx.get("agreements", aid)
    if agreement is None:
        return
    ctx.touch(AGREEMENTS.name, e, status=AgreementStatus.IN_FORCE, in_force_on=day(e.in_force_on))
    timeline.record(ctx, party_cities(agreement), position)


@handles(Agreement.ProgrammeAssigned)
def programme_assigned(ctx: Context, position: int, e: Any) -> None:
    """The upgrade placed an agreement recorded before programmes existed."""
    ctx.touch(AGREEMENTS.name, e, programme_id=e.programme_id)


@handles(Agreement.AgreementTerminated)
def terminated(ctx: Context, position: int, e: Any) -> None:
    aid = str(e.originator_id)
    agreement = ctx.get("agreements", aid)
    if agreement is None:
        return
    ctx.touch(
        AGREEMENTS.name, e, status=AgreementStatus.TERMINATED, terminated_on=day(e.on), termination_reason=e.reason
    )
    timeline.record(ctx, party_cities(agreement), position)


TOLD: dict[type, Any] = {
    Agreement.AgreementDrafted: lambda a, e: Told(
        "{kind} {agreement} drafted between {parties}",
        kind=e.kind.upper(),
        agreement=quoted(e.title),
        parties=Names([p["name"] for p in e.parties]),
    ),
    Agreement.PartySigned: lambda a, e: Told(
        "{party} signed {agreement} on {day}", party=e.party, agreement=quoted(a["title"]), day=day(e.signed_on)
    ),
    Agreement.AgreementInForce: lambda a, e: Told(
        "{agreement} entered into force on {day}", agreement=quoted(a["title"]), day=day(e.in_force_on)
    ),
    Agreement.AgreementTerminated: lambda a, e: Told(
        "{agreement} was terminated on {day}", agreement=quoted(a["title"]), day=day(e.on)
    ),
}


@tells(*TOLD)
def _told(ctx: Context, position: int, e: Any) -> str:
    return TOLD[type(e)](ctx.get("agreements", str(e.originator_id)), e)


# -- queries ---------------------------------------------------------------------------------


class AgreementQueries:
    """Mixed into ``Views``."""

    def agreements(
        self,
        status: str | None = None,
        kind: str | None = None,
        city_id: str | None = None,
        partnership_id: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        programme_id: str | None = None,
    ) -> Page:
        """Newest first."""
        limit = check_limit(limit)
        after = decode_cursor("agreements", cursor, int)
        where = Where()
        if status := check_text(status, "status"):
            where.add("status = ?", status)
        if kind := check_text(kind, "kind"):
            where.add("kind = ?", kind)
        if city_id := check_text(city_id, "city_id"):
            where.add(f"id IN (SELECT agreement_id FROM {AGREEMENT_CITIES.name} WHERE city_id = ?)", str(city_id))
        if partnership_id := check_text(partnership_id, "partnership_id"):
            where.add("partnership_id = ?", partnership_id)
        if programme_id := check_text(programme_id, "programme_id"):
            where.add("programme_id = ?", programme_id)
        if after:
            where.add("position < ?", after[0])
        with self._read() as db:
            rows = db.all(
                f"SELECT * FROM {AGREEMENTS.name}{where.sql()} ORDER BY position DESC LIMIT ?",
                (*where.params, limit + 1),
            )
        rows, next_cursor = split(rows, limit, lambda r: encode_cursor("agreements", r["position"]))
        return {"items": [agreement_item(r) for r in rows], "next_cursor": next_cursor}

    def agreement(self, agreement_id: str) -> dict[str, Any] | None:
        with self._read() as db:
            row = db.one(f"SELECT * FROM {AGREEMENTS.name} WHERE id = ?", (str(agreement_id),))
        return None if row is None else agreement_item(row)


def agreement_item(stored: dict) -> dict:
    r = AGREEMENTS.decode(stored)
    r["parties"] = [{**p, "signed_on": parse_day(p.get("signed_on"))} for p in r["parties"]]
    del r["position"]
    r["created_at"] = r["drafted_at"]  # drafted_at stays one release, deprecated
    return r
