"""Shared fixtures: real stores (SQLite and PostgreSQL), real Redis, and the programme's cast.

Each test run gets its own PostgreSQL database and Redis db number and removes them
afterwards. Outside CI a missing service skips the tests that need it; with CI=true
it fails the run instead, so CI can never pass by skipping.
"""

from __future__ import annotations

import os
import re
import uuid

import pytest

from tests.support.services import PostgresRun, RedisRun, service_missing

STORES = ("sqlite", "postgres")
STORE_PARAM = re.compile(r"[\[-](sqlite|postgres)[\]-]")

pytest_plugins = ["tests.support.cast", "tests.support.workers", "tests.support.loop"]


@pytest.fixture(scope="session")
def postgres_run():
    run = PostgresRun.start()
    if run is None:
        service_missing("PostgreSQL at 127.0.0.1:5432")
    yield run
    run.stop()


@pytest.fixture(scope="session")
def redis_run():
    run = RedisRun.start()
    if run is None:
        service_missing("Redis at 127.0.0.1:6379")
    yield run
    run.stop()


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'programme.db'}"


@pytest.fixture
def postgres_url(postgres_run):
    """A fresh schema per test in this run's database, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    postgres_run.execute(f"CREATE SCHEMA {schema}")
    yield postgres_run.url(schema)
    postgres_run.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request):
    """The same test, once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def redis_url(redis_run):
    redis_run.flush()
    yield redis_run.url
    redis_run.flush()


def pytest_report_header(config):
    return f"twinning tests (CI={os.environ.get('CI', 'false')})"


def pytest_terminal_summary(terminalreporter):
    """Say how many tests ran on each store, so a run shows both parametrisations were exercised."""
    counts = {(store, outcome): 0 for store in STORES for outcome in ("passed", "failed")}
    for outcome in ("passed", "failed"):
        for report in terminalreporter.stats.get(outcome, []):
            match = STORE_PARAM.search(getattr(report, "nodeid", ""))
            if match and getattr(report, "when", "call") == "call":
                counts[(match.group(1), outcome)] += 1
    terminalreporter.section("tests per store")
    for store in STORES:
        terminalreporter.write_line(f"{store}: {counts[(store, 'passed')]} passed, {counts[(store, 'failed')]} failed")
