"""Where the views live: the store's own database (SQLite file or PostgreSQL schema).

The library's tracking recorders are subclassed so that the view tables (the read
models' declarations, ``domain.views.schema``) are created next to the tracking table,
and a view writes its rows and its tracking record through the same cursor, in one
transaction. SQL is written once, SQLite-style, through ``domain.storage``.

``view_meta`` holds the schema version: a changed view (another ``SCHEMA_VERSION``)
drops and recreates every view table and forgets its position, so the follower replays
the log into the new shape.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from functools import cached_property
from itertools import chain
from operator import itemgetter
from typing import Any, ClassVar

from eventsourcing.persistence import (
    InfrastructureFactory,
    IntegrityError,
    OperationalError,
    ProgrammingError,
    Tracking,
)
from eventsourcing.sqlite import SQLiteTrackingRecorder

from domain.storage import Add, Batch, Storage, byte_order, is_postgres, lock_ddl, open_factory
from domain.views.table import Table

SCHEMA_VERSION = "8"  # 4: the timeline a narrow index (city number, position) told from the log; no theme rows
# 5: city search keys without accents
# 6: people's preferences (view_users), sessions' feedback, notifications' read_at
# 7: programmes and clusters; programme_id on partnerships, sessions, agreements and projects
# 8: action plans (view_action_plans, view_plan_actions, view_plan_indicators)
TRACKING_NAME = "views"
META = Table("view_meta", "key, value", key="key")


class ViewsDb(Batch):
    """``Batch`` plus rows that are only ever appended (the timeline): kept as tuples, sent together.

    ``KEYS`` and ``COLUMNS`` (each table's declared columns, the order of an appended
    tuple) are set by ``domain.views.schema``, from the declarations.
    """

    COLUMNS: ClassVar[dict[str, tuple[str, ...]]] = {}

    def __init__(self, cursor: Any, postgres: bool) -> None:
        super().__init__(cursor, postgres)
        self.appended: dict[str, list[tuple]] = {}

    def appending(self, table: str) -> list[tuple]:
        """The held new rows of an append-only table whose key is all its columns (the timeline):
        append tuples in the order of its declared columns."""
        held = self.appended.get(table)
        if held is None:
            held = self.appended[table] = []
        return held

    def update_key(self, table: str, key: tuple, changes: dict[str, Any]) -> None:
        """``update`` of the one row with this primary key (in memory while it is held)."""
        group = self.held.get(table)
        row = group.get(key[0]) if group else None
        row = row.get(key) if row else None
        if row is None:
            self.update(table, dict(zip(self.KEYS[table], key)), changes)
        elif Add in map(type, changes.values()):  # rare (a meeting's sequence): add where asked
            for column, value in changes.items():
                row[column] = row[column] + value.n if isinstance(value, Add) else value
        else:
            row.update(changes)

    def update_group(self, table: str, first: Any, rows: int, changes: dict[str, Any]) -> None:
        """``update`` of the ``rows`` rows whose key starts with ``first``: no SQL while all of them are held."""
        group = self.held.get(table, {}).get(first, {})
        if len(group) != rows:
            self.update(table, {self.KEYS[table][0]: first}, changes)
            return
        for row in group.values():
            row.update(changes)

    def flush(self, tables: Iterable[str] | None = None) -> None:
        # Held rows (dicts of the declared columns, as ``Table.row`` makes them) go as tuples too:
        # one C-level getter per row instead of a look-up per value.
        for table in list(self.held if tables is None else tables):
            groups = self.held.pop(table, None)
            if groups:
                getter = itemgetter(*self.COLUMNS[table])
                self._send_tuples(table, list(map(getter, chain.from_iterable(g.values() for g in groups.values()))))
        for table in list(self.appended if tables is None else tables):
            rows = self.appended.pop(table, None)
            if rows:
                rows.sort()  # in key order (an appended row is its key): the index is written front to back
                self._send_tuples(table, rows)

    def _send_tuples(self, table: str, rows: list[tuple]) -> None:
        columns = self.COLUMNS[table]
        names = ", ".join(columns)
        if self.postgres and not self.pipelined:
            with self.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                write = copy.write_row
                for row in rows:
                    write(row)
            return
        per_statement = max(1, self.CHUNK_PARAMS // len(columns))
        one = "(" + ", ".join("?" * len(columns)) + ")"
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            text = f"INSERT INTO {table} ({names}) VALUES " + ", ".join([one] * len(chunk))
            self.cursor.execute(self.sql(text), list(chain.from_iterable(chunk)))

    def _before(self, text: str) -> None:
        if self.appended:
            named = [t for t in self.appended if t in text]
            if named:
                self.flush(named)
        super()._before(text)


class _ViewTables:
    """Shared by both dialects: creates (and on a schema change, recreates) the view tables."""

    datastore: Any
    tables: tuple[Table, ...] = ()
    db_class: type[ViewsDb] = ViewsDb

    @cached_property
    def storage(self) -> Storage:
        return Storage(self.datastore)

    @contextmanager
    def db(self, *, commit: bool) -> Iterator[ViewsDb]:
        with self.storage.transaction(commit=commit, db=self.db_class) as db:
            if commit and db.postgres:
                # As SQLite's synchronous=NORMAL below: a view's commit lost in a crash loses its
                # tracking row with its rows, and the follower processes those events again; not
                # waiting for the WAL flush makes each batch's commit cheap.
                db.cursor.execute("SET LOCAL synchronous_commit TO OFF")
            yield db

    def create_table(self) -> None:
        # Two processes starting at once (web and projector) may race to create the tables
        # and the library's first tracking row; the loser finds them made on a second try.
        for attempt in range(3):
            try:
                super().create_table()  # type: ignore[misc]  # the library's tracking table
                self._create_and_check_version()
                return
            except (IntegrityError, OperationalError, ProgrammingError):
                if attempt == 2:
                    raise
                time.sleep(0.1 * (attempt + 1))

    def _create_and_check_version(self) -> None:
        with self.db(commit=True) as db:
            lock_ddl(db, "twinning-views-ddl")
            self._create_view_tables(db, (META, *self.tables))
            version = db.scalar("SELECT value FROM view_meta WHERE key = ?", ("schema_version",))
            if version is None:
                self._record_version(db)
            elif version != SCHEMA_VERSION:
                self.reset(db)

    def reset(self, db: ViewsDb) -> None:
        """Drop and recreate every view table and forget how far the view had read (one transaction)."""
        for name in self._stored_tables(db):
            db.run(f"DROP TABLE IF EXISTS {name}")
        self._create_view_tables(db, self.tables)
        self._delete_tracking(db, TRACKING_NAME)
        db.run("DELETE FROM view_meta WHERE key = ?", ("schema_version",))
        self._record_version(db)

    def clear(self, db: ViewsDb) -> None:
        """Empty every view table (their shape is today's) and forget how far the view had read."""
        names = [t.name for t in self.tables]
        if db.postgres:
            db.run(f"TRUNCATE {', '.join(names)}")  # one statement, and no DDL to rerun
        else:
            for name in names:
                db.run(f"DELETE FROM {name}")
        self._delete_tracking(db, TRACKING_NAME)

    def _stored_tables(self, db: ViewsDb) -> list[str]:
        """Every view table there is: today's, and those an older version made (not the meta table)."""
        if db.postgres:
            query = "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()"
        else:
            query = "SELECT name FROM sqlite_master WHERE type = 'table'"
        found = {r["name"] for r in db.all(query) if r["name"].startswith("view_") and r["name"] != META.name}
        return sorted(found | {t.name for t in self.tables})

    @staticmethod
    def _record_version(db: ViewsDb) -> None:
        db.insert_rows(META.name, [META.row(key="schema_version", value=SCHEMA_VERSION)])

    @staticmethod
    def _create_view_tables(db: ViewsDb, tables: Iterable[Table]) -> None:
        for table in tables:
            for statement in table.statements(db.postgres):
                db.run(byte_order(statement, db.postgres))

    def _delete_tracking(self, db: ViewsDb, name: str) -> None:
        raise NotImplementedError

    def record(self, db: ViewsDb, tracking: Tracking) -> None:
        self._insert_tracking(db.cursor, tracking)  # type: ignore[attr-defined]

    def advance(self, db: ViewsDb, tracking: Tracking, expected: int) -> bool:
        """Move the position from ``expected`` to the tracking's id; False (nothing done) if it is not at ``expected``.

        A compare-and-set: True means nobody else has recorded a position since ``expected``.
        """
        if not self.datastore.single_row_tracking:
            return False
        db.cursor.execute(self._advance_sql(), (tracking.notification_id, tracking.application_name, expected))
        return db.cursor.fetchone() is not None

    def _advance_sql(self) -> Any:
        return (
            "UPDATE tracking SET notification_id = ? WHERE application_name = ? AND notification_id = ?"
            " RETURNING notification_id"
        )


WRITER_CACHE_KIB = -65536  # SQLite's cache_size: negative means KiB
READER_CACHE_KIB = -2000  # SQLite's default


class SQLiteViewRecorder(_ViewTables, SQLiteTrackingRecorder):
    @contextmanager
    def db(self, *, commit: bool) -> Iterator[ViewsDb]:
        with self.datastore.get_connection(commit=commit) as connection:
            if commit:
                # WAL with synchronous=NORMAL: a commit is atomic but may be lost on a power
                # failure. For a view that is harmless: its tracking row is lost with its rows,
                # and the follower processes those events again. (Outside the transaction:
                # SQLite refuses to change it inside one. The store's own connections keep FULL.)
                # A page cache of 64 MB while writing (the default 2 MB makes index inserts into
                # large tables re-read their pages; back to the default after, so that pooled
                # connections reading for the web stay small), and checkpoints after 16,000 WAL
                # pages rather than 1,000, so a catch-up of large batches does not checkpoint (and
                # sync) at every commit (the store's own writers still checkpoint at 1,000 pages).
                setup = connection.cursor()
                setup.execute("PRAGMA synchronous=NORMAL")
                setup.execute(f"PRAGMA cache_size={WRITER_CACHE_KIB}")
                setup.execute("PRAGMA wal_autocheckpoint=16000")
            try:
                with connection.transaction(commit=commit) as cursor:
                    yield self.db_class(cursor, postgres=False)
            finally:
                if commit:
                    with suppress(sqlite3.Error):  # a broken connection must not hide the error at hand
                        connection.cursor().execute(f"PRAGMA cache_size={READER_CACHE_KIB}")

    def _delete_tracking(self, db: ViewsDb, name: str) -> None:
        db.run("DELETE FROM tracking WHERE application_name = ?", (name,))


def _postgres_recorder_class() -> type:
    from eventsourcing.postgres import PostgresTrackingRecorder
    from psycopg.sql import SQL, Identifier

    from domain.application.postgres import bounded

    class PostgresViewRecorder(_ViewTables, PostgresTrackingRecorder):
        # the library retries 10 times, each try waiting the pool's timeout: minutes while the server is down
        max_tracking_id = bounded(PostgresTrackingRecorder.max_tracking_id)

        def _advance_sql(self) -> Any:
            return SQL(
                "UPDATE {}.{} SET notification_id = %s WHERE application_name = %s AND notification_id = %s"
                " RETURNING notification_id"
            ).format(Identifier(self.datastore.schema), Identifier(self.tracking_table_name))

        def _delete_tracking(self, db: ViewsDb, name: str) -> None:
            db.cursor.execute(
                SQL("DELETE FROM {}.{} WHERE application_name = %s").format(
                    Identifier(self.datastore.schema), Identifier(self.tracking_table_name)
                ),
                (name,),
            )

    return PostgresViewRecorder


def open_recorder(
    env: dict[str, str], tables: tuple[Table, ...], db_class: type[ViewsDb]
) -> tuple[InfrastructureFactory, _ViewTables]:
    """The view recorder for ``tables`` in the database the env names (keys may be prefixed ``VIEWS_``)."""
    factory = open_factory(TRACKING_NAME, env)
    base = _postgres_recorder_class() if is_postgres(factory.datastore) else SQLiteViewRecorder  # type: ignore[attr-defined]
    recorder_class = type(base.__name__, (base,), {"tables": tables, "db_class": db_class})
    return factory, factory.tracking_recorder(recorder_class)
