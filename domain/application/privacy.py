"""Erasure on request (crypto-shredding) and the right of access, for one person at a time."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from domain.access import Principal, require_role
from domain.application.users import UsersMixin
from domain.errors import PermissionDenied
from domain.model.agreement import Agreement
from domain.model.statuses import Role
from domain.model.user import AlreadyErased, User
from domain.privacy.access import personal_record
from domain.privacy.mapper import ENVELOPE, PERSONAL_TOPICS
from domain.storage.secure import checkpoint
from domain.values import check_text

log = logging.getLogger(__name__)
_SIGNED = get_topic(Agreement.PartySigned)


@dataclass(frozen=True)
class Erasure:
    """What an erasure did, and which old log positions still hold the person's data in plain text."""

    user: User
    position: int | None
    plain_positions: list[int]
    aggregates: list[str] = field(default_factory=list)


@dataclass
class Places:
    """Where a person's personal data is in the log (found from the raw stored states, nothing decrypted)."""

    signatures: list[list[str]] = field(default_factory=list)
    plain_positions: list[int] = field(default_factory=list)
    aggregate_ids: set[UUID] = field(default_factory=set)


class PrivacyMixin(UsersMixin):
    def erase_person(self, principal: Principal, user_id: str, reason: str) -> Erasure:
        """Record ``PersonalDataErased``, then delete the person's data key: their data then reads as a pseudonym.

        Tokens are revoked and the user leaves their city's roster in the same transaction;
        the last active admin cannot be erased (LastAdmin). Erasing an erased person is a
        conflict (AlreadyErased), after making sure their key is gone.
        """
        require_role(principal, Role.ADMIN)
        reason = check_text(reason, "reason", required=True)
        user = self.load(User, user_id)
        subject = str(user.id)
        if user.erased:
            self.keys.erase(subject)  # a key that survived an interrupted erasure goes now
            raise AlreadyErased(f"user {subject} was erased already")
        places = self.personal_places(subject)

        def erase(target: User) -> list[Aggregate | None]:
            target.erase(reason, places.signatures, places.plain_positions, actor=principal.user_id)
            roster = self._roster(target.city_id, principal) if target.city_id else None
            if roster is not None and subject in roster.officer_ids:
                roster.leave(subject, actor=principal.user_id)
                return [roster]
            return []

        recorded = self._change_user(principal, subject, None, erase)
        self.keys.erase(subject)
        self._drop_snapshots(places.aggregate_ids | {user.id})
        self._settle_sqlite()
        log.info(
            "personal data of user %s erased; %d old positions in plain text", subject, len(places.plain_positions)
        )
        erased = self.load(User, subject)
        return Erasure(erased, recorded.position, places.plain_positions, sorted(map(str, places.aggregate_ids)))

    def personal_places(self, subject: str) -> Places:
        places, start, topics = Places(), 1, list(PERSONAL_TOPICS)
        while True:
            batch = self._read(lambda s=start: self.recorder.select_notifications(s, 1000, topics=topics))
            for notification in batch:
                state = self._raw_state(notification.state)
                fields = [
                    name
                    for name, owner in self.mapper.subject_of(
                        notification.topic, state, notification.originator_id
                    ).items()
                    if owner == subject and state.get(name) is not None
                ]
                if not fields:
                    continue
                places.aggregate_ids.add(notification.originator_id)
                if any(not (isinstance(state[name], dict) and ENVELOPE in state[name]) for name in fields):
                    places.plain_positions.append(notification.id)
                if notification.topic == _SIGNED:
                    places.signatures.append([str(notification.originator_id), state["party"]])
            if len(batch) < 1000:
                return places
            start = batch[-1].id + 1

    def personal_data(self, principal: Principal, user_id: str) -> dict[str, Any]:
        """Everything held about one person (right of access): for an admin, or the person."""
        user = self.load(User, user_id)
        if principal.user_id != str(user.id) and principal.role != Role.ADMIN:
            raise PermissionDenied("only an admin or the person themselves may read their personal data")
        return personal_record(self, user, datetime.now(UTC))

    def _raw_state(self, state: bytes) -> dict[str, Any]:
        if self.mapper.cipher:
            state = self.mapper.cipher.decrypt(state)
        if self.mapper.compressor:
            state = self.mapper.compressor.decompress(state)
        return self.mapper.transcoder.decode(state)

    def _drop_snapshots(self, aggregate_ids: set[UUID]) -> None:
        """Snapshots are a cache of the log, not the log: those that may hold the person's data go (they are
        taken again, encrypted, as the aggregates change)."""
        if self.snapshots is None or self.keys.storage is None or not aggregate_ids:
            return
        table = self.snapshots.recorder.events_table_name  # type: ignore[attr-defined]
        storage = self.keys.storage
        with storage.transaction(commit=True) as db:
            for aggregate_id in aggregate_ids:
                db.run(
                    f"DELETE FROM {table} WHERE originator_id = ?",
                    (aggregate_id if db.postgres else aggregate_id.hex,),
                )

    def _settle_sqlite(self) -> None:
        """SQLite: no old page image in the write-ahead log keeps the deleted key."""
        storage = self.keys.storage
        try:
            if storage is not None and not checkpoint(storage.datastore):
                log.warning("the write-ahead log is still read: SQLite's next checkpoint empties it")
        except Exception:  # the erasure is recorded and the key deleted: this only hastens the cleanup
            log.warning("the write-ahead log could not be checkpointed after an erasure", exc_info=True)
