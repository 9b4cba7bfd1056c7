"""Our own tables in the event store's database: transactions, the schema, and a lock for DDL.

``Storage`` wraps one of eventsourcing's datastores (an ``SQLiteDatastore`` or a
``PostgresDatastore``: its pool, its connection settings, its error translation), so our
tables live in the same SQLite file, or the same PostgreSQL schema, as the log they
describe. On PostgreSQL every transaction first sets ``search_path`` to the datastore's
schema, so SQL names tables unqualified.

``Storage.ddl(name)`` is a write transaction that holds a lock while tables are created:
two processes starting at once on a fresh database must not both run ``CREATE … IF NOT
EXISTS`` at the same moment (PostgreSQL can then fail with a unique violation on
``pg_type``; SQLite with "database is locked" when a deferred transaction cannot upgrade
to a writer). PostgreSQL: a transaction-level advisory lock named by ``name``; SQLite:
``BEGIN IMMEDIATE``, which takes the file's write lock first (waiting the busy timeout).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.sqlite import SQLiteDatastore, SQLiteTransaction
from eventsourcing.utils import Environment

from domain.storage.sql import Db

D = TypeVar("D", bound=Db)


def is_postgres(datastore: Any) -> bool:
    """Which of the two databases ``datastore`` speaks (anything else is refused)."""
    if isinstance(datastore, SQLiteDatastore):
        return False
    if type(datastore).__name__ == "PostgresDatastore":
        return True
    raise ValueError(
        "our own tables need an SQLite or PostgreSQL store (PERSISTENCE_MODULE eventsourcing.sqlite or .postgres)"
    )


class Storage:
    """Transactions on our own tables, in the database of ``datastore``."""

    def __init__(self, datastore: Any, closes: Any = None) -> None:
        self.datastore = datastore
        self.postgres = is_postgres(datastore)
        self.schema: str | None = datastore.schema if self.postgres else None
        self._closes = closes  # what ``close`` closes (the factory that made the datastore), if ours

    @contextmanager
    def transaction(self, *, commit: bool, db: type[D] = Db) -> Iterator[D]:  # type: ignore[assignment]
        """A transaction (committed at the end if ``commit``, rolled back on an error or otherwise)."""
        with self.datastore.transaction(commit=commit) as cursor:
            found = db(cursor, self.postgres)
            self.enter(found)
            yield found

    def enter(self, db: Db) -> None:
        """What every transaction does first: on PostgreSQL, the schema."""
        if self.postgres:
            from psycopg.sql import SQL, Identifier

            db.cursor.execute(SQL("SET LOCAL search_path TO {}").format(Identifier(self.schema)))

    @contextmanager
    def ddl(self, name: str, db: type[D] = Db) -> Iterator[D]:  # type: ignore[assignment]
        """A write transaction holding the DDL lock ``name``: concurrent creators go one after the other."""
        if self.postgres:
            with self.transaction(commit=True, db=db) as found:
                lock_ddl(found, name)
                yield found
            return
        with self.datastore.get_connection(commit=True) as connection:
            # The library's transaction begins DEFERRED; its exit (commit, rollback, the
            # translation of sqlite3's errors into the library's) is reused as it is.
            transaction = SQLiteTransaction(connection, commit=True)
            cursor = connection.cursor()
            try:
                cursor.execute("BEGIN IMMEDIATE")
                found = db(cursor, False)
                yield found
            except BaseException as error:
                transaction.__exit__(type(error), error, error.__traceback__)
                raise
            transaction.__exit__(None, None, None)

    def close(self) -> None:
        if self._closes is not None:
            self._closes.close()


def lock_ddl(db: Db, name: str) -> None:
    """PostgreSQL: hold the advisory lock ``name`` until the end of ``db``'s transaction (nothing on SQLite)."""
    if db.postgres:
        db.cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (name,))


def open_factory(name: str, env: dict[str, str]) -> InfrastructureFactory:
    """The library's infrastructure factory for ``env`` (keys may be prefixed ``<NAME>_``)."""
    factory = InfrastructureFactory.construct(Environment(name, env))
    datastore = getattr(factory, "datastore", None)
    try:
        postgres = is_postgres(datastore)
    except ValueError:
        factory.close()
        raise
    if postgres:
        from domain.application.postgres import tune_pool

        tune_pool(datastore)  # reconnect at once after an outage, not after minutes of backoff
    return factory


def open_storage(name: str, env: dict[str, str]) -> Storage:
    """A ``Storage`` with a datastore (and pool) of its own, in the database ``env`` names."""
    factory = open_factory(name, env)
    return Storage(factory.datastore, closes=factory)  # type: ignore[attr-defined]
