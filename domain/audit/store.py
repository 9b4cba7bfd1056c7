"""The ``audit_chain`` table, in the store's own database, next to the library's tracking table.

One row per chained record, written once and never changed::

    audit_chain(position PRIMARY KEY, originator_id, originator_version, hash)

``position`` is the record's notification id, ``hash`` the 32-byte chain hash (see
``domain.audit.chain``). The recorder is the library's tracking recorder of the
store's own infrastructure factory (so it is the same database: the SQLite file, or
the PostgreSQL schema, of the event store), extended with the chain table: a batch's
chain rows and its tracking record are written through one cursor in one
transaction (``domain.storage``). Triggers refuse UPDATE, DELETE (and on PostgreSQL
TRUNCATE) on the table: that stops mistakes, not an intruder with the database owner's
rights, which is what the hash chain and an externally kept head are for.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from eventsourcing.persistence import IntegrityError, Notification, Tracking
from eventsourcing.sqlite import SQLiteTrackingRecorder

from domain.audit.chain import EMPTY_HEAD, ChainHead, Hasher
from domain.storage import Db, Storage, is_postgres

TABLE = "audit_chain"
DDL_LOCK = "twinning-audit-chain-ddl"


class ChainTable:
    """What both dialects do; only the DDL (column types, triggers) differs."""

    datastore: Any

    @cached_property
    def storage(self) -> Storage:
        return Storage(self.datastore)

    def _ddl(self) -> list[Any]:
        raise NotImplementedError

    def create_table(self) -> None:
        super().create_table()  # type: ignore[misc]  # the library's tracking table
        with self.storage.ddl(DDL_LOCK) as db:
            for statement in self._ddl():
                db.cursor.execute(statement)

    # -- writing -----------------------------------------------------------------------------------

    def append(self, notifications: Sequence[Notification], tracking: Tracking) -> ChainHead:
        """Chain ``notifications`` (raw stored records, in log order) and record ``tracking``, in one transaction.

        The tracking record goes first: on SQLite the transaction then holds the write lock
        before it reads the chain's head, and a position that is not ahead of the recorded
        one fails at once with ``IntegrityError`` (another follower got there first).
        """
        with self.storage.transaction(commit=True) as db:
            self._insert_tracking(db.cursor, tracking)  # type: ignore[attr-defined]
            head = self._head(db)
            if notifications and notifications[0].id <= head.position:
                raise IntegrityError(f"{TABLE}: position {notifications[0].id} is not after the head {head.position}")
            hasher = Hasher(head.hash)
            rows = [
                {
                    "position": n.id,
                    "originator_id": str(n.originator_id),
                    "originator_version": n.originator_version,
                    "hash": hasher.add(n),
                }
                for n in notifications
            ]
            db.insert_rows(TABLE, rows)
        return ChainHead(rows[-1]["position"], rows[-1]["hash"]) if rows else head

    # -- reading -----------------------------------------------------------------------------------

    def head(self) -> ChainHead:
        with self.storage.transaction(commit=False) as db:
            return self._head(db)

    @staticmethod
    def _head(db: Db) -> ChainHead:
        row = db.one(f"SELECT position, hash FROM {TABLE} ORDER BY position DESC LIMIT 1")
        return EMPTY_HEAD if row is None else ChainHead(int(row["position"]), bytes(row["hash"]))

    def hashes(self, start: int, stop: int, limit: int) -> list[tuple[int, bytes]]:
        """``(position, hash)`` for start ≤ position ≤ stop, in order, at most ``limit``."""
        with self.storage.transaction(commit=False) as db:
            return db.tuples(
                f"SELECT position, hash FROM {TABLE} WHERE position >= ? AND position <= ? ORDER BY position LIMIT ?",
                (start, stop, limit),
            )

    def row(self, position: int) -> tuple[int, str, int, bytes] | None:
        with self.storage.transaction(commit=False) as db:
            found = db.one(
                f"SELECT position, originator_id, originator_version, hash FROM {TABLE} WHERE position = ?",
                (position,),
            )
        if found is None:
            return None
        return int(found["position"]), found["originator_id"], int(found["originator_version"]), bytes(found["hash"])

    def find(self, originator_id: str, originator_version: int) -> int | None:
        """Where the chain has this event (a full scan: only asked once, to tell a reordering from a change)."""
        with self.storage.transaction(commit=False) as db:
            found = db.scalar(
                f"SELECT MIN(position) AS position FROM {TABLE} WHERE originator_id = ? AND originator_version = ?",
                (originator_id, originator_version),
            )
        return None if found is None else int(found)


class SQLiteChainRecorder(ChainTable, SQLiteTrackingRecorder):
    def _ddl(self) -> list[Any]:
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
    from psycopg.sql import SQL, Identifier, Literal

    class PostgresChainRecorder(ChainTable, PostgresTrackingRecorder):
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
    postgres = is_postgres(getattr(factory, "datastore", None))
    return factory.tracking_recorder(_postgres_recorder_class() if postgres else SQLiteChainRecorder)
