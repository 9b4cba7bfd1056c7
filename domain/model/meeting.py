"""A session run by a facilitator: online meetings, webinars, workshops, field visits."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidValue, UnknownReference
from domain.limits import MAX_ATTENDANCE
from domain.model.feedback import FEEDBACK, FOLLOW_UP, answers, check_may_answer, check_outcome, check_rating, entry
from domain.model.meeting_rules import (  # the rules are also imported from here
    MEETING_KINDS,  # noqa: F401
    MeetingNotScheduled,
    OutcomeBeforeStart,
    ParticipantAlreadyInvited,
    ScheduledV2,
    check_duration,
    check_kind,
    check_start,
)
from domain.model.statuses import MeetingKind, MeetingStatus
from domain.values import check_instant


class Meeting(Aggregate):
    class Event(Aggregate.Event):
        """Lets an event's body read its own recording time as ``recorded_at`` (as ``Partnership.Event``)."""

        def mutate(self, aggregate):
            if aggregate is not None:
                aggregate.recorded_at = self.timestamp
            return super().mutate(aggregate)

    # Snapshots: version 2 holds programme_id and cluster_id (v0.1.0's did not).
    class_version = 2

    @staticmethod
    def upcast_v1_v2(state: dict) -> None:
        state["programme_id"] = None
        state["cluster_id"] = None
        state.setdefault("recorded_after_the_fact", False)

    class MeetingScheduled(ScheduledV2):
        """Version 2 (``ScheduledV2``); the topic stays the one v0.1.0 wrote."""

    def assign_programme(self, programme_id: str, actor: str) -> None:
        """The upgrade places a session recorded before programmes existed, once."""
        if self.programme_id is None:
            self._assign_programme(programme_id=programme_id, actor=actor)

    @event("ProgrammeAssigned")
    def _assign_programme(self, programme_id: str, actor: str) -> None:
        self.programme_id = programme_id

    @classmethod
    def schedule(
        cls,
        title: str,
        kind: str,
        starts_at: datetime,
        duration_minutes: int,
        invited_city_ids: list[str],
        actor: str,
        now: datetime,
        partnership_id: str | None = None,
        location: str | None = None,
        url: str | None = None,
        id: UUID | None = None,
        programme_id: str | None = None,
        cluster_id: str | None = None,
    ) -> Meeting:
        return cls._new(
            title,
            kind,
            check_start(starts_at, now),
            duration_minutes,
            invited_city_ids,
            actor,
            partnership_id,
            location,
            url,
            id,
            after_the_fact=False,
            programme_id=programme_id,
            cluster_id=cluster_id,
        )

    @classmethod
    def record_held(
        cls,
        title: str,
        kind: str,
        starts_at: datetime,
        duration_minutes: int,
        invited_city_ids: list[str],
        attendance: int,
        summary: str,
        actor: str,
        now: datetime,
        attended_city_ids: list[str] | None = None,
        partnership_id: str | None = None,
        location: str | None = None,
        url: str | None = None,
        id: UUID | None = None,
        programme_id: str | None = None,
        cluster_id: str | None = None,
    ) -> Meeting:
        """A session that already ended, recorded for history: scheduled and held in one command,
        marked as recorded after the fact, so nobody is invited or reminded."""
        starts_at = check_instant(starts_at, "starts_at")
        ends_at = starts_at + timedelta(minutes=check_duration(duration_minutes))
        if ends_at > now:
            raise InvalidValue(
                "starts_at",
                f"the session ends at {ends_at.isoformat()}, after now ({now.isoformat()}): "
                "schedule it instead, and record its outcome once it has started",
            )
        meeting = cls._new(
            title,
            kind,
            starts_at,
            duration_minutes,
            invited_city_ids,
            actor,
            partnership_id,
            location,
            url,
            id,
            after_the_fact=True,
            programme_id=programme_id,
            cluster_id=cluster_id,
        )
        meeting.record_outcome(attendance, summary, now=now, actor=actor, attended_city_ids=attended_city_ids)
        return meeting

    @classmethod
    def _new(
        cls,
        title: str,
        kind: str,
        starts_at: datetime,
        duration_minutes: int,
        invited_city_ids: list[str],
        actor: str,
        partnership_id: str | None,
        location: str | None,
        url: str | None,
        id: UUID | None,
        after_the_fact: bool,
        programme_id: str | None = None,
        cluster_id: str | None = None,
    ) -> Meeting:
        if len(set(invited_city_ids)) != len(invited_city_ids):
            raise InvalidValue("invited_city_ids", "a city is listed twice")
        return cls(
            id=id,
            title=title,
            kind=check_kind(kind),
            starts_at=starts_at,
            duration_minutes=check_duration(duration_minutes),
            invited_city_ids=list(invited_city_ids),
            partnership_id=partnership_id,
            location=location,
            url=url,
            actor=actor,
            recorded_after_the_fact=after_the_fact,
            programme_id=programme_id,
            cluster_id=cluster_id,
        )

    @event(MeetingScheduled)
    def __init__(
        self,
        title: str,
        kind: str,
        starts_at: datetime,
        duration_minutes: int,
        invited_city_ids: list[str],
        partnership_id: str | None,
        location: str | None,
        url: str | None,
        actor: str,
        id: UUID | None = None,
        recorded_after_the_fact: bool = False,
        programme_id: str | None = None,
        cluster_id: str | None = None,
    ) -> None:
        self.programme_id = programme_id
        self.cluster_id = cluster_id
        self.title = title
        self.kind = MeetingKind(kind)
        self.starts_at = starts_at
        self.duration_minutes = duration_minutes
        self.invited_city_ids = list(invited_city_ids)
        self.partnership_id = partnership_id
        self.location = location
        self.url = url
        self.organiser_id = actor
        self.status = MeetingStatus.SCHEDULED
        self.sequence = 0
        self.cancel_reason: str | None = None
        self.outcome: dict | None = None
        self.recorded_after_the_fact = recorded_after_the_fact
        self.feedback: dict[str, dict] = {FEEDBACK: {}, FOLLOW_UP: {}}  # answers by stage, then by city

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    def invite(self, city_id: str, actor: str) -> None:
        self._check_scheduled()
        if city_id in self.invited_city_ids:
            raise ParticipantAlreadyInvited("this city is already invited")
        self._invite(city_id=city_id, actor=actor)

    @event("ParticipantInvited")
    def _invite(self, city_id: str, actor: str) -> None:
        self.invited_city_ids.append(city_id)

    def reschedule(self, starts_at: datetime, actor: str, now: datetime, duration_minutes: int | None = None) -> None:
        self._check_scheduled()
        starts_at = check_start(starts_at, now)
        duration = self.duration_minutes if duration_minutes is None else check_duration(duration_minutes)
        self._reschedule(starts_at=starts_at, duration_minutes=duration, actor=actor)

    @event("MeetingRescheduled")
    def _reschedule(self, starts_at: datetime, duration_minutes: int, actor: str) -> None:
        self.starts_at = starts_at
        self.duration_minutes = duration_minutes
        self.sequence += 1

    def cancel(self, reason: str, actor: str) -> None:
        self._check_scheduled()
        self._cancel(reason=reason, actor=actor)

    @event("MeetingCancelled")
    def _cancel(self, reason: str, actor: str) -> None:
        self.status = MeetingStatus.CANCELLED
        self.cancel_reason = reason
        self.sequence += 1

    def record_outcome(
        self,
        attendance: int,
        summary: str,
        now: datetime,
        actor: str,
        attended_city_ids: list[str] | None = None,
    ) -> None:
        self._check_scheduled()
        if now < self.starts_at:
            raise OutcomeBeforeStart(f"the session starts at {self.starts_at.isoformat()}")
        if isinstance(attendance, bool) or not isinstance(attendance, int) or not 0 <= attendance <= MAX_ATTENDANCE:
            raise InvalidValue("attendance", f"must be a whole number of participants from 0 to {MAX_ATTENDANCE:,}")
        attended = self.invited_city_ids if attended_city_ids is None else list(attended_city_ids)
        strangers = [c for c in attended if c not in self.invited_city_ids]
        if strangers:
            raise UnknownReference("attended_city_ids", f"not invited to this session: {', '.join(strangers)}")
        no_shows = [c for c in self.invited_city_ids if c not in attended]
        self._hold(
            attendance=attendance, summary=summary, attended_city_ids=attended, no_show_city_ids=no_shows, actor=actor
        )

    @event("MeetingHeld")
    def _hold(
        self, attendance: int, summary: str, attended_city_ids: list[str], no_show_city_ids: list[str], actor: str
    ) -> None:
        self.status = MeetingStatus.HELD
        self.outcome = {
            "attendance": attendance,
            "summary": summary,
            "attended_city_ids": attended_city_ids,
            "no_show_city_ids": no_show_city_ids,
        }

    def give_feedback(self, city_id: str, rating: int, outcome: str, comment: str | None, actor: str) -> None:
        rating, outcome = check_rating(rating), check_outcome(outcome)
        check_may_answer(self, FEEDBACK, city_id)
        self._give_feedback(city_id=city_id, rating=rating, outcome=outcome, comment=comment, actor=actor)

    @event("FeedbackGiven")
    def _give_feedback(self, city_id: str, rating: int, outcome: str, comment: str | None, actor: str) -> None:
        answers(self, FEEDBACK)[city_id] = {"rating": rating, **entry(outcome, comment, actor, self.recorded_at)}

    def give_follow_up(self, city_id: str, outcome: str, comment: str | None, actor: str) -> None:
        outcome = check_outcome(outcome)
        check_may_answer(self, FOLLOW_UP, city_id)
        self._give_follow_up(city_id=city_id, outcome=outcome, comment=comment, actor=actor)

    @event("FollowUpGiven")
    def _give_follow_up(self, city_id: str, outcome: str, comment: str | None, actor: str) -> None:
        answers(self, FOLLOW_UP)[city_id] = entry(outcome, comment, actor, self.recorded_at)

    def _check_scheduled(self) -> None:
        if self.status != MeetingStatus.SCHEDULED:
            raise MeetingNotScheduled(f"the session is {self.status}")
