"""Partnerships: proposals, invitations and their answers, action plans, conclusion."""

from __future__ import annotations

from uuid import UUID

from domain.model.action_plan import plan_id_of
from domain.model.partnership import Partnership
from web import representations as rep
from web.api import api_blueprint
from web.api.lists import page, programme_filter, text_id
from web.api.reads import read_one
from web.http import if_match, principal, programme, recorded
from web.schemas import (
    ActionPlanIn,
    AsOfQuery,
    CityRef,
    ConcludeIn,
    DeclineIn,
    PartnershipIn,
    PartnershipListQuery,
    PartnershipOut,
    PartnershipPage,
    ReasonIn,
)


def _with_plan(p: Partnership) -> dict:
    """The partnership, and the id of its action plan (GET /action-plans/{id}) once it has one."""
    plan_id = plan_id_of(p.id)
    return {**rep.partnership(p), "action_plan_id": str(plan_id) if programme().exists(plan_id) else None}


def blueprint():
    bp = api_blueprint("partnerships", "Partnerships")

    @bp.post("/partnerships")
    @bp.input(PartnershipIn, arg_name="body")
    @bp.output(PartnershipOut, status_code=201)
    @bp.doc(summary="Propose a partnership (officer of the proposer, facilitator)")
    def propose(body: PartnershipIn):
        result = programme().propose_partnership(
            principal(),
            body.title,
            str(body.proposer_city_id),
            [str(c) for c in body.invited_city_ids],
            body.themes,
            body.description,
            programme_id=text_id(body.programme_id),
        )
        return recorded(result, _with_plan, 201, location=f"/api/v1/partnerships/{result.aggregate.id}")

    @bp.get("/partnerships/<uuid:partnership_id>")
    @bp.input(AsOfQuery, location="query", arg_name="query")
    @bp.output(PartnershipOut)
    @bp.doc(summary="One partnership (as it is now, or ?as_of=)")
    def get_partnership(partnership_id: UUID, query: AsOfQuery):
        return read_one(Partnership, partnership_id, query.as_of, _with_plan)

    @bp.post("/partnerships/<uuid:partnership_id>/invite")
    @bp.input(CityRef, arg_name="body")
    @bp.output(PartnershipOut)
    @bp.doc(summary="Invite one more city (officer of the proposer, facilitator)")
    def invite(partnership_id: UUID, body: CityRef):
        return recorded(
            programme().invite_to_partnership(
                principal(), str(partnership_id), str(body.city_id), expected_version=if_match()
            ),
            _with_plan,
        )

    @bp.post("/partnerships/<uuid:partnership_id>/accept")
    @bp.input(CityRef, arg_name="body")
    @bp.output(PartnershipOut)
    @bp.doc(summary="Accept an invitation (officer of the invited city, facilitator)")
    def accept(partnership_id: UUID, body: CityRef):
        return recorded(
            programme().accept_invitation(
                principal(), str(partnership_id), str(body.city_id), expected_version=if_match()
            ),
            _with_plan,
        )

    @bp.post("/partnerships/<uuid:partnership_id>/decline")
    @bp.input(DeclineIn, arg_name="body")
    @bp.output(PartnershipOut)
    @bp.doc(summary="Decline an invitation (officer of the invited city, facilitator)")
    def decline(partnership_id: UUID, body: DeclineIn):
        return recorded(
            programme().decline_invitation(
                principal(), str(partnership_id), str(body.city_id), body.reason, expected_version=if_match()
            ),
            _with_plan,
        )

    @bp.post("/partnerships/<uuid:partnership_id>/withdraw")
    @bp.input(ReasonIn, arg_name="body")
    @bp.output(PartnershipOut)
    @bp.doc(summary="Withdraw a proposal (officer of the proposer, facilitator)")
    def withdraw(partnership_id: UUID, body: ReasonIn):
        return recorded(
            programme().withdraw_proposal(principal(), str(partnership_id), body.reason, expected_version=if_match()),
            _with_plan,
        )

    @bp.post("/partnerships/<uuid:partnership_id>/action-plan")
    @bp.input(ActionPlanIn, arg_name="body")
    @bp.output(PartnershipOut)
    @bp.doc(
        summary="Adopt the action plan in one step: its summary becomes the first objective of the partnership's "
        "action plan, adopted on behalf of every member (officer of a member, facilitator)"
    )
    def action_plan(partnership_id: UUID, body: ActionPlanIn):
        return recorded(
            programme().adopt_action_plan(
                principal(), str(partnership_id), body.summary, body.adopted_on, expected_version=if_match()
            ),
            _with_plan,
        )

    @bp.post("/partnerships/<uuid:partnership_id>/conclude")
    @bp.input(ConcludeIn, arg_name="body")
    @bp.output(PartnershipOut)
    @bp.doc(summary="Conclude an active partnership (officer of a member, facilitator)")
    def conclude(partnership_id: UUID, body: ConcludeIn):
        return recorded(
            programme().conclude_partnership(
                principal(), str(partnership_id), body.outcome, expected_version=if_match()
            ),
            _with_plan,
        )

    @bp.get("/partnerships")
    @bp.input(PartnershipListQuery, location="query", arg_name="query")
    @bp.output(PartnershipPage)
    @bp.doc(summary="The partnership board, newest first (?status=&city_id=&theme=)")
    def list_partnerships(query: PartnershipListQuery):
        return page(
            query.after,
            lambda v: v.with_plan_ids(
                v.partnerships(
                    status=query.status,
                    city_id=text_id(query.city_id),
                    theme=query.theme,
                    programme_id=programme_filter(query.programme_id),
                    limit=query.limit,
                    cursor=query.cursor,
                )
            ),
        )

    return bp
