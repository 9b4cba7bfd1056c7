"""The partnership board, one partnership, and the propose / answer / withdraw forms."""

from __future__ import annotations

from uuid import UUID

from flask import abort, request, url_for

from domain.model.partnership import Partnership
from domain.model.statuses import InvitationStatus, PartnershipStatus
from web import representations as rep
from web.http import programme
from web.pages.base import render
from web.pages.forms import Form, done
from web.pages.reading import all_cities, city_names, content_blueprint, may_act, page_url, viewer_zone, views
from web.pages.session import current_principal, signed_in
from web.pages.theme_names import theme_choices
from web.schemas import ActionPlanIn, CityRef, DeclineIn, PartnershipIn, PartnershipListQuery, ReasonIn

BOARD_LIMIT = 10
# Refusals that belong to one field of a form rather than to the whole of it.
RULE_FIELDS = {
    "proposer-invited": "invited_city_ids",
    "city-invited-twice": "invited_city_ids",
    "single-region-partnership": "invited_city_ids",
    "city-retired": "invited_city_ids",
}


def blueprint():
    bp = content_blueprint("partnerships")

    @bp.get("/partnerships")
    @signed_in()
    def board():
        found = views()
        form = Form(values={k: request.args.get(k, "") for k in ("status", "city_id", "theme")})
        query = form.validate(PartnershipListQuery) or PartnershipListQuery()
        status, city, theme = query.status, query.city_id and str(query.city_id), query.theme
        filters = {"city_id": city, "theme": theme}
        columns = []
        for each in [status] if status else list(PartnershipStatus):
            result = found.partnerships(
                status=each, **filters, limit=None if status else BOARD_LIMIT, cursor=request.args.get("cursor")
            )
            more = (
                page_url("pages_partnerships.board", result["next_cursor"])
                if status
                else (url_for("pages_partnerships.board", status=each, **filters) if result["next_cursor"] else None)
            )
            columns.append({"status": each, "items": result["items"], "more": more})
        return render(
            "partnerships/board.html",
            status=form.status if form.refused else 200,
            form=form,
            columns=columns,
            chosen_status=status,
            city_id=city,
            theme=theme,
            city_choices=[(c["id"], c["name"]) for c in all_cities(found)],
            themes=theme_choices(),
        )

    @bp.get("/partnerships/new")
    @signed_in()
    def new():
        me = current_principal()
        proposer = request.args.get("from") or me.city_id
        if proposer and not may_act(me, [proposer]):
            abort(403)
        invited = [c for c in request.args.getlist("with") if c]
        form = Form.blank(proposer_city_id=proposer or "", invited_city_ids=invited)
        return show_new(form)

    @bp.post("/partnerships")
    @signed_in()
    def propose():
        form = Form.posted()
        body = form.validate(PartnershipIn)
        if body is not None:
            result = form.run(
                lambda: programme().propose_partnership(
                    current_principal(),
                    body.title,
                    str(body.proposer_city_id),
                    [str(c) for c in body.invited_city_ids],
                    body.themes,
                    body.description,
                ),
                RULE_FIELDS,
            )
            if result is not None:
                return done(url_for("pages_partnerships.one", partnership_id=result.aggregate.id), result)
        return show_new(form)

    @bp.get("/partnerships/<uuid:partnership_id>")
    @signed_in()
    def one(partnership_id: UUID):
        return show_one(partnership_id)

    @bp.get("/partnerships/<uuid:partnership_id>/invitations/<uuid:city_id>")
    @signed_in()
    def answer(partnership_id: UUID, city_id: UUID):
        """The invited city's own page for its answer: only its officers (and staff) reach it."""
        if not may_act(current_principal(), [str(city_id)]):
            abort(403)
        return show_one(partnership_id, only=str(city_id))

    @bp.post("/partnerships/<uuid:partnership_id>/accept")
    @signed_in()
    def accept(partnership_id: UUID):
        form = Form.posted()
        city = form.value("city_id")
        body = form.validate(CityRef)
        if body is not None:
            result = form.run(
                lambda: programme().accept_invitation(
                    current_principal(), str(partnership_id), str(body.city_id), expected_version=form.version
                ),
                RULE_FIELDS,
            )
            if result is not None:
                return done(url_for("pages_partnerships.one", partnership_id=partnership_id), result)
        return show_one(partnership_id, forms={f"answer-{city}": form})

    @bp.post("/partnerships/<uuid:partnership_id>/decline")
    @signed_in()
    def decline(partnership_id: UUID):
        form = Form.posted()
        city = form.value("city_id")
        body = form.validate(DeclineIn)
        if body is not None:
            result = form.run(
                lambda: programme().decline_invitation(
                    current_principal(),
                    str(partnership_id),
                    str(body.city_id),
                    body.reason,
                    expected_version=form.version,
                ),
                RULE_FIELDS,
            )
            if result is not None:
                return done(url_for("pages_partnerships.one", partnership_id=partnership_id), result)
        return show_one(partnership_id, forms={f"answer-{city}": form})

    @bp.post("/partnerships/<uuid:partnership_id>/withdraw")
    @signed_in()
    def withdraw(partnership_id: UUID):
        form = Form.posted()
        body = form.validate(ReasonIn)
        if body is not None:
            result = form.run(
                lambda: programme().withdraw_proposal(
                    current_principal(), str(partnership_id), body.reason, expected_version=form.version
                ),
                RULE_FIELDS,
            )
            if result is not None:
                return done(url_for("pages_partnerships.one", partnership_id=partnership_id), result)
        return show_one(partnership_id, forms={"withdraw": form})

    @bp.post("/partnerships/<uuid:partnership_id>/action-plan")
    @signed_in()
    def action_plan(partnership_id: UUID):
        form = Form.posted()
        body = form.validate(ActionPlanIn)
        command = body and (
            lambda: programme().adopt_action_plan(
                current_principal(), str(partnership_id), body.summary, body.adopted_on, expected_version=form.version
            )
        )
        return _run(partnership_id, "plan", form, command)

    return bp


