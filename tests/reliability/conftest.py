"""Fixtures for the fault tests: the API on either store, racing helpers, a PostgreSQL database
or cluster of the test's own (to take down), a Redis server of the test's own (to stop), and
real subprocesses (to SIGKILL).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from config.settings import persistence_env
from domain.views import Views
from tests.api.conftest import Api, enrol_cast, make_settings
from tests.support.cast import build_programme
from tests.support.services import service_missing
from tests.support.workers import free_port, wait_until
from web.app import close_app, create_app

ROOT = Path(__file__).resolve().parents[2]
PG_HOST, PG_PORT = "127.0.0.1", 5432
SMALL_POOL = {"POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "1"}


# -- the API on a store ----------------------------------------------------------------------


@dataclass
class Served:
    """An app on a store, with its Programme and Views, the cast enrolled."""

    api: Api
    programme: object
    views: Views
    database_url: str

    def close(self) -> None:
        close_app(self.api.app)
        self.views.close()
        self.programme.close()


def serve(database_url: str, store_env: dict[str, str] | None = None, **settings_overrides) -> Served:
    """``store_env``: extra persistence settings for the Programme and the views (e.g. a shorter
    POSTGRES_CONNECT_TIMEOUT, so an outage test waits less)."""
    programme = build_programme(database_url, **(store_env or {}))
    views = Views({**persistence_env(database_url), **(store_env or {})})
    app = create_app(make_settings(database_url, **settings_overrides), programme=programme, views=views)
    app.config["TESTING"] = True
    tokens, user_ids, city_ids = enrol_cast(programme)
    return Served(Api(app.test_client(), app, programme, tokens, city_ids, user_ids), programme, views, database_url)


@pytest.fixture
def served(database_url):
    """The API on SQLite and on PostgreSQL (the root ``database_url`` fixture runs each test on both)."""
    found = serve(database_url)
    yield found
    found.close()


def race(count: int, action: Callable[[int], object], timeout: float = 60.0) -> list:
    """Run ``action(i)`` in ``count`` threads released together at a barrier; each result or exception."""
    barrier = threading.Barrier(count)
    outcomes: list = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[index] = action(index)
        except BaseException as error:
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), "a racing thread hung"
    return outcomes


def events_named(programme, name: str) -> list:
    notifications = programme.recorder.select_notifications(1, 1_000_000)
    return [e for e in map(programme.mapper.to_domain_event, notifications) if type(e).__name__ == name]


# -- a PostgreSQL database of the test's own (on the machine's server) ------------------------------


class OwnDatabase:
    """``CREATE DATABASE`` for one test, so it can refuse connections without touching anyone else's."""

    def __init__(self) -> None:
        import psycopg

        self.name = f"twinning_fault_{uuid.uuid4().hex[:10]}"
        self._admin = psycopg.connect(
            host=PG_HOST, port=PG_PORT, user="postgres", dbname="postgres", autocommit=True, connect_timeout=3
        )
        self._admin.execute(f'CREATE DATABASE "{self.name}"')
        self.url = f"postgresql://postgres@{PG_HOST}:{PG_PORT}/{self.name}"

    def refuse_connections(self) -> int:
        """No new connections, and every open one cut: what clients see when the server goes away."""
        self._admin.execute(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false')
        return self.terminate_connections()

    def allow_connections(self) -> None:
        self._admin.execute(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true')

    def terminate_connections(self) -> int:
        rows = self._admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (self.name,),
        ).fetchall()
        return len(rows)

    def drop(self) -> None:
        try:
            self.allow_connections()
            self._admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            self._admin.close()


@pytest.fixture
def own_database(postgres_run):
    database = OwnDatabase()
    yield database
    database.drop()


# -- a PostgreSQL cluster of the test's own ---------------------------------------------------------


def _pg_bin(name: str) -> str | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    return str(candidates[0]) if candidates else shutil.which(name)


class OwnCluster:
    """``initdb`` + ``pg_ctl`` on a free port in a temporary directory (as the ``postgres`` OS user when
    run as root, since PostgreSQL refuses to run as root). ``stop()`` is a real outage: connection refused."""

    def __init__(self) -> None:
        self.initdb, self.pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        if not self.initdb or not self.pg_ctl:
            service_missing("initdb/pg_ctl (a PostgreSQL cluster of the test's own)")
        self.dir = Path(tempfile.mkdtemp(prefix="twinning-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            if runuser is None:
                service_missing("runuser (to start PostgreSQL as the postgres user while running as root)")
            shutil.chown(self.dir, "postgres")
            self.as_user = [runuser, "-u", "postgres", "--"]
        self._run(self.initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run(
            [*self.as_user, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50"
        self._run(
            self.pg_ctl, "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"), "-w", "-t", "30", "start"
        )

    def stop(self, mode: str = "immediate") -> None:
        self._run(self.pg_ctl, "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def remove(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def own_cluster(postgres_run):
    cluster = OwnCluster()
    cluster.start()
    yield cluster
    cluster.remove()


# -- a Redis server of the test's own --------------------------------------------------------------


class OwnRedis:
    """``redis-server`` on a free port, no persistence: ``stop()`` loses every key, as a crash of a
    production Redis without persistence would."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            service_missing("redis-server (a Redis of the test's own)")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        wait_until(lambda: _pings(client), timeout=10, what="redis-server to answer")
        client.close()

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
            self.process = None


def _pings(client) -> bool:
    try:
        return bool(client.ping())
    except Exception:
        return False


@pytest.fixture
def own_redis():
    server = OwnRedis()
    server.start()
    yield server
    server.stop()


# -- subprocesses ---------------------------------------------------------------------------------


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWINNING_", "REDIS_URL", "SMTP_URL", "PYTEST"))}
    env.update({"PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", "TWINNING_LOG_LEVEL": "WARNING"})
    env.update(extra)
    return env


def twinning_command() -> list[str]:
    script = Path(sys.executable).with_name("twinning")
    return [str(script)] if script.exists() else [sys.executable, "-m", "web.cli"]
