"""What each export's rows hold: the column headers and the row of one read-model item (or log event)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from domain.milestones import MilestoneState
from domain.model.statuses import MeetingStatus, MilestoneStatus


def _names(items: Iterable[dict], name: str = "name", key: str = "city_id") -> str:
    return "; ".join(str(i.get(name) or i.get(key) or "") for i in items)


def _listing(values: Iterable[Any] | None) -> str:
    return "; ".join(str(v) for v in values or [])


def _partnership_row(p: dict) -> list[Any]:
    plan = p.get("action_plan") or {}
    invited = "; ".join(f"{i.get('name') or i['city_id']} ({i['status']})" for i in p.get("invitations", []))
    return [
        p["id"],
        p["title"],
        p["status"],
        p.get("proposer_name"),
        p["proposer_city_id"],
        invited,
        _listing(p.get("themes")),
        p.get("description"),
        plan.get("summary"),
        plan.get("adopted_on"),
        p.get("outcome"),
        p.get("closing_reason"),
        p.get("proposed_at"),
        p.get("updated_at"),
        p["version"],
        p.get("created_at"),
        p.get("programme_id"),
    ]


def _meeting_row(m: dict) -> list[Any]:
    cities = m.get("invited_cities", [])
    attended = [c for c in cities if c.get("attended")]
    return [
        m["id"],
        m["title"],
        m["kind"],
        m["status"],
        m["starts_at"],
        m["ends_at"],
        m["duration_minutes"],
        _names(cities),
        _names(attended) if m["status"] == MeetingStatus.HELD else None,
        m.get("partnership_id"),
        m.get("location"),
        m.get("url"),
        m.get("attendance"),
        m.get("summary"),
        m.get("cancel_reason"),
        m.get("updated_at"),
        m["version"],
        m.get("programme_id"),
    ]


def _agreement_row(a: dict) -> list[Any]:
    parties = "; ".join(
        p["name"] + (f" (signed {p['signed_on']})" if p.get("signed_on") else "") for p in a.get("parties", [])
    )
    return [
        a["id"],
        a["title"],
        a["kind"],
        a["status"],
        parties,
        _listing(a.get("topics")),
        a.get("partnership_id"),
        a.get("in_force_on"),
        a.get("terminated_on"),
        a.get("termination_reason"),
        a.get("drafted_at"),
        a.get("updated_at"),
        a["version"],
        a.get("created_at"),
        a.get("programme_id"),
    ]


def _project_row(p: dict) -> list[Any]:
    counts = p.get("milestone_counts") or {}
    return [
        p["id"],
        p["title"],
        p["status"],
        p["partnership_id"],
        _names(p.get("cities", [])),
        _listing(p.get("themes")),
        p.get("description"),
        p.get("summary"),
        counts.get(MilestoneStatus.PLANNED, 0),
        counts.get(MilestoneStatus.ACHIEVED, 0),
        counts.get(MilestoneState.OVERDUE, 0),
        p.get("launched_at"),
        p.get("updated_at"),
        p["version"],
        p.get("created_at"),
        p.get("programme_id"),
    ]


def _audit_row(e: dict) -> list[Any]:
    return [
        e["position"],
        e["recorded_at"],
        e["type"],
        e["aggregate_type"],
        e["aggregate_id"],
        e["version"],
        e["actor"],
        e["hash"],
        json.dumps(e["data"], ensure_ascii=False, separators=(",", ":"), sort_keys=True),
    ]


HEADERS = {
    "partnerships": [
        "id",
        "title",
        "status",
        "proposer",
        "proposer_city_id",
        "invited (answer)",
        "themes",
        "description",
        "action_plan",
        "action_plan_adopted_on",
        "outcome",
        "closing_reason",
        "proposed_at",  # deprecated: the same as created_at (before programme_id); removed in the next release
        "updated_at",
        "version",
        "created_at",
        "programme_id",  # added last: earlier columns keep their places
    ],
    "meetings": [
        "id",
        "title",
        "kind",
        "status",
        "starts_at",
        "ends_at",
        "duration_minutes",
        "invited_cities",
        "attended_cities",
        "partnership_id",
        "location",
        "url",
        "attendance",
        "summary",
        "cancel_reason",
        "updated_at",
        "version",
        "programme_id",  # added last: earlier columns keep their places
    ],
    "agreements": [
        "id",
        "title",
        "kind",
        "status",
        "parties",
        "topics",
        "partnership_id",
        "in_force_on",
        "terminated_on",
        "termination_reason",
        "drafted_at",  # deprecated: the same as created_at (before programme_id); removed in the next release
        "updated_at",
        "version",
        "created_at",
        "programme_id",  # added last: earlier columns keep their places
    ],
    "projects": [
        "id",
        "title",
        "status",
        "partnership_id",
        "cities",
        "themes",
        "description",
        "summary",
        "milestones_planned",
        "milestones_achieved",
        "milestones_overdue",
        "launched_at",  # deprecated: the same as created_at (before programme_id); removed in the next release
        "updated_at",
        "version",
        "created_at",
        "programme_id",  # added last: earlier columns keep their places
    ],
    "audit": ["position", "recorded_at", "type", "aggregate_type", "aggregate_id", "version", "actor", "hash", "data"],
}
ROWS: dict[str, Callable[[dict], list[Any]]] = {
    "partnerships": _partnership_row,
    "meetings": _meeting_row,
    "agreements": _agreement_row,
    "projects": _project_row,
    "audit": _audit_row,
}
