"""Starting a process on the store: table creation, safe when several processes start at once.

eventsourcing, the views and the idempotency store create their tables on construction
with ``CREATE TABLE IF NOT EXISTS`` (and ``CREATE TYPE``). On PostgreSQL two sessions
running that DDL at the same moment on a fresh database can still collide (a unique
violation on ``pg_type``, or ``DuplicateObject``): ``IF NOT EXISTS`` looks before it
leaps. So ``web.bootstrap``, which every entry point (gunicorn's workers through ``web.wsgi``,
``twinning dispatch``, ``twinning project``, ``twinning serve`` …) builds on, builds the
Programme, Views and the rest inside ``schema_lock(settings)``: a session-level ``pg_advisory_lock`` on a
connection of its own, so the processes create the tables one after the other, and
the later ones find them there. SQLite needs nothing: its DDL runs under the file lock.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from config.settings import Settings, persistence_env

log = logging.getLogger("twinning.startup")
LOCK_KEY = 0x7477696E6E696E67 & 0x7FFFFFFFFFFFFFFF  # "twinning" as a bigint
LOCK_TIMEOUT_SECONDS = 120
CONNECT_ATTEMPTS = 10
_held = threading.local()


@contextmanager
def schema_lock(settings: Settings, timeout: float = LOCK_TIMEOUT_SECONDS) -> Iterator[None]:
    """Hold the store's schema lock (PostgreSQL advisory lock) for the block; nothing on SQLite.

    ``TWINNING_SCHEMA_LOCK=off`` switches it off (only to show in a test what it prevents).
    """
    env = persistence_env(settings.database_url)
    if env["PERSISTENCE_MODULE"] != "eventsourcing.postgres" or os.environ.get("TWINNING_SCHEMA_LOCK", "on") == "off":
        yield
        return
    if getattr(_held, "depth", 0):  # re-entrant within a thread: the lock is this process's already
        _held.depth += 1
        try:
            yield
        finally:
            _held.depth -= 1
        return
    import psycopg

    connection = _connect(psycopg, env)
    try:
        started = time.monotonic()
        connection.execute(f"SET statement_timeout = {int(timeout * 1000)}")
        connection.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        waited = time.monotonic() - started
        if waited > 0.5:
            log.info("waited %.1fs for the schema lock", waited)
        _held.depth = 1
        try:
            yield
        finally:
            _held.depth = 0
    finally:
        try:
            connection.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
        except Exception:
            pass
        connection.close()


def _connect(psycopg, env: dict[str, str]):
    """A connection of its own; PostgreSQL starting at the same time as us is retried for a while."""
    for attempt in range(1, CONNECT_ATTEMPTS + 1):
        try:
            return psycopg.connect(
                host=env["POSTGRES_HOST"],
                port=int(env["POSTGRES_PORT"]),
                user=env["POSTGRES_USER"],
                password=env["POSTGRES_PASSWORD"] or None,
                dbname=env["POSTGRES_DBNAME"],
                connect_timeout=int(env.get("POSTGRES_CONNECT_TIMEOUT", "5")),
                autocommit=True,
            )
        except psycopg.OperationalError as error:
            if attempt == CONNECT_ATTEMPTS:
                raise
            delay = min(5.0, 0.2 * 2**attempt)
            log.warning(
                "PostgreSQL is not reachable (%s); retrying in %.1fs", str(error).strip().splitlines()[0], delay
            )
            time.sleep(delay)
    raise AssertionError("unreachable")
