"""Reports as they stood at an instant: the views rebuilt from the log as recorded up to then.

The read models hold only the present, so a report "as of" an instant T is computed by
replaying the log, from the start up to the last event recorded at or before T, into a
throw-away ``Views`` in a temporary SQLite file, and asking that copy. The end position
is found by binary search on the recording times (decoding only the ~log2(n) events it
probes); the log is in commit order and recording times follow it (they are taken just
before each commit), so the prefix is exactly "what had been recorded by T" up to
transactions that committed within the same milliseconds.

The copy is kept per Programme and reused: the same end position answers at once, a
later one replays only the difference, an earlier one rebuilds. Requests for as-of
reports take turns (one lock), which is fine for an audit question.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from eventsourcing.persistence import Tracking

from domain.values import check_instant

if TYPE_CHECKING:  # pragma: no cover
    from domain.application import Programme
    from domain.views import Views

T = TypeVar("T")
REPLAY_BATCH = 1000
PROBE_WINDOW = 1000


def last_position_at(programme: Programme, instant: datetime) -> int:
    """The id of the last notification recorded at or before ``instant`` (0 if none)."""
    recorder = programme.recorder
    end = recorder.max_notification_id() or 0
    lo, hi = 0, end + 1  # every record ≤ lo was recorded by the instant; none from hi on
    while hi - lo > 1:
        mid = (lo + hi) // 2
        # The first record at or after mid: looked for in a small window first (a bounded
        # range is an index scan even when the table's statistics are out of date).
        found = recorder.select_notifications(start=mid, limit=1, stop=min(hi - 1, mid + PROBE_WINDOW))
        if not found and mid + PROBE_WINDOW < hi - 1:
            found = recorder.select_notifications(start=mid, limit=1, stop=hi - 1)
        if not found:
            hi = mid
            continue
        timestamp = programme.mapper.to_domain_event(found[0]).timestamp
        if timestamp <= instant:
            lo = found[0].id
        else:
            hi = mid
    return lo


class _Replica:
    """A ``Views`` in a temporary SQLite file, filled from the log up to ``position``."""

    def __init__(self) -> None:
        from domain.views import Views

        self.folder = tempfile.mkdtemp(prefix="twinning-as-of-")
        self.views: Views = Views(
            {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": f"{self.folder}/views.db"}
        )
        self._finalizer = weakref.finalize(self, _remove, self.views, self.folder)

    @property
    def position(self) -> int:
        return self.views.position()

    def fill(self, programme: Programme, stop: int) -> None:
        recorder, mapper = programme.recorder, programme.mapper
        position = self.position
        while position < stop:
            end = min(position + REPLAY_BATCH, stop)
            notifications = recorder.select_notifications(start=position + 1, limit=REPLAY_BATCH, stop=end)
            if notifications:
                batch = [(n.id, mapper.to_domain_event(n)) for n in notifications]
                self.views.process(
                    batch, Tracking(application_name=self.views.name, notification_id=notifications[-1].id)
                )
            position = end

    def close(self) -> None:
        self._finalizer()


def _remove(views: Any, folder: str) -> None:
    try:
        views.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class ReportsAsOf:
    """``ReportsAsOf(programme).ask(instant, lambda views: views.dashboard(as_of=...))`` → (answer, position)."""

    def __init__(self, programme: Programme) -> None:
        self.programme = programme
        self.lock = threading.Lock()
        self.replica: _Replica | None = None

    def ask(self, instant: datetime, query: Callable[[Views], T]) -> tuple[T, int]:
        instant = check_instant(instant, "as_of")
        stop = last_position_at(self.programme, instant)
        with self.lock:
            if self.replica is None or self.replica.position > stop:
                if self.replica is not None:
                    self.replica.close()
                self.replica = _Replica()
            self.replica.fill(self.programme, stop)
            return query(self.replica.views), stop

    def close(self) -> None:
        with self.lock:
            if self.replica is not None:
                self.replica.close()
                self.replica = None


def utc_date(instant: datetime) -> Any:
    return instant.astimezone(UTC).date()
