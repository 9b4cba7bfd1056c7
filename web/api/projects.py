"""Pilot projects and their milestones."""

from __future__ import annotations

from uuid import UUID

from domain.model.project import PilotProject
from web import representations as rep
from web.api import api_blueprint
from web.api.lists import page, programme_filter, text_id
from web.api.reads import read_one
from web.http import if_match, principal, programme, recorded
from web.schemas import (
    AchieveIn,
    AsOfQuery,
    CompleteIn,
    MilestoneIn,
    MilestoneRescheduleIn,
    ProjectCancelIn,
    ProjectIn,
    ProjectListQuery,
    ProjectOut,
    ProjectPage,
)


def blueprint():
    bp = api_blueprint("projects", "Projects")

    @bp.post("/projects")
    @bp.input(ProjectIn, arg_name="body")
    @bp.output(ProjectOut, status_code=201)
    @bp.doc(summary="Launch a pilot project of an active partnership (officer of a member, facilitator)")
    def launch(body: ProjectIn):
        result = programme().launch_project(
            principal(),
            body.title,
            str(body.partnership_id),
            body.themes,
            body.description,
            programme_id=text_id(body.programme_id),
        )
        return recorded(result, rep.project, 201, location=f"/api/v1/projects/{result.aggregate.id}")

    @bp.get("/projects/<uuid:project_id>")
    @bp.input(AsOfQuery, location="query", arg_name="query")
    @bp.output(ProjectOut)
    @bp.doc(summary="One pilot project (as it is now, or ?as_of=)")
    def get_project(project_id: UUID, query: AsOfQuery):
        return read_one(PilotProject, project_id, query.as_of, rep.project)

    @bp.post("/projects/<uuid:project_id>/milestones")
    @bp.input(MilestoneIn, arg_name="body")
    @bp.output(ProjectOut, status_code=201, description="the project with the new milestone")
    @bp.doc(summary="Plan a milestone (officer of a member, facilitator)")
    def plan_milestone(project_id: UUID, body: MilestoneIn):
        result = programme().plan_milestone(
            principal(),
            str(project_id),
            body.title,
            body.due_on,
            milestone_id=body.milestone_id,
            expected_version=if_match(),
        )
        return recorded(result, rep.project, 201, location=f"/api/v1/projects/{project_id}")

    @bp.post("/projects/<uuid:project_id>/milestones/<string:milestone_id>/achieve")
    @bp.input(AchieveIn, arg_name="body")
    @bp.output(ProjectOut)
    @bp.doc(summary="Record a milestone as achieved (officer of a member, facilitator)")
    def achieve_milestone(project_id: UUID, milestone_id: str, body: AchieveIn):
        return recorded(
            programme().achieve_milestone(
                principal(), str(project_id), milestone_id, body.achieved_on, body.note, expected_version=if_match()
            ),
            rep.project,
        )

    @bp.post("/projects/<uuid:project_id>/milestones/<string:milestone_id>/reschedule")
    @bp.input(MilestoneRescheduleIn, arg_name="body")
    @bp.output(ProjectOut)
    @bp.doc(summary="Move a milestone's due date (officer of a member, facilitator)")
    def reschedule_milestone(project_id: UUID, milestone_id: str, body: MilestoneRescheduleIn):
        return recorded(
            programme().reschedule_milestone(
                principal(), str(project_id), milestone_id, body.due_on, body.reason, expected_version=if_match()
            ),
            rep.project,
        )

    @bp.post("/projects/<uuid:project_id>/complete")
    @bp.input(CompleteIn, arg_name="body")
    @bp.output(ProjectOut)
    @bp.doc(summary="Complete the project (officer of a member, facilitator)")
    def complete(project_id: UUID, body: CompleteIn):
        return recorded(
            programme().complete_project(principal(), str(project_id), body.summary, expected_version=if_match()),
            rep.project,
        )

    @bp.post("/projects/<uuid:project_id>/cancel")
    @bp.input(ProjectCancelIn, arg_name="body")
    @bp.output(ProjectOut)
    @bp.doc(summary="Cancel the project (officer of a member, facilitator)")
    def cancel(project_id: UUID, body: ProjectCancelIn):
        return recorded(
            programme().cancel_project(principal(), str(project_id), body.reason, expected_version=if_match()),
            rep.project,
        )

    @bp.get("/projects")
    @bp.input(ProjectListQuery, location="query", arg_name="query")
    @bp.output(ProjectPage)
    @bp.doc(summary="Pilot projects, newest first, milestone states as of a date (?status=&city_id=&theme=&as_of=)")
    def list_projects(query: ProjectListQuery):
        return page(
            query.after,
            lambda v: v.projects(
                status=query.status,
                city_id=text_id(query.city_id),
                partnership_id=text_id(query.partnership_id),
                programme_id=programme_filter(query.programme_id),
                theme=query.theme,
                as_of=query.as_of,
                limit=query.limit,
                cursor=query.cursor,
            ),
        )

    return bp
