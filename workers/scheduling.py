"""Job specifications, deterministic job ids, and putting them on the queue once.

Job functions are named by dotted path (``workers.jobs.…``) so that the dispatcher
and the jobs themselves can enqueue without importing each other. A job id names
what the job is about (aggregate id, version or sequence, offset…), so enqueueing
the same thing twice raises ``DuplicateJobError``, which here means "already done".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from rq import Queue, Retry
from rq.exceptions import DuplicateJobError

QUEUE_NAME = "twinning"
RETRY_MAX, RETRY_INTERVALS = 3, (10, 30, 60)
RESULT_TTL = 7 * 86400  # finished jobs (and so their ids) are kept a week
FAILURE_TTL = 365 * 86400  # failed jobs stay in the failed registry for a year
JOB_TIMEOUT = 120
DIGEST_WEEKDAY, DIGEST_TIME = 0, time(8, 0)  # Monday 08:00 UTC
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def job_id(*parts: object) -> str:
    """Join parts with ``-``; any character RQ refuses in an id (only letters, digits, _ and -) becomes ``_``."""
    return "-".join(_UNSAFE.sub("_", str(part)) for part in parts)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class JobSpec:
    job_id: str
    func: str
    args: tuple = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    at: datetime | None = None  # None or a past instant: at once
    description: str = ""
    timeout: int = JOB_TIMEOUT


def retry_policy() -> Retry:
    return Retry(max=RETRY_MAX, interval=list(RETRY_INTERVALS))


def enqueue(queue: Queue, spec: JobSpec, now: datetime | None = None) -> bool:
    """Put the job on the queue (or in the scheduled registry); ``False`` if a job with its id already exists."""
    now = now or utc_now()
    options = dict(
        job_id=spec.job_id,
        unique=True,
        retry=retry_policy(),
        result_ttl=RESULT_TTL,
        failure_ttl=FAILURE_TTL,
        job_timeout=spec.timeout,
        description=spec.description or spec.job_id,
        args=tuple(spec.args),
        kwargs=dict(spec.kwargs),
    )
    try:
        if spec.at is None or spec.at <= now:
            queue.enqueue(spec.func, **options)
        else:
            queue.enqueue_at(spec.at.astimezone(UTC), spec.func, **options)
    except DuplicateJobError:
        return False
    return True


def next_digest_at(now: datetime) -> datetime:
    """The first Monday 08:00 UTC strictly after ``now``."""
    now = now.astimezone(UTC)
    days = (DIGEST_WEEKDAY - now.weekday()) % 7
    candidate = datetime.combine(now.date() + timedelta(days=days), DIGEST_TIME, tzinfo=UTC)
    if candidate <= now:
        candidate += timedelta(days=7)
    return candidate


def iso_week(instant: datetime) -> str:
    year, week, _ = instant.isocalendar()
    return f"{year}-W{week:02d}"


def digest_spec(now: datetime) -> JobSpec:
    at = next_digest_at(now)
    week = iso_week(at)
    return JobSpec(
        job_id("digest", week),
        "workers.jobs.send_weekly_digest",
        (week,),
        at=at,
        description=f"weekly partner suggestions, {week}",
        timeout=1800,
    )


def arm_weekly_digest(queue: Queue, now: datetime | None = None) -> bool:
    """Schedule the next weekly digest unless it is already scheduled (one job id per ISO week)."""
    return enqueue(queue, digest_spec(now or utc_now()), now)


# -- the daily digests' sweep -------------------------------------------------------------

SWEEP_MINUTES = 15  # every zone's offset is a whole number of quarter hours, so each local 08:00 is on one


def next_sweep_at(now: datetime) -> datetime:
    """The first quarter hour (UTC) strictly after ``now``."""
    now = now.astimezone(UTC)
    floor = now.replace(minute=now.minute - now.minute % SWEEP_MINUTES, second=0, microsecond=0)
    return floor + timedelta(minutes=SWEEP_MINUTES)


def sweep_spec(now: datetime) -> JobSpec:
    at = next_sweep_at(now)
    slot = at.strftime("%Y%m%dT%H%M")
    return JobSpec(
        job_id("daily-digests", slot),
        "workers.jobs.send_daily_digests",
        (slot,),
        at=at,
        description=f"daily digests due at {at:%H:%M} UTC",
        timeout=600,
    )


def arm_daily_digests(queue: Queue, now: datetime | None = None) -> bool:
    """Schedule the next sweep unless it is already scheduled (one job id per quarter hour)."""
    return enqueue(queue, sweep_spec(now or utc_now()), now)
