"""An agreement's parties and signatures (with the sign form), a pilot project's milestones."""

from __future__ import annotations

from uuid import UUID

from flask import url_for

from domain.milestones import milestone_state
from domain.model.agreement import Agreement
from domain.model.project import PilotProject
from domain.model.statuses import AgreementStatus
from web import representations as rep
from web.http import programme
from web.pages.base import render
from web.pages.forms import Form, done
from web.pages.reading import city_names, content_blueprint, may_act, viewer_zone, views
from web.pages.session import current_principal, signed_in
from web.schemas import SignIn

RULE_FIELDS = {"party-already-signed": "party"}


def blueprint():
    bp = content_blueprint("agreements")

    @bp.get("/agreements/<uuid:agreement_id>")
    @signed_in()
    def agreement(agreement_id: UUID):
        return show_agreement(agreement_id)

    @bp.post("/agreements/<uuid:agreement_id>/sign")
    @signed_in()
    def sign(agreement_id: UUID):
        form = Form.posted()
        body = form.validate(SignIn)
        if body is not None:
            result = form.run(
                lambda: programme().sign_agreement(
                    current_principal(),
                    str(agreement_id),
                    body.party,
                    body.signed_on,
                    body.signatory,
                    expected_version=form.version,
                ),
                RULE_FIELDS,
            )
            if result is not None:
                return done(url_for("pages_agreements.agreement", agreement_id=agreement_id), result)
        return show_agreement(agreement_id, {form.value("party"): form})

    @bp.get("/projects/<uuid:project_id>")
    @signed_in()
    def project(project_id: UUID):
        app = programme()
        shown = rep.project(app.load(PilotProject, project_id))
        found = views()
        today = app.now().date()
        milestones = sorted(
            (
                {**m, "state": milestone_state(m["status"], m["due_on"], m["achieved_on"], shown["status"], today)}
                for m in shown["milestones"]
            ),
            key=lambda m: (m["due_on"], m["title"]),
        )
        return render(
            "projects/one.html",
            project=shown,
            milestones=milestones,
            names=city_names(found, shown["member_city_ids"]),
            zone=viewer_zone(current_principal()),
            today=today,
        )

    return bp


def show_agreement(agreement_id: UUID, forms: dict[str, Form] | None = None):
    me = current_principal()
    app = programme()
    shown = rep.agreement(app.load(Agreement, agreement_id))
    found = views()
    names = city_names(found, [p["city_id"] for p in shown["parties"]])
    open_to_sign = shown["status"] == AgreementStatus.DRAFTED
    signable = [
        p["name"]
        for p in shown["parties"]
        if open_to_sign and p["signed_on"] is None and may_act(me, [p["city_id"]] if p["city_id"] else [])
    ]
    forms = forms or {}
    refused = next((f for f in forms.values() if f.refused), None)
    return render(
        "agreements/one.html",
        status=refused.status if refused else 200,
        a=shown,
        names=names,
        signable=signable,
        forms=forms,
        today=app.now().date().isoformat(),
        zone=viewer_zone(me),
    )
