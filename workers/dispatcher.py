"""The dispatcher: follows the event log and turns events into RQ jobs with deterministic ids.

A ``Processor`` for ``domain.followers.Follower`` (name ``dispatcher``). For each batch:
enqueue every job (``unique=True``: a job id already in Redis raises DuplicateJobError,
which means it was enqueued before), THEN record the batch's tracking in the store's
tracking table. Redis is not in the store's transaction, so a crash between the two
re-dispatches the batch on restart and enqueues nothing new.

The job ids planned for an event depend only on the event and the aggregate *at that
event's version*, so re-dispatch plans the same ids. Jobs that can no longer matter
are left out: reminders already in the past, reminders of a meeting cancelled or moved
since, invitations answered since, notices of a milestone achieved or an agreement
signed since, and suggestions for changes older than a week (a replay of an old log).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time as clock_time
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import InfrastructureFactory, Tracking, TrackingRecorder
from eventsourcing.utils import Environment
from rq import Queue

from domain.application import Programme
from domain.model.agreement import Agreement
from domain.model.meeting import Meeting
from domain.model.partnership import PENDING, Partnership
from domain.model.project import PilotProject
from workers.jobs import AGREEMENT_UNSIGNED_AFTER, MILESTONE_WARNING
from workers.scheduling import JobSpec, arm_weekly_digest, enqueue, job_id, utc_now

if TYPE_CHECKING:
    from config.settings import Settings

log = logging.getLogger(__name__)
NAME = "dispatcher"
DEFAULT_OFFSETS = (timedelta(hours=24), timedelta(hours=1))
SUGGESTIONS_STALE_AFTER = timedelta(days=7)
NOTICE_TIME = time(8, 0)  # date-based notices (milestones) go out at 08:00 UTC
J = "workers.jobs."
ARMED_KEY = "twinning:dispatcher:armed"  # set in Redis whenever the jobs have been (re-)armed
ARMED_CHECK_SECONDS = 1.0


def open_tracking_recorder(
    store_env: dict[str, str], name: str = NAME
) -> tuple[TrackingRecorder, InfrastructureFactory]:
    """The library's tracking recorder on the same database as the Programme (SQLite ``tracking``
    table, or ``<name>_tracking`` in PostgreSQL). Close the factory when done."""
    factory = InfrastructureFactory.construct(Environment(name, store_env))
    return factory.tracking_recorder(), factory


def _short(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def _at(day: date) -> datetime:
    return datetime.combine(day, NOTICE_TIME, tzinfo=UTC)


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
        invitation_nudge_after: timedelta = timedelta(days=7),
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
        self.clock = clock
        self.name = name
        self._factory = factory
        self._digest_armed = False
        self.enqueued = 0
        self.duplicates = 0
        self._handlers: dict[str, Callable[[DomainEvent], list[JobSpec]]] = {
            "City.CityRegistered": self._city_profile,
            "City.ProfileUpdated": self._city_profile,
            "Partnership.PartnershipProposed": self._partnership_proposed,
            "Partnership.PartnerInvited": self._partner_invited,
            "Meeting.MeetingScheduled": self._meeting_scheduled,
            "Meeting.ParticipantInvited": self._participant_invited,
            "Meeting.MeetingRescheduled": self._meeting_rescheduled,
            "Meeting.MeetingCancelled": self._meeting_cancelled,
            "PilotProject.MilestonePlanned": self._milestone,
            "PilotProject.MilestoneRescheduled": self._milestone,
            "Agreement.AgreementDrafted": self._agreement_drafted,
        }

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

    # -- planning ----------------------------------------------------------------------

    def plan(self, event: DomainEvent, now: datetime | None = None) -> list[JobSpec]:
        """The jobs an event calls for (none for most events)."""
        handler = self._handlers.get(type(event).__qualname__)
        if handler is None:
            return []
        self._now = now or self.clock()
        return handler(event)

    def _stale(self, event: DomainEvent) -> bool:
        """Suggestions answer a recent change; on a replay of an old log the weekly digest covers them."""
        return self._now - event.timestamp > SUGGESTIONS_STALE_AFTER

    def _city_profile(self, event: DomainEvent) -> list[JobSpec]:
        city_id, version = str(event.originator_id), event.originator_version
        if self._stale(event):
            return []
        return [
            JobSpec(
                job_id("suggest-city", city_id, f"v{version}"),
                J + "send_suggestions",
                (city_id, f"v{version}"),
                description=f"partner suggestions for city {city_id} (profile v{version})",
                timeout=600,
            )
        ]

    def _still_pending(self, pid: str, city_ids: list[str]) -> tuple[list[str], str]:
        """The cities among these whose invitation is still pending now, and the partnership's status."""
        current = self.programme.load(Partnership, pid)
        if current.status not in ("proposed", "active"):
            return [], current.status
        return [c for c in city_ids if current.invitations.get(c, {}).get("status") == PENDING], current.status

    def _partnership_proposed(self, event: DomainEvent) -> list[JobSpec]:
        pid = str(event.originator_id)
        pending, status = self._still_pending(pid, list(event.invited_city_ids))
        specs = []
        if pending:
            specs.append(
                JobSpec(
                    job_id("invite-partnership", pid, "v1"),
                    J + "send_partnership_invitation",
                    (pid, list(event.invited_city_ids), 1),
                    description=f"invitations to partnership '{event.title}'",
                )
            )
        specs += [self._nudge(pid, city_id, 1, event.timestamp) for city_id in pending]
        if status == "proposed" and not self._stale(event):
            specs.append(
                JobSpec(
                    job_id("suggest-proposal", pid),
                    J + "send_proposal_suggestions",
                    (pid,),
                    description=f"more partners for '{event.title}'",
                    timeout=600,
                )
            )
        return specs

    def _partner_invited(self, event: DomainEvent) -> list[JobSpec]:
        pid, version, city_id = str(event.originator_id), event.originator_version, event.city_id
        if not self._still_pending(pid, [city_id])[0]:
            return []
        return [
            JobSpec(
                job_id("invite-partnership", pid, f"v{version}"),
                J + "send_partnership_invitation",
                (pid, [city_id], version),
                description=f"invitation of city {city_id} to partnership {pid}",
            ),
            self._nudge(pid, city_id, version, event.timestamp),
        ]

    def _nudge(self, pid: str, city_id: str, version: int, invited_at: datetime) -> JobSpec:
        return JobSpec(
            job_id("nudge", pid, city_id, f"v{version}"),
            J + "send_invitation_nudge",
            (pid, city_id, version),
            at=invited_at + self.invitation_nudge_after,
            description=f"nudge city {city_id} about partnership {pid}",
        )

    def _meeting_scheduled(self, event: DomainEvent) -> list[JobSpec]:
        mid = str(event.originator_id)
        if event.starts_at + timedelta(minutes=event.duration_minutes) <= self._now:
            return []  # recorded after the fact (the demo's 2020 sessions): nobody is invited to the past
        specs = [
            JobSpec(
                job_id("invite-meeting", mid, "v1"),
                J + "send_meeting_invitation",
                (mid, list(event.invited_city_ids), 1),
                description=f"invitations to session '{event.title}'",
            )
        ]
        return specs + self._reminders(mid, 0, event.starts_at)

    def _participant_invited(self, event: DomainEvent) -> list[JobSpec]:
        mid, version = str(event.originator_id), event.originator_version
        return [
            JobSpec(
                job_id("invite-meeting", mid, f"v{version}"),
                J + "send_meeting_invitation",
                (mid, [event.city_id], version),
                description=f"invitation of city {event.city_id} to session {mid}",
            )
        ]

    def _meeting_rescheduled(self, event: DomainEvent) -> list[JobSpec]:
        mid = str(event.originator_id)
        meeting = self.programme.load(Meeting, mid, version=event.originator_version)
        seq = meeting.sequence
        specs = [
            JobSpec(
                job_id("meeting-update", mid, f"s{seq}"),
                J + "send_meeting_update",
                (mid, seq),
                description=f"session {mid} moved (sequence {seq})",
            )
        ]
        return specs + self._reminders(mid, seq, meeting.starts_at)

    def _meeting_cancelled(self, event: DomainEvent) -> list[JobSpec]:
        mid = str(event.originator_id)
        seq = self.programme.load(Meeting, mid, version=event.originator_version).sequence
        return [
            JobSpec(
                job_id("meeting-cancel", mid, f"s{seq}"),
                J + "send_meeting_cancellation",
                (mid, seq),
                description=f"session {mid} cancelled (sequence {seq})",
            )
        ]

    def _reminders(self, mid: str, sequence: int, starts_at: datetime) -> list[JobSpec]:
        """One job per offset before the start. Offsets already past are skipped, except that a
        session starting before its last reminder time still gets one reminder at once."""
        now = self._now
        if starts_at <= now:
            return []
        current = self.programme.load(Meeting, mid)
        if current.status != "scheduled" or current.sequence != sequence:
            return []  # cancelled or moved since: the later event plans what is needed
        future = [o for o in self.reminder_offsets if starts_at - o > now]
        past = [o for o in self.reminder_offsets if starts_at - o <= now]
        chosen = future or past[-1:]
        return [
            JobSpec(
                job_id("remind", mid, f"s{sequence}", int(o.total_seconds())),
                J + "send_meeting_reminder",
                (mid, sequence, int(o.total_seconds())),
                at=starts_at - o,
                description=f"reminder {o} before session {mid} (sequence {sequence})",
            )
            for o in chosen
        ]

    def _milestone(self, event: DomainEvent) -> list[JobSpec]:
        pid, mid, due = str(event.originator_id), event.milestone_id, event.due_on
        today = self._now.date()
        specs = []
        if due >= today:
            specs.append(
                JobSpec(
                    job_id("milestone", pid, _short(mid), due.isoformat(), "soon"),
                    J + "send_milestone_due",
                    (pid, mid, due.isoformat(), "soon"),
                    at=_at(due - MILESTONE_WARNING),
                    description=f"milestone {mid!r} of project {pid} due on {due}",
                )
            )
        specs.append(
            JobSpec(
                job_id("milestone", pid, _short(mid), due.isoformat(), "overdue"),
                J + "send_milestone_due",
                (pid, mid, due.isoformat(), "overdue"),
                at=_at(due + timedelta(days=1)),
                description=f"milestone {mid!r} of project {pid} overdue after {due}",
            )
        )
        project = self.programme.load(PilotProject, pid)
        current = project.milestones.get(mid)
        if project.status != "active" or current is None or current["status"] != "planned" or current["due_on"] != due:
            return []  # achieved, moved or closed since: nothing to remind of
        return specs

    def _agreement_drafted(self, event: DomainEvent) -> list[JobSpec]:
        aid = str(event.originator_id)
        if self.programme.load(Agreement, aid).status != "drafted":
            return []
        return [
            JobSpec(
                job_id("agreement-unsigned", aid),
                J + "send_agreement_unsigned",
                (aid,),
                at=event.timestamp + AGREEMENT_UNSIGNED_AFTER,
                description=f"agreement '{event.title}' unsigned after 30 days",
            )
        ]


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
        reminder_offsets=settings.meeting_reminder_offsets,
        invitation_nudge_after=settings.invitation_nudge_after,
        watch_queue=True,
    )
    try:
        arm_weekly_digest(queue)
        Follower(programme, dispatcher, logger=logger or log).run(stop_event, poll_interval=poll_interval)
    finally:
        dispatcher.close()
        if own_programme:
            programme.close()


