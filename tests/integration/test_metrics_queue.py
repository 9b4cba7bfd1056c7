"""/metrics reads the queue's figures from Redis: jobs by state, live RQ workers, and the
deliveries the workers' jobs made by channel and outcome (counted in Redis, since a work horse
lives for one job only)."""

from __future__ import annotations

from rq import Retry

from tests.api.conftest import make_settings
from tests.api.test_metrics import value
from tests.support.workers import free_port, run_worker
from web.app import close_app, create_app


def _scrape(cast, queue, database_url, redis_url) -> dict:
    from prometheus_client.parser import text_string_to_metric_families

    app = create_app(
        make_settings(database_url, redis_url=redis_url), programme=cast.programme, queue_connection=queue.connection
    )
    try:
        text = app.test_client().get("/metrics").get_data(as_text=True)
    finally:
        close_app(app)
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _invite(cast, queue, invited: str, job_id: str):
    proposal = cast.programme.propose_partnership(
        cast.officer("rome"), f"Rome and {invited}", cast.city("rome"), [cast.city(invited)], ["smart-city"]
    ).aggregate
    return queue.enqueue(
        "workers.jobs.send_partnership_invitation",
        str(proposal.id),
        [cast.city(invited)],
        1,
        job_id=job_id,
        retry=Retry(max=1, interval=30),
    )


def test_jobs_and_deliveries_by_channel_and_outcome(cast, queue, job_context, smtp_server, database_url, redis_url):
    _invite(cast, queue, "yantai", "invite-yantai")
    run_worker(queue)
    job_context.replace(smtp_url=f"smtp://127.0.0.1:{free_port()}")  # the mail server goes away
    _invite(cast, queue, "chongqing", "invite-chongqing")
    run_worker(queue)

    samples = _scrape(cast, queue, database_url, redis_url)
    assert value(samples, "twinning_deliveries_total", channel="inbox", outcome="sent") == 2
    assert value(samples, "twinning_deliveries_total", channel="email", outcome="sent") == 1
    assert value(samples, "twinning_deliveries_total", channel="email", outcome="failed") == 1
    assert value(samples, "twinning_jobs", state="finished") == 1
    assert value(samples, "twinning_jobs", state="scheduled") == 1  # the failed email's retry
    assert value(samples, "twinning_rq_workers_alive") == 0  # the burst workers are gone
    assert value(samples, "twinning_follower_position", follower="dispatcher") == 0
