"""Audit: a tamper-evident hash chain over the event log, its verification, the whole log, past reports.

Functions for the command line (``twinning audit verify [--head POSITION:HASH]``,
``twinning audit head``) and other entry points — each first brings the chain up to
date (runs the chain's follower once), so no running follower is needed::

    verify_programme(programme: Programme, head: str | None = None, *, catch_up: bool = True) -> VerifyResult
        # head: "POSITION:HASH" kept by an auditor; InvalidValue("head") if malformed.
        # VerifyResult.ok, .events_checked, .first_bad (BadEvent(position, originator_id, version,
        # problem) | None), .head (ChainHead), .unchained, .anchor, .detail; .to_dict() for JSON.
    chain_head(programme: Programme, *, catch_up: bool = True) -> ChainHead
        # str(chain_head(p)) == "POSITION:HASH" (hex): the value an auditor keeps outside the system.
    catch_up_chain(programme: Programme) -> int            # events newly chained

Long-running (the ``projector`` process, next to the views)::

    Follower(programme, audit_chain_for(programme)).run(stop)   # processor name "audit-chain"

For the web layer (permission checked here: auditors and admins, else PermissionDenied)::

    audit_events(audit_chain_for(programme), principal, after=None, limit=None, cursor=None) -> {items, next_cursor}
    iter_audit_events(audit_chain_for(programme), principal) -> Iterator[dict]     # exports
    verify_for(programme, principal, head=None) -> VerifyResult
    reports_as_of(programme).ask(instant, lambda views: views.dashboard(as_of=...)) -> (answer, position)

The chain (``domain.audit.chain`` defines the canonical bytes exactly): ``hash_n =
SHA-256(hash_{n-1} ‖ canonical(record n))`` in notification-id order, ``hash_0`` = 32
zero bytes, kept in ``audit_chain(position, originator_id, originator_version, hash)``
in the store's own database, written once by the ``audit-chain`` follower together with
its tracking record, never updated or deleted (triggers refuse it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.access import Principal
from domain.audit.as_of import ReportsAsOf, last_position_at, reports_as_of
from domain.audit.chain import EMPTY_HEAD, ZERO_HASH, ChainHead, canonical, link, parse_head
from domain.audit.log import AUDIT_ROLES, audit_events, iter_audit_events, jsonable, require_auditor
from domain.audit.processor import TRACKING_NAME, AuditChain, audit_chain_for, catch_up_chain
from domain.audit.verify import PROBLEMS, BadEvent, VerifyResult, verify_chain

if TYPE_CHECKING:  # pragma: no cover
    from domain.application import Programme


def verify_programme(
    programme: Programme, head: str | ChainHead | None = None, *, catch_up: bool = True
) -> VerifyResult:
    """Bring the chain up to date (unless told not to), then verify the store against it (and a kept head)."""
    if head is not None and head != "":
        head = parse_head(head)  # a malformed head fails before any work
    if catch_up:
        catch_up_chain(programme)
    return verify_chain(audit_chain_for(programme), head)


def chain_head(programme: Programme, *, catch_up: bool = True) -> ChainHead:
    """The chain's head (position, hash) after bringing it up to date: for an auditor to keep."""
    if catch_up:
        catch_up_chain(programme)
    return audit_chain_for(programme).head()


def verify_for(programme: Programme, principal: Principal, head: str | None = None) -> VerifyResult:
    """``verify_programme`` for a caller: auditors and admins only."""
    require_auditor(principal)
    return verify_programme(programme, head)


def head_for(programme: Programme, principal: Principal) -> ChainHead:
    require_auditor(principal)
    return chain_head(programme)


__all__ = [
    "AUDIT_ROLES",
    "EMPTY_HEAD",
    "PROBLEMS",
    "TRACKING_NAME",
    "ZERO_HASH",
    "AuditChain",
    "BadEvent",
    "ChainHead",
    "ReportsAsOf",
    "VerifyResult",
    "audit_chain_for",
    "audit_events",
    "canonical",
    "catch_up_chain",
    "chain_head",
    "head_for",
    "iter_audit_events",
    "jsonable",
    "last_position_at",
    "link",
    "parse_head",
    "reports_as_of",
    "require_auditor",
    "verify_chain",
    "verify_for",
    "verify_programme",
]
