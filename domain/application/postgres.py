"""PostgreSQL for the Programme: answer quickly while the server is down, recover as soon as it is back.

eventsourcing's PostgreSQL recorders retry every failed statement up to 10 times, and each
attempt may wait the whole pool timeout (``POSTGRES_CONNECT_TIMEOUT``, 5 s) for a connection:
with the server down a single read took ~20 s, and a command (authenticate, load, save) much
longer — far beyond any HTTP client's patience. And psycopg's pool, once its connections are
gone, reconnects with an exponential backoff of up to 5 minutes, so the first commands after
the server came back still failed for many seconds.

``ProgrammePostgresFactory`` (used by ``ProgrammeBase.construct_factory`` for
``PERSISTENCE_MODULE=eventsourcing.postgres``) keeps the library's recorders, with:

- at most ``ATTEMPTS`` tries of a statement, and no second try after the pool itself timed
  out waiting for a connection (the server is away: the command answers 503 at once);
- before a retry after a broken connection (``pg_terminate_backend``, a server restart),
  the pool's idle connections are checked and the dead ones dropped, so the retry does not
  pick another dead one;
- the pool gives up a reconnection series after ``RECONNECT_SECONDS`` (instead of 300 s), so
  the next request after the server's return starts a fresh connection attempt at once.

A retried *write* is safe: if the failure came before the commit, nothing was written; if it
came after the server committed (the answer was lost), the retry finds its own events there
and ``ProgrammeBase.record`` treats that as success, not as a conflict.
"""

from __future__ import annotations

import functools
import logging
import time
from typing import Any

from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresDatastore,
    PostgresFactory,
)

log = logging.getLogger(__name__)
ATTEMPTS = 3
RETRY_WAIT_SECONDS = 0.05
RECONNECT_SECONDS = 2.0
DDL_LOCK = "twinning-store-ddl"
DDL_ATTEMPTS = 3


def pool_timed_out(error: BaseException) -> bool:
    """The pool waited its whole timeout for a connection: the server is away, a retry would wait again."""
    cause = error.__cause__ or error.__context__
    return type(cause).__name__ == "PoolTimeout"


def bounded(method: Any) -> Any:
    """The library's method without its 10-attempt retry, with a short one of ours instead."""
    inner = getattr(method, "__wrapped__", method)

    @functools.wraps(inner)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        attempt = 0
        while True:
            attempt += 1
            try:
                return inner(self, *args, **kwargs)
            except (InterfaceError, OperationalError) as error:
                if attempt >= ATTEMPTS or pool_timed_out(error):
                    raise
                log.info(
                    "PostgreSQL: %s (%s); retrying", type(error).__name__, str(error).strip().splitlines()[0][:200]
                )
                _drop_dead_connections(self.datastore)
                time.sleep(RETRY_WAIT_SECONDS)

    return call


def _drop_dead_connections(datastore: Any) -> None:
    """Check the idle connections of a PostgreSQL pool, dropping the dead ones (nothing for SQLite)."""
    from psycopg_pool import ConnectionPool

    pool = getattr(datastore, "pool", None)
    if not isinstance(pool, ConnectionPool):
        return
    try:
        pool.check()
    except Exception:
        log.debug("pool check failed", exc_info=True)


drop_dead_connections = _drop_dead_connections


def tune_pool(datastore: PostgresDatastore) -> None:
    """Give up reconnection series soon, so a request after an outage triggers a fresh attempt."""
    datastore.pool.reconnect_timeout = RECONNECT_SECONDS


class OneAtATime:
    """The library's table creation, when several processes start at once.

    Processes starting together on an empty schema (gunicorn's workers, the projector, the RQ
    workers of one Procfile) each run the library's DDL (``tests/integration/test_store_first_start.py``):
    - its tables, indexes and functions, in one transaction: PostgreSQL refuses one of two
      concurrent ``CREATE OR REPLACE FUNCTION``s ("tuple concurrently updated"), so an advisory
      lock held for that transaction lets the second find the first's work done;
    - its composite types first, each in a transaction of its own: the loser of a race there gets
      a unique violation instead of the "already exists" the library expects, and tries again.
    """

    def create_table(self) -> None:
        for attempt in range(DDL_ATTEMPTS):
            try:
                super().create_table()  # type: ignore[misc]
                return
            except IntegrityError:
                if attempt == DDL_ATTEMPTS - 1:
                    raise
                time.sleep(RETRY_WAIT_SECONDS * (attempt + 1))

    def _create_table(self, curs: Any) -> None:
        curs.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (DDL_LOCK,), prepare=False)
        super()._create_table(curs)  # type: ignore[misc]


class ProgrammeAggregateRecorder(OneAtATime, PostgresAggregateRecorder):
    """The snapshots' recorder."""

    insert_events = bounded(PostgresAggregateRecorder.insert_events)
    select_events = bounded(PostgresAggregateRecorder.select_events)


class ProgrammeApplicationRecorder(OneAtATime, PostgresApplicationRecorder):
    """The events' recorder (and the notification log)."""

    insert_events = bounded(PostgresApplicationRecorder.insert_events)
    select_events = bounded(PostgresApplicationRecorder.select_events)
    select_notifications = bounded(PostgresApplicationRecorder.select_notifications)
    max_notification_id = bounded(PostgresApplicationRecorder.max_notification_id)


class ProgrammePostgresFactory(PostgresFactory):
    aggregate_recorder_class = ProgrammeAggregateRecorder
    application_recorder_class = ProgrammeApplicationRecorder

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        tune_pool(self.datastore)
