"""The partnership board's queries: partnerships with their invitations, newest first."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from domain.model.statuses import InvitationStatus
from domain.storage import marks
from domain.views.cities import CITIES
from domain.views.codec import contains, member, parse_day
from domain.views.paging import Page, Where, check_limit, check_text, decode_cursor, encode_cursor, split
from domain.views.partnerships import INVITATIONS, PARTNERSHIPS

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
