"""Audit: a tamper-evident hash chain over the event log, its verification, the whole log, past reports.

A process opens one ``AuditChain(programme)`` (it opens the chain's table, creating it
if need be; ``web.bootstrap`` keeps it) and asks it; each question first brings the
chain up to date (runs the chain's follower once), so no running follower is needed::

    chain.verify(head: str | None = None, *, catch_up: bool = True) -> VerifyResult
        # head: "POSITION:HASH" kept by an auditor; InvalidValue("head") if malformed.
        # VerifyResult.ok, .events_checked, .first_bad (BadEvent(position, originator_id, version,
        # problem) | None), .head (ChainHead), .unchained, .anchor, .detail; .to_dict() for JSON.
    chain.current_head(*, catch_up: bool = True) -> ChainHead
        # str(head) == "POSITION:HASH" (hex): the value an auditor keeps outside the system.
    chain.catch_up() -> int            # events newly chained

``verify_programme(programme, ...)``, ``chain_head(programme, ...)`` and
``catch_up_chain(programme)`` do the same on a chain opened for one call (scripts, tests).

Long-running (the ``projector`` process, next to the views)::

    Follower(programme, chain).run(stop)   # processor name "audit-chain"

For the web layer (permission checked here: auditors and admins, else PermissionDenied)::

    audit_events(chain, principal, after=None, limit=None, cursor=None) -> {items, next_cursor}
    iter_audit_events(chain, principal) -> Iterator[dict]     # exports
    verify_for(chain, principal, head=None) -> VerifyResult
    ReportsAsOf(programme).ask(instant, lambda views: views.dashboard(as_of=...)) -> (answer, position)

The chain (``domain.audit.chain`` defines the canonical bytes exactly): ``hash_n =
SHA-256(hash_{n-1} ‖ canonical(record n))`` in notification-id order, ``hash_0`` = 32
zero bytes, kept in ``audit_chain(position, originator_id, originator_version, hash)``
in the store's own database, written once by the ``audit-chain`` follower together with
its tracking record, never updated or deleted (triggers refuse it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.access import Principal
from domain.audit.as_of import ReportsAsOf, last_position_at
from domain.audit.chain import EMPTY_HEAD, ZERO_HASH, ChainHead, canonical, link, parse_head
from domain.audit.log import AUDIT_ROLES, audit_events, iter_audit_events, jsonable, require_auditor
from domain.audit.processor import TRACKING_NAME, AuditChain
from domain.audit.verify import PROBLEMS, BadEvent, VerifyResult, verify_chain

if TYPE_CHECKING:  # pragma: no cover
    from domain.application import Programme


def verify_programme(
    programme: Programme, head: str | ChainHead | None = None, *, catch_up: bool = True
) -> VerifyResult:
    """``AuditChain.verify`` on a chain opened for this one call (a script's or a test's)."""
    return AuditChain(programme).verify(head, catch_up=catch_up)


def chain_head(programme: Programme, *, catch_up: bool = True) -> ChainHead:
    """``AuditChain.current_head`` on a chain opened for this one call."""
    return AuditChain(programme).current_head(catch_up=catch_up)


def catch_up_chain(programme: Programme) -> int:
    """``AuditChain.catch_up`` on a chain opened for this one call."""
    return AuditChain(programme).catch_up()


def verify_for(chain: AuditChain, principal: Principal, head: str | None = None) -> VerifyResult:
    """``AuditChain.verify`` for a caller: auditors and admins only."""
    require_auditor(principal)
    return chain.verify(head)


def head_for(chain: AuditChain, principal: Principal) -> ChainHead:
    require_auditor(principal)
    return chain.current_head()


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
    "require_auditor",
    "verify_chain",
    "verify_for",
    "verify_programme",
]
