"""/healthz tells the truth: one part per dependency, ``ok`` only when every part holds.

Rome and Yantai use the programme while, one at a time, the projector stops, the RQ worker goes
away, the mail server is unreachable and a job fails; each shows in its own part, and lists keep
serving meanwhile, saying how far behind they are (``X-View-Lag``)."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

import pytest

from config.settings import persistence_env
from domain.followers import Follower
from domain.views import Views
from tests.api.conftest import Api, enrol_cast, make_settings
from tests.support.workers import dispatch, free_port, wait_until
from web.app import close_app, create_app
from workers.dispatcher import Dispatcher
from workers.worker import EmbeddedWorker

QUICK = {"health_max_lag": timedelta(seconds=1), "health_worker_silence": timedelta(seconds=5)}


@pytest.fixture
def open_api(programme, database_url):
    """``open_api(queue_connection=None, **settings)``: the API on the test's store, the cast enrolled once."""
    made: list = []

    def make(queue_connection=None, **settings) -> Api:
        views = Views(persistence_env(database_url))
        app = create_app(
            make_settings(database_url, **settings), programme=programme, views=views, queue_connection=queue_connection
        )
        app.config["TESTING"] = True
        tokens, user_ids, city_ids = made[0][1] if made else enrol_cast(programme)
        made.append((app, (tokens, user_ids, city_ids), views))
        return Api(app.test_client(), app, programme, tokens, city_ids, user_ids)

    yield make
    for app, _, views in made:
        close_app(app)
        views.close()


def health(api: Api) -> dict:
    response = api.client.get("/healthz")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_with_the_projector_down_healthz_is_degraded_and_lists_serve_saying_how_far_behind(open_api):
    api = open_api(**QUICK)
    api.propose("rome", ("yantai",))
    time.sleep(1.2)  # the projector is not running: the oldest unread event grows older than HEALTH_MAX_LAG
    body = health(api)
    assert body["status"] == "degraded" and body["views"]["ok"] is False and body["views"]["lag"] > 0
    assert body["views"]["lag_seconds"] > 1 and any(r.startswith("views: ") for r in body["reasons"])
    listed = api.get("rome", "/api/v1/partnerships")
    assert listed.status_code == 200 and int(listed.headers["X-View-Lag"]) == body["views"]["lag"]

    views = api.app.extensions["twinning"].views
    Follower(api.programme, views).run_once()  # the projector is back and catches up
    caught_up = health(api)["views"]
    assert caught_up == {"ok": True, "detail": None, "position": views.position(), "lag": 0, "lag_seconds": 0.0}
    assert api.get("rome", "/api/v1/partnerships").headers["X-View-Lag"] == "0"


def test_workers_scheduler_and_jobs_are_parts_of_their_own(open_api, redis_url, queue):
    api = open_api(queue.connection, redis_url=redis_url, **QUICK)
    time.sleep(1.2)  # no dispatcher runs either: the cast's events wait longer than HEALTH_MAX_LAG
    body = health(api)
    assert body["status"] == "degraded"
    assert body["workers"]["ok"] is False and body["workers"]["alive"] == 0
    assert body["scheduler"]["ok"] is False
    assert body["dispatcher"]["ok"] is False and body["dispatcher"]["position"] is None  # never ran
    assert {r.split(":")[0] for r in body["reasons"]} >= {"workers", "scheduler", "dispatcher"}

    worker = EmbeddedWorker(queue).start()
    try:
        wait_until(lambda: health(api)["scheduler"]["ok"], 10, 0.1, "the scheduler lock")
        body = health(api)
        assert body["workers"] == {"ok": True, "detail": None, "alive": 1, "silent": 0}
        assert body["jobs"] == {"ok": True, "detail": None, "failed": 0, "retrying": 0}

        queue.enqueue("workers.jobs.no_such_job", job_id="chongqing-fails")
        wait_until(lambda: health(api)["jobs"]["failed"] == 1, 10, 0.1, "the failed job in its part")
        assert "1 failed job(s) waiting" in health(api)["jobs"]["detail"]
    finally:
        worker.stop()
    wait_until(lambda: not health(api)["workers"]["ok"], 10, 0.2, "the stopped worker to be missed")


def test_an_unreachable_mail_server_is_degraded_and_a_reachable_one_ok(open_api, smtp_server):
    api = open_api(smtp_url=smtp_server.url)
    assert health(api)["smtp"]["ok"] is True
    settings = api.app.extensions["twinning"].settings
    api.app.extensions["twinning"].settings = replace(settings, smtp_url=f"smtp://127.0.0.1:{free_port()}")
    body = health(api)
    assert body["smtp"]["ok"] is False and body["status"] == "degraded"
    assert body["smtp"]["detail"] == "ConnectionRefusedError"


def test_the_load_balancers_probes_answer_without_a_token(open_api, monkeypatch):
    api = open_api()
    assert api.client.get("/healthz/live").get_json() == {"status": "ok"}
    assert api.client.get("/healthz/ready").status_code == 200

    def broken():
        raise OSError("disk gone")

    monkeypatch.setattr(api.programme.recorder, "max_notification_id", broken)
    assert api.client.get("/healthz/live").status_code == 200  # the process is up …
    ready = api.client.get("/healthz/ready")  # … and cannot serve
    assert ready.status_code == 503 and ready.get_json()["status"] == "down"
    assert api.client.get("/healthz").get_json()["status"] == "down"


def test_the_dispatcher_part_reads_the_dispatchers_own_tracking(open_api, queue, database_url, redis_url):
    api = open_api(queue.connection, redis_url=redis_url)
    dispatcher = Dispatcher.open(api.programme, queue, persistence_env(database_url))
    try:
        dispatch(api.programme, dispatcher)
        part = health(api)["dispatcher"]
        assert part["position"] == dispatcher.position() == api.programme.recorder.max_notification_id()
        assert part["lag"] == 0 and part["ok"] is True
    finally:
        dispatcher.close()
