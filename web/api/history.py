"""Every event of one aggregate: GET /{kind}/{id}/history."""

from __future__ import annotations

from uuid import UUID

from domain.model.action_plan import ActionPlan
from domain.model.agreement import Agreement
from domain.model.city import City
from domain.model.cluster import Cluster
from domain.model.meeting import Meeting
from domain.model.partnership import Partnership
from domain.model.programme import CooperationProgramme
from domain.model.project import PilotProject
from domain.model.user import User
from web import representations as rep
from web.api import api_blueprint
from web.api.lists import page
from web.http import answer, principal, programme
from web.schemas import HistoryPage, PageQuery, TimelinePage

KINDS = {
    "cities": (City, "city"),
    "partnerships": (Partnership, "partnership"),
    "meetings": (Meeting, "meeting"),
    "agreements": (Agreement, "agreement"),
    "projects": (PilotProject, "project"),
    "users": (User, "user"),
    "programmes": (CooperationProgramme, "programme"),
    "clusters": (Cluster, "cluster"),
    "action-plans": (ActionPlan, "action_plan"),
}


def blueprint():
    bp = api_blueprint("history", "History")
    for kind, (cls, singular) in KINDS.items():
        _route(bp, kind, cls, singular)

    @bp.get("/cities/<uuid:city_id>/timeline")
    @bp.input(PageQuery, location="query", arg_name="query")
    @bp.output(TimelinePage)
    @bp.doc(summary="The city's cooperation history: everything that touched it, in log order")
    def timeline(city_id: UUID, query: PageQuery):
        app = programme()
        app.load(City, city_id)
        return page(query.after, lambda v: v.timeline(str(city_id), limit=query.limit, cursor=query.cursor, log=app))

    return bp


def _route(bp, kind: str, cls: type, singular: str) -> None:
    def history(**path: UUID):
        aggregate_id = path[f"{singular}_id"]
        app = programme()
        if cls is User:
            app.user(principal(), str(aggregate_id))  # admin, auditor or the user themself
        entries = app.history(cls, aggregate_id)
        version = entries[-1].version if entries else None
        return answer({"items": [rep.history_entry(e) for e in entries], "next_cursor": None}, version)

    history.__name__ = f"{kind.replace('-', '_')}_history"
    label = "user (admin, auditor, or the user; token hashes left out)" if cls is User else singular.replace("_", " ")
    decorated = bp.output(HistoryPage)(history)
    decorated = bp.doc(summary=f"Every event of one {label}, oldest first")(decorated)
    bp.get(f"/{kind}/<uuid:{singular}_id>/history", endpoint=history.__name__)(decorated)
