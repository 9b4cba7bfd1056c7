"""Reports from the views: the programme dashboard and the seed's progress-review table."""

from __future__ import annotations

from web.api import api_blueprint
from web.api.lists import page
from web.schemas import Dashboard, DashboardQuery, ReviewPage, ReviewQuery


def blueprint():
    bp = api_blueprint("reports", "Reports")

    @bp.get("/reports/dashboard")
    @bp.input(DashboardQuery, location="query", arg_name="query")
    @bp.output(Dashboard)
    @bp.doc(summary="The programme in figures: counts by status and theme, sessions and participants, "
                    "MoUs in force, milestones achieved and overdue (as of a date)")
    def dashboard(query: DashboardQuery):
        return page(query.after, lambda v: v.dashboard(as_of=query.as_of))

    @bp.get("/reports/progress-review")
    @bp.input(ReviewQuery, location="query", arg_name="query")
    @bp.output(ReviewPage)
    @bp.doc(summary="The progress review: project, cities, status, latest result (as of a date)")
    def progress_review(query: ReviewQuery):
        return page(query.after, lambda v: v.progress_review(as_of=query.as_of, limit=query.limit, cursor=query.cursor))

    return bp
