"""GET /api/v1/admin/jobs and POST /api/v1/admin/jobs/{id}/requeue on the run's own db of the real Redis.

Jobs are enqueued on the ``twinning`` queue and run by a real RQ SimpleWorker in burst mode."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import redis
from rq import Queue, SimpleWorker

from tests.api.conftest import Api, assert_problem, enrol_cast, make_settings
from web.app import close_app, create_app
from workers.scheduling import QUEUE_NAME

JOBS = "/api/v1/admin/jobs"


def explode(reason: str) -> None:
    """A job that always fails."""
    raise ValueError(f"boom: {reason}")


def fine() -> str:
    return "ok"


@pytest.fixture
def connection(redis_url):
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def queue(connection) -> Queue:
    return Queue(QUEUE_NAME, connection=connection)


@pytest.fixture
def qapi(programme, database_url, views, connection) -> Api:
    """The API with the queue connection injected, as ``twinning serve`` does."""
    app = create_app(make_settings(database_url), programme=programme, views=views, queue_connection=connection)
    app.config["TESTING"] = True
    tokens, user_ids, city_ids = enrol_cast(programme)
    yield Api(app.test_client(), app, programme, tokens, city_ids, user_ids)
    close_app(app)


def run_burst(queue: Queue) -> None:
    SimpleWorker([queue], connection=queue.connection).work(burst=True, with_scheduler=False, logging_level="WARNING")


def failed_job(queue: Queue, job_id: str = "explode-1") -> str:
    queue.enqueue(f"{__name__}.explode", "the printer is on fire", job_id=job_id, description="explodes on purpose")
    run_burst(queue)
    assert job_id in queue.failed_job_registry
    return job_id


def listed(api: Api, **params) -> dict:
    response = api.get("admin", JOBS, query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_failed_job_is_listed_with_its_error(qapi, queue):
    job_id = failed_job(queue)
    page = listed(qapi, state="failed")
    assert page["next_cursor"] is None
    [item] = page["items"]
    assert item["id"] == job_id and item["state"] == "failed"
    assert item["function"] == f"{__name__}.explode"
    assert item["description"] == "explodes on purpose"
    assert item["error"] == "ValueError: boom: the printer is on fire"
    assert item["ended_at"] and item["enqueued_at"]
    assert [i["id"] for i in listed(qapi)["items"]] == [job_id]  # every state
    assert listed(qapi, state="queued")["items"] == []


def test_requeue_puts_a_failed_job_back_on_the_queue(qapi, queue):
    job_id = failed_job(queue)
    response = qapi.post("admin", f"{JOBS}/{job_id}/requeue")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["id"] == job_id and response.get_json()["state"] == "queued"
    assert job_id not in queue.failed_job_registry
    assert queue.job_ids == [job_id]
    assert [i["id"] for i in listed(qapi, state="queued")["items"]] == [job_id]
    assert listed(qapi, state="failed")["items"] == []
    # now it is queued, not failed: a second requeue is refused
    assert_problem(qapi.post("admin", f"{JOBS}/{job_id}/requeue"), 409, "job-not-failed")
    # and a worker runs it again (it fails again: back in the failed registry)
    run_burst(queue)
    assert job_id in queue.failed_job_registry


def test_requeue_refuses_unknown_malformed_and_unfailed_jobs(qapi, queue):
    assert_problem(qapi.post("admin", f"{JOBS}/no-such-job/requeue"), 404, "not-found")
    body = assert_problem(qapi.post("admin", f"{JOBS}/bad.id!/requeue"), 422)
    assert body["errors"][0]["field"] == "job_id"
    assert_problem(qapi.post("admin", f"{JOBS}/{'x' * 129}/requeue"), 422)
    queue.enqueue(f"{__name__}.fine", job_id="waiting-1")
    assert_problem(qapi.post("admin", f"{JOBS}/waiting-1/requeue"), 409, "job-not-failed")
    run_burst(queue)  # finished: still not failed
    assert_problem(qapi.post("admin", f"{JOBS}/waiting-1/requeue"), 409, "job-not-failed")


def test_a_scheduled_job_is_listed_with_its_time(qapi, queue):
    due = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    queue.enqueue_at(due, f"{__name__}.fine", job_id="later-1", description="later")
    queue.enqueue(f"{__name__}.fine", job_id="now-1")
    page = listed(qapi)
    assert [(i["id"], i["state"]) for i in page["items"]] == [("now-1", "queued"), ("later-1", "scheduled")]
    [scheduled] = listed(qapi, state="scheduled")["items"]
    assert datetime.fromisoformat(scheduled["scheduled_for"]) == due
    assert scheduled["error"] is None


def test_pages_follow_the_cursor_across_states(qapi, queue):
    for n in range(3):
        queue.enqueue(f"{__name__}.fine", job_id=f"q-{n}")
    due = datetime.now(UTC) + timedelta(hours=1)
    for n in range(2):
        queue.enqueue_at(due + timedelta(minutes=n), f"{__name__}.fine", job_id=f"s-{n}")
    seen, cursor = [], None
    for _ in range(10):
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = listed(qapi, **params)
        assert len(page["items"]) <= 2
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["q-0", "q-1", "q-2", "s-0", "s-1"]
    assert_problem(qapi.get("admin", JOBS, query_string={"cursor": "nonsense"}), 422)
    assert_problem(qapi.get("admin", JOBS, query_string={"state": "lost"}), 422)


def test_only_admins_see_the_queue(qapi, queue):
    job_id = failed_job(queue)
    for who in ("rome", "facilitator", "auditor"):
        assert_problem(qapi.get(who, JOBS), 403)
        assert_problem(qapi.post(who, f"{JOBS}/{job_id}/requeue"), 403)
    assert_problem(qapi.get(None, JOBS), 401)
    assert_problem(qapi.post(None, f"{JOBS}/{job_id}/requeue"), 401)
    assert job_id in queue.failed_job_registry


def test_without_a_queue_the_endpoints_answer_503(api):
    body = assert_problem(api.get("admin", JOBS), 503, "queue-unavailable")
    assert "REDIS_URL" in body["detail"]
    assert_problem(api.post("admin", f"{JOBS}/some-job/requeue"), 503, "queue-unavailable")
    assert_problem(api.get("rome", JOBS), 403)  # the role is checked first


def test_the_app_opens_the_queue_from_redis_url(programme, database_url, views, queue, redis_url):
    failed_job(queue, "from-url-1")
    app = create_app(make_settings(database_url, redis_url=redis_url), programme=programme, views=views)
    try:
        tokens, user_ids, city_ids = enrol_cast(programme)
        api = Api(app.test_client(), app, programme, tokens, city_ids, user_ids)
        assert [i["id"] for i in listed(api, state="failed")["items"]] == ["from-url-1"]
    finally:
        close_app(app)


def test_a_redis_that_cannot_be_reached_is_503(programme, database_url, views):
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5, socket_timeout=0.5)
    app = create_app(make_settings(database_url), programme=programme, views=views, queue_connection=dead)
    try:
        tokens, user_ids, city_ids = enrol_cast(programme)
        api = Api(app.test_client(), app, programme, tokens, city_ids, user_ids)
        response = api.get("admin", JOBS)
        assert_problem(response, 503, "queue-unavailable")
        assert response.headers["Retry-After"]
    finally:
        close_app(app)
