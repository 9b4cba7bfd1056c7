"""One bootstrap per process: the app, every command and the embedded runtime run on what it built.

Rome registers through the app and shows in the list that the runtime's projector fills; each
command opens one bootstrap and closes it; parts are built once, when first asked for.
"""

from __future__ import annotations

import sqlite3
import threading

import pytest
from click.testing import CliRunner

from config.settings import Settings
from domain.views import Views
from tests.api.conftest import ADMIN_TOKEN
from web import cli as twinning_cli
from web.app import close_app, create_app
from web.bootstrap import Twinning, bootstrap
from workers.embedded import EmbeddedRuntime

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def settings_for(url: str, tmp_path) -> Settings:
    return Settings(mode="test", database_url=url, var_dir=tmp_path / "var", admin_token=ADMIN_TOKEN)


def tables(url: str) -> set[str]:
    with sqlite3.connect(url[len("sqlite:///") :]) as connection:
        return {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_the_app_and_the_embedded_runtime_run_on_one_programme_and_one_views(sqlite_url, tmp_path):
    with bootstrap(settings_for(sqlite_url, tmp_path), embedded=True) as twinning:
        app = create_app(twinning=twinning)
        runtime = EmbeddedRuntime(twinning, poll_interval=0.05).start()
        try:
            client = app.test_client()
            registered = client.post(
                "/api/v1/cities", json={"name": "Rome", "country": "IT", "timezone": "Europe/Rome"}, headers=ADMIN
            )
            assert registered.status_code == 201, registered.get_json()
            position = int(registered.headers["X-Log-Position"])
            # The app's list waits for the Views that the runtime's projector feeds.
            listed = client.get("/api/v1/cities", query_string={"after": position}, headers=ADMIN)
            assert listed.status_code == 200 and [c["name"] for c in listed.get_json()["items"]] == ["Rome"]
            assert twinning.views.position() >= position
            # The runtime armed the weekly digest on the queue that the admin's job endpoints read.
            scheduled = client.get("/api/v1/admin/jobs", query_string={"state": "scheduled"}, headers=ADMIN)
            assert any(job["id"].startswith("digest-") for job in scheduled.get_json()["items"])
        finally:
            runtime.stop()
        close_app(app)  # the app was given its Twinning: closing the app closes none of it
        assert twinning.programme.recorder.max_notification_id() >= position


@pytest.fixture
def bootstraps(monkeypatch):
    """Every Twinning the commands bootstrap, with how often each was closed."""
    opened: list[Twinning] = []
    closed: dict[int, int] = {}
    real_bootstrap, real_close = twinning_cli.common.bootstrap, Twinning.close

    def recording_bootstrap(*args, **kwargs) -> Twinning:
        opened.append(real_bootstrap(*args, **kwargs))
        return opened[-1]

    def counting_close(self: Twinning) -> None:
        closed[id(self)] = closed.get(id(self), 0) + 1
        real_close(self)

    monkeypatch.setattr(twinning_cli.common, "bootstrap", recording_bootstrap)
    monkeypatch.setattr(Twinning, "close", counting_close)
    monkeypatch.setattr(twinning_cli.common, "configure_logging", lambda level=None: None)
    return opened, closed


@pytest.mark.parametrize(
    "command",
    [
        ["users", "create", "--role", "auditor", "--email", "second.auditor@iuc.example"],
        ["views", "rebuild"],
        ["project", "--once"],
        ["audit", "head"],
        ["audit", "verify"],
        ["demo"],
    ],
    ids=" ".join,
)
def test_every_command_runs_on_one_bootstrap_and_closes_it(command, bootstraps, monkeypatch, sqlite_url, tmp_path):
    monkeypatch.setenv("TWINNING_DATABASE", sqlite_url)
    monkeypatch.setenv("TWINNING_VAR_DIR", str(tmp_path / "var"))
    for name in ("REDIS_URL", "SMTP_URL", "TWINNING_ADMIN_TOKEN", "TWINNING_MODE", "TWINNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(twinning_cli.cli, command, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    opened, closed = bootstraps
    assert len(opened) == 1 and closed == {id(opened[0]): 1}


def test_a_command_uses_the_programme_and_views_of_its_bootstrap(bootstraps, monkeypatch, sqlite_url, tmp_path, cast):
    """``twinning project --once`` feeds the Views its bootstrap holds, and a given Programme stays open."""
    views = Views(settings_for(sqlite_url, tmp_path).store_env())
    given = {"programme": cast.programme, "views": views}
    monkeypatch.setattr(twinning_cli.common, "bootstrap", lambda settings, **kw: bootstrap(settings, **given, **kw))
    monkeypatch.setenv("TWINNING_DATABASE", sqlite_url)
    try:
        result = CliRunner().invoke(twinning_cli.cli, ["project", "--once"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        head = cast.programme.recorder.max_notification_id()
        assert views.position() == head  # the given Views, still open: the command closed only what it built
        assert {c["name"] for c in views.cities()["items"]} >= {"Rome", "Yantai"}
    finally:
        views.close()


def test_parts_are_built_on_first_use_and_only_once(sqlite_url, tmp_path):
    with bootstrap(settings_for(sqlite_url, tmp_path)) as twinning:
        before = tables(sqlite_url)
        assert twinning.views is twinning.views
        assert tables(sqlite_url) > before  # the read models' tables came with the first use, not before
        assert twinning.views_follower.processor is twinning.views


@pytest.mark.parametrize("store", ["sqlite_url", "postgres_url"])
def test_threads_asking_at_once_get_the_same_parts(store, request, tmp_path):
    """Several threads first asking for parts at once (as requests and followers of one process do)
    build each part once, under the schema lock on PostgreSQL, and nobody waits for ever."""
    url = request.getfixturevalue(store)
    with bootstrap(settings_for(url, tmp_path)) as twinning:
        start = threading.Barrier(8)
        seen: list[tuple[object, ...]] = []

        def ask() -> None:
            start.wait()
            seen.append((twinning.views_follower, twinning.audit_chain, twinning.views, twinning.idempotency))

        threads = [threading.Thread(target=ask) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert len(seen) == 8 and all(parts == seen[0] for parts in seen)
        assert seen[0][0].processor is seen[0][2]


def test_serving_attaches_nothing_to_the_programme(api, projector):
    """The audit chain and the as-of reports live in the bootstrap, not as attributes set on the Programme."""
    attributes = set(vars(api.programme))
    for path in ("/api/v1/audit/events", "/api/v1/audit/verify", "/api/v1/audit/head"):
        assert api.get("auditor", path).status_code == 200
    past = api.get("auditor", "/api/v1/reports/dashboard", query_string={"as_of": "2030-01-01T00:00:00Z"})
    assert past.status_code == 200
    assert set(vars(api.programme)) == attributes
    services = api.app.extensions["twinning"]
    assert services.programme is api.programme and services.audit_chain.programme is api.programme
