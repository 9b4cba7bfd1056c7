"""The audit log and its verification: GET /audit/events, /audit/verify, /audit/head (auditors and admins).

The domain decides who may read them (``domain.audit.require_auditor``): officers and
facilitators get 403, a request without a token 401, both as problem+json.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StrictStr

from domain.audit import audit_chain_for, audit_events, catch_up_chain, head_for, require_auditor, verify_for
from domain.audit.verify import Tampering
from web.api import api_blueprint
from web.http import principal, programme
from web.schemas import Cursor, Input, Limit, Output, values_of

HEAD_PATTERN = r"^\d{1,18}:[0-9a-fA-F]{64}$"


class AuditEventsQuery(Input):
    after: (
        Annotated[
            int,
            Field(
                ge=0, le=2**63 - 1, description="list the events after this log position (default 0: from the start)"
            ),
        ]
        | None
    ) = None
    limit: Limit | None = None
    cursor: Cursor | None = None


class AuditEventOut(Output):
    position: int = Field(description="the event's position in the log (notification id)")
    type: str = Field(description="the event's name, e.g. PartnershipProposed")
    aggregate_type: str | None = Field(description="e.g. Partnership, City, User")
    aggregate_id: str
    version: int
    recorded_at: datetime | None
    actor: str | None = Field(description="the acting user's id")
    data: dict[str, Any] | None = Field(description="the event's own fields (token hashes left out)")
    hash: str | None = Field(description="the chain hash after this event (hex); null while not chained yet")


class AuditEventPage(Output):
    items: list[AuditEventOut]
    next_cursor: str | None


class VerifyQuery(Input):
    head: (
        Annotated[
            StrictStr,
            Field(
                pattern=HEAD_PATTERN,
                description=(
                    "a head kept outside the system, POSITION:HASH (from GET /audit/head or `twinning audit head`): "
                    "the chain is also recomputed from the store alone up to it"
                ),
            ),
        ]
        | None
    ) = None


class HeadOut(Output):
    position: int
    hash: str = Field(description="SHA-256, hex")


class KeptHeadOut(Output):
    value: str = Field(description="POSITION:HASH, the form to keep and to pass as ?head=")
    position: int
    hash: str


class BadEventOut(Output):
    position: int
    originator_id: str | None
    version: int | None
    problem: values_of(Tampering)


class AnchorOut(Output):
    position: int
    hash: str
    matches: bool


class VerifyOut(Output):
    ok: bool
    events_checked: int
    first_bad: BadEventOut | None
    head: HeadOut = Field(description="the chain's current head")
    unchained: int = Field(description="events after the chain's position, not chained yet")
    anchor: AnchorOut | None = Field(description="with ?head=: the kept head and whether the store reproduces it")
    detail: str


def blueprint():
    bp = api_blueprint("audit", "Audit")

    @bp.get("/audit/events")
    @bp.input(AuditEventsQuery, location="query", arg_name="query")
    @bp.output(AuditEventPage)
    @bp.doc(
        summary="The whole event log in order, each event with its type, actor, data and chain hash "
        "(auditors and admins)"
    )
    def events(query: AuditEventsQuery):
        who = principal()
        require_auditor(who)
        app = programme()
        catch_up_chain(app)  # so that every event listed carries its hash
        chain = audit_chain_for(app)
        return audit_events(chain, who, after=query.after, limit=query.limit, cursor=query.cursor)

    @bp.get("/audit/verify")
    @bp.input(VerifyQuery, location="query", arg_name="query")
    @bp.output(VerifyOut)
    @bp.doc(
        summary="Recompute the hash chain from the stored events and name the first one that was changed, "
        "removed, inserted or reordered; with ?head=POSITION:HASH also prove the log up to a kept head "
        "(auditors and admins)"
    )
    def verify(query: VerifyQuery):
        who = principal()
        return verify_for(programme(), who, query.head).to_dict()

    @bp.get("/audit/head")
    @bp.output(KeptHeadOut)
    @bp.doc(
        summary="The chain's head, POSITION:HASH: keep it outside the system to verify against later "
        "(auditors and admins)"
    )
    def head():
        who = principal()
        found = head_for(programme(), who)
        return {"value": str(found), "position": found.position, "hash": found.hex}

    return bp
