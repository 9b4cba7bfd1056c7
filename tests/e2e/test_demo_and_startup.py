"""``twinning demo`` as a process, twice; and several processes starting at once on a fresh database."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import time

import pytest

from config.settings import Settings, persistence_env
from domain.application import Programme
from tests.e2e.conftest import ADMIN_TOKEN, BIN, ROOT, base_env

pytestmark = pytest.mark.slow
TOKEN_ROW = re.compile(r"^(?P<label>\S.*?)\s{2,}(?P<email>\S+@\S+)\s{2,}(?P<token>[0-9a-f]{64})$", re.MULTILINE)


def max_notification_id(database_url: str) -> int:
    programme = Programme(env=persistence_env(database_url))
    try:
        return programme.recorder.max_notification_id() or 0
    finally:
        programme.close()


def run_demo(cwd, env) -> subprocess.CompletedProcess:
    done = subprocess.run([BIN / "twinning", "demo"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done


def test_demo_twice_records_nothing_the_second_time_and_prints_the_same_tokens(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'demo.db'}"
    env = base_env(TWINNING_DATABASE=database_url, TWINNING_SECRET="e2e-demo-secret", TWINNING_ADMIN_TOKEN=ADMIN_TOKEN)

    first = run_demo(tmp_path, env)
    after_first = max_notification_id(database_url)
    second = run_demo(tmp_path, env)
    after_second = max_notification_id(database_url)

    assert after_first > 400
    assert after_second == after_first, "the second run recorded events"
    assert "Recorded" in first.stderr and "Already loaded: nothing recorded" in second.stderr
    assert "cities: 32/32" in first.stderr  # progress, one line per step when not on a terminal
    tokens = TOKEN_ROW.findall(first.stdout)
    assert tokens == TOKEN_ROW.findall(second.stdout)
    labels = [label for label, _, _ in tokens]
    assert labels[:2] == ["facilitator", "auditor"]
    assert {"officer of Rome", "officer of Yantai"} <= set(labels)
    assert len(set(token for _, _, token in tokens)) == len(tokens)

    # The printed tokens work: each authenticates as the user on its row.
    programme = Programme(env=persistence_env(database_url))
    try:
        assert programme.authenticate(tokens[0][2]).role == "facilitator"
        assert programme.authenticate(dict((l, t) for l, _, t in tokens)["officer of Yantai"]).role == "officer"
        assert programme.authenticate(ADMIN_TOKEN).role == "admin"
    finally:
        programme.close()

    # Another secret, other tokens (they derive from TWINNING_SECRET), still nothing recorded.
    third = run_demo(tmp_path, {**env, "TWINNING_SECRET": "another-secret"})
    assert set(TOKEN_ROW.findall(third.stdout)).isdisjoint(tokens)


STARTER = textwrap.dedent("""
    import os, sys, time
    kind, go = sys.argv[1], sys.argv[2]
    import web.cli, web.wsgi, domain.views, workers.dispatcher   # import first: start together
    while not os.path.exists(go):
        time.sleep(0.001)
    if kind == "web":
        web.wsgi.app.load()
        web.wsgi.app.close()
        print("ok")
    else:
        web.cli.main([kind, "--once"])
""")


def test_processes_starting_at_once_on_a_fresh_database_create_the_tables_once(
    tmp_path, fresh_database, redis_url, smtp_server
):
    """Two web workers, two projectors and two dispatchers start in the same millisecond on an empty
    PostgreSQL database; every one of them must come up (without the schema lock, CREATE TYPE /
    CREATE TABLE IF NOT EXISTS collide: a unique violation on pg_type)."""
    env = base_env(
        TWINNING_DATABASE=fresh_database,
        REDIS_URL=redis_url,
        TWINNING_MODE="production",
        TWINNING_SECRET="e2e-race-secret",
        SMTP_URL=smtp_server.url,  # production mode refuses to start without one
        TWINNING_ADMIN_TOKEN=ADMIN_TOKEN,
        TWINNING_LOG_LEVEL="WARNING",
    )
    go = tmp_path / "go"
    kinds = ["web", "project", "dispatch"] * 2
    starters = [
        subprocess.Popen(
            [sys.executable, "-c", STARTER, kind, str(go)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for kind in kinds
    ]
    time.sleep(2.5)  # let every process finish its imports and wait at the line
    go.touch()
    outcomes = [(kind, p.wait(60), p.stdout.read()) for kind, p in zip(kinds, starters)]
    failed = [(kind, rc, out[-2000:]) for kind, rc, out in outcomes if rc != 0]
    assert not failed, failed

    # The store works, and the admin was bootstrapped once.
    settings = Settings.from_env(env)
    programme = Programme(env=settings.store_env())
    try:
        assert programme.authenticate(ADMIN_TOKEN).role == "admin"
        assert programme.recorder.max_notification_id() > 0
    finally:
        programme.close()
