"""Exports for auditors and admins: GET /exports/{partnerships|meetings|agreements|projects|audit}.{csv|json}.

Streamed: rows are read a page at a time (the read models' keyset pages of 200; the
audit log in batches of 1,000 with the chain hashes) and written as they come, so an
export never holds the whole programme in memory. UTF-8 throughout; CSV starts with a
byte-order mark so that spreadsheet programs read 柳州 and Málaga as written, and a
text cell that starts with ``= + - @`` (or a tab or carriage return) gets a leading
apostrophe so that a spreadsheet shows it instead of running it as a formula.

Lists come from the read models (as far as the projector has read; ``?after=N`` waits
for a log position, as on the lists). The audit export first brings the chain up to
date, so every event carries its hash.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from flask import Response, stream_with_context

from domain.audit import iter_audit_events, jsonable, require_auditor
from web.api import api_blueprint
from web.api.lists import read_views
from web.http import principal, services
from web.schemas import After, Input

PAGE = 200
CSV_MEDIA_TYPE = "text/csv"
JSON_MEDIA_TYPE = "application/json"
log = logging.getLogger("twinning.web.exports")


class ExportQuery(Input):
    after: After | None = None


# -- rows --------------------------------------------------------------------------------------


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
        _names(attended) if m["status"] == "held" else None,
        m.get("partnership_id"),
        m.get("location"),
        m.get("url"),
        m.get("attendance"),
        m.get("summary"),
        m.get("cancel_reason"),
        m.get("updated_at"),
        m["version"],
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
        counts.get("planned", 0),
        counts.get("achieved", 0),
        counts.get("overdue", 0),
        p.get("launched_at"),
        p.get("updated_at"),
        p["version"],
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
        "proposed_at",
        "updated_at",
        "version",
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
        "drafted_at",
        "updated_at",
        "version",
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
        "launched_at",
        "updated_at",
        "version",
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
LABELS = {
    "partnerships": "partnerships",
    "meetings": "sessions (meetings)",
    "agreements": "agreements (MoUs…)",
    "projects": "pilot projects with their milestone counts",
    "audit": "the whole event log with chain hashes",
}


# -- sources ---------------------------------------------------------------------------------------


def _pages(list_page: Callable[[str | None], dict]) -> Iterator[dict]:
    """Every item of a read-model list, a keyset page at a time."""
    cursor: str | None = None
    while True:
        page = list_page(cursor)
        yield from page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return


def _source(kind: str, after: int | None) -> tuple[Iterator[dict], dict[str, str]]:
    """The items to export and headers saying how far the log had been read (checks the caller first)."""
    who = principal()
    require_auditor(who)
    if kind == "audit":
        chain = services().audit_chain
        chain.catch_up()
        end = chain.programme.recorder.max_notification_id() or 0
        items = iter_audit_events(chain, who, stop=end)
        return items, {"X-Export-Position": str(end)}
    views = read_views(after)
    position = views.position()
    lists = {
        "partnerships": lambda c: views.partnerships(limit=PAGE, cursor=c),
        "meetings": lambda c: views.meetings(limit=PAGE, cursor=c),
        "agreements": lambda c: views.agreements(limit=PAGE, cursor=c),
        "projects": lambda c: views.projects(limit=PAGE, cursor=c),
    }
    return _pages(lists[kind]), {"X-Export-Position": str(position), "X-View-Position": str(position)}


# -- formats ---------------------------------------------------------------------------------------

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    value = jsonable(value)
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


def _csv(kind: str, items: Iterator[dict]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS[kind])
    yield "\ufeff" + buffer.getvalue()
    to_row = ROWS[kind]
    count = 0
    for item in items:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_cell(v) for v in to_row(item)])
        count += 1
        yield buffer.getvalue()
    log.info("export %s.csv: %d rows", kind, count)


def _json(kind: str, items: Iterator[dict], position: str) -> Iterator[str]:
    yield '{"export":' + json.dumps(kind) + ',"position":' + str(int(position)) + ',"items":['
    first = True
    for item in items:
        yield ("" if first else ",") + json.dumps(jsonable(item), ensure_ascii=False, separators=(",", ":"))
        first = False
    yield "]}"


def _stream(chunks: Iterator[str], mimetype: str, filename: str, headers: dict[str, str]) -> Response:
    response = Response(stream_with_context(_logged(chunks, filename)), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(headers)
    return response


def _logged(chunks: Iterator[str], filename: str) -> Iterator[str]:
    """Once streaming has started the status is sent: an error can only end the stream (and be logged)."""
    try:
        yield from chunks
    except Exception:
        log.exception("export %s failed while streaming", filename)
        raise


# -- routes ------------------------------------------------------------------------------------------


def _route(bp, kind: str, fmt: str) -> None:
    media = CSV_MEDIA_TYPE if fmt == "csv" else JSON_MEDIA_TYPE
    filename = f"{kind}.{fmt}"

    def export(query: ExportQuery):
        items, headers = _source(kind, query.after)
        if fmt == "csv":
            return _stream(_csv(kind, items), CSV_MEDIA_TYPE, filename, headers)  # Flask adds "; charset=utf-8"
        return _stream(_json(kind, items, headers["X-Export-Position"]), JSON_MEDIA_TYPE, filename, headers)

    export.__name__ = f"export_{kind}_{fmt}"
    schema = (
        {"type": "string"}
        if fmt == "csv"
        else {
            "type": "object",
            "properties": {
                "export": {"type": "string"},
                "position": {"type": "integer"},
                "items": {"type": "array", "items": {"type": "object"}},
            },
        }
    )
    decorated = bp.input(ExportQuery, location="query", arg_name="query")(export)
    decorated = bp.doc(
        summary=f"Export {LABELS[kind]} as {fmt.upper()} (auditors and admins; streamed, UTF-8"
        + (" with a BOM)" if fmt == "csv" else ")"),
        responses={200: {"description": f"{filename}, streamed", "content": {media: {"schema": schema}}}},
    )(decorated)
    bp.get(f"/exports/{filename}", endpoint=f"export_{kind}_{fmt}")(decorated)


def blueprint():
    bp = api_blueprint("exports", "Exports")
    for kind in HEADERS:
        for fmt in ("csv", "json"):
            _route(bp, kind, fmt)
    return bp
