"""``AuditChain``: the follower's processor that writes the hash chain, once, as events are first seen."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import Tracking

from domain.audit.chain import ChainHead
from domain.audit.store import ChainTable, open_chain_table

if TYPE_CHECKING:  # pragma: no cover
    from domain.application import Programme

TRACKING_NAME = "audit-chain"
CATCH_UP_BATCH = 2000


class ChainChanged(RuntimeError):
    """The store no longer holds a record the follower has just read: refuse to chain the batch."""


class AuditChain:
    """A ``domain.followers.Processor``: chains each batch of the log in the store's own database.

    The follower hands over decoded events, but the chain covers the stored bytes, so the
    batch's raw records are read again (one query) and hashed as they are stored. The chain
    rows and the tracking record ``audit-chain`` are written in one transaction.
    """

    name = TRACKING_NAME

    def __init__(self, programme: Programme) -> None:
        self.programme = programme
        self.table: ChainTable = open_chain_table(programme.factory)

    def position(self) -> int:
        return self.table.max_tracking_id(self.name) or 0  # type: ignore[attr-defined]

    def process(self, batch: list[tuple[int, DomainEvent]], tracking: Tracking) -> None:
        if not batch:
            return
        first, last = batch[0][0], batch[-1][0]
        raw = self.programme.recorder.select_notifications(start=first, stop=last, limit=last - first + 1)
        wanted = {position for position, _ in batch}
        records = [n for n in raw if n.id in wanted]
        if len(records) != len(batch):
            missing = sorted(wanted - {n.id for n in records})
            raise ChainChanged(f"the store no longer holds positions {missing[:5]} read a moment ago; not chaining")
        self.table.append(records, tracking)

    def head(self) -> ChainHead:
        return self.table.head()


_lock = threading.Lock()
_ATTRIBUTE = "_twinning_audit_chain"


def audit_chain_for(programme: Programme) -> AuditChain:
    """The programme's ``AuditChain`` (one per Programme instance; it shares the programme's connections).

    Kept on the programme itself, so it lives and goes with it (a cache keyed by the
    programme elsewhere would keep the programme alive through the chain's reference).
    """
    chain = getattr(programme, _ATTRIBUTE, None)
    if chain is None:
        with _lock:
            chain = getattr(programme, _ATTRIBUTE, None)
            if chain is None:
                chain = AuditChain(programme)
                setattr(programme, _ATTRIBUTE, chain)
    return chain


def catch_up_chain(programme: Programme, batch_size: int = CATCH_UP_BATCH) -> int:
    """Chain everything recorded so far that is not chained yet; how many events it chained."""
    from domain.followers import Follower

    return Follower(programme, audit_chain_for(programme), batch_size=batch_size).run_once()
