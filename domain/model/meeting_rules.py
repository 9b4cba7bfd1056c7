"""A session's own rules: what kind it is, how long, when it may start, and its named refusals."""

from __future__ import annotations

from datetime import datetime

from eventsourcing.domain import Aggregate

from domain.errors import InvalidValue, RuleBroken
from domain.limits import MAX_MINUTES, MIN_MINUTES
from domain.model.statuses import MeetingKind, one_of
from domain.values import check_instant

MEETING_KINDS = tuple(MeetingKind)


class MeetingNotScheduled(RuleBroken):
    code = "meeting-not-scheduled"
    title = "Only a scheduled session can be rescheduled, cancelled or given an outcome"


class OutcomeBeforeStart(RuleBroken):
    code = "outcome-before-start"
    title = "A session's outcome can be recorded only after it has started"


class ParticipantAlreadyInvited(RuleBroken):
    code = "participant-already-invited"
    title = "This city is already invited to the session"


def check_start(starts_at: datetime, now: datetime) -> datetime:
    """Nobody can be invited to the past: a session that already happened is recorded as held."""
    starts_at = check_instant(starts_at, "starts_at")
    if starts_at < now:
        raise InvalidValue(
            "starts_at",
            f"{starts_at.isoformat()} has passed (it is now {now.isoformat()}); "
            "record a session that already happened as held, after the fact",
        )
    return starts_at


def check_kind(kind: str) -> MeetingKind:
    return one_of(MeetingKind, kind, "kind")


def check_duration(minutes: int) -> int:
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise InvalidValue("duration_minutes", f"must be a whole number of minutes from {MIN_MINUTES} to {MAX_MINUTES}")
    return minutes


class ScheduledV2(Aggregate.Created):
    """A session's creation event, version 2: ``programme_id`` and ``cluster_id`` (a cluster's session);
    v0.1.0's sessions had neither, nor ``recorded_after_the_fact``."""

    class_version = 2
    title: str
    kind: str
    starts_at: datetime
    duration_minutes: int
    invited_city_ids: list[str]
    partnership_id: str | None
    location: str | None
    url: str | None
    actor: str
    recorded_after_the_fact: bool
    programme_id: str | None
    cluster_id: str | None

    @staticmethod
    def upcast_v1_v2(state: dict) -> None:
        state.setdefault("recorded_after_the_fact", False)
        state["programme_id"] = None
        state["cluster_id"] = None
