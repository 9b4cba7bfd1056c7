"""``Views``: the read models, a ``Processor`` for ``domain.followers.Follower``, and their queries."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import Tracking

from domain.storage.secure import checkpoint
from domain.views.action_plan_queries import ActionPlanQueries
from domain.views.agreements import AgreementQueries
from domain.views.cities import CityQueries
from domain.views.clusters import ClusterQueries
from domain.views.context import Context, Memory, apply, handled
from domain.views.decoding import event_decoder
from domain.views.feedback import FeedbackQueries
from domain.views.funder_report import FunderReportQueries
from domain.views.inbox import InboxQueries
from domain.views.meetings import MeetingQueries
from domain.views.partnership_board import PartnershipQueries
from domain.views.profiles import ProfileQueries
from domain.views.programmes import ProgrammeQueries
from domain.views.projects import ProjectQueries
from domain.views.reports import ReportQueries
from domain.views.schema import TABLES, Db
from domain.views.store import TRACKING_NAME, open_recorder
from domain.views.timeline import TIMELINE, TimelineQueries, told_rows
from domain.views.users import UserQueries

if TYPE_CHECKING:  # pragma: no cover
    from domain.application import Programme


def utc_today() -> date:
    return datetime.now(UTC).date()


class Views(
    CityQueries,
    PartnershipQueries,
    MeetingQueries,
    AgreementQueries,
    ProjectQueries,
    TimelineQueries,
    InboxQueries,
    ReportQueries,
    ProfileQueries,
    UserQueries,
    FeedbackQueries,
    ProgrammeQueries,
    ClusterQueries,
    ActionPlanQueries,
    FunderReportQueries,
):
    """The programme's read models, in the store's own database.

    ``Views(env)`` takes the same env dict as the ``Programme`` (keys may also be given
    with a ``VIEWS_`` prefix to put the views elsewhere). Drive it with
    ``Follower(programme, views)``; query it from any thread. ``log`` is where the
    timeline reads its events (the Programme); without one, the views open the log of
    ``env`` when a timeline is first asked for.
    """

    name = TRACKING_NAME
    batch_size = 2000  # a follower's default: catching up costs a transaction per batch
    catch_up_batch_size = 20_000  # after a full batch: fewer commits, more of an aggregate's rows held together

    def __init__(
        self, env: dict[str, str], today: Callable[[], date] | None = None, log: Programme | None = None
    ) -> None:
        self.env = env
        self.factory, self.recorder = open_recorder(env, TABLES, Db)
        self._today = today or utc_today
        self._log, self._own_log = log, None
        self._log_lock = threading.Lock()
        # What the committed batches looked up, and the position it is true at (None: not to be trusted).
        self._memory = Memory()
        self._memory_at: int | None = None
        self._context: Context | None = None
        self._wanted: dict[str, bool] = {}

    def today(self) -> date:
        return self._today()

    def log(self) -> Any:
        if self._log is not None:
            return self._log
        with self._log_lock:
            if self._own_log is None:
                from domain.application import Programme

                self._own_log = Programme(env=dict(self.env))
            return self._own_log

    # -- Processor ----------------------------------------------------------------------------

    def position(self) -> int:
        return self.recorder.max_tracking_id(self.name) or 0

    def wants(self, topic: str) -> bool:
        """Whether a handler takes the events of this topic (the follower decodes only those)."""
        wanted = self._wanted.get(topic)
        if wanted is None:
            wanted = self._wanted[topic] = handled(topic)
        return wanted

    def decoder(self, mapper: Any) -> Callable[[Any], Any]:
        """How the follower decodes events for the views (``domain.views.decoding``)."""
        return event_decoder(mapper)

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
                self._memory = Memory()
                self.record_tracking(db, tracking)
            self._context = Context(db, self._memory)
            try:
                with db.pipeline():
                    self.apply(db, batch)
                db.flush()  # outside the pipeline: PostgreSQL sends the rows with COPY
                context = self._context
            finally:
                self._context = None
        self._memory.absorb(context)
        self._memory_at = tracking.notification_id
        if context.erased:
            checkpoint(self.factory.datastore)  # SQLite: the purged rows' old pages leave the write-ahead log

    def apply(self, db: Db, batch: list[tuple[int, DomainEvent]]) -> None:
        context = self._context if self._context is not None and self._context.db is db else None
        apply(db, batch, context, flush=context is None)

    def record_tracking(self, db: Db, tracking: Tracking) -> None:
        self.recorder.record(db, tracking)

    # -- maintenance --------------------------------------------------------------------------

    def rebuild(self, app: Programme, batch_size: int | None = None) -> int:
        """Empty the view tables, forget the position, replay the log; the count replayed.

        Run it with the projector stopped (``twinning views rebuild``): readers see the
        views empty, then filling, until it returns.
        """
        from domain.followers import Follower

        with self.recorder.db(commit=True) as db:
            self.recorder.clear(db)
        self._memory, self._memory_at = Memory(), None
        return Follower(app, self, batch_size=batch_size).run_once()

    def dump(self) -> dict[str, list[dict[str, Any]]]:
        """Every row of every view table, in a stable order (tests and audits compare them).

        Timeline rows come as shown: with the type and summary of their event, read from the log.
        """
        with self._read() as db:
            tables = {t.name: db.all(f"SELECT * FROM {t.name} ORDER BY {t.sort}") for t in TABLES if t is not TIMELINE}
            tables[TIMELINE.name] = told_rows(db, self.log())
        return tables

    def close(self) -> None:
        if self._own_log is not None:
            self._own_log.close()
        self.factory.close()

    # -- the queries' plumbing ----------------------------------------------------------------

    @contextmanager
    def _read(self) -> Iterator[Db]:
        with self.recorder.db(commit=False) as db:
            yield db

    def _position(self, db: Db) -> int:
        return self.recorder.max_tracking_id(self.name) or 0
