"""schemathesis hooks (SCHEMATHESIS_HOOKS=tests.support.schemathesis_hooks): the rules no schema can say.

Each fix-up touches only a schema-valid request (the positive cases; negative ones must stay
invalid) and only the fields of one rule that spans fields, requests or the clock. Every rule
here is also written in the operation's description, and listed in notes/contract.md.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta

import schemathesis

from domain.limits import MAX_NAME
from domain.zones import zones_by_country

CALLER = os.environ.get("TWINNING_FUZZ_CALLER_ID", "")
SELF_LOCKING = ("/deactivate", "/tokens/revoke")
NOW_MARGIN = timedelta(days=30)  # far enough from now that the request's own travel time does not matter


def _positive(case) -> bool:
    meta = case.meta
    return meta is None or meta.generation.mode.is_positive


def _instant(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("z", "Z").replace("t", "T"))
    except (TypeError, ValueError):
        return None


def _future(body: dict) -> None:
    """Scheduling (and rescheduling) into the past is refused: the session starts after now."""
    start = _instant(body.get("starts_at"))
    if start is not None and start < datetime.now(UTC) + NOW_MARGIN:
        body["starts_at"] = (datetime.now(UTC) + NOW_MARGIN).replace(microsecond=0).isoformat()


def _held(body: dict) -> None:
    """A session recorded as held has ended; the cities that attended were invited."""
    start = _instant(body.get("starts_at"))
    minutes = body.get("duration_minutes")
    if (
        start is not None
        and isinstance(minutes, (int, float))
        and start + timedelta(minutes=minutes) > datetime.now(UTC) - NOW_MARGIN
    ):
        body["starts_at"] = (datetime.now(UTC) - NOW_MARGIN).replace(microsecond=0).isoformat()
    attended = body.get("attended_city_ids")
    if isinstance(attended, list) and isinstance(body.get("invited_city_ids"), list):
        body["attended_city_ids"] = [c for c in attended if c in body["invited_city_ids"]]


def _working_hours(body: dict) -> None:
    """A city's working day starts before it ends."""
    hours = body.get("working_hours")
    if isinstance(hours, dict):
        start, end = hours.get("start", "09:00"), hours.get("end", "18:00")
        if isinstance(start, str) and isinstance(end, str) and start >= end:
            start, end = min(start, end), max(start, end)
            if start == end:
                start, end = ("00:00", end) if end != "00:00" else ("00:00", "23:59")
            body["working_hours"] = {**hours, "start": start, "end": end}


def _zone_of_country(body: dict) -> None:
    """A city's time zone is one used in its country."""
    zones = zones_by_country().get(body.get("country"))
    if zones and body.get("timezone") not in zones:
        body["timezone"] = min(zones)


def _distinct_parties(body: dict) -> None:
    """An agreement's parties have distinct names (any case, surrounding spaces aside)."""
    parties = body.get("parties")
    if isinstance(parties, list) and all(isinstance(p, dict) and isinstance(p.get("name"), str) for p in parties):
        names = [p["name"].strip().casefold() for p in parties]
        if len(set(names)) != len(names):
            body["parties"] = [{**p, "name": f"{i} {p['name'].strip()}"[:MAX_NAME]} for i, p in enumerate(parties)]


def _proposer_not_invited(body: dict) -> None:
    invited = body.get("invited_city_ids")
    if isinstance(invited, list) and body.get("proposer_city_id") in invited:
        body["invited_city_ids"] = [c for c in invited if c != body["proposer_city_id"]] or [str(uuid.uuid4())]


def _officer_has_a_city(body: dict) -> None:
    """An officer belongs to one city; the other roles to none."""
    if body.get("role") == "officer":
        body.setdefault("city_id", str(uuid.uuid4()))
        if body["city_id"] is None:
            body["city_id"] = str(uuid.uuid4())
    else:
        body.pop("city_id", None)


def _slot_range(query: dict) -> None:
    """The slot finder's range: `to` after `from` (default now), at most 31 days after it."""
    # schemathesis' inferred links (stateful phase) can leave the required city_ids out: not schema-valid
    query.setdefault("city_ids", str(uuid.uuid4()))
    if "to" not in query:
        return
    start = _instant(query.get("from")) if "from" in query else datetime.now(UTC)
    end = _instant(query["to"])
    if start is not None and end is not None and not start + timedelta(minutes=1) <= end <= start + timedelta(days=30):
        query["to"] = (start + timedelta(days=7)).isoformat()


BODY_RULES = {
    "POST /api/v1/cities": (_zone_of_country, _working_hours),
    "PATCH /api/v1/cities/{city_id}": (_working_hours,),
    "POST /api/v1/meetings": (_future,),
    "POST /api/v1/meetings/{meeting_id}/reschedule": (_future,),
    "POST /api/v1/meetings/held": (_held,),
    "POST /api/v1/agreements": (_distinct_parties,),
    "POST /api/v1/partnerships": (_proposer_not_invited,),
    "POST /api/v1/users": (_officer_has_a_city,),
}
QUERY_RULES = {"GET /api/v1/meetings/slots": (_slot_range,)}


@schemathesis.hook
def before_call(context, case, kwargs):
    # The run's own admin is never deactivated nor stripped of its tokens: every later request would be a 401.
    if case.operation.path.endswith(SELF_LOCKING) and str((case.path_parameters or {}).get("user_id")) == CALLER:
        case.path_parameters = {**case.path_parameters, "user_id": str(uuid.uuid4())}
    if not _positive(case):
        return
    headers = case.headers or {}
    # An Idempotency-Key names one request: a new request needs a new key (a reused one is refused, 422).
    if "Idempotency-Key" in headers:
        case.headers = {**headers, "Idempotency-Key": uuid.uuid4().hex}
    label = f"{case.method.upper()} {case.operation.path}"
    if isinstance(case.body, dict):
        for rule in BODY_RULES.get(label, ()):
            rule(case.body)
        # A city's time zone, changed alone, must be one used in its (recorded) country: not known here.
        if label == "PATCH /api/v1/cities/{city_id}":
            case.body.pop("timezone", None)
    if label in QUERY_RULES and case.query is None:
        case.query = {}
    if isinstance(case.query, dict):
        for rule in QUERY_RULES.get(label, ()):
            rule(case.query)
