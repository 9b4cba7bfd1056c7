"""``AuditChain``: the follower's processor that writes the hash chain, once, as events are first seen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import Tracking

from domain.audit.chain import ChainHead, parse_head
from domain.audit.store import ChainTable, open_chain_table
from domain.audit.verify import VerifyResult, verify_chain

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
        """Opens (and creates, if need be) the chain's table: a process keeps one per Programme."""
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
        """The last chained row (without catching up)."""
        return self.table.head()

    def catch_up(self, batch_size: int = CATCH_UP_BATCH) -> int:
        """Chain everything recorded so far that is not chained yet; how many events it chained."""
        from domain.followers import Follower

        return Follower(self.programme, self, batch_size=batch_size).run_once()

    def verify(self, head: str | ChainHead | None = None, *, catch_up: bool = True) -> VerifyResult:
        """Bring the chain up to date (unless told not to), then verify the store against it (and a kept head)."""
        if head is not None and head != "":
            head = parse_head(head)  # a malformed head fails before any work
        if catch_up:
            self.catch_up()
        return verify_chain(self, head)

    def current_head(self, *, catch_up: bool = True) -> ChainHead:
        """The chain's head (position, hash) after bringing it up to date: for an auditor to keep."""
        if catch_up:
            self.catch_up()
        return self.head()
