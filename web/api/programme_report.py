"""The funder's report on a programme: GET /programmes/{id}/report as JSON, CSV or PDF.

The format is ``?format=json|csv|pdf`` or, without it, the ``Accept`` header
(``text/csv``, ``application/pdf``; JSON otherwise). ``?as_of=`` works as on every report
(``web.api.reports``): a date judges business dates on it, an instant rebuilds the views
as recorded by then.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from flask import Response, request

from domain.audit.as_of import utc_date
from domain.model.programme import CooperationProgramme
from domain.views.funder_report import FUNDER_SECTIONS
from web.api import api_blueprint
from web.api.lists import page
from web.api.reports import DayOrInstant, _as_recorded
from web.http import programme
from web.report_render import report_csv, report_pdf
from web.schemas import After, Input, ViewItem

FORMATS = {"json": "application/json", "csv": "text/csv", "pdf": "application/pdf"}


class ProgrammeReportQuery(Input):
    as_of: DayOrInstant | None = None
    after: After | None = None
    format: Literal["json", "csv", "pdf"] | None = None


class ProgrammeReport(ViewItem):
    """Every section (FUNDER_SECTIONS), with ``programme_id``, ``as_of`` and ``position``."""


def _format(asked: str | None) -> str:
    if asked:
        return asked
    best = request.accept_mimetypes.best_match(list(FORMATS.values()), default="application/json")
    return next(name for name, mimetype in FORMATS.items() if mimetype == best)


def blueprint():
    bp = api_blueprint("programme_report", "Reports")

    @bp.get("/programmes/<uuid:programme_id>/report")
    @bp.input(ProgrammeReportQuery, location="query", arg_name="query")
    @bp.output(ProgrammeReport)
    @bp.doc(
        summary="The funder's report: pairings by stage, action plans, actions on time, indicators against targets, "
        "sessions and participants, MoUs in force, pilot projects and milestones on time, themes and SDGs, "
        "per region and cluster, the progress review (JSON; CSV with Accept: text/csv or ?format=csv; "
        "PDF with Accept: application/pdf or ?format=pdf)"
    )
    def programme_report(programme_id: UUID, query: ProgrammeReportQuery):
        pid = str(programme().load(CooperationProgramme, programme_id).id)  # 404 for an unknown programme
        if isinstance(query.as_of, datetime):
            instant = query.as_of
            body, status, headers = _as_recorded(
                instant, lambda v: {**v.funder_report(pid, as_of=utc_date(instant)), "recorded_by": instant}
            )
        else:
            body, status, headers = page(query.after, lambda v: v.funder_report(pid, as_of=query.as_of))
        kind = _format(query.format)
        if kind == "json":
            return body, status, headers
        name = f"funder-report-{body['as_of'].isoformat()}.{kind}"
        content = report_csv(body, FUNDER_SECTIONS) if kind == "csv" else report_pdf(body)
        response = Response(content, status=status, mimetype=FORMATS[kind], headers=headers)
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        response.headers["Vary"] = "Accept"
        return response

    return bp
