"""The queue as an admin sees it: jobs by state, with their error, and requeueing a failed one.

Every RQ call behind ``GET /api/v1/admin/jobs`` and ``POST /api/v1/admin/jobs/{id}/requeue``
lives here (the web layer does not import RQ); answers are plain dicts.

The listing walks the states in a fixed order — queued, scheduled, started, failed, deferred —
each in its own order (queue order; scheduled time; start; failure; deferral). The cursor names
the state and offset where the next page starts (``failed:40``). Reading never cleans up a
registry, so a listing changes nothing.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from rq import Queue
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job

from domain.errors import InvalidValue, NotFound, RuleBroken, UnknownCursor
from workers.scheduling import QUEUE_NAME


class JobState(StrEnum):
    """Where RQ keeps a job, in the order the listing walks them."""

    QUEUED = "queued"
    SCHEDULED = "scheduled"
    STARTED = "started"
    FAILED = "failed"
    DEFERRED = "deferred"


STATES = tuple(JobState)
JOB_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_CURSOR = re.compile(rf"^({'|'.join(STATES)}):(\d{{1,9}})$")
ERROR_CHARS = 500


class JobNotFailed(RuleBroken):
    """Only a job in the failed registry can be requeued (HTTP 409)."""

    code = "job-not-failed"
    title = "Only a failed job can be requeued"


def _queue(connection: Any) -> Queue:
    return Queue(QUEUE_NAME, connection=connection)


def _ids(queue: Queue, state: str, start: int, count: int) -> list[str]:
    """Up to ``count`` job ids of one state from ``start`` on (no registry cleanup)."""
    end = start + count - 1
    if state == JobState.QUEUED:
        return queue.get_job_ids(start, count)
    registry = {
        JobState.SCHEDULED: queue.scheduled_job_registry,
        JobState.STARTED: queue.started_job_registry,
        JobState.FAILED: queue.failed_job_registry,
        JobState.DEFERRED: queue.deferred_job_registry,
    }[state]
    return registry.get_job_ids(start, end, cleanup=False)


def _instant(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def last_error_line(text: str | None) -> str | None:
    """The last non-empty line of a traceback (``ValueError: …``), shortened."""
    if not text:
        return None
    lines = [line.strip() for line in str(text).strip().splitlines() if line.strip()]
    return lines[-1][:ERROR_CHARS] if lines else None


def _error(job: Job) -> str | None:
    try:
        result = job.latest_result()
    except Exception:
        return None
    if result is None:
        return None
    return last_error_line(getattr(result, "exc_string", None))


def describe(job: Job, state: str, queue: Queue | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": job.id,
        "state": state,
        "function": job.func_name,
        "description": job.description,
        "enqueued_at": _instant(job.enqueued_at),
        "retries_left": job.retries_left,
    }
    if state == JobState.SCHEDULED and queue is not None:
        try:
            item["scheduled_for"] = _instant(queue.scheduled_job_registry.get_scheduled_time(job))
        except NoSuchJobError:
            pass
    if job.ended_at is not None:
        item["ended_at"] = _instant(job.ended_at)
    if state == JobState.FAILED:
        item["error"] = _error(job)
    return item


def _parse_cursor(cursor: str | None, states: tuple[str, ...]) -> tuple[int, int]:
    """The cursor as (index into ``states``, offset); a cursor that does not fit is a 422."""
    if cursor is None:
        return 0, 0
    match = _CURSOR.match(cursor)
    if not match or match.group(1) not in states:
        raise UnknownCursor()
    return states.index(match.group(1)), int(match.group(2))


def jobs_overview(
    connection: Any, *, state: str | None = None, limit: int = 50, cursor: str | None = None
) -> dict[str, Any]:
    """A page of the ``twinning`` queue's jobs: ``{items, next_cursor}``."""
    if state is not None and state not in STATES:
        raise InvalidValue("state", f"one of {', '.join(STATES)}")
    states = (state,) if state else STATES
    index, offset = _parse_cursor(cursor, states)
    queue = _queue(connection)
    items: list[dict[str, Any]] = []
    next_cursor: str | None = None
    while index < len(states):
        current = states[index]
        wanted = limit - len(items)
        ids = _ids(queue, current, offset, wanted + 1)  # one more than wanted: is there a next page?
        taken = ids[:wanted]
        for job in Job.fetch_many(taken, connection=connection):
            if job is not None:  # expired between listing and fetching
                items.append(describe(job, current, queue))
        if len(ids) > wanted:
            next_cursor = f"{current}:{offset + wanted}"
            break
        index, offset = index + 1, 0
        if len(items) >= limit:
            # the page is full exactly at the end of a state: continue with the next non-empty one
            while index < len(states) and not _ids(queue, states[index], 0, 1):
                index += 1
            if index < len(states):
                next_cursor = f"{states[index]}:0"
            break
    return {"items": items, "next_cursor": next_cursor}


def requeue_failed(connection: Any, job_id: str) -> dict[str, Any]:
    """Put a failed job back on the queue; NotFound for an unknown id, JobNotFailed for any other state."""
    if not JOB_ID.match(job_id or ""):
        raise InvalidValue("job_id", "letters, digits, _ and - only, at most 128 characters")
    try:
        job = Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        raise NotFound(f"no job {job_id}") from None
    queue = _queue(connection)
    registry = queue.failed_job_registry
    if job.origin != QUEUE_NAME or job.id not in registry:
        status = job.get_status(refresh=False)
        raise JobNotFailed(f"job {job_id} is {getattr(status, 'value', status) or 'unknown'}, not failed")
    try:
        job = registry.requeue(job)
    except InvalidJobOperation:  # requeued by someone else between the check and now
        raise JobNotFailed(f"job {job_id} is no longer failed") from None
    return describe(job, JobState.QUEUED, queue)
