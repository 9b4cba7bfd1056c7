"""Aggregates as JSON-ready dicts (validated against web.schemas by APIFlask on the way out)."""

from __future__ import annotations

from typing import Any

from domain.application import HistoryEntry
from domain.model.agreement import Agreement
from domain.model.city import City
from domain.model.meeting import Meeting
from domain.model.partnership import Partnership
from domain.model.project import PilotProject
from domain.model.user import User
from domain.regions import region_of

_SECRET_FIELDS = {"token_hash", "token_hashes", "link_hash"}


def _envelope(aggregate: Any) -> dict[str, Any]:
    return {
        "id": str(aggregate.id),
        "version": aggregate.version,
        "created_at": aggregate.created_on,
        "updated_at": aggregate.modified_on,
    }


def user(u: User) -> dict[str, Any]:
    return {
        **_envelope(u),
        "status": u.status,
        "name": u.name,
        "email": u.email,
        "role": u.role,
        "city_id": u.city_id,
    }


def city(c: City) -> dict[str, Any]:
    return {
        **_envelope(c),
        "status": c.status,
        "name": c.name,
        "local_name": c.local_name,
        "country": c.country,
        "region": region_of(c.country),
        "timezone": c.timezone,
        "population": c.population,
        "themes_offered": list(c.themes_offered),
        "themes_sought": list(c.themes_sought),
        "description": c.description,
        "working_hours": c.working_hours,
        "stakeholders": [dict(s) for s in c.stakeholders],
    }


def partnership(p: Partnership) -> dict[str, Any]:
    return {
        **_envelope(p),
        "status": p.status,
        "title": p.title,
        "proposer_city_id": p.proposer_city_id,
        "member_city_ids": p.member_city_ids,
        "invitations": [{"city_id": cid, **inv} for cid, inv in p.invitations.items()],
        "themes": list(p.themes),
        "description": p.description,
        "action_plan": p.action_plan,
        "outcome": p.outcome,
        "closing_reason": p.closing_reason,
    }


def meeting(m: Meeting) -> dict[str, Any]:
    return {
        **_envelope(m),
        "status": m.status,
        "title": m.title,
        "kind": m.kind,
        "starts_at": m.starts_at,
        "ends_at": m.ends_at,
        "duration_minutes": m.duration_minutes,
        "invited_city_ids": list(m.invited_city_ids),
        "partnership_id": m.partnership_id,
        "location": m.location,
        "url": m.url,
        "organiser_id": m.organiser_id,
        "sequence": m.sequence,
        "cancel_reason": m.cancel_reason,
        "outcome": m.outcome,
        # a snapshot taken before sessions could be recorded after the fact lacks the attribute
        "recorded_after_the_fact": getattr(m, "recorded_after_the_fact", False),
    }


def agreement(a: Agreement) -> dict[str, Any]:
    return {
        **_envelope(a),
        "status": a.status,
        "title": a.title,
        "kind": a.kind,
        "parties": [dict(p) for p in a.parties],
        "topics": list(a.topics),
        "partnership_id": a.partnership_id,
        "in_force_on": a.in_force_on,
        "termination": a.termination,
    }


def project(p: PilotProject) -> dict[str, Any]:
    return {
        **_envelope(p),
        "status": p.status,
        "title": p.title,
        "partnership_id": p.partnership_id,
        "member_city_ids": list(p.member_city_ids),
        "themes": list(p.themes),
        "description": p.description,
        "milestones": [dict(m) for m in p.milestones.values()],
        "summary": p.summary,
    }


def history_entry(entry: HistoryEntry) -> dict[str, Any]:
    return {
        "type": entry.type,
        "version": entry.version,
        "recorded_at": entry.recorded_at,
        "actor": None
        if entry.actor is None
        else {"id": entry.actor.id, "name": entry.actor.name, "role": entry.actor.role},
        "data": _jsonable({k: v for k, v in entry.data.items() if k not in _SECRET_FIELDS}),
    }


def _jsonable(value: Any) -> Any:
    """Event data as JSON: dates and instants in ISO form, UUIDs and other values as text."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
