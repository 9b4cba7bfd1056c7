"""The queue for admins: GET /admin/jobs (queued, scheduled, started, failed and deferred jobs, failed
ones with their error) and POST /admin/jobs/{job_id}/requeue (put a failed job back on the queue).

Admins only (others 403, no token 401). The RQ calls live in ``workers.admin``, imported when a
request needs it (the web layer does not import RQ). The queue's connection is the bootstrap's
(``web.bootstrap``); without one (no REDIS_URL outside ``twinning serve``) or with Redis down,
both answer 503 ``queue-unavailable``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal, get_args

from pydantic import Field, StrictStr

from domain.access import require_role
from domain.errors import InvalidValue
from domain.model.statuses import Role
from web.api import api_blueprint
from web.http import principal, services
from web.problems import RETRY_AFTER_SECONDS, ApiProblem
from web.schemas import Empty, Input, Limit, Output

if TYPE_CHECKING:
    from redis import Redis

JOB_ID_PATTERN = r"^[A-Za-z0-9_-]{1,128}$"
_JOB_ID = re.compile(JOB_ID_PATTERN)
JobState = Literal["queued", "scheduled", "started", "failed", "deferred"]
# workers.admin's cursor: the state and the offset where the next page starts (failed:40)
JOB_CURSOR_PATTERN = f"^({'|'.join(get_args(JobState))}):([0-9]{{1,9}})$"


class JobsQuery(Input):
    state: (
        Annotated[
            JobState,
            Field(
                description="only jobs in this state (default: all, in the order "
                "queued, scheduled, started, failed, deferred)"
            ),
        ]
        | None
    ) = None
    limit: Limit | None = None
    cursor: (
        Annotated[
            StrictStr,
            Field(
                pattern=JOB_CURSOR_PATTERN, description="the next_cursor of the previous page (a state and an offset)"
            ),
        ]
        | None
    ) = None


class JobOut(Output):
    id: str
    state: JobState
    function: str | None = Field(default=None, description="the job function's dotted path")
    description: str | None = None
    enqueued_at: datetime | None = None
    scheduled_for: datetime | None = Field(default=None, description="when a scheduled job is due")
    ended_at: datetime | None = Field(default=None, description="when the job last ended (failed ones)")
    error: str | None = Field(default=None, description="a failed job's error: the last line of its traceback")
    retries_left: int | None = Field(default=None, description="automatic retries still to come")


class JobPage(Output):
    items: list[JobOut]
    next_cursor: str | None


def _connection() -> Redis:
    connection = services().queue_connection
    if connection is None:
        raise ApiProblem(
            503,
            "queue-unavailable",
            "no job queue is configured: set REDIS_URL (or run `twinning serve`, which has its own)",
            title="The job queue is unavailable",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return connection


def _on_queue(action):
    """Run an RQ action; a Redis that cannot be reached is a 503, not a 500."""
    import redis

    try:
        return action()
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as error:
        raise ApiProblem(
            503,
            "queue-unavailable",
            f"the job queue's Redis cannot be reached ({type(error).__name__})",
            title="The job queue is unavailable",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        ) from error


def blueprint():
    bp = api_blueprint("admin", "Admin")

    @bp.get("/admin/jobs")
    @bp.input(JobsQuery, location="query", arg_name="query")
    @bp.output(JobPage)
    @bp.doc(summary="The job queue: queued, scheduled, started, failed (with their error) and deferred jobs (admin)")
    def list_jobs(query: JobsQuery):
        require_role(principal(), Role.ADMIN)
        connection = _connection()
        from workers.admin import jobs_overview

        return _on_queue(
            lambda: jobs_overview(connection, state=query.state, limit=query.limit or 50, cursor=query.cursor)
        )

    @bp.post("/admin/jobs/<string:job_id>/requeue")
    @bp.input(Empty, arg_name="body")
    @bp.output(JobOut)
    @bp.doc(summary="Put a failed job back on the queue (admin); 409 job-not-failed for a job in any other state")
    def requeue_job(job_id: str, body: Empty):
        require_role(principal(), Role.ADMIN)
        if not _JOB_ID.match(job_id):
            raise InvalidValue("job_id", "letters, digits, _ and - only, at most 128 characters")
        connection = _connection()
        from workers.admin import requeue_failed

        return _on_queue(lambda: requeue_failed(connection, job_id))

    return bp
