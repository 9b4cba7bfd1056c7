"""What ``twinning serve`` runs besides the web app: ``EmbeddedRuntime`` and ``rearm``, in process.

The queue is the embedded mode's own in-process Redis (fakeredis): these tests claim
nothing about Redis itself, only that jobs lost with the process are planned again.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from config.settings import Settings
from domain.followers import Follower
from domain.views import Views
from tests.support.workers import wait_until
from web.bootstrap import bootstrap, in_process_redis
from workers.dispatcher import Dispatcher, rearm
from workers.embedded import MARKER, EmbeddedRuntime
from workers.worker import make_queue

OFFSETS = (timedelta(minutes=10),)


def open_dispatcher(programme, database_url, queue) -> Dispatcher:
    return Dispatcher.open(programme, queue, Settings(database_url=database_url).store_env(), reminder_offsets=OFFSETS)


def schedule(cast, minutes: float, title: str = "Kick-off") -> str:
    starts_at = cast.programme.now() + timedelta(minutes=minutes)
    return str(
        cast.programme.schedule_meeting(
            cast.facilitator, title, "online", starts_at, 60, [cast.city("rome"), cast.city("yantai")]
        ).aggregate.id
    )


def scheduled_ids(queue) -> set[str]:
    return set(queue.scheduled_job_registry.get_job_ids())


def test_rearm_puts_back_the_reminders_a_lost_redis_had(programme, cast, database_url):
    later = schedule(cast, 60)
    cancelled = schedule(cast, 90, "Cancelled")
    past_due = schedule(cast, 5, "Starting soon")  # its only reminder time (10 min before) has passed
    before = make_queue(in_process_redis())
    dispatcher = open_dispatcher(programme, database_url, before)
    Follower(programme, dispatcher).run_once()
    reminder = f"remind-{later}-s0-600"
    assert reminder in scheduled_ids(before)
    dispatcher.close()
    programme.cancel_meeting(cast.facilitator, cancelled, "no quorum")

    # The process dies with its in-process Redis; the store says the dispatcher is done.
    after = make_queue(in_process_redis())
    dispatcher = open_dispatcher(programme, database_url, after)
    try:
        position = dispatcher.position()
        result = rearm(dispatcher)
        assert reminder in scheduled_ids(after)
        assert f"remind-{cancelled}-s0-600" not in scheduled_ids(after) | set(after.job_ids)
        assert f"remind-{past_due}-s0-600" in after.job_ids  # due: at once, before the session starts
        assert not any(
            job_id.startswith(("invite-", "suggest-")) for job_id in after.job_ids
        )  # clean stop: no at-once jobs
        assert result.enqueued >= 2 and dispatcher.position() == position  # tracking untouched
        again = rearm(dispatcher)
        assert again.enqueued == 0 and again.already == result.enqueued  # the same ids: nothing twice
    finally:
        dispatcher.close()


def test_rearm_after_a_crash_also_puts_back_recent_at_once_jobs(programme, cast, database_url):
    meeting = schedule(cast, 60)
    dispatcher = open_dispatcher(programme, database_url, make_queue(in_process_redis()))
    Follower(programme, dispatcher).run_once()
    dispatcher.close()
    queue = make_queue(in_process_redis())
    dispatcher = open_dispatcher(programme, database_url, queue)
    try:
        rearm(dispatcher, immediate=True)
    finally:
        dispatcher.close()
    assert f"invite-meeting-{meeting}-v1" in queue.job_ids
    assert f"remind-{meeting}-s0-600" in scheduled_ids(queue)


@pytest.fixture
def settings(database_url, tmp_path):
    return Settings(mode="test", database_url=database_url, var_dir=tmp_path / "var", meeting_reminder_offsets=OFFSETS)


def test_runtime_runs_followers_and_worker_then_stops_cleanly_with_a_marker(programme, cast, settings, tmp_path):
    views = Views(settings.store_env())
    twinning = bootstrap(settings, programme=programme, views=views, embedded=True)
    try:
        meeting = schedule(cast, 60)
        runtime = EmbeddedRuntime(twinning, poll_interval=0.05).start()
        try:
            head = programme.recorder.max_notification_id()
            wait_until(lambda: views.position() >= head, 10, what="the projector")
            # The worker ran the invitation job: Yantai's officer has it (recorded in the store).
            wait_until(lambda: programme.recorder.max_notification_id() > head, 10, what="a notification recorded")
            wait_until(lambda: f"remind-{meeting}-s0-600" in scheduled_ids(runtime.queue), 10, what="the reminder")
            assert all(runtime.alive().values()), runtime.alive()
        finally:
            report = runtime.stop()
        assert report.drained and not any(runtime.alive().values())
        marker = json.loads((tmp_path / "var" / MARKER).read_text())
        assert marker["drained"] and marker["dispatcher_position"] == report.dispatcher_position

        # Started again on a new in-process Redis: a clean stop, so only timed jobs come back.
        twinning.close()  # its in-process Redis goes with it
        twinning = bootstrap(settings, programme=programme, views=views, embedded=True)
        again = EmbeddedRuntime(twinning, poll_interval=0.05).start()
        try:
            assert not (tmp_path / "var" / MARKER).exists()
            assert f"remind-{meeting}-s0-600" in scheduled_ids(again.queue)
            assert again.rearmed.enqueued >= 1
        finally:
            again.stop()
    finally:
        twinning.close()
        views.close()
