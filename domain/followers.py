"""Following the event log with tracking: one mechanism for the read models and the dispatcher.

A ``Processor`` turns events into effects (view rows, enqueued jobs, ...) and records a
``Tracking`` (its name and the id of the last notification of the batch) in the same
transaction as those effects, so a crash neither loses nor doubles an event. It says
where it stands with ``position()``, read from its tracking table.

A ``Follower`` reads the application's notification log after that position
(``select_notifications`` works on every store; SQLite has no ``subscribe()``),
decodes each batch and hands it to the processor. When it has caught up it waits:
on PostgreSQL for the store's notification that events were recorded
(``domain.listener``: LISTEN on the library's channel), at most the poll interval;
elsewhere, or while the listening connection is broken, for the poll interval. Notification ids may have gaps
(a PostgreSQL sequence skips the ids of a rolled-back transaction): reading
"everything after my position" never waits for a missing id.

Several followers of the same processor name (two ``projector`` processes, say) are
safe: the library's single-row tracking refuses a position that is not ahead of the
recorded one, so the loser's transaction rolls back with its effects, and it re-reads
its position and goes on from there.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import IntegrityError, Notification, PersistenceError, Tracking

from domain.collection import collector_paused
from domain.listener import LogListener
from domain.storage.log import lean_reader

if TYPE_CHECKING:  # pragma: no cover - typing only
    from domain.application import Programme

MAX_WAIT_SECONDS = 5.0
DEFAULT_BATCH_SIZE = 500
PAUSED_EVENTS = 100_000  # events processed between two chances for the cycle collector
MAX_BACKOFF_SECONDS = 30.0

__all__ = ["MAX_WAIT_SECONDS", "DomainEvent", "Follower", "Processor", "Tracking"]


@runtime_checkable
class Processor(Protocol):
    """What a follower drives. ``name`` is the tracking name, e.g. ``"views"``, ``"dispatcher"``."""

    name: str

    def position(self) -> int:
        """The id of the last processed notification, 0 if none (read from its tracking table)."""
        ...

    def process(self, batch: list[tuple[int, DomainEvent]], tracking: Tracking) -> None:
        """Apply the effects of ``batch`` and record ``tracking`` in the same transaction as the effects.

        A processor may also have ``wants(topic) -> bool``: the events of a topic it does not want
        come as ``(position, None)``, not decoded; ``decoder(mapper)``: how it wants the events
        decoded (default ``mapper.to_domain_event``); and ``catch_up_batch_size``: the batch size
        while it is far behind (after a full batch), when no ``batch_size`` is given.
        """
        ...


class Follower:
    """Reads ``app``'s notification log after ``processor.position()`` and feeds it in batches.

    ``listen``: in ``run``, wake on the store's notifications where it sends them
    (PostgreSQL); False keeps to polling (e.g. to measure what listening brings).
    """

    def __init__(
        self,
        app: Programme,
        processor: Processor,
        batch_size: int | None = None,
        logger: logging.Logger | None = None,
        listen: bool = True,
    ) -> None:
        # A processor may say what suits it (the views: large batches, one transaction each, and
        # larger ones while catching up: fewer commits, and more of a city's rows held together).
        catch_up = None if batch_size is not None else getattr(processor, "catch_up_batch_size", None)
        batch_size = batch_size if batch_size is not None else getattr(processor, "batch_size", DEFAULT_BATCH_SIZE)
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.catch_up_batch_size = max(batch_size, catch_up or batch_size)
        # A processor with its own decoder reads the log lean (``domain.storage.log``): records whose
        # ids keep their text. Others get the library's notifications, as they always have.
        decoder = getattr(processor, "decoder", None)
        self._decode_one = app.mapper.to_domain_event if decoder is None else decoder(app.mapper)
        self._lean = None if decoder is None else lean_reader(app.recorder)
        self.app = app
        self.processor = processor
        self.batch_size = batch_size
        self.logger = logger or logging.getLogger(f"twinning.follower.{processor.name}")
        self.listen = listen
        self.listener: LogListener | None = None

    # -- reading and processing ------------------------------------------------------------

    def run_once(self) -> int:
        """Process everything recorded after the processor's position now; return how many events."""
        processed, limit = 0, self.batch_size
        position = self.processor.position()
        while True:
            # The cycle collector waits while batches are built (``domain.collection``) and runs
            # between stretches of ``PAUSED_EVENTS``: a catch-up leaves next to no cyclic garbage.
            with collector_paused():
                stretch_end = processed + PAUSED_EVENTS
                while processed < stretch_end:
                    notifications = self._select(position, limit)
                    if not notifications:
                        return processed
                    batch = self._decode(notifications)
                    last = notifications[-1].id
                    tracking = Tracking(application_name=self.processor.name, notification_id=last)
                    try:
                        self.processor.process(batch, tracking)
                    except IntegrityError:
                        # Another follower of the same name recorded this position first (its effects
                        # are in, ours were rolled back). Go on from where it got to; if nobody moved
                        # the position, the conflict is the processor's own: let it surface.
                        moved = self.processor.position()
                        if moved <= position:
                            raise
                        self.logger.info(
                            "%s: position %d taken by another follower; resuming after %d",
                            self.processor.name,
                            last,
                            moved,
                        )
                        position = moved
                        continue
                    processed += len(batch)
                    position = last
                    full = len(notifications) >= limit
                    del notifications, batch  # not alive when the collector next looks
                    if not full:
                        return processed
                    limit = self.catch_up_batch_size  # a full batch: far behind, perhaps

    def _decode(self, notifications: Sequence[Notification]) -> list[tuple[int, DomainEvent | None]]:
        # A processor with ``wants(topic)`` is given None for the events it would skip: their positions
        # stay in the batch (so the tracking still ends at the last one read), their decoding is saved.
        decode, wants = self._decode_one, getattr(self.processor, "wants", None)
        if wants is None:
            return [(n.id, decode(n)) for n in notifications]
        return [(n.id, decode(n) if wants(n.topic) else None) for n in notifications]

    def _select(self, position: int, limit: int | None = None) -> Sequence[Notification]:
        # ``start`` is inclusive: ask for ids > position. Gaps (rolled-back ids) are simply absent.
        if self._lean is not None:
            return self._lean(position + 1, limit or self.batch_size)
        return self.app.recorder.select_notifications(start=position + 1, limit=limit or self.batch_size)

    def run(self, stop: threading.Event, poll_interval: float = 0.5) -> None:
        """Follow until ``stop`` is set. Store errors are logged and retried with backoff; the loop never dies.

        Caught up, it waits for the store's notification (where there is one) or ``poll_interval``,
        whichever comes first: with listening, the poll interval is only the fallback.
        """
        self.listener = LogListener.open(self.app.recorder, stop, self.logger) if self.listen else None
        try:
            self._follow(stop, poll_interval, self.listener.wait if self.listener else stop.wait)
        finally:
            if self.listener is not None:
                self.listener.close()

    def _follow(self, stop: threading.Event, poll_interval: float, idle: Callable[[float], object]) -> None:
        failures = 0
        self.logger.info("%s: following from position %s", self.processor.name, self._safe_position())
        while not stop.is_set():
            try:
                count = self.run_once()
            except PersistenceError as error:  # the store is down, locked, restarting...
                failures += 1
                delay = self._backoff(failures, poll_interval)
                self.logger.warning(
                    "%s: store error (%s: %s); retrying in %.1fs",
                    self.processor.name,
                    type(error).__name__,
                    error,
                    delay,
                )
                stop.wait(delay)
                continue
            except Exception:  # a bug in a processor must not kill a long-running follower silently
                failures += 1
                delay = self._backoff(failures, poll_interval)
                self.logger.exception("%s: processing failed; retrying in %.1fs", self.processor.name, delay)
                stop.wait(delay)
                continue
            if failures:
                self.logger.info("%s: recovered after %d failed attempts", self.processor.name, failures)
                failures = 0
            if count == 0:
                idle(poll_interval)
        self.logger.info("%s: stopped at position %s", self.processor.name, self._safe_position())

    @staticmethod
    def _backoff(failures: int, poll_interval: float) -> float:
        return min(MAX_BACKOFF_SECONDS, max(poll_interval, 0.1) * 2 ** min(failures, 10))

    def _safe_position(self) -> int | str:
        try:
            return self.processor.position()
        except Exception:
            return "unknown"

    # -- observing ----------------------------------------------------------------------------

    def lag(self) -> int:
        """How many notification ids the processor is behind the log (0 when caught up)."""
        head = self.app.recorder.max_notification_id() or 0
        return max(0, head - self.processor.position())

    def wait_for(self, position: int, timeout: float) -> bool:
        """Poll until the processor has reached ``position``; at most ``min(timeout, 5 s)``. True if reached."""
        deadline = time.monotonic() + max(0.0, min(timeout, MAX_WAIT_SECONDS))
        delay = 0.01
        while True:
            if self.processor.position() >= position:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, 0.2)
