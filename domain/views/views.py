"""``Views``: the read models, a ``Processor`` for ``domain.followers.Follower``, and their queries."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import Tracking

from domain.views import projector
from domain.views.queries import Queries, utc_today
from domain.views.store import ROW_TABLES, TRACKING_NAME, Db, open_recorder

if TYPE_CHECKING:  # pragma: no cover
    from domain.application import Programme


class Views(Queries):
    """The programme's read models, in the store's own database.

    ``Views(env)`` takes the same env dict as the ``Programme`` (keys may also be given
    with a ``VIEWS_`` prefix to put the views elsewhere). Drive it with
    ``Follower(programme, views)``; query it from any thread.
    """

    name = TRACKING_NAME
    batch_size = 2000  # a follower's default: catching up costs a transaction per batch

    def __init__(self, env: dict[str, str], today: Callable[[], date] | None = None) -> None:
        self.factory, self.recorder = open_recorder(env)
        self._today = today or utc_today
        # What the committed batches looked up, and the position it is true at (None: not to be trusted).
        self._memory = projector.Memory()
        self._memory_at: int | None = None
        self._context: projector.Context | None = None

    def today(self) -> date:
        return self._today()

    # -- Processor ----------------------------------------------------------------------------

    def position(self) -> int:
        return self.recorder.max_tracking_id(self.name) or 0

    def process(self, batch: list[tuple[int, DomainEvent]], tracking: Tracking) -> None:
        """Rows and tracking in one transaction: all of them are committed, or none."""
        memory_at, self._memory_at = self._memory_at, None  # not to be trusted until this batch commits
        with self.recorder.db(commit=True) as db:
            # Tracking first: on SQLite the transaction then holds the write lock before it
            # reads anything (no SQLITE_BUSY on upgrading a read), and a position that is
            # not ahead of the recorded one fails at once (IntegrityError), before any work.
            # When the position is still the one this process's last batch recorded, the
            # memory of that batch's look-ups is true and is used; otherwise it starts afresh.
            if memory_at is None or not self.recorder.advance(db, tracking, memory_at):
                self._memory = projector.Memory()
                self.record_tracking(db, tracking)
            self._context = projector.Context(db, self._memory)
            try:
                with db.pipeline():
                    self.apply(db, batch)
                db.flush()  # outside the pipeline: PostgreSQL sends the rows with COPY
                context = self._context
            finally:
                self._context = None
        self._memory.absorb(context)
        self._memory_at = tracking.notification_id

    def apply(self, db: Db, batch: list[tuple[int, DomainEvent]]) -> None:
        context = self._context if self._context is not None and self._context.db is db else None
        projector.apply(db, batch, context, flush=context is None)

    def record_tracking(self, db: Db, tracking: Tracking) -> None:
        self.recorder.record(db, tracking)

    # -- maintenance --------------------------------------------------------------------------

    def rebuild(self, app: Programme, batch_size: int | None = None) -> int:
        """Drop and recreate the view tables, forget the position, replay the log; the count replayed.

        Run it with the projector stopped (``twinning views rebuild``): readers see the
        views empty, then filling, until it returns.
        """
        from domain.followers import Follower

        with self.recorder.db(commit=True) as db:
            self.recorder.reset(db)
        return Follower(app, self, batch_size=batch_size).run_once()

    def dump(self) -> dict[str, list[dict[str, Any]]]:
        """Every row of every view table, in a stable order (tests and audits compare them)."""
        with self._read() as db:
            return {table: db.all(f"SELECT * FROM {table} ORDER BY {_ORDER[table]}") for table in ROW_TABLES}

    def close(self) -> None:
        self.factory.close()

    # -- Queries' plumbing ----------------------------------------------------------------------

    @contextmanager
    def _read(self) -> Iterator[Db]:
        with self.recorder.db(commit=False) as db:
            yield db

    def _position(self, db: Db) -> int:
        return self.recorder.max_tracking_id(self.name) or 0


_ORDER = {
    "view_cities": "id",
    "view_city_themes": "city_id, direction, theme",
    "view_stakeholders": "city_id, stakeholder_id",
    "view_partnerships": "id",
    "view_partnership_themes": "partnership_id, theme",
    "view_invitations": "partnership_id, city_id",
    "view_meetings": "id",
    "view_meeting_cities": "meeting_id, city_id",
    "view_agreements": "id",
    "view_agreement_cities": "agreement_id, city_id",
    "view_projects": "id",
    "view_project_cities": "project_id, city_id",
    "view_project_themes": "project_id, theme",
    "view_milestones": "project_id, milestone_id",
    "view_timeline": "city_id, position",
    "view_inbox": "id",
}
