"""What awaits an answer: each user's notifications, newest first (a notification about a city's affairs
shows on its timeline too), and the invitations a city has not answered yet."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.model.notification import Notification
from domain.model.statuses import OPEN_PARTNERSHIP, InvitationStatus
from domain.storage import marks
from domain.views import timeline
from domain.views.agreements import party_cities
from domain.views.cities import CITIES
from domain.views.codec import dump, instant, load, parse_instant
from domain.views.context import Context, handles
from domain.views.paging import Page, Where, check_limit, decode_cursor, encode_cursor, split
from domain.views.partnerships import INVITATIONS, PARTNERSHIPS, involved
from domain.views.table import Table
from domain.views.timeline import tells
from domain.views.told import Told, word

INBOX = Table(
    "view_inbox",
    "id, recipient_id, kind, subject_kind?, subject_id?, title, body, channels:json, sent_at:instant, position:bigint,"
    " read_at:instant?",
    key="id",
    indexes={"by_recipient": "recipient_id, position", "by_unread": "recipient_id, read_at, position"},
)
TABLES = (INBOX,)


def subject_cities(ctx: Context, subject: dict[str, Any]) -> list[str]:
    """The cities a notification's subject concerns (as the views stand at its position)."""
    kind, sid = (subject or {}).get("kind"), str((subject or {}).get("id") or "")
    if not sid:
        return []
    if kind == "city":
        return [sid]
    if kind == "partnership":
        partnership = ctx.get("partnerships", sid)
        return involved(partnership) if partnership else []
    if kind == "meeting":
        meeting = ctx.get("meetings", sid)
        return list(meeting["cities"]) if meeting else []
    if kind == "agreement":
        agreement = ctx.get("agreements", sid)
        return party_cities(agreement) if agreement else []
    if kind in ("project", "pilot_project"):
        project = ctx.get("projects", sid)
        return list(project["cities"]) if project else []
    return []


@handles(Notification.NotificationSent)
def sent(ctx: Context, position: int, e: Any) -> None:
    subject = dict(e.subject or {})
    INBOX.insert(
        ctx.db,
        id=str(e.originator_id),
        recipient_id=e.recipient_id,
        kind=e.kind,
        subject_kind=subject.get("kind"),
        subject_id=None if subject.get("id") is None else str(subject["id"]),
        title=e.title,
        body=e.body,
        channels=dump(list(e.channels)),
        sent_at=instant(e.timestamp),
        position=position,
    )
    cities = subject_cities(ctx, subject)
    timeline.record(ctx, cities, position)


@handles(Notification.NotificationRead)
def read(ctx: Context, position: int, e: Any) -> None:
    ctx.db.update_key(INBOX.name, (str(e.originator_id),), {"read_at": instant(e.timestamp)})


@tells(Notification.NotificationSent)
def _sent(ctx: Context, position: int, e: Any) -> str:
    return Told("Notification ({kind}): {title}", kind=word(e.kind.replace("_", " ")), title=e.title)


class InboxQueries:
    """Mixed into ``Views``."""

    def inbox(
        self, recipient_id: str, limit: int | None = None, cursor: str | None = None, unread: bool = False
    ) -> Page:
        """A user's notifications, newest first (``unread``: only those not read yet)."""
        limit = check_limit(limit)
        after = decode_cursor("inbox", cursor, int)
        where = Where()
        where.add("recipient_id = ?", str(recipient_id))
        if unread:
            where.add("read_at IS NULL")
        if after:
            where.add("position < ?", after[0])
        with self._read() as db:
            rows = db.all(
                f"SELECT * FROM {INBOX.name}{where.sql()} ORDER BY position DESC LIMIT ?", (*where.params, limit + 1)
            )
        rows, next_cursor = split(rows, limit, lambda r: encode_cursor("inbox", r["position"]))
        items = []
        for stored in rows:
            r = INBOX.decode(stored)
            items.append(
                {
                    "id": r["id"],
                    "kind": r["kind"],
                    "subject": {"kind": r["subject_kind"], "id": r["subject_id"]},
                    "title": r["title"],
                    "body": r["body"],
                    "sent_at": r["sent_at"],
                    "channels": r["channels"],
                    "read_at": r["read_at"],
                }
            )
        return {"items": items, "next_cursor": next_cursor}

    def unread_notification_ids(self, recipient_id: str) -> list[str]:
        """Every notification of this person not read yet (what "mark all read" marks)."""
        with self._read() as db:
            rows = db.all(
                f"SELECT id FROM {INBOX.name} WHERE recipient_id = ? AND read_at IS NULL ORDER BY position",
                (str(recipient_id),),
            )
        return [r["id"] for r in rows]

    def invitations_awaiting(self, city_id: str, limit: int | None = None, cursor: str | None = None) -> Page:
        """Invitations the city has not answered yet, in open partnerships, oldest first."""
        limit = check_limit(limit)
        after = decode_cursor("awaiting", cursor, int, str)
        where = Where()
        where.add("i.city_id = ?", str(city_id))
        where.add("i.status = ?", InvitationStatus.PENDING)
        where.add(f"p.status IN ({marks(OPEN_PARTNERSHIP)})", *OPEN_PARTNERSHIP)
        if after:
            where.add("(i.position > ? OR (i.position = ? AND i.partnership_id > ?))", after[0], after[0], after[1])
        with self._read() as db:
            rows = db.all(
                "SELECT i.partnership_id, i.invited_at, i.position, p.title, p.status, p.themes, p.proposer_city_id,"
                f" c.name AS proposer_name FROM {INVITATIONS.name} i JOIN {PARTNERSHIPS.name} p"
                f" ON p.id = i.partnership_id LEFT JOIN {CITIES.name} c ON c.id = p.proposer_city_id{where.sql()}"
                " ORDER BY i.position, i.partnership_id LIMIT ?",
                (*where.params, limit + 1),
            )
        rows, next_cursor = split(rows, limit, lambda r: encode_cursor("awaiting", r["position"], r["partnership_id"]))
        items = [
            {
                "partnership_id": r["partnership_id"],
                "title": r["title"],
                "partnership_status": r["status"],
                "themes": load(r["themes"]),
                "proposer_city_id": r["proposer_city_id"],
                "proposer_name": r["proposer_name"],
                "invited_at": parse_instant(r["invited_at"]),
            }
            for r in rows
        ]
        return {"items": items, "next_cursor": next_cursor}

    def notifications_between(self, recipient_id: str, after: datetime, until: datetime) -> list[dict[str, Any]]:
        """A user's notifications sent in (after, until], oldest first (the daily digest's material)."""
        with self._read() as db:
            rows = db.all(
                f"SELECT * FROM {INBOX.name} WHERE recipient_id = ? AND sent_at > ? AND sent_at <= ? ORDER BY position",
                (str(recipient_id), instant(after), instant(until)),
            )
        return [INBOX.decode(r) for r in rows]
