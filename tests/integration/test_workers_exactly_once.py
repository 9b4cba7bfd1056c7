"""Exactly once, on SQLite and on PostgreSQL: a dispatcher that crashes between enqueueing and
recording its tracking enqueues nothing twice when it runs again, and a job that runs twice
records one Notification and sends one email (the Notification's id is its dedup key)."""

from __future__ import annotations

from collections import Counter

import pytest
from eventsourcing.persistence import Tracking
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from config.settings import persistence_env
from domain.model.notification import Notification
from tests.support.workers import dispatch, pending_batch, run_worker
from workers import jobs
from workers.dispatcher import Dispatcher


class Crash(RuntimeError):
    pass


class CrashingDispatcher(Dispatcher):
    """Dies after enqueueing its jobs and before recording the batch's tracking."""

    def _before_tracking(self, tracking: Tracking) -> None:
        raise Crash("power cut")


def notifications(programme) -> list[Notification]:
    return [
        programme.load(Notification, n.originator_id)
        for n in programme.recorder.select_notifications(1, 100_000)
        if n.topic.endswith("Notification.NotificationSent")
    ]


def all_job_ids(queue) -> list[str]:
    return list(queue.job_ids) + list(ScheduledJobRegistry(queue=queue).get_job_ids())


def test_a_crash_between_enqueue_and_tracking_enqueues_nothing_twice(
    cast,
    programme,
    queue,
    database_url,
    job_context,
    smtp_server,
):
    app = cast.programme
    app.propose_partnership(
        cast.officer("rome"),
        "Urban agriculture research",
        cast.city("rome"),
        [cast.city("yantai"), cast.city("chongqing")],
        ["urban-agriculture"],
    )
    env = persistence_env(database_url)

    crashing = CrashingDispatcher.open(app, queue, env)
    try:
        batch, tracking = pending_batch(app)
        with pytest.raises(Crash):
            crashing.process(batch, tracking)
        assert crashing.position() == 0, "the tracking was not recorded"
        first = sorted(all_job_ids(queue))
        assert any(j.startswith("digest-") for j in first)
        assert any(j.startswith("daily-digests-") for j in first)
        # every job of the batch, the weekly digest and the daily digests' sweep
        assert crashing.enqueued == len(first) - 2 > 0
    finally:
        crashing.close()

    restarted = Dispatcher.open(app, queue, env)  # the process comes back: same batch again
    try:
        assert restarted.position() == 0
        assert dispatch(app, restarted) == len(batch)
        assert restarted.enqueued == 0 and restarted.duplicates == len(first) - 2  # (the digests are armed once)
        assert sorted(all_job_ids(queue)) == first
        assert restarted.position() == tracking.notification_id
    finally:
        restarted.close()

    run_worker(queue, until=lambda: len(smtp_server.to("officer@chongqing.example", "invitation")) == 1)
    sent = notifications(app)
    keys = Counter(n.key for n in sent)
    assert keys and max(keys.values()) == 1, "one Notification per dedup key"
    invited = {n.recipient_id for n in sent if n.kind == "invitation"}
    assert invited == {cast.officer("yantai").user_id, cast.officer("chongqing").user_id}
    assert len(smtp_server.to("officer@yantai.example", "invitation")) == 1


def test_a_job_that_runs_twice_records_one_notification_and_sends_one_email(cast, job_context, smtp_server):
    app = cast.programme
    proposal = app.propose_partnership(
        cast.officer("rome"),
        "Urban agriculture research",
        cast.city("rome"),
        [cast.city("yantai")],
        ["urban-agriculture"],
    ).aggregate
    pid, yantai = str(proposal.id), cast.city("yantai")

    first = jobs.send_partnership_invitation(pid, [yantai], 1)
    second = jobs.send_partnership_invitation(pid, [yantai], 1)

    assert first["recorded"] == 1 and first["sent"] == 1
    assert second["recorded"] == 0 and second["already_sent"] == 1 and second["sent"] == 0
    assert [n.kind for n in notifications(app)] == ["invitation"]
    assert len(smtp_server.to("officer@yantai.example")) == 1


def test_a_job_enqueued_twice_by_two_dispatchers_is_one_job(cast, queue, database_url, job_context):
    """Two dispatchers of the same log (a restart racing an old process) enqueue the same ids."""
    app = cast.programme
    app.propose_partnership(
        cast.officer("rome"),
        "Urban agriculture research",
        cast.city("rome"),
        [cast.city("yantai")],
        ["urban-agriculture"],
    )
    env = persistence_env(database_url)
    one, two = Dispatcher.open(app, queue, env), Dispatcher.open(app, queue, env)
    try:
        batch, tracking = pending_batch(app)
        one.process(batch, tracking)
        dispatch(app, two)  # sees the recorded position: nothing left to do
        assert two.enqueued == 0
        invite = [j for j in all_job_ids(queue) if j.startswith("invite-partnership-")]
        assert len(invite) == 1
        job = Job.fetch(invite[0], connection=queue.connection)
        assert job.retries_left == 3 and job.retry_intervals == [10, 30, 60]
    finally:
        one.close()
        two.close()
