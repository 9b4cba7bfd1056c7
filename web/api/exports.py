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
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

from flask import Response, stream_with_context
from pydantic import Field

from domain.audit import iter_audit_events, jsonable, require_auditor
from domain.limits import MAX_LIMIT
from web.api import api_blueprint
from web.api.export_rows import HEADERS, ROWS
from web.api.lists import programme_filter, read_views
from web.http import principal, services
from web.schemas import After, Id, Input

PAGE = MAX_LIMIT  # the largest page a read model serves
CSV_MEDIA_TYPE = "text/csv"
JSON_MEDIA_TYPE = "application/json"
log = logging.getLogger("twinning.web.exports")


class ExportQuery(Input):
    after: After | None = None
    programme_id: Id | None = Field(None, description="only this programme's (not for the audit log)")


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


def _source(kind: str, after: int | None, programme: UUID | None = None) -> tuple[Iterator[dict], dict[str, str]]:
    """The items to export and headers saying how far the log had been read (checks the caller first)."""
    who = principal()
    require_auditor(who)
    if kind == "audit":
        chain = services().audit_chain
        chain.catch_up()
        end = chain.programme.recorder.max_notification_id() or 0
        items = iter_audit_events(chain, who, stop=end)
        return items, {"X-Export-Position": str(end)}
    programme_id = programme_filter(programme)
    views = read_views(after)
    position = views.position()
    lists = {
        "partnerships": lambda c: views.partnerships(limit=PAGE, cursor=c, programme_id=programme_id),
        "meetings": lambda c: views.meetings(limit=PAGE, cursor=c, programme_id=programme_id),
        "agreements": lambda c: views.agreements(limit=PAGE, cursor=c, programme_id=programme_id),
        "projects": lambda c: views.projects(limit=PAGE, cursor=c, programme_id=programme_id),
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
        items, headers = _source(kind, query.after, query.programme_id)
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
