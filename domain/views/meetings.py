"""The calendar: sessions with their invited cities (each city's list keeps the start time for its order)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from domain.model.meeting import Meeting
from domain.model.statuses import MeetingStatus
from domain.storage import Add, marks
from domain.views import timeline
from domain.views.cities import CITIES, name
from domain.views.codec import instant
from domain.views.context import Context, handles, looks_up
from domain.views.paging import (
    Page,
    Where,
    check_instant,
    check_limit,
    check_text,
    decode_cursor,
    encode_cursor,
    split,
)
from domain.views.table import Table
from domain.views.timeline import quoted, tells
from domain.views.told import Told, word

MEETINGS = Table(
    "view_meetings",
    "id, title, kind, starts_at:instant, ends_at:instant, duration_minutes:int, status, partnership_id?, programme_id?,"
    " cluster_id?, location?,"
    " url?, organiser_id?, sequence:int, attendance:int?, summary?, cancel_reason?, scheduled_at:instant,"
    " updated_at:instant, version:int, position:bigint",
    key="id",
    indexes={
        "by_start": "starts_at, id",
        "by_organiser": "organiser_id, starts_at, id",
        "by_status": "status, starts_at",
    },
)
MEETING_CITIES = Table(
    "view_meeting_cities",
    "meeting_id, city_id, starts_at:instant, attended:flag?, position:bigint, ordinal:int",
    key="meeting_id, city_id",
    indexes={"by_city": "city_id, starts_at, meeting_id"},
)
TABLES = (MEETINGS, MEETING_CITIES)


@looks_up("meetings", copy=lambda m: {**m, "cities": list(m["cities"])})
def _load(db: Any, mid: str) -> dict[str, Any] | None:
    row = db.one(f"SELECT title, kind, starts_at FROM {MEETINGS.name} WHERE id = ?", (mid,))
    if row is None:
        return None
    cities = db.all(
        f"SELECT city_id FROM {MEETING_CITIES.name} WHERE meeting_id = ? ORDER BY position, ordinal", (mid,)
    )
    return {
        "title": row["title"],
        "kind": row["kind"],
        "starts_at": row["starts_at"],
        "cities": [r["city_id"] for r in cities],
    }


def _when(starts_at: str) -> str:
    return starts_at[:16].replace("T", " ") + " UTC"


def _span(e: Any) -> tuple[str, str]:
    return instant(e.starts_at), instant(e.starts_at + timedelta(minutes=e.duration_minutes))


# -- handlers --------------------------------------------------------------------------------


@handles(Meeting.MeetingScheduled)
def scheduled(ctx: Context, position: int, e: Any) -> None:
    mid, at = str(e.originator_id), instant(e.timestamp)
    starts, ends = _span(e)
    invited = list(dict.fromkeys(e.invited_city_ids))
    MEETINGS.insert(
        ctx.db,
        id=mid,
        title=e.title,
        kind=e.kind,
        starts_at=starts,
        ends_at=ends,
        duration_minutes=e.duration_minutes,
        status=MeetingStatus.SCHEDULED,
        partnership_id=e.partnership_id,
        programme_id=e.programme_id,
        cluster_id=e.cluster_id,
        location=e.location,
        url=e.url,
        organiser_id=getattr(e, "actor", None),
        sequence=0,
        scheduled_at=at,
        updated_at=at,
        version=e.originator_version,
        position=position,
    )
    for ordinal, city_id in enumerate(invited):
        MEETING_CITIES.insert(
            ctx.db, meeting_id=mid, city_id=city_id, starts_at=starts, position=position, ordinal=ordinal
        )
    ctx.put("meetings", mid, {"title": e.title, "kind": e.kind, "starts_at": starts, "cities": invited})
    timeline.record(ctx, invited, position)


@handles(Meeting.ParticipantInvited)
def participant_invited(ctx: Context, position: int, e: Any) -> None:
    mid = str(e.originator_id)
    meeting = ctx.get("meetings", mid)
    if meeting is None:
        return
    MEETING_CITIES.insert(
        ctx.db, meeting_id=mid, city_id=e.city_id, starts_at=meeting["starts_at"], position=position, ordinal=0
    )
    meeting["cities"].append(e.city_id)
    ctx.touch(MEETINGS.name, e)
    timeline.record(ctx, meeting["cities"], position)


@handles(Meeting.MeetingRescheduled)
def rescheduled(ctx: Context, position: int, e: Any) -> None:
    mid = str(e.originator_id)
    meeting = ctx.get("meetings", mid)
    if meeting is None:
        return
    starts, ends = _span(e)
    ctx.touch(MEETINGS.name, e, starts_at=starts, ends_at=ends, duration_minutes=e.duration_minutes, sequence=Add(1))
    ctx.db.update_group(MEETING_CITIES.name, mid, len(meeting["cities"]), {"starts_at": starts})
    meeting["starts_at"] = starts
    timeline.record(ctx, meeting["cities"], position)


@handles(Meeting.MeetingCancelled)
def cancelled(ctx: Context, position: int, e: Any) -> None:
    mid = str(e.originator_id)
    meeting = ctx.get("meetings", mid)
    if meeting is None:
        return
    ctx.touch(MEETINGS.name, e, status=MeetingStatus.CANCELLED, cancel_reason=e.reason, sequence=Add(1))
    timeline.record(ctx, meeting["cities"], position)


@handles(Meeting.MeetingHeld)
def held(ctx: Context, position: int, e: Any) -> None:
    mid = str(e.originator_id)
    meeting = ctx.get("meetings", mid)
    if meeting is None:
        return
    ctx.touch(MEETINGS.name, e, status=MeetingStatus.HELD, attendance=e.attendance, summary=e.summary)
    for attended, cities in ((1, e.attended_city_ids), (0, e.no_show_city_ids)):
        for city_id in cities:
            ctx.db.update_key(MEETING_CITIES.name, (mid, city_id), {"attended": attended})
    timeline.record(ctx, meeting["cities"], position)


TOLD: dict[type, Any] = {
    Meeting.MeetingScheduled: lambda ctx, at, e, m: Told(
        "{kind} {session} scheduled for {when}",
        kind=word(e.kind.replace("_", " ").capitalize()),
        session=quoted(e.title),
        when=_when(_span(e)[0]),
    ),
    Meeting.ParticipantInvited: lambda ctx, at, e, m: Told(
        "{city} was invited to {session}", city=name(ctx, e.city_id, at), session=quoted(m["title"])
    ),
    Meeting.MeetingRescheduled: lambda ctx, at, e, m: Told(
        "{session} moved to {when}", session=quoted(m["title"]), when=_when(_span(e)[0])
    ),
    Meeting.MeetingCancelled: lambda ctx, at, e, m: Told("{session} was cancelled", session=quoted(m["title"])),
    Meeting.MeetingHeld: lambda ctx, at, e, m: Told(
        "{session} was held with {count} participants", session=quoted(m["title"]), count=e.attendance
    ),
}


@tells(*TOLD)
def _told(ctx: Context, position: int, e: Any) -> str:
    return TOLD[type(e)](ctx, position, e, ctx.get("meetings", str(e.originator_id)))


# -- queries ---------------------------------------------------------------------------------


@handles(Meeting.ProgrammeAssigned)
def programme_assigned(ctx: Context, position: int, e: Any) -> None:
    """The upgrade placed a session recorded before programmes existed."""
    ctx.touch(MEETINGS.name, e, programme_id=e.programme_id)


class MeetingQueries:
    """Mixed into ``Views``."""

    def meetings(
        self,
        city_id: str | None = None,
        from_: datetime | None = None,
        to: datetime | None = None,
        status: str | None = None,
        organiser_id: str | None = None,
        partnership_id: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        programme_id: str | None = None,
        cluster_id: str | None = None,
    ) -> Page:
        """Sessions by start time; ``from_`` ≤ starts_at < ``to`` (tz-aware); per city or organiser (facilitator)."""
        limit = check_limit(limit)
        after = decode_cursor("meetings", cursor, str, str)
        start, end = check_instant(from_, "from"), check_instant(to, "to")
        where = Where()
        if city_id := check_text(city_id, "city_id"):
            # The per-city index (city_id, starts_at, meeting_id) carries the order and the range.
            table = f"{MEETING_CITIES.name} x JOIN {MEETINGS.name} m ON m.id = x.meeting_id"
            key = ("x.starts_at", "x.meeting_id")
            where.add("x.city_id = ?", str(city_id))
        else:
            table, key = f"{MEETINGS.name} m", ("m.starts_at", "m.id")
        if start:
            where.add(f"{key[0]} >= ?", start)
        if end:
            where.add(f"{key[0]} < ?", end)
        if status := check_text(status, "status"):
            where.add("m.status = ?", status)
        if organiser_id := check_text(organiser_id, "organiser_id"):
            where.add("m.organiser_id = ?", organiser_id)
        if partnership_id := check_text(partnership_id, "partnership_id"):
            where.add("m.partnership_id = ?", partnership_id)
        if programme_id := check_text(programme_id, "programme_id"):
            where.add("m.programme_id = ?", programme_id)
        if cluster_id := check_text(cluster_id, "cluster_id"):
            where.add("m.cluster_id = ?", cluster_id)
        if after:
            where.add(f"({key[0]} > ? OR ({key[0]} = ? AND {key[1]} > ?))", after[0], after[0], after[1])
        with self._read() as db:
            rows = db.all(
                f"SELECT m.* FROM {table}{where.sql()} ORDER BY {key[0]}, {key[1]} LIMIT ?", (*where.params, limit + 1)
            )
            rows, next_cursor = split(rows, limit, lambda r: encode_cursor("meetings", r["starts_at"], r["id"]))
            return {"items": meeting_items(db, rows), "next_cursor": next_cursor}

    def meeting(self, meeting_id: str) -> dict[str, Any] | None:
        with self._read() as db:
            rows = db.all(f"SELECT * FROM {MEETINGS.name} WHERE id = ?", (str(meeting_id),))
            return meeting_items(db, rows)[0] if rows else None


def meeting_items(db: Any, rows: list[dict]) -> list[dict]:
    ids = [r["id"] for r in rows]
    cities: dict[str, list[dict]] = defaultdict(list)
    if ids:
        for stored in db.all(
            f"SELECT x.*, c.name FROM {MEETING_CITIES.name} x LEFT JOIN {CITIES.name} c ON c.id = x.city_id"
            f" WHERE x.meeting_id IN ({marks(ids)}) ORDER BY x.position, x.ordinal",
            ids,
        ):
            x = MEETING_CITIES.decode(stored)
            cities[x["meeting_id"]].append({"city_id": x["city_id"], "name": stored["name"], "attended": x["attended"]})
    shown = (
        "id",
        "title",
        "kind",
        "starts_at",
        "ends_at",
        "duration_minutes",
        "status",
        "partnership_id",
        "programme_id",
        "cluster_id",
    )
    more = ("location", "url", "organiser_id", "sequence", "attendance", "summary", "cancel_reason")
    items = []
    for stored in rows:
        r = MEETINGS.decode(stored)
        items.append(
            {
                **{k: r[k] for k in (*shown, *more)},
                "invited_cities": cities[r["id"]],
                "invited_city_ids": [c["city_id"] for c in cities[r["id"]]],
                "version": r["version"],
                "updated_at": r["updated_at"],
            }
        )
    return items
