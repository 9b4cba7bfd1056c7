"""The dispatcher as a processor of the log: enqueue each batch's jobs, then record its tracking."""

from __future__ import annotations

import logging
import threading
import time as clock_time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import InfrastructureFactory, Tracking, TrackingRecorder
from eventsourcing.utils import Environment
from rq import Queue

from domain.application import Programme
from workers.dispatcher import plans
from workers.dispatcher.base import (
    DEFAULT_EXPIRES_AFTER,
    DEFAULT_FOLLOW_UP_AFTER,
    DEFAULT_NUDGE_AFTER,
    DEFAULT_OFFSETS,
    NAME,
    Planning,
    log,
)
from workers.dispatcher.rearm import ARMED_CHECK_SECONDS, ARMED_KEY, Rearmed, rearm
from workers.scheduling import JobSpec, arm_daily_digests, arm_weekly_digest, enqueue, utc_now

if TYPE_CHECKING:
    from config.settings import Settings


def open_tracking_recorder(
    store_env: dict[str, str], name: str = NAME
) -> tuple[TrackingRecorder, InfrastructureFactory]:
    """The library's tracking recorder on the same database as the Programme (SQLite ``tracking``
    table, or ``<name>_tracking`` in PostgreSQL). Close the factory when done."""
    factory = InfrastructureFactory.construct(Environment(name, store_env))
    return factory.tracking_recorder(), factory


class Dispatcher:
    """Processor: events → RQ jobs; its position is its tracking in the store."""

    name = NAME

    def __init__(
        self,
        programme: Programme,
        queue: Queue,
        tracking_recorder: TrackingRecorder,
        *,
        reminder_offsets: Iterable[timedelta] = DEFAULT_OFFSETS,
        invitation_nudge_after: timedelta = DEFAULT_NUDGE_AFTER,
        invitation_expires_after: timedelta = DEFAULT_EXPIRES_AFTER,
        feedback_follow_up_after: timedelta = DEFAULT_FOLLOW_UP_AFTER,
        clock: Callable[[], datetime] = utc_now,
        name: str = NAME,
        factory: InfrastructureFactory | None = None,
        watch_queue: bool = False,
    ) -> None:
        self.programme = programme
        self.watch_queue = watch_queue
        self._armed_checked_at = float("-inf")
        self._rearming = False
        self.queue = queue
        self.tracking = tracking_recorder
        self.reminder_offsets = tuple(sorted(reminder_offsets, reverse=True))
        self.invitation_nudge_after = invitation_nudge_after
        self.invitation_expires_after = invitation_expires_after
        self.feedback_follow_up_after = feedback_follow_up_after
        self.clock = clock
        self.name = name
        self._factory = factory
        self._digest_armed = False
        self.enqueued = 0
        self.duplicates = 0

    @classmethod
    def open(cls, programme: Programme, queue: Queue, store_env: dict[str, str], **options: Any) -> Dispatcher:
        """A dispatcher with its own tracking recorder on the store described by ``store_env``."""
        recorder, factory = open_tracking_recorder(store_env, options.get("name", NAME))
        return cls(programme, queue, recorder, factory=factory, **options)

    def close(self) -> None:
        if self._factory is not None:
            self._factory.close()
            self._factory = None

    # -- Processor ---------------------------------------------------------------------

    def position(self) -> int:
        """The tracked position (and, when watching the queue, first the check that Redis still has the jobs)."""
        if self.watch_queue:
            self.ensure_armed()
        return self.tracking.max_tracking_id(self.name) or 0

    def ensure_armed(self) -> Rearmed | None:
        """Re-arm the jobs from the store if Redis has lost its data since they were armed.

        A Redis restarted without persistence (or failed over to an empty replica) silently loses
        every queued and scheduled job: the reminders of next week's sessions, the nudges … while
        the dispatcher's tracking says they were enqueued. ``rearm`` leaves a marker key in Redis;
        a following dispatcher (``watch_queue``) looks for it at most every ``ARMED_CHECK_SECONDS``
        (the Follower asks for the position on every poll) and, when it is gone, re-arms both
        kinds of jobs, as after a crash. A Redis that is down raises here, and the Follower retries.
        """
        now = clock_time.monotonic()
        if self._rearming or now - self._armed_checked_at < ARMED_CHECK_SECONDS:
            return None
        if self.queue.connection.exists(ARMED_KEY):
            self._armed_checked_at = now
            return None
        if self.tracking.max_tracking_id(self.name):
            log.warning("the queue has no marker of armed jobs (Redis restarted empty?): re-arming them from the store")
        else:  # nothing dispatched yet: a first start, on a new Redis as like as not
            log.info("a first start on this queue: arming the planned jobs from the store")
        self._rearming = True
        try:
            result = rearm(self, immediate=True)
        finally:
            self._rearming = False
        self._digest_armed = True
        self._armed_checked_at = clock_time.monotonic()
        return result

    def process(self, batch: list[tuple[int, DomainEvent]], tracking: Tracking) -> None:
        """Enqueue every job of the batch (idempotent by id), then record the tracking."""
        now = self.clock()
        if not self._digest_armed:
            arm_weekly_digest(self.queue, now)
            arm_daily_digests(self.queue, now)
            self._digest_armed = True
        for notification_id, event in batch:
            for spec in self.plan(event, now):
                if enqueue(self.queue, spec, now):
                    self.enqueued += 1
                    log.debug("event %s: enqueued %s", notification_id, spec.job_id)
                else:
                    self.duplicates += 1
                    log.info("event %s: job %s was already enqueued", notification_id, spec.job_id)
        self._before_tracking(tracking)
        self.record_tracking(tracking)

    def record_tracking(self, tracking: Tracking) -> None:
        """Record the position. If another dispatcher recorded it (or a later one) first, the store
        raises IntegrityError, which the Follower answers by re-reading the position: the jobs are
        enqueued either way (same ids), so there is nothing to undo."""
        if tracking.application_name != self.name:
            tracking = Tracking(self.name, tracking.notification_id)
        self.tracking.insert_tracking(tracking)

    def _before_tracking(self, tracking: Tracking) -> None:
        """A seam between enqueueing and tracking (tests inject a crash here)."""

    def plan(self, event: DomainEvent, now: datetime | None = None) -> list[JobSpec]:
        """The jobs an event calls for (none for most events), as planned at ``now``."""
        planning = Planning(
            self.programme,
            now or self.clock(),
            self.reminder_offsets,
            self.invitation_nudge_after,
            self.invitation_expires_after,
            self.feedback_follow_up_after,
        )
        return plans.plan(event, planning)