def _run(partnership_id: UUID, name: str, form: Form, command):
    if command:
        result = form.run(command, RULE_FIELDS)
        if result is not None:
            return done(url_for("pages_partnerships.one", partnership_id=partnership_id), result)
    return show_one(partnership_id, forms={name: form})


def show_new(form: Form):
    me = current_principal()
    found = views()
    cities = all_cities(found)
    proposers = [c for c in cities if may_act(me, [c["id"]])]
    suggested = set(form.chosen("invited_city_ids"))
    return render(
        "partnerships/new.html",
        status=form.status if form.refused else 200,
        form=form,
        proposers=[(c["id"], c["name"]) for c in proposers],
        invitees=[(c["id"], c["name"]) for c in cities],
        suggested=suggested,
        themes=theme_choices(),
    )


def show_one(partnership_id: UUID, forms: dict[str, Form] | None = None, only: str | None = None):
    """The partnership as it stands now (read from its aggregate: every write is in it at once)."""
    me = current_principal()
    app = programme()
    partnership = app.load(Partnership, partnership_id)
    shown = rep.partnership(partnership)
    found = views()
    names = city_names(found, [shown["proposer_city_id"], *(i["city_id"] for i in shown["invitations"])])
    pending = [i for i in shown["invitations"] if i["status"] == InvitationStatus.PENDING]
    answerable = [i["city_id"] for i in pending if may_act(me, [i["city_id"]]) and (only in (None, i["city_id"]))]
    if only is not None and only not in {i["city_id"] for i in shown["invitations"]}:
        abort(404)
    forms = forms or {}
    refused = next((f for f in forms.values() if f.refused), None)
    return render(
        "partnerships/one.html",
        status=refused.status if refused else 200,
        p=shown,
        names=names,
        answerable=answerable,
        may_withdraw=shown["status"] == PartnershipStatus.PROPOSED and may_act(me, [shown["proposer_city_id"]]),
        may_plan=shown["status"] == PartnershipStatus.ACTIVE and may_act(me, shown["member_city_ids"]),
        today=app.now().date().isoformat(),
        forms=forms,
        history=app.history(Partnership, partnership_id),
        meetings=found.meetings(partnership_id=str(partnership_id), limit=20)["items"],
        zone=viewer_zone(me),
    )
