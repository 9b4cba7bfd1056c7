"""Queries over the action plans' view (``domain.views.action_plans``)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from domain.storage import marks
from domain.views.action_plans import ACTION_PLANS, PLAN_ACTIONS, PLAN_INDICATORS
from domain.views.paging import Page, Where, check_limit, check_text, decode_cursor, encode_cursor, split
from domain.views.partnerships import PARTNERSHIPS


class ActionPlanQueries:
    """Mixed into ``Views``."""

    def action_plans(
        self,
        partnership_id: str | None = None,
        programme_id: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page:
        """Newest first, with their actions and indicators."""
        limit = check_limit(limit)
        after = decode_cursor("action_plans", cursor, int)
        where = Where()
        if partnership_id := check_text(partnership_id, "partnership_id"):
            where.add("partnership_id = ?", partnership_id)
        if programme_id := check_text(programme_id, "programme_id"):
            # the partnership's programme: a plan drafted before ``twinning upgrade`` has none of its own
            where.add(f"partnership_id IN (SELECT id FROM {PARTNERSHIPS.name} WHERE programme_id = ?)", programme_id)
        if status := check_text(status, "status"):
            where.add("status = ?", status)
        if after:
            where.add("position < ?", after[0])
        with self._read() as db:
            rows = db.all(
                f"SELECT * FROM {ACTION_PLANS.name}{where.sql()} ORDER BY position DESC LIMIT ?",
                (*where.params, limit + 1),
            )
            rows, next_cursor = split(rows, limit, lambda r: encode_cursor("action_plans", r["position"]))
            return {"items": plan_items(db, rows), "next_cursor": next_cursor}

    def with_plan_ids(self, page: Page) -> Page:
        """A page of partnerships, each with the id of its action plan (None while it has none)."""
        ids = [item["id"] for item in page["items"]]
        found: dict[str, str] = {}
        if ids:
            with self._read() as db:
                rows = db.all(
                    f"SELECT id, partnership_id FROM {ACTION_PLANS.name} WHERE partnership_id IN ({marks(ids)})", ids
                )
            found = {r["partnership_id"]: r["id"] for r in rows}
        return {**page, "items": [{**item, "action_plan_id": found.get(item["id"])} for item in page["items"]]}


def plan_items(db: Any, rows: list[dict]) -> list[dict]:
    ids = [r["id"] for r in rows]
    actions: dict[str, list[dict]] = defaultdict(list)
    indicators: dict[str, list[dict]] = defaultdict(list)
    if ids:
        for stored in db.all(
            f"SELECT * FROM {PLAN_ACTIONS.name} WHERE plan_id IN ({marks(ids)}) ORDER BY position", ids
        ):
            a = PLAN_ACTIONS.decode(stored)
            del a["position"]
            actions[a.pop("plan_id")].append({"id": a.pop("action_id"), **a})
        for stored in db.all(
            f"SELECT * FROM {PLAN_INDICATORS.name} WHERE plan_id IN ({marks(ids)}) ORDER BY position", ids
        ):
            i = PLAN_INDICATORS.decode(stored)
            del i["position"]
            indicators[i.pop("plan_id")].append({"id": i.pop("indicator_id"), **i})
    items = []
    for stored in rows:
        r = ACTION_PLANS.decode(stored)
        del r["position"]
        r["created_at"] = r.pop("drafted_at")
        items.append({**r, "actions": actions[r["id"]], "indicators": indicators[r["id"]]})
    return items
