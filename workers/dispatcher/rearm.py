"""Putting the jobs back after Redis lost them, and the marker that tells a running dispatcher it must."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from workers.dispatcher.base import SUGGESTIONS_STALE_AFTER, log
from workers.dispatcher.plans import planned_events
from workers.scheduling import arm_daily_digests, arm_weekly_digest, enqueue

if TYPE_CHECKING:
    from workers.dispatcher.follower import Dispatcher

ARMED_KEY = "twinning:dispatcher:armed"  # set in Redis whenever the jobs have been (re-)armed
ARMED_CHECK_SECONDS = 1.0
REARM_IMMEDIATE_WINDOW = SUGGESTIONS_STALE_AFTER


class Rearmed:
    """What ``rearm`` did: events re-planned, jobs put back, jobs Redis still had."""

    def __init__(self) -> None:
        self.events = 0
        self.enqueued = 0
        self.already = 0

    def __repr__(self) -> str:
        return f"Rearmed(events={self.events}, enqueued={self.enqueued}, already={self.already})"


def rearm(
    dispatcher: Dispatcher,
    now: datetime | None = None,
    *,
    immediate: bool = False,
    batch_size: int = 1000,
) -> Rearmed:
    """Put back the jobs of events the dispatcher has already processed, when Redis has lost them.

    The dispatcher's tracking says which events were turned into jobs; the jobs themselves
    live only in Redis. When Redis starts empty (the embedded mode's in-process Redis after
    a restart, or a production Redis without persistence), this re-plans the events up to
    the dispatcher's position with ``Dispatcher.plan`` — which leaves out whatever can no
    longer matter (past reminders, cancelled or moved sessions, answered invitations,
    achieved milestones, signed agreements) — and enqueues the planned jobs under their
    deterministic ids, so a job Redis still has is not enqueued twice. Jobs planned for a
    time already past go at once: their Notifications' dedup keys send nothing twice.

    ``immediate=False`` (after a clean stop, when the queue was drained) puts back only the
    jobs planned for a time (reminders, nudges, milestone and agreement notices).
    ``immediate=True`` (after a crash) also puts back the at-once jobs (invitations,
    suggestions, session updates) of events recorded in the last ``REARM_IMMEDIATE_WINDOW``:
    they may have been waiting in the queue that was lost. Tracking is not touched.
    """
    now = now or dispatcher.clock()
    result = Rearmed()
    stop = dispatcher.position()
    topics = planned_events(timed_only=not immediate)
    recorder = dispatcher.programme.recorder
    position = 0
    arm_weekly_digest(dispatcher.queue, now)
    arm_daily_digests(dispatcher.queue, now)
    while position < stop:
        notifications = recorder.select_notifications(start=position + 1, limit=batch_size, stop=stop, topics=topics)
        if not notifications:
            break
        for notification in notifications:
            event = dispatcher.programme.mapper.to_domain_event(notification)
            result.events += 1
            for spec in dispatcher.plan(event, now):
                if spec.at is None and (not immediate or now - event.timestamp > REARM_IMMEDIATE_WINDOW):
                    continue
                if enqueue(dispatcher.queue, spec, now):
                    result.enqueued += 1
                    log.debug("re-armed %s", spec.job_id)
                else:
                    result.already += 1
        position = notifications[-1].id
    dispatcher.queue.connection.set(ARMED_KEY, str(stop))
    log.info(
        "re-armed %d jobs from %d events up to position %d (%d were still queued)",
        result.enqueued,
        result.events,
        stop,
        result.already,
    )
    return result
