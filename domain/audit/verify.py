"""Verifying the log against the chain table, and against a head kept outside the system.

``verify`` reads the stored records in log order (in large batches of bounded position
ranges, see ``store_reader``; nothing is decoded: the raw stored bytes are hashed) and
the chain table in position order, side by side, recomputing the chain from the first
record. The first disagreement is named, with what happened at that position:

* ``changed``   – the chain has this position, the store holds something else there
  (its state, topic, id or version changed), or the chain entry itself was altered;
* ``removed``   – the chain has this position, the store does not any more;
* ``inserted``  – the store has a record at a position the chain never saw although the
  chain has read past it;
* ``reordered`` – the record at this position is one the chain saw at another position.

Records after the chain's position (the follower has not chained them yet) are counted
as ``unchained``, which is not a failure.

With ``head="POSITION:HASH"`` (a head kept outside the system, from ``twinning audit
head``), the chain is also recomputed from the STORE ALONE up to that position and
compared with the kept hash: this proves everything up to the head unchanged even if
someone rewrote both the store and the chain table. If they did, the chain table
cannot say where: the answer names the kept head's position (``changed``, or
``removed`` when the store no longer reaches it); an earlier export of
``/audit/events`` (each event with its hash) pins down the exact event.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.audit.chain import EMPTY_HEAD, HEADER, ZERO_HASH, ChainHead, parse_head
from domain.audit.records import Record, id_text, store_reader

if TYPE_CHECKING:  # pragma: no cover
    from domain.audit.processor import AuditChain

VERIFY_BATCH = 10_000


class Tampering(StrEnum):
    """What happened at the first position where the store and the chain disagree."""

    CHANGED = "changed"
    REMOVED = "removed"
    INSERTED = "inserted"
    REORDERED = "reordered"


PROBLEMS = tuple(Tampering)


@dataclass(frozen=True)
class BadEvent:
    position: int
    originator_id: str | None
    version: int | None
    problem: Tampering

    def to_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "originator_id": self.originator_id,
            "version": self.version,
            "problem": self.problem,
        }


@dataclass(frozen=True)
class VerifyResult:
    """``ok``; ``events_checked``: stored events recomputed; ``first_bad``; ``head``: the chain's current head.

    ``unchained``: stored events after the chain's position (not chained yet). ``anchor``:
    with a kept head, ``{position, hash, matches}``. ``detail``: the verdict in words.
    """

    ok: bool
    events_checked: int
    first_bad: BadEvent | None
    head: ChainHead
    unchained: int = 0
    anchor: dict[str, Any] | None = None
    detail: str = field(default="")

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events_checked": self.events_checked,
            "first_bad": None if self.first_bad is None else self.first_bad.to_dict(),
            "head": self.head.to_dict(),
            "unchained": self.unchained,
            "anchor": self.anchor,
            "detail": self.detail,
        }


def verify_chain(
    chain: AuditChain, head: str | ChainHead | None = None, batch_size: int = VERIFY_BATCH
) -> VerifyResult:
    """Recompute the chain from the store and compare (see the module's docstring). Reads only.

    The inner loop is written out by hand (local names, no calls but the hash): it runs
    once per stored event and is what makes verification fast.
    """
    anchor = None if head is None or head == "" else parse_head(head)
    table, recorder = chain.table, chain.programme.recorder
    read = store_reader(recorder)
    covered = chain.position()  # how far the chain has read (its tracking record)
    chain_head = table.head()  # the last chain row
    store_end = recorder.max_notification_id() or 0
    covered = max(covered, chain_head.position)
    anchor_position = anchor.position if anchor is not None else -1
    anchor_due = anchor is not None
    anchor_matches: bool | None = None
    at_anchor: Record | None = None  # the stored record at the kept head's position, if any

    sha256, pack, topics = hashlib.sha256, HEADER.pack, {}
    h = ZERO_HASH
    checked = unchained = 0
    first_bad: BadEvent | None = None
    start = 1

    def fetch(begin: int) -> tuple[list[Record], list[tuple[int, bytes]], int]:
        """The stored records and the chain rows with positions in [begin, end], and end.

        A bounded range, not "from begin on": with a table's statistics out of date (after a
        bulk load) PostgreSQL may sort everything after ``begin`` to serve each batch.
        """
        end = min(begin + batch_size - 1, store_end)
        found = read(begin, end, batch_size)
        rows = table.hashes(begin, end, batch_size) if begin <= chain_head.position else []
        return found, rows, end

    while start <= store_end:
        batch, rows, last = fetch(start)
        ri, rcount = 0, len(rows)
        for record in batch:
            position, oid, version, topic_text, state = record
            if anchor_due and position > anchor_position:
                anchor_due = False
                anchor_matches = h == anchor.hash
                if not anchor_matches:
                    first_bad = _anchor_bad(anchor, at_anchor)
                    break
            topic = topics.get(topic_text)
            if topic is None:
                topic = topics[topic_text] = topic_text.encode("utf-8")
            if isinstance(oid, UUID):
                oid = oid.bytes
            elif oid.__class__ is not bytes:
                oid = str(oid).encode("utf-8")
            h = sha256(h + pack(position, version, len(oid), len(topic), len(state)) + oid + topic + state).digest()
            if position == anchor_position:
                at_anchor = record
            if ri < rcount:
                row_position, row_hash = rows[ri]
                if row_position == position:
                    ri += 1
                    if row_hash != h:
                        first_bad = _diagnose(chain, record)
                        break
                    checked += 1
                    continue
                if row_position < position:
                    first_bad = _removed(chain, row_position)
                    break
            if position <= covered:
                first_bad = BadEvent(position, id_text(record[1]), version, Tampering.INSERTED)
                break
            unchained += 1
            checked += 1
        if first_bad is None and ri < rcount:  # chain rows between the batch's records: gone from the store
            first_bad = _removed(chain, rows[ri][0])
        start = last + 1
        if first_bad is not None:
            break

    if first_bad is None:
        # The store has ended: chain rows left over were removed from it, and a kept head not
        # passed yet is compared with the hash of everything the store holds.
        candidates = []
        if start <= chain_head.position:
            leftover = table.hashes(start, chain_head.position, 1)
            if leftover:
                candidates.append(_removed(chain, leftover[0][0]))
        if anchor_due:
            anchor_matches = h == anchor.hash
            if not anchor_matches:
                candidates.append(_anchor_bad(anchor, at_anchor))
        if candidates:
            first_bad = min(candidates, key=lambda bad: bad.position)

    anchor_info = None
    if anchor is not None:
        anchor_info = {"position": anchor.position, "hash": anchor.hex, "matches": bool(anchor_matches)}
    return VerifyResult(
        ok=first_bad is None,
        events_checked=checked,
        first_bad=first_bad,
        head=chain_head,
        unchained=unchained,
        anchor=anchor_info,
        detail=_detail(first_bad, anchor, anchor_matches, checked, unchained, chain_head),
    )


def _diagnose(chain: AuditChain, record: Record) -> BadEvent:
    """The chain has this position but another hash: a change, or a record moved from elsewhere."""
    position = record[0]
    row = chain.table.row(position)
    stored = (id_text(record[1]), record[2])
    if row is None:  # cannot happen (the row was just read), but be plain about it
        return BadEvent(position, stored[0], stored[1], Tampering.CHANGED)
    chained = (row[1], row[2])
    problem = Tampering.CHANGED
    if chained != stored:
        elsewhere = chain.table.find(*stored)
        if elsewhere is not None and elsewhere != position:
            problem = Tampering.REORDERED
    return BadEvent(position, chained[0], chained[1], problem)


def _removed(chain: AuditChain, position: int) -> BadEvent:
    row = chain.table.row(position)
    return BadEvent(position, row[1] if row else None, row[2] if row else None, Tampering.REMOVED)


def _anchor_bad(anchor: ChainHead, at_anchor: Record | None) -> BadEvent:
    if at_anchor is None:
        return BadEvent(anchor.position, None, None, Tampering.REMOVED)
    return BadEvent(anchor.position, id_text(at_anchor[1]), at_anchor[2], Tampering.CHANGED)


def _detail(
    bad: BadEvent | None, anchor: ChainHead | None, matches: bool | None, checked: int, unchained: int, head: ChainHead
) -> str:
    if bad is None:
        text = f"{checked} stored events recomputed; the chain up to position {head.position} is intact"
        if anchor is not None:
            text += f", and the store alone reproduces the kept head {anchor.position}"
        if unchained:
            text += f"; {unchained} newer events are not chained yet"
        return text
    if anchor is not None and matches is False and bad.position == anchor.position:
        return (
            f"the store up to position {anchor.position} no longer reproduces the kept head: an event at or "
            f"before it was changed, removed, inserted or reordered, and the chain table was rewritten to "
            f"match; compare with an earlier export of the audit log to find which"
        )
    what = {
        Tampering.CHANGED: "was changed",
        Tampering.REMOVED: "was removed from the store",
        Tampering.INSERTED: "is in the store but was never chained",
        Tampering.REORDERED: "holds an event chained elsewhere",
    }
    return f"the event at position {bad.position} {what[bad.problem]}"


__all__ = ["EMPTY_HEAD", "PROBLEMS", "BadEvent", "Tampering", "VerifyResult", "verify_chain"]