# -- re-arming after Redis lost its data ---------------------------------------------------

# Events whose plan holds jobs for later (reminders, nudges, milestone and agreement notices).
TIMED_EVENTS = (
    "Partnership.PartnershipProposed",
    "Partnership.PartnerInvited",
    "Meeting.MeetingScheduled",
    "Meeting.MeetingRescheduled",
    "PilotProject.MilestonePlanned",
    "PilotProject.MilestoneRescheduled",
    "Agreement.AgreementDrafted",
)
REARM_IMMEDIATE_WINDOW = SUGGESTIONS_STALE_AFTER


def _event_topics(names: Iterable[str]) -> list[str]:
    from eventsourcing.utils import get_topic

    from domain.model.city import City

    aggregates = {
        "City": City,
        "Partnership": Partnership,
        "Meeting": Meeting,
        "PilotProject": PilotProject,
        "Agreement": Agreement,
    }
    topics = []
    for name in names:
        aggregate, _, event_name = name.partition(".")
        topics.append(get_topic(getattr(aggregates[aggregate], event_name)))
    return topics


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
    names = dispatcher._handlers if immediate else TIMED_EVENTS
    topics = _event_topics(names)
    recorder = dispatcher.programme.recorder
    position = 0
    arm_weekly_digest(dispatcher.queue, now)
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
