"""Programmes: launching them, their cities and facilitators, closing them; their thematic clusters."""

from __future__ import annotations

from uuid import UUID

from domain.errors import NotFound
from domain.model.cluster import Cluster
from domain.model.programme import CooperationProgramme
from web import representations as rep
from web.api import api_blueprint
from web.api.lists import page, text_id
from web.api.reads import read_one
from web.http import principal, programme, recorded
from web.schemas import (
    AsOfQuery,
    CityRef,
    CloseProgrammeIn,
    ClusterIn,
    ClusterOut,
    ClusterQuery,
    ClusterView,
    FacilitatorIn,
    ProgrammeIn,
    ProgrammeList,
    ProgrammeListQuery,
    ProgrammeOut,
    ReasonIn,
)


def blueprint():
    bp = api_blueprint("programmes", "Programmes")

    @bp.post("/programmes")
    @bp.input(ProgrammeIn, arg_name="body")
    @bp.output(ProgrammeOut, status_code=201)
    @bp.doc(summary="Launch a programme (admin)")
    def launch(body: ProgrammeIn):
        result = programme().launch_programme(
            principal(), body.code, body.name, body.regions, body.starts_on, body.ends_on
        )
        return recorded(result, rep.programme, 201, location=f"/api/v1/programmes/{result.aggregate.id}")

    @bp.get("/programmes")
    @bp.input(ProgrammeListQuery, location="query", arg_name="query")
    @bp.output(ProgrammeList)
    @bp.doc(summary="Every programme, oldest first, with its cities (?city_id=: those the city belongs to)")
    def list_programmes(query: ProgrammeListQuery):
        return page(query.after, lambda v: {"items": v.programmes(city_id=text_id(query.city_id))})

    @bp.get("/programmes/<uuid:programme_id>")
    @bp.input(AsOfQuery, location="query", arg_name="query")
    @bp.output(ProgrammeOut)
    @bp.doc(summary="One programme (as it is now, or ?as_of=)")
    def get_programme(programme_id: UUID, query: AsOfQuery):
        return read_one(CooperationProgramme, programme_id, query.as_of, rep.programme)

    @bp.post("/programmes/<uuid:programme_id>/cities")
    @bp.input(CityRef, arg_name="body")
    @bp.output(ProgrammeOut)
    @bp.doc(summary="A city joins the programme (admin, facilitator of the programme)")
    def join(programme_id: UUID, body: CityRef):
        return recorded(programme().join_programme(principal(), str(programme_id), str(body.city_id)), rep.programme)

    @bp.post("/programmes/<uuid:programme_id>/cities/<uuid:city_id>/leave")
    @bp.input(ReasonIn, arg_name="body")
    @bp.output(ProgrammeOut)
    @bp.doc(summary="A city leaves the programme (admin, facilitator of the programme, officer of the city)")
    def leave(programme_id: UUID, city_id: UUID, body: ReasonIn):
        return recorded(
            programme().leave_programme(principal(), str(programme_id), str(city_id), body.reason), rep.programme
        )

    @bp.post("/programmes/<uuid:programme_id>/facilitators")
    @bp.input(FacilitatorIn, arg_name="body")
    @bp.output(ProgrammeOut)
    @bp.doc(summary="Assign a facilitator to the programme (admin)")
    def assign(programme_id: UUID, body: FacilitatorIn):
        return recorded(
            programme().assign_facilitator(principal(), str(programme_id), str(body.user_id)), rep.programme
        )

    @bp.post("/programmes/<uuid:programme_id>/close")
    @bp.input(CloseProgrammeIn, arg_name="body")
    @bp.output(ProgrammeOut)
    @bp.doc(summary="Close the programme (admin)")
    def close(programme_id: UUID, body: CloseProgrammeIn):
        return recorded(programme().close_programme(principal(), str(programme_id), body.ends_on), rep.programme)

    @bp.post("/programmes/<uuid:programme_id>/clusters")
    @bp.input(ClusterIn, arg_name="body")
    @bp.output(ClusterOut, status_code=201)
    @bp.doc(summary="Form a thematic cluster in the programme (admin, facilitator of the programme)")
    def form_cluster(programme_id: UUID, body: ClusterIn):
        result = programme().form_cluster(principal(), str(programme_id), body.name, body.themes)
        return recorded(result, rep.cluster, 201, location=f"/api/v1/clusters/{result.aggregate.id}")

    @bp.get("/clusters/<uuid:cluster_id>")
    @bp.input(ClusterQuery, location="query", arg_name="query")
    @bp.output(ClusterView)
    @bp.doc(summary="A cluster: its members, its sessions and its projects (?after=: once the views have it)")
    def get_cluster(cluster_id: UUID, query: ClusterQuery):
        programme().load(Cluster, cluster_id)  # 404 for an id that is no cluster

        def one(views):
            found = views.cluster(str(cluster_id))
            if found is None:
                raise NotFound(f"the cluster {cluster_id} is not in the read models yet; retry shortly")
            return found

        return page(query.after, one)

    @bp.post("/clusters/<uuid:cluster_id>/cities")
    @bp.input(CityRef, arg_name="body")
    @bp.output(ClusterOut)
    @bp.doc(summary="A city of the programme joins the cluster (admin, facilitator of the programme)")
    def join_cluster(cluster_id: UUID, body: CityRef):
        return recorded(programme().join_cluster(principal(), str(cluster_id), str(body.city_id)), rep.cluster)

    @bp.post("/clusters/<uuid:cluster_id>/cities/<uuid:city_id>/leave")
    @bp.input(ReasonIn, arg_name="body")
    @bp.output(ClusterOut)
    @bp.doc(summary="A city leaves the cluster (admin, facilitator of the programme, officer of the city)")
    def leave_cluster(cluster_id: UUID, city_id: UUID, body: ReasonIn):
        return recorded(programme().leave_cluster(principal(), str(cluster_id), str(city_id), body.reason), rep.cluster)

    return bp
