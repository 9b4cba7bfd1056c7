"""Property-based: schemathesis drives every operation of the app's own /openapi.json as the admin.

No generated request, valid or invalid, may cause a server error, and every response must
match what the document says of it (status, content type, headers, body schema). Each
operation gets random ids (mostly 404s), ids of real resources (deeper paths), and
negative data (invalid bodies and parameters).

(schemathesis' ``from_fixture`` does not run under pytest 9, so operations are
parametrised from the document of a throwaway app and driven with ``as_strategy``.)
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
import schemathesis
import schemathesis.generation.jsonschema.builder
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import ADMIN_TOKEN, make_settings
from web.app import close_app, create_app

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = int(os.environ.get("TWINNING_SCHEMATHESIS_EXAMPLES", "15"))  # raise it for a deeper local run


def _operation_labels() -> list[str]:
    with tempfile.TemporaryDirectory() as directory:
        app = create_app(make_settings(f"sqlite:///{Path(directory) / 'spec.db'}"))
        try:
            spec = app.test_client().get("/openapi.json").get_json()
        finally:
            close_app(app)
            app.extensions["twinning"].programme.close()
    return [f"{method.upper()} {path}" for path, operations in spec["paths"].items() for method in operations]


@pytest.fixture
def app(programme, database_url, views, redis_url):
    """The API with a queue on the run's Redis db (so /admin/jobs answer, rather than 503 without a queue)."""
    import redis

    connection = redis.Redis.from_url(redis_url)
    application = create_app(make_settings(database_url), programme=programme, views=views, queue_connection=connection)
    application.config["TESTING"] = True
    yield application
    close_app(application)
    connection.close()


def _failed_job(api) -> str:
    """A job in the failed registry, so a requeue can succeed (and then answer 409)."""
    from rq import SimpleWorker

    from workers.worker import make_queue

    queue = make_queue(api.app.extensions["twinning"].queue_connection)
    queue.enqueue("tests.api.test_admin_jobs.explode", "schemathesis", job_id="schemathesis-failed")
    SimpleWorker([queue], connection=queue.connection).work(burst=True, with_scheduler=False, logging_level="WARNING")
    return "schemathesis-failed"


def _real_ids(api) -> dict[str, str]:
    partnership = api.active_partnership()
    project = api.launch(partnership["id"])
    api.post(
        "rome",
        f"/api/v1/projects/{project['id']}/milestones",
        {"title": "M", "due_on": "2031-01-01", "milestone_id": "m1"},
    )
    plan = api.post("rome", f"/api/v1/partnerships/{partnership['id']}/action-plans", {"title": "UCAP"}).get_json()
    action = {"title": "A", "responsible_city_id": api.city("rome"), "starts_on": "2030-01-01", "ends_on": "2030-02-01"}
    api.post("rome", f"/api/v1/action-plans/{plan['id']}/actions", {**action, "action_id": "a1"})
    indicator = {"name": "I", "unit": "u", "baseline": 0, "target": 1, "indicator_id": "i1"}
    api.post("rome", f"/api/v1/action-plans/{plan['id']}/indicators", indicator)
    return {
        "plan_id": plan["id"],
        "action_plan_id": plan["id"],
        "action_id": "a1",
        "indicator_id": "i1",
        "city_id": api.city("rome"),
        "partnership_id": partnership["id"],
        "meeting_id": api.schedule()["id"],
        "agreement_id": api.draft()["id"],
        "project_id": project["id"],
        "milestone_id": "m1",
        "user_id": api.user_ids["auditor"],
        "job_id": _failed_job(api),
    }


@pytest.mark.parametrize("label", _operation_labels())
def test_every_operation_survives_generated_requests(api, projector, label):
    schema = schemathesis.openapi.from_wsgi("/openapi.json", api.app)
    operation = schema.find_operation_by_label(label)
    assert operation is not None, label
    real = {
        name: value for name, value in _real_ids(api).items() if any(p.name == name for p in operation.path_parameters)
    }
    strategies = [operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)]
    if real:
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=real))
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

    @given(case=st.one_of(strategies))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def drive(case):
        case.call_and_validate(headers=auth, checks=CHECKS)

    drive()
