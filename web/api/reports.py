"""Reports from the views: the programme dashboard and the seed's progress-review table.

``?as_of=`` takes a calendar date or an instant, the two axes DESIGN.md keeps apart:

* a date (``2021-06-30``, a business date): the programme as known now, with milestone
  states (achieved / overdue) evaluated on that date — the read models as they stand;
* an instant (``2021-06-30T18:00:00+02:00``, a recording time): the programme as it had
  been recorded by then — the read models rebuilt from the log up to the last event
  recorded at or before that instant (``domain.audit.ReportsAsOf``, one per process in ``web.bootstrap``), with milestone
  states evaluated on that instant's UTC date. The answer's ``X-View-Position`` is the
  log position it was rebuilt up to.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from domain.audit.as_of import utc_date
from web.api import api_blueprint
from web.api.lists import page, programme_filter
from web.http import services
from web.schemas import _DATE, Dashboard, DashboardQuery, ReviewPage, ReviewQuery, _query_rfc3339


def _day_or_instant(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value
    if isinstance(value, str) and _DATE.match(value):
        return date.fromisoformat(value)
    value = _query_rfc3339(value)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("expected a date YYYY-MM-DD or an RFC 3339 date-time with an offset") from None
    return value


DayOrInstant = Annotated[
    datetime | date,
    BeforeValidator(_day_or_instant),
    Field(
        description="a date YYYY-MM-DD: as known now, milestones evaluated on that date (default today, UTC); "
        "or an RFC 3339 instant: as recorded by then (rebuilt from the log)",
        json_schema_extra={"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]},
    ),
]


class DashboardAsOfQuery(DashboardQuery):
    as_of: DayOrInstant | None = None


class ReviewAsOfQuery(ReviewQuery):
    as_of: DayOrInstant | None = None


def _as_recorded(instant: datetime, query: Callable[[Any], dict]) -> tuple[dict, int, dict[str, str]]:
    result, position = services().reports_as_of.ask(instant, query)
    return result, 200, {"X-View-Position": str(position)}


def blueprint():
    bp = api_blueprint("reports", "Reports")

    @bp.get("/reports/dashboard")
    @bp.input(DashboardAsOfQuery, location="query", arg_name="query")
    @bp.output(Dashboard)
    @bp.doc(
        summary="The programme in figures: counts by status and theme, sessions and participants, "
        "MoUs in force, milestones achieved and overdue (as of a date, or as recorded by an instant)"
    )
    def dashboard(query: DashboardAsOfQuery):
        scope = programme_filter(query.programme_id)
        if isinstance(query.as_of, datetime):
            instant = query.as_of
            return _as_recorded(
                instant, lambda v: {**v.dashboard(as_of=utc_date(instant), programme_id=scope), "recorded_by": instant}
            )
        return page(query.after, lambda v: v.dashboard(as_of=query.as_of, programme_id=scope))

    @bp.get("/reports/progress-review")
    @bp.input(ReviewAsOfQuery, location="query", arg_name="query")
    @bp.output(ReviewPage)
    @bp.doc(
        summary="The progress review: project, cities, status, latest result (as of a date, or as recorded "
        "by an instant)"
    )
    def progress_review(query: ReviewAsOfQuery):
        scope = programme_filter(query.programme_id)
        if isinstance(query.as_of, datetime):
            instant = query.as_of
            return _as_recorded(
                instant,
                lambda v: v.progress_review(
                    as_of=utc_date(instant), limit=query.limit, cursor=query.cursor, programme_id=scope
                ),
            )
        return page(
            query.after,
            lambda v: v.progress_review(as_of=query.as_of, limit=query.limit, cursor=query.cursor, programme_id=scope),
        )

    return bp
