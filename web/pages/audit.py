"""The auditors' pages under /audit: the log (paged like the API's lists), chain verification and
the exports. The domain decides who may read them (``domain.audit.require_auditor``), as for the API;
``@signed_in`` only sends others to the 403 page before anything is read."""

from __future__ import annotations

import re

from flask import Blueprint, abort, g, request

from domain.audit import audit_events, head_for, require_auditor, verify_for
from domain.errors import InvalidValue
from domain.model.statuses import AUDIT_ROLES
from web.api import exports
from web.api.audit import HEAD_PATTERN
from web.pages.audit_history import KIND_OF_TYPE
from web.pages.base import page_blueprint, render, services
from web.pages.session import current_principal, signed_in

LIMIT = 50
FORMATS = ("csv", "json")


def blueprint() -> Blueprint:
    bp = page_blueprint("audit")

    @bp.get("/audit")
    @signed_in(*AUDIT_ROLES)
    def log():
        me = current_principal()
        require_auditor(me)
        chain = services().audit_chain
        chain.catch_up()  # every event listed carries its hash
        after = request.args.get("after", "")
        found = audit_events(
            chain,
            me,
            after=int(after) if after.isdigit() else None,
            limit=LIMIT,
            cursor=request.args.get("cursor") or None,
        )
        return render(
            "audit/log.html", events=found["items"], next_cursor=found["next_cursor"], kind_of_type=KIND_OF_TYPE
        )

    @bp.get("/audit/verify")
    @signed_in(*AUDIT_ROLES)
    def verify():
        me = current_principal()
        kept = (request.args.get("head") or "").strip() or None
        if kept is not None and not re.match(HEAD_PATTERN, kept):
            error = InvalidValue("head", "expected POSITION:HASH as shown under “the head to keep”")
            return render("audit/verify.html", 422, result=None, head=None, kept=kept, error=error.message)
        chain = services().audit_chain
        result = verify_for(chain, me, kept).to_dict() if "run" in request.args or kept else None
        return render("audit/verify.html", result=result, head=head_for(chain, me), kept=kept or "", error=None)

    @bp.get("/audit/exports")
    @signed_in(*AUDIT_ROLES)
    def exports_list():
        require_auditor(current_principal())
        return render("audit/exports.html", kinds=list(exports.HEADERS), formats=FORMATS)

    @bp.get("/audit/exports/<kind>.<fmt>")
    @signed_in(*AUDIT_ROLES)
    def export(kind: str, fmt: str):
        """The API's export, streamed the same way, for a browser signed in with its session."""
        if kind not in exports.HEADERS or fmt not in FORMATS:
            abort(404)
        g.principal = current_principal()  # the export's own check (require_auditor) reads it
        items, headers = exports._source(kind, None)
        if fmt == "csv":
            return exports._stream(exports._csv(kind, items), exports.CSV_MEDIA_TYPE, f"{kind}.csv", headers)
        chunks = exports._json(kind, items, headers["X-Export-Position"])
        return exports._stream(chunks, exports.JSON_MEDIA_TYPE, f"{kind}.json", headers)

    return bp
