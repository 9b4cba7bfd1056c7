"""What happened and what was known when: event histories and as-of reads."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.access import SYSTEM
from domain.application.base import A, ProgrammeBase, parse_id
from domain.errors import InvalidValue, NotFound
from domain.model.user import User
from domain.values import check_instant

_ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic", "actor"}


@dataclass(frozen=True)
class Actor:
    """Who recorded an event, as an auditor reads it: the user's id, name and role."""

    id: str
    name: str
    role: str


@dataclass(frozen=True)
class HistoryEntry:
    type: str
    version: int
    recorded_at: datetime
    actor: Actor | None
    data: dict[str, Any]


class HistoryMixin(ProgrammeBase):
    def history(self, cls: type[A], aggregate_id: str | UUID) -> list[HistoryEntry]:
        """Every event of one aggregate, oldest first, with who recorded it."""
        aggregate = self.load(cls, aggregate_id)
        events = self._read(lambda: list(self.events.get(aggregate.id)))
        actors = self.actors({getattr(e, "actor", None) for e in events} - {None})
        return [
            HistoryEntry(
                type=type(e).__name__,
                version=e.originator_version,
                recorded_at=e.timestamp,
                actor=actors.get(getattr(e, "actor", None)),
                data={k: v for k, v in e.__dict__.items() if k not in _ENVELOPE},
            )
            for e in events
        ]

    def actors(self, user_ids: set[str]) -> dict[str, Actor]:
        """Name and role of each acting user; an id no user has (a hand-made event) stays unnamed."""
        found = {SYSTEM.user_id: Actor(SYSTEM.user_id, SYSTEM.name, SYSTEM.role)}
        for user_id in user_ids - set(found):
            try:
                user = self.load(User, user_id)
            except (NotFound, InvalidValue):
                found[user_id] = Actor(user_id, "unknown user", "unknown")
            else:
                found[user_id] = Actor(user_id, user.name, user.role)
        return found

    def load_as_of(self, cls: type[A], aggregate_id: str | UUID, instant: datetime) -> A:
        """The aggregate as recorded at ``instant``: NotFound if it did not exist yet.

        The library reads by version only, so find the last version recorded at or
        before the instant (binary search, decoding only the events it probes),
        then let the repository rebuild that version from the nearest snapshot.
        """
        instant = check_instant(instant, "as_of")
        uid = parse_id(aggregate_id, "id")
        stored = self._read(lambda: self.recorder.select_events(uid))
        times = _LazyTimes(self, stored)
        count = bisect_right(times, instant)
        if count == 0:
            raise NotFound(f"it did not exist at {instant.isoformat()}")
        return self.load(cls, uid, version=stored[count - 1].originator_version)


class _LazyTimes:
    """A sequence view of stored events' timestamps that decodes an event only when bisect probes it."""

    def __init__(self, app: ProgrammeBase, stored: list) -> None:
        self.app, self.stored = app, stored

    def __len__(self) -> int:
        return len(self.stored)

    def __getitem__(self, index: int) -> datetime:
        return self.app.mapper.to_domain_event(self.stored[index]).timestamp
