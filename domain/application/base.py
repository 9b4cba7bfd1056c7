"""The store's one door: loading, saving and the concurrency rules every command shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    IntegrityError, InterfaceError, JSONTranscoder, OperationalError, Transcoding,
)

from domain.errors import ConcurrencyConflict, Duplicate, InvalidValue, NotFound, StaleVersion, StoreUnavailable
from domain.model.agreement import Agreement
from domain.model.city import City
from domain.model.meeting import Meeting
from domain.model.partnership import Partnership
from domain.model.project import PilotProject
from domain.model.user import User

A = TypeVar("A", bound=Aggregate)
COMMAND_ATTEMPTS = 5


class DateAsISO(Transcoding):
    """Business dates (signed_on, due_on) are calendar dates, distinct from recording instants."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


@dataclass(frozen=True)
class Recorded:
    """What a command answers: the aggregate as it now stands and the log position of its last event."""

    aggregate: Any
    position: int | None


def parse_id(value: str | UUID, field: str) -> UUID:
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except (ValueError, TypeError, AttributeError) as error:
        raise InvalidValue(field, f"{value!r} is not an id (a UUID)") from error


class ProgrammeBase(Application):
    snapshotting_intervals = {City: 50, Partnership: 50, Meeting: 50, Agreement: 50, PilotProject: 50, User: 50}

    def __init__(self, env: dict[str, str] | None = None, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(env)
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.require_cross_region = self.env.get("TWINNING_REQUIRE_CROSS_REGION", "yes").lower() not in ("no", "false", "0", "off")

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def now(self) -> datetime:
        return self.clock()

    def load(self, cls: type[A], aggregate_id: str | UUID, *, field: str | None = None, version: int | None = None) -> A:
        """Load one aggregate of the given class. ``field`` names a body field (422) instead of the path (404)."""
        uid = parse_id(aggregate_id, field or "id")
        try:
            aggregate = self._read(lambda: self.repository.get(uid, version=version))
        except AggregateNotFoundError:
            aggregate = None
        if not isinstance(aggregate, cls):
            label = cls.__name__.lower().replace("pilotproject", "pilot project")
            if field:
                raise InvalidValue(field, f"no {label} has the id {uid}")
            raise NotFound(f"no {label} has the id {uid}")
        return aggregate

    def load_expected(self, cls: type[A], aggregate_id: str | UUID, expected_version: int | None) -> A:
        """Load for a command that saves more than this aggregate; the save itself catches a later change."""
        aggregate = self.load(cls, aggregate_id)
        if expected_version is not None and aggregate.version != expected_version:
            raise StaleVersion(expected_version, aggregate.version)
        return aggregate

    def exists(self, aggregate_id: UUID) -> bool:
        return bool(self._read(lambda: self.recorder.select_events(aggregate_id, limit=1)))

    def record(self, *aggregates: Aggregate) -> int | None:
        """Save every pending event of these aggregates in one transaction, or none of them."""
        try:
            recordings = self.save(*aggregates)
        except IntegrityError as error:
            raise ConcurrencyConflict() from error
        except (OperationalError, InterfaceError) as error:
            raise StoreUnavailable() from error
        return recordings[-1].notification.id if recordings else None

    def record_new(self, aggregate: Aggregate) -> int | None:
        """Record a newly created aggregate; a chosen id that is already taken is a duplicate."""
        try:
            return self.record(aggregate)
        except ConcurrencyConflict:
            raise Duplicate(f"something with the id {aggregate.id} already exists") from None

    def change(
        self, cls: type[A], aggregate_id: str | UUID, command: Callable[[A], Any], *,
        expected_version: int | None = None,
    ) -> Recorded:
        """Load, apply ``command`` (which checks rules and triggers events), save.

        Without an expected version a concurrent write is retried on fresh state, so the
        rules decide (e.g. the second acceptance finds the invitation answered). With one
        (If-Match), any difference is the client's stale read.
        """
        attempt = 0
        while True:
            attempt += 1
            aggregate = self.load(cls, aggregate_id)
            if expected_version is not None and aggregate.version != expected_version:
                raise StaleVersion(expected_version, aggregate.version)
            command(aggregate)
            try:
                return Recorded(aggregate, self.record(aggregate))
            except ConcurrencyConflict:
                if expected_version is not None:
                    raise StaleVersion(expected_version, self.load(cls, aggregate_id).version) from None
                if attempt >= COMMAND_ATTEMPTS:
                    raise

    def _read(self, query: Callable[[], Any]) -> Any:
        try:
            return query()
        except (OperationalError, InterfaceError) as error:
            raise StoreUnavailable() from error
