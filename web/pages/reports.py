"""The dashboard with its charts (SVG drawn here, figures also as tables) and the progress review."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from domain.model.statuses import MeetingKind, PartnershipStatus
from domain.regions import REGIONS
from web.pages.base import render
from web.pages.charts import bar_chart
from web.pages.labels import label
from web.pages.reading import content_blueprint, page_url, viewer_zone, views
from web.pages.session import current_principal, signed_in


def blueprint():
    bp = content_blueprint("reports")

    @bp.get("/reports")
    @signed_in()
    def dashboard():
        found = views()
        figures = found.dashboard()
        review = found.progress_review(cursor=request.args.get("cursor"))
        return render(
            "reports/dashboard.html",
            d=figures,
            charts=charts(figures),
            review=review["items"],
            more=page_url("pages_reports.dashboard", review["next_cursor"]),
            zone=viewer_zone(current_principal()),
        )

    return bp


def charts(d: dict) -> list:
    partnerships = [(label("partnership", s), d["partnerships"]["by_status"].get(s, 0)) for s in PartnershipStatus]
    sessions = [(label("meeting_kind", k), d["sessions"]["by_kind"].get(k, 0)) for k in MeetingKind]
    regions = [(label("region", r), n) for r, n in sorted(d["cities"]["by_region"].items()) if r in REGIONS]
    milestones = [
        (label("milestone", state), d["milestones"].get(state, 0)) for state in ("achieved", "overdue", "planned")
    ]
    return [
        bar_chart(
            "partnerships",
            _("Partnerships by status"),
            _("%(n)s partnerships in all, one bar per status.", n=d["partnerships"]["total"]),
            partnerships,
        ),
        bar_chart(
            "sessions",
            _("Sessions by kind"),
            _("%(n)s sessions in all, %(held)s held.", n=d["sessions"]["total"], held=d["sessions"]["held"]),
            sessions,
        ),
        bar_chart(
            "regions",
            _("Cities by world region"),
            _("%(n)s cities in all, one bar per region.", n=d["cities"]["total"]),
            regions,
        ),
        bar_chart(
            "milestones",
            _("Pilot project milestones"),
            _("%(n)s milestones as of %(day)s.", n=d["milestones"]["total"], day=d["as_of"].isoformat()),
            milestones,
        ),
    ]
