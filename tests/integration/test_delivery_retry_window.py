"""A mail server down for longer than the job's own retries: the job keeps being retried, with a
growing interval, for DELIVERY_RETRY_FOR since its first failure, and /healthz says so meanwhile;
only after that does it go to the failed registry (where /healthz still shows it)."""

from __future__ import annotations

from datetime import timedelta

from rq import Retry
from rq.job import Job

from tests.api.conftest import make_settings
from tests.support.workers import free_port, run_worker
from web.app import close_app, create_app
from workers.delivery import BACKOFF_FIRST, RETRYING_KEY

EXTRA = "delivery_extra_retries"


def _invite(cast, queue, job_id: str):
    proposal = cast.programme.propose_partnership(
        cast.officer("rome"), "Urban agriculture research", cast.city("rome"), [cast.city("yantai")], ["smart-city"]
    ).aggregate
    return queue.enqueue(
        "workers.jobs.send_partnership_invitation",
        str(proposal.id),
        [cast.city("yantai")],
        1,
        job_id=job_id,
        retry=Retry(max=1, interval=1),
    )


def _healthz(cast, queue, database_url, redis_url) -> dict:
    app = create_app(
        make_settings(database_url, redis_url=redis_url), programme=cast.programme, queue_connection=queue.connection
    )
    try:
        return app.test_client().get("/healthz").get_json()
    finally:
        close_app(app)


def test_an_smtp_outage_keeps_the_job_retrying_within_the_window_and_healthz_degraded(
    cast, queue, job_context, database_url, redis_url
):
    job_context.replace(smtp_url=f"smtp://127.0.0.1:{free_port()}")  # the mail server is down
    job = _invite(cast, queue, "invite-yantai-outage")

    run_worker(queue)  # the first failure: the job's own retry (1 s)
    run_worker(queue, until=lambda: Job.fetch(job.id, connection=queue.connection).meta.get(EXTRA), timeout=15)
    job = Job.fetch(job.id, connection=queue.connection)
    assert job.get_status() == "scheduled", "past the job's own retries, still within DELIVERY_RETRY_FOR"
    assert job.id not in queue.failed_job_registry
    assert job.retry_intervals == [BACKOFF_FIRST] and "delivery_failing_since" in job.meta
    assert queue.connection.zscore(RETRYING_KEY, job.id) is not None

    body = _healthz(cast, queue, database_url, redis_url)
    assert body["status"] == "degraded" and body["jobs"]["retrying"] == 1 and body["jobs"]["failed"] == 0
    assert any("being retried" in reason for reason in body["reasons"])


def test_past_delivery_retry_for_the_job_goes_to_the_failed_registry(cast, queue, job_context, database_url, redis_url):
    job_context.replace(smtp_url=f"smtp://127.0.0.1:{free_port()}", retry_for=timedelta(0))
    job = _invite(cast, queue, "invite-yantai-given-up")

    run_worker(queue, until=lambda: job.id in queue.failed_job_registry, timeout=15)
    assert queue.connection.zscore(RETRYING_KEY, job.id) is None
    body = _healthz(cast, queue, database_url, redis_url)
    assert body["jobs"]["failed"] == 1 and body["status"] == "degraded"


def test_a_mail_server_back_within_the_window_ends_the_retrying(
    cast, queue, job_context, smtp_server, database_url, redis_url
):
    job_context.replace(smtp_url=f"smtp://127.0.0.1:{free_port()}")
    job = _invite(cast, queue, "invite-yantai-recovers")
    run_worker(queue)
    assert queue.connection.zscore(RETRYING_KEY, job.id) is not None

    job_context.replace(smtp_url=smtp_server.url)
    run_worker(queue, until=lambda: smtp_server.to("officer@yantai.example"), timeout=15)
    assert Job.fetch(job.id, connection=queue.connection).get_status() == "finished"
    assert queue.connection.zscore(RETRYING_KEY, job.id) is None
    assert _healthz(cast, queue, database_url, redis_url)["jobs"]["retrying"] == 0
