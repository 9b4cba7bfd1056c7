"""Action plans (UCAPs) of partnerships: objectives, actions, indicators and their values, adoption."""

from __future__ import annotations

from uuid import UUID

from domain.model.action_plan import ActionPlan
from web import representations as rep
from web.api import api_blueprint
from web.api.lists import page, text_id
from web.api.reads import read_one
from web.http import if_match, principal, programme, recorded
from web.schemas import (
    ActionIn,
    ActionPlanDraftIn,
    ActionPlanFullOut,
    ActionPlanListQuery,
    ActionPlanPage,
    AdoptPlanIn,
    AsOfQuery,
    DropIn,
    IndicatorIn,
    IndicatorValueIn,
    ObjectiveIn,
    OnIn,
)

WHO = "(officer of a member, facilitator)"


def _at(plan_id) -> str:
    return f"/api/v1/action-plans/{plan_id}"


def blueprint():
    bp = api_blueprint("action_plans", "Action plans")

    @bp.post("/partnerships/<uuid:partnership_id>/action-plans")
    @bp.input(ActionPlanDraftIn, arg_name="body")
    @bp.output(ActionPlanFullOut, status_code=201)
    @bp.doc(summary=f"Draft the partnership's action plan (UCAP), one per partnership {WHO}")
    def draft(partnership_id: UUID, body: ActionPlanDraftIn):
        result = programme().draft_action_plan(principal(), str(partnership_id), body.title, body.objectives)
        return recorded(result, rep.action_plan, 201, location=_at(result.aggregate.id))

    @bp.get("/action-plans/<uuid:plan_id>")
    @bp.input(AsOfQuery, location="query", arg_name="query")
    @bp.output(ActionPlanFullOut)
    @bp.doc(summary="One action plan (as it is now, or ?as_of=)")
    def get_plan(plan_id: UUID, query: AsOfQuery):
        return read_one(ActionPlan, plan_id, query.as_of, rep.action_plan)

    @bp.post("/action-plans/<uuid:plan_id>/objectives")
    @bp.input(ObjectiveIn, arg_name="body")
    @bp.output(ActionPlanFullOut, status_code=201, description="the plan with the new objective")
    @bp.doc(summary=f"Add an objective {WHO}")
    def add_objective(plan_id: UUID, body: ObjectiveIn):
        result = programme().add_objective(principal(), str(plan_id), body.text, expected_version=if_match())
        return recorded(result, rep.action_plan, 201, location=_at(plan_id))

    @bp.post("/action-plans/<uuid:plan_id>/actions")
    @bp.input(ActionIn, arg_name="body")
    @bp.output(ActionPlanFullOut, status_code=201, description="the plan with the new action")
    @bp.doc(summary=f"Plan an action, with a member city responsible for it {WHO}")
    def add_action(plan_id: UUID, body: ActionIn):
        result = programme().add_action(
            principal(),
            str(plan_id),
            body.title,
            str(body.responsible_city_id),
            body.starts_on,
            body.ends_on,
            body.means,
            objective_id=body.objective_id,
            action_id=body.action_id,
            expected_version=if_match(),
        )
        return recorded(result, rep.action_plan, 201, location=_at(plan_id))

    @bp.post("/action-plans/<uuid:plan_id>/actions/<string:action_id>/start")
    @bp.input(OnIn, arg_name="body")
    @bp.output(ActionPlanFullOut)
    @bp.doc(summary=f"Record an action as started {WHO}")
    def start_action(plan_id: UUID, action_id: str, body: OnIn):
        return recorded(
            programme().start_action(principal(), str(plan_id), action_id, body.on, expected_version=if_match()),
            rep.action_plan,
        )

    @bp.post("/action-plans/<uuid:plan_id>/actions/<string:action_id>/done")
    @bp.input(OnIn, arg_name="body")
    @bp.output(ActionPlanFullOut)
    @bp.doc(summary=f"Record a started action as done {WHO}")
    def finish_action(plan_id: UUID, action_id: str, body: OnIn):
        return recorded(
            programme().finish_action(principal(), str(plan_id), action_id, body.on, expected_version=if_match()),
            rep.action_plan,
        )

    @bp.post("/action-plans/<uuid:plan_id>/actions/<string:action_id>/drop")
    @bp.input(DropIn, arg_name="body")
    @bp.output(ActionPlanFullOut)
    @bp.doc(summary=f"Drop an action that will not be done {WHO}")
    def drop_action(plan_id: UUID, action_id: str, body: DropIn):
        return recorded(
            programme().drop_action(
                principal(), str(plan_id), action_id, body.on, body.reason, expected_version=if_match()
            ),
            rep.action_plan,
        )

    @bp.post("/action-plans/<uuid:plan_id>/indicators")
    @bp.input(IndicatorIn, arg_name="body")
    @bp.output(ActionPlanFullOut, status_code=201, description="the plan with the new indicator")
    @bp.doc(summary=f"Define an indicator with its baseline and target {WHO}")
    def define_indicator(plan_id: UUID, body: IndicatorIn):
        result = programme().define_indicator(
            principal(),
            str(plan_id),
            body.name,
            body.unit,
            body.baseline,
            body.target,
            indicator_id=body.indicator_id,
            expected_version=if_match(),
        )
        return recorded(result, rep.action_plan, 201, location=_at(plan_id))

    @bp.post("/action-plans/<uuid:plan_id>/indicators/<string:indicator_id>/values")
    @bp.input(IndicatorValueIn, arg_name="body")
    @bp.output(ActionPlanFullOut, status_code=201, description="the plan with the reported value")
    @bp.doc(summary=f"Report an indicator's value on a date {WHO}")
    def report_value(plan_id: UUID, indicator_id: str, body: IndicatorValueIn):
        result = programme().report_indicator_value(
            principal(), str(plan_id), indicator_id, body.value, body.on, body.note, expected_version=if_match()
        )
        return recorded(result, rep.action_plan, 201, location=_at(plan_id))

    @bp.post("/action-plans/<uuid:plan_id>/adopt")
    @bp.input(AdoptPlanIn, arg_name="body")
    @bp.output(ActionPlanFullOut)
    @bp.doc(summary="A member city adopts the plan (its officer, facilitator); adopted once every member city has")
    def adopt(plan_id: UUID, body: AdoptPlanIn):
        return recorded(
            programme().adopt_plan_for_city(
                principal(), str(plan_id), str(body.city_id), body.on, expected_version=if_match()
            ),
            rep.action_plan,
        )

    @bp.get("/action-plans")
    @bp.input(ActionPlanListQuery, location="query", arg_name="query")
    @bp.output(ActionPlanPage)
    @bp.doc(summary="Action plans, newest first, with actions and indicators (?partnership_id=&programme_id=&status=)")
    def list_plans(query: ActionPlanListQuery):
        return page(
            query.after,
            lambda v: v.action_plans(
                partnership_id=text_id(query.partnership_id),
                programme_id=text_id(query.programme_id),
                status=query.status,
                limit=query.limit,
                cursor=query.cursor,
            ),
        )

    return bp