def timings(settings: Settings) -> dict[str, Any]:
    """The dispatcher's timings from the settings (reminders, nudges, expiry, the follow-up question)."""
    return {
        "reminder_offsets": settings.meeting_reminder_offsets,
        "invitation_nudge_after": settings.invitation_nudge_after,
        "invitation_expires_after": settings.invitation_expires_after,
        "feedback_follow_up_after": settings.feedback_follow_up_after,
    }


def run_dispatcher(
    settings: Settings,
    stop_event: threading.Event,
    *,
    programme: Programme | None = None,
    connection: Any = None,
    poll_interval: float = 0.5,
    logger: logging.Logger | None = None,
) -> None:
    """Follow the log until ``stop_event`` is set (``twinning dispatch``, or a thread in embedded mode).

    ``connection``: a Redis client to use instead of ``settings.redis_url`` (the embedded
    mode's in-process Redis). ``programme``: the process's Programme, if it has one already.
    """
    from domain.followers import Follower
    from workers.worker import make_queue

    if connection is None and not settings.redis_url:
        raise ValueError("the dispatcher needs REDIS_URL, or a Redis connection (embedded mode)")
    own_programme = programme is None
    programme = programme or Programme(env=settings.store_env())
    queue = make_queue(connection if connection is not None else settings.redis_url)
    dispatcher = Dispatcher.open(
        programme,
        queue,
        settings.store_env(),
        watch_queue=True,
        **timings(settings),
    )
    try:
        arm_weekly_digest(queue)
        arm_daily_digests(queue)
        Follower(programme, dispatcher, logger=logger or log).run(stop_event, poll_interval=poll_interval)
    finally:
        dispatcher.close()
        if own_programme:
            programme.close()
