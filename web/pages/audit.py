"""The auditors' pages under /audit: the log (paged like the API's lists), any aggregate's history,
the state as of an instant, chain verification, and the exports' links. The domain decides who may
read them (``domain.audit.require_auditor``), as it does for the API."""

from __future__ import annotations

from flask import Blueprint, request

from domain.audit import audit_events, require_auditor
from domain.model.statuses import AUDIT_ROLES
from web.pages.base import page_blueprint, render, services
from web.pages.session import current_principal, signed_in

LIMIT = 50


def blueprint() -> Blueprint:
    bp = page_blueprint("audit")

    @bp.get("/audit")
    @signed_in(*AUDIT_ROLES)
    def log():
        me = current_principal()
        require_auditor(me)
        chain = services().audit_chain
        chain.catch_up()
        after = request.args.get("after", "")
        found = audit_events(
            chain,
            me,
            after=int(after) if after.isdigit() else None,
            limit=LIMIT,
            cursor=request.args.get("cursor") or None,
        )
        return render("audit/log.html", events=found["items"], next_cursor=found["next_cursor"])

    return bp
