"""Every SQLite connection of this process overwrites what it deletes (``PRAGMA secure_delete=ON``).

An erasure deletes a person's data key, and purges rows (idempotency answers, view rows,
snapshots). SQLite by default only unlinks deleted content: the bytes stay in free pages
and free space of the file until reused, so a byte search of the file would still find
them. ``secure_delete`` zeroes them. eventsourcing creates its connections in
``SQLiteConnectionPool._create_connection`` for every datastore (the events', the views',
the idempotency table's), with no hook for connection settings, so that one method is
wrapped, once, when this module is imported (by ``domain.storage``).
"""

from __future__ import annotations

from typing import Any

from eventsourcing.sqlite import SQLiteConnectionPool

_original = SQLiteConnectionPool._create_connection


def _create_secure_connection(self: SQLiteConnectionPool) -> Any:
    connection = _original(self)
    connection._sqlite_conn.execute("PRAGMA secure_delete=ON")
    return connection


if not getattr(SQLiteConnectionPool._create_connection, "secure_delete", False):
    _create_secure_connection.secure_delete = True  # type: ignore[attr-defined]
    SQLiteConnectionPool._create_connection = _create_secure_connection  # type: ignore[method-assign]


def checkpoint(datastore: Any) -> bool:
    """SQLite: copy the write-ahead log into the file and empty it, so no old page image outlives a purge there.

    False when it could not complete (a reader still needs old pages: SQLite's next checkpoint does it)."""
    pool = getattr(datastore, "pool", None)
    if not isinstance(pool, SQLiteConnectionPool) or pool.is_sqlite_memory_mode:
        return True
    with datastore.get_connection(commit=False) as connection:
        busy, _, _ = connection._sqlite_conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return not busy
