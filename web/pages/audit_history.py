"""Any aggregate's history, and its state as of an instant (auditors' pages, /audit/history and
/audit/as-of): the Application's ``history`` and ``load_as_of``, shown as the API shows them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, request

from domain.audit import jsonable, require_auditor
from domain.errors import InvalidValue, NotFound
from domain.model.statuses import AUDIT_ROLES
from domain.model.user import User
from web import representations as rep
from web.api.history import KINDS
from web.pages.base import page_blueprint, render, services
from web.pages.i18n import time_zone
from web.pages.session import current_principal, signed_in

KIND_OF_TYPE = {cls.__name__: kind for kind, (cls, _singular) in KINDS.items()}
STATES = {
    "cities": rep.city,
    "partnerships": rep.partnership,
    "meetings": rep.meeting,
    "agreements": rep.agreement,
    "projects": rep.project,
}


def _local_instant(text: str) -> datetime:
    """``2026-05-04T10:30`` (a datetime-local field) in the viewer's time zone, as an aware instant."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidValue("at", "expected a date and time such as 2026-05-04T10:30") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(time_zone()))
    return moment


def _asked() -> tuple[str, str]:
    return request.args.get("kind", "partnerships"), (request.args.get("id") or "").strip()


def blueprint() -> Blueprint:
    bp = page_blueprint("audit_history")

    @bp.get("/audit/history")
    @signed_in(*AUDIT_ROLES)
    def history():
        me = current_principal()
        require_auditor(me)
        kind, aggregate_id = _asked()
        entries, error, status = None, None, 200
        if aggregate_id:
            if kind not in KINDS:
                error = InvalidValue("kind", f"expected one of {', '.join(KINDS)}").message
            else:
                cls = KINDS[kind][0]
                programme = services().programme
                try:
                    if cls is User:
                        programme.user(me, aggregate_id)
                    entries = [jsonable(rep.history_entry(e)) for e in programme.history(cls, aggregate_id)]
                except InvalidValue as refused:
                    error, status = refused.message, 422
                except NotFound as missing:
                    error, status = str(missing), 404
        return render(
            "audit/history.html", status, kinds=list(KINDS), kind=kind, id=aggregate_id, entries=entries, error=error
        )

    @bp.get("/audit/as-of")
    @signed_in(*AUDIT_ROLES)
    def as_of():
        me = current_principal()
        require_auditor(me)
        kind, aggregate_id = _asked()
        at = (request.args.get("at") or "").strip()
        state, error, instant, status = None, None, None, 200
        if aggregate_id and at:
            try:
                if kind not in STATES:
                    raise InvalidValue("kind", f"expected one of {', '.join(STATES)}")
                instant = _local_instant(at)
                cls = KINDS[kind][0]
                state = jsonable(STATES[kind](services().programme.load_as_of(cls, aggregate_id, instant)))
            except InvalidValue as refused:
                error, status = refused.message, 422
            except NotFound as missing:
                error, status = str(missing), 404
        return render(
            "audit/as_of.html",
            status,
            kinds=list(STATES),
            kind=kind,
            id=aggregate_id,
            at=at,
            instant=instant,
            state=state,
            error=error,
        )

    return bp
