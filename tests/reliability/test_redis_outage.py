"""Redis going away — and coming back EMPTY (no persistence): commands never notice, /healthz says
degraded, and once Redis is back every notification that was due is sent, exactly once, including
the jobs Redis lost: the dispatcher sees its marker gone and re-arms them from the store.

A redis-server of the test's own, on a free port, killed with SIGKILL mid-test (its dataset
gone) and started again; the dispatcher is ``workers.dispatcher.run_dispatcher`` in a thread,
as ``twinning dispatch`` runs it; an RQ worker (with the scheduler) runs the jobs in this process.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from rq import SimpleWorker

from config.settings import Settings, persistence_env
from domain.views import Views
from tests.api.conftest import Api, enrol_cast, make_settings
from tests.reliability.conftest import events_named, wait_until
from web.app import close_app, create_app
from workers.dispatcher import ARMED_KEY, Dispatcher, run_dispatcher
from workers.worker import make_queue

pytestmark = pytest.mark.slow
REMINDER = timedelta(seconds=8)


@pytest.fixture
def database_url(sqlite_url):
    return sqlite_url


def _work(queue, until, timeout: float = 30.0):
    """A real RQ worker with the scheduler, in burst mode, until ``until()`` holds."""

    def done():
        SimpleWorker([queue], connection=queue.connection).work(
            burst=True, with_scheduler=True, logging_level="WARNING"
        )
        return until()

    return wait_until(done, timeout=timeout, interval=0.3, what="the worker to deliver")


def test_commands_work_while_redis_is_down_and_every_due_job_is_delivered_once_after(
    programme, database_url, own_redis, job_context, smtp_server
):
    settings = Settings(
        mode="test", database_url=database_url, redis_url=own_redis.url, meeting_reminder_offsets=(REMINDER,)
    )
    views = Views(persistence_env(database_url))
    app = create_app(make_settings(database_url, redis_url=own_redis.url), programme=programme, views=views)
    tokens, user_ids, city_ids = enrol_cast(programme)
    api = Api(app.test_client(), app, programme, tokens, city_ids, user_ids)
    stop = threading.Event()
    dispatcher = threading.Thread(
        target=run_dispatcher, args=(settings, stop), kwargs={"programme": programme, "poll_interval": 0.1}, daemon=True
    )
    dispatcher.start()
    tracker = Dispatcher.open(programme, make_queue(own_redis.url), persistence_env(database_url))
    try:

        def dispatched() -> bool:
            return tracker.tracking.max_tracking_id("dispatcher") == programme.recorder.max_notification_id()

        # a session soon, with a reminder REMINDER before it: dispatched into Redis …
        starts = datetime.now(UTC) + REMINDER + timedelta(seconds=5)
        session = api.schedule(starts.isoformat(timespec="seconds"), cities=("rome", "yantai"))
        wait_until(dispatched, timeout=10, what="the session's jobs to be enqueued")
        assert make_queue(own_redis.url).scheduled_job_registry.count >= 1

        # … and then Redis dies, losing every job it held
        own_redis.stop()
        health = api.client.get("/healthz")
        assert health.status_code == 200 and health.get_json()["status"] == "degraded"
        assert health.get_json()["redis"]["ok"] is False
        partnership = api.propose("rome", ("yantai",))  # commands touch only the store
        answered = api.post(
            "yantai", f"/api/v1/partnerships/{partnership['id']}/accept", {"city_id": api.city("yantai")}
        )
        assert answered.status_code == 200
        second = api.propose("rome", ("chengdu",))
        assert (
            api.post(
                "facilitator", f"/api/v1/meetings/{session['id']}/invite", {"city_id": api.city("chengdu")}
            ).status_code
            == 200
        )
        assert not dispatched()  # the dispatcher cannot enqueue: it waits

        # Redis is back, empty
        own_redis.start()
        queue = make_queue(own_redis.url)
        wait_until(
            lambda: dispatched() and queue.connection.exists(ARMED_KEY),
            timeout=30,
            what="the dispatcher to catch up and re-arm the lost jobs",
        )
        # Redis's part, and the dispatcher's that hangs on it, are ok again (no RQ worker runs yet and
        # no projector feeds these views: /healthz names those, as it should)
        recovered = api.client.get("/healthz").get_json()
        assert recovered["redis"]["ok"] is True and recovered["dispatcher"]["ok"] is True
        assert not [r for r in recovered["reasons"] if r.startswith(("store", "redis", "dispatcher"))], recovered

        officer = {key: f"officer@{key}.example" for key in ("rome", "yantai", "chengdu")}
        expected = {(kind, officer[key]) for kind in ("invitation", "meeting_reminder") for key in officer}

        def delivered() -> set:
            return {
                (m["X-Twinning-Kind"], address)
                for m in smtp_server.messages
                for address in officer.values()
                if address in str(m["To"])
            }

        _work(queue, lambda: expected <= delivered(), timeout=40)
        # the session's invitations (lost with Redis before the worker ran them), the invitation to
        # Chengdu (recorded while Redis was down) and the reminders (re-armed) — each once
        sent = Counter((m["X-Twinning-Kind"], m["X-Twinning-Notification"]) for m in smtp_server.messages)
        assert all(n == 1 for n in sent.values()), sent
        keys = [e.key for e in events_named(programme, "NotificationSent")]
        assert len(keys) == len(set(keys))
        reminded = [k for k in keys if k.startswith("meeting_reminder")]
        assert len(reminded) == 3, keys
        assert any(k.startswith("invitation") and second["id"] in k for k in keys)
        assert all(programme.notification_recorded(k) for k in keys)
    finally:
        stop.set()
        dispatcher.join(15)
        tracker.close()
        close_app(app)
        views.close()
