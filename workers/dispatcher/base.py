"""What every plan shares: the planning context, the plan's declaration, the dispatcher's timing defaults."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from eventsourcing.domain import DomainEvent

from domain.application import Programme
from workers.scheduling import JobSpec

# One logger for the whole dispatcher, whichever of its modules speaks.
log = logging.getLogger("workers.dispatcher")
NAME = "dispatcher"
DEFAULT_OFFSETS = (timedelta(hours=24), timedelta(hours=1))
DEFAULT_NUDGE_AFTER = timedelta(days=7)
DEFAULT_EXPIRES_AFTER = timedelta(days=30)  # INVITATION_EXPIRES_AFTER
DEFAULT_FOLLOW_UP_AFTER = timedelta(days=180)  # FEEDBACK_FOLLOW_UP_AFTER
FEEDBACK_WINDOW = timedelta(days=7)  # a session recorded after the fact later than this asks no feedback
SUGGESTIONS_STALE_AFTER = timedelta(days=7)
NOTICE_TIME = time(8, 0)  # date-based notices (milestones) go out at 08:00 UTC
J = "workers.jobs."


@dataclass(frozen=True)
class Planning:
    """What a plan may read: the store as it is now, the instant of planning, the programme's timings."""

    programme: Programme
    now: datetime
    reminder_offsets: tuple[timedelta, ...] = DEFAULT_OFFSETS  # longest first
    invitation_nudge_after: timedelta = DEFAULT_NUDGE_AFTER
    invitation_expires_after: timedelta = DEFAULT_EXPIRES_AFTER
    feedback_follow_up_after: timedelta = DEFAULT_FOLLOW_UP_AFTER
    feedback_window: timedelta = FEEDBACK_WINDOW

    def stale(self, event: DomainEvent) -> bool:
        """Suggestions answer a recent change; on a replay of an old log the weekly digest covers them."""
        return self.now - event.timestamp > SUGGESTIONS_STALE_AFTER


@dataclass(frozen=True)
class Plan:
    """The jobs one kind of event calls for. ``timed``: some of them are for later (reminders, nudges,
    notices), so they are put back even after a clean stop, when the queue had been drained."""

    jobs: Callable[[DomainEvent, Planning], list[JobSpec]]
    timed: bool = False


def short(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def notice_at(day: date) -> datetime:
    return datetime.combine(day, NOTICE_TIME, tzinfo=UTC)
