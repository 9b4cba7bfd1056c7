"""Agreements (MoUs, frameworks, protocols): drafting, signing party by party, termination."""

from __future__ import annotations

from uuid import UUID

from domain.model.agreement import Agreement
from web import representations as rep
from web.api import api_blueprint
from web.api.lists import page, programme_filter, text_id
from web.api.reads import read_one
from web.http import if_match, principal, programme, recorded
from web.schemas import AgreementIn, AgreementListQuery, AgreementOut, AgreementPage, AsOfQuery, SignIn, TerminateIn


def blueprint():
    bp = api_blueprint("agreements", "Agreements")

    @bp.post("/agreements")
    @bp.input(AgreementIn, arg_name="body")
    @bp.output(AgreementOut, status_code=201)
    @bp.doc(summary="Draft an agreement (officer of a party's city, facilitator)")
    def draft(body: AgreementIn):
        parties = [{"name": p.name, "city_id": str(p.city_id) if p.city_id else None} for p in body.parties]
        result = programme().draft_agreement(
            principal(),
            body.title,
            body.kind,
            parties,
            body.topics,
            partnership_id=str(body.partnership_id) if body.partnership_id else None,
            programme_id=text_id(body.programme_id),
        )
        return recorded(result, rep.agreement, 201, location=f"/api/v1/agreements/{result.aggregate.id}")

    @bp.get("/agreements/<uuid:agreement_id>")
    @bp.input(AsOfQuery, location="query", arg_name="query")
    @bp.output(AgreementOut)
    @bp.doc(summary="One agreement (as it is now, or ?as_of=)")
    def get_agreement(agreement_id: UUID, query: AsOfQuery):
        return read_one(Agreement, agreement_id, query.as_of, rep.agreement)

    @bp.post("/agreements/<uuid:agreement_id>/sign")
    @bp.input(SignIn, arg_name="body")
    @bp.output(AgreementOut)
    @bp.doc(summary="Sign for one party (officer of the party's city, facilitator)")
    def sign(agreement_id: UUID, body: SignIn):
        return recorded(
            programme().sign_agreement(
                principal(), str(agreement_id), body.party, body.signed_on, body.signatory, expected_version=if_match()
            ),
            rep.agreement,
        )

    @bp.post("/agreements/<uuid:agreement_id>/terminate")
    @bp.input(TerminateIn, arg_name="body")
    @bp.output(AgreementOut)
    @bp.doc(summary="Terminate an agreement in force (officer of a party's city, facilitator)")
    def terminate(agreement_id: UUID, body: TerminateIn):
        return recorded(
            programme().terminate_agreement(
                principal(), str(agreement_id), body.reason, body.on, expected_version=if_match()
            ),
            rep.agreement,
        )

    @bp.get("/agreements")
    @bp.input(AgreementListQuery, location="query", arg_name="query")
    @bp.output(AgreementPage)
    @bp.doc(summary="Agreements, newest first (?status=&kind=&city_id=&partnership_id=)")
    def list_agreements(query: AgreementListQuery):
        return page(
            query.after,
            lambda v: v.agreements(
                status=query.status,
                kind=query.kind,
                city_id=text_id(query.city_id),
                partnership_id=text_id(query.partnership_id),
                programme_id=programme_filter(query.programme_id),
                limit=query.limit,
                cursor=query.cursor,
            ),
        )

    return bp
