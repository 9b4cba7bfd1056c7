"""The ``audit_chain`` table, in the store's own database, next to the library's tracking table.

One row per chained record, written once and never changed::

    audit_chain(position PRIMARY KEY, originator_id, originator_version, hash)

``position`` is the record's notification id, ``hash`` the 32-byte chain hash (see
``domain.audit.chain``). The recorder is the library's tracking recorder of the
store's own infrastructure factory (so it is the same database: the SQLite file, or
the PostgreSQL schema, of the event store), extended with the chain table: a batch's
chain rows and its tracking record are written through one cursor in one
transaction. Triggers refuse UPDATE, DELETE (and on PostgreSQL TRUNCATE) on the
table: that stops mistakes, not an intruder with the database owner's rights, which
is what the hash chain and an externally kept head are for.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import IntegrityError, Notification, Tracking
from eventsourcing.sqlite import SQLiteTrackingRecorder

from domain.audit.chain import EMPTY_HEAD, ChainHead, Hasher

TABLE = "audit_chain"


class ChainTable:
    """What both dialects do. SQL is written SQLite-style (``?``) and translated for psycopg."""

    datastore: Any
    postgres = False

    # -- plumbing ---------------------------------------------------------------------------------

    def sql(self, text: str) -> str:
        return text.replace("?", "%s") if self.postgres else text

    @contextmanager
    def cursor(self, *, commit: bool) -> Iterator[Any]:
        with self.datastore.transaction(commit=commit) as cursor:
            self._enter(cursor)
            yield cursor

    def _enter(self, cursor: Any) -> None:
        """Per-transaction setup (PostgreSQL: the search path)."""

    def _ddl(self) -> list[str]:
        raise NotImplementedError

    def _serialise_ddl(self, cursor: Any) -> None:
        """Two processes creating the table at once must not collide."""

    def create_table(self) -> None:
        super().create_table()  # type: ignore[misc]  # the library's tracking table
        with self.cursor(commit=True) as cursor:
            self._serialise_ddl(cursor)
            for statement in self._ddl():
                cursor.execute(statement)

    # -- writing -----------------------------------------------------------------------------------

    def append(self, notifications: Sequence[Notification], tracking: Tracking) -> ChainHead:
        """Chain ``notifications`` (raw stored records, in log order) and record ``tracking``, in one transaction.

        The tracking record goes first: on SQLite the transaction then holds the write lock
        before it reads the chain's head, and a position that is not ahead of the recorded
        one fails at once with ``IntegrityError`` (another follower got there first).
        """
        with self.cursor(commit=True) as cursor:
            self._insert_tracking(cursor, tracking)  # type: ignore[attr-defined]
            head = self._head(cursor)
            if notifications and notifications[0].id <= head.position:
                raise IntegrityError(f"{TABLE}: position {notifications[0].id} is not after the head {head.position}")
            hasher = Hasher(head.hash)
            rows = [(n.id, str(n.originator_id), n.originator_version, hasher.add(n)) for n in notifications]
            if rows:
                cursor.executemany(
                    self.sql(
                        f"INSERT INTO {TABLE} (position, originator_id, originator_version, hash) VALUES (?, ?, ?, ?)"
                    ),
                    rows,
                )
        return ChainHead(rows[-1][0], rows[-1][3]) if rows else head

    # -- reading -----------------------------------------------------------------------------------

    def head(self) -> ChainHead:
        with self.cursor(commit=False) as cursor:
            return self._head(cursor)

    def _head(self, cursor: Any) -> ChainHead:
        cursor.execute(f"SELECT position, hash FROM {TABLE} ORDER BY position DESC LIMIT 1")
        row = cursor.fetchone()
        return EMPTY_HEAD if row is None else ChainHead(int(row["position"]), bytes(row["hash"]))

    def hashes(self, start: int, stop: int, limit: int) -> list[tuple[int, bytes]]:
        """``(position, hash)`` for start ≤ position ≤ stop, in order, at most ``limit``."""
        with self.cursor(commit=False) as cursor:
            return self._tuples(
                cursor,
                self.sql(
                    f"SELECT position, hash FROM {TABLE} WHERE position >= ?"
                    " AND position <= ? ORDER BY position LIMIT ?"
                ),
                (start, stop, limit),
            )

    def _tuples(self, cursor: Any, sql: str, params: tuple) -> list[tuple[int, bytes]]:
        cursor.execute(sql, params)
        return [(row[0], row[1]) for row in cursor.fetchall()]

    def row(self, position: int) -> tuple[int, str, int, bytes] | None:
        with self.cursor(commit=False) as cursor:
            cursor.execute(
                self.sql(f"SELECT position, originator_id, originator_version, hash FROM {TABLE} WHERE position = ?"),
                (position,),
            )
            found = cursor.fetchone()
        if found is None:
            return None
        return int(found["position"]), found["originator_id"], int(found["originator_version"]), bytes(found["hash"])

    def find(self, originator_id: str, originator_version: int) -> int | None:
        """Where the chain has this event (a full scan: only asked once, to tell a reordering from a change)."""
        with self.cursor(commit=False) as cursor:
            cursor.execute(
                self.sql(
                    f"SELECT MIN(position) AS position FROM {TABLE} WHERE originator_id = ? AND originator_version = ?"
                ),
                (originator_id, originator_version),
            )
            found = cursor.fetchone()
        return None if found is None or found["position"] is None else int(found["position"])


class SQLiteChainRecorder(ChainTable, SQLiteTrackingRecorder):
    postgres = False

    def _ddl(self) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {TABLE} (position INTEGER PRIMARY KEY, originator_id TEXT NOT NULL,"
            " originator_version INTEGER NOT NULL, hash BLOB NOT NULL)",
            f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE}"
            f" BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only'); END",
            f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE}"
            f" BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only'); END",
        ]


def _postgres_recorder_class() -> type:
    from eventsourcing.postgres import PostgresTrackingRecorder
    from psycopg.rows import tuple_row
    from psycopg.sql import SQL, Identifier, Literal

    class PostgresChainRecorder(ChainTable, PostgresTrackingRecorder):
        postgres = True

        def _enter(self, cursor: Any) -> None:
            cursor.execute(SQL("SET LOCAL search_path TO {}").format(Identifier(self.datastore.schema)))

        def _tuples(self, cursor: Any, sql: str, params: tuple) -> list[tuple[int, bytes]]:
            # Binary rows as plain tuples: bytea arrives as bytes, not hex text to parse.
            fast = cursor.connection.cursor(row_factory=tuple_row, binary=True)
            fast.execute(sql, params, prepare=True)
            return fast.fetchall()

        def _serialise_ddl(self, cursor: Any) -> None:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('twinning-audit-chain-ddl'))")

        def _ddl(self) -> list[Any]:
            schema = Identifier(self.datastore.schema)
            table = Identifier(TABLE)
            function = Identifier(f"{TABLE}_append_only")
            message = Literal(f"{TABLE} is append-only")
            return [
                SQL(
                    "CREATE TABLE IF NOT EXISTS {}.{} (position BIGINT PRIMARY KEY, originator_id TEXT NOT NULL,"
                    " originator_version BIGINT NOT NULL, hash BYTEA NOT NULL)"
                ).format(schema, table),
                SQL(
                    "CREATE OR REPLACE FUNCTION {}.{}() RETURNS trigger LANGUAGE plpgsql AS"
                    " $$ BEGIN RAISE EXCEPTION {}; END $$"
                ).format(schema, function, message),
                SQL(
                    "CREATE OR REPLACE TRIGGER {} BEFORE UPDATE OR DELETE ON {}.{}"
                    " FOR EACH ROW EXECUTE FUNCTION {}.{}()"
                ).format(Identifier(f"{TABLE}_no_change"), schema, table, schema, function),
                SQL(
                    "CREATE OR REPLACE TRIGGER {} BEFORE TRUNCATE ON {}.{} FOR EACH STATEMENT EXECUTE FUNCTION {}.{}()"
                ).format(Identifier(f"{TABLE}_no_truncate"), schema, table, schema, function),
            ]

    return PostgresChainRecorder


def open_chain_table(factory: Any) -> ChainTable:
    """The chain recorder in the database of ``factory`` (the Programme's own infrastructure factory)."""
    datastore = getattr(factory, "datastore", None)
    if type(datastore).__name__ == "SQLiteDatastore":
        recorder_class: type = SQLiteChainRecorder
    elif type(datastore).__name__ == "PostgresDatastore":
        recorder_class = _postgres_recorder_class()
    else:
        raise ValueError(
            "the audit chain needs an SQLite or PostgreSQL store "
            "(PERSISTENCE_MODULE eventsourcing.sqlite or eventsourcing.postgres)"
        )
    return factory.tracking_recorder(recorder_class)
