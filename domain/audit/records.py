"""The stored records as they are, for verification: read raw, in log order, in bounded batches."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

Record = tuple  # (position, originator id, originator_version, topic, state), as stored


def store_reader(recorder: Any) -> Callable[[int, int, int], list[Record]]:
    """``read(start, stop, limit)`` → stored records with start ≤ position ≤ stop, in order, as tuples.

    The originator id comes as a ``UUID``, as its 16 bytes, or as text (a store with text
    ids); ``canonical`` bytes are the same whichever way it comes (``UUID.bytes`` is the
    16 bytes; text is UTF-8).

    On SQLite and PostgreSQL this reads the recorder's own events table — the same
    columns, rows and order as its ``select_notifications`` — directly: that method builds a
    ``Notification`` per row, and on SQLite a ``UUID`` from hex text, on PostgreSQL a dict
    per row from hex-encoded ``bytea`` text, which caps verification near 100,000 events/s
    (SQLite) and well below it (PostgreSQL). Plain tuples (PostgreSQL: in binary format)
    are 2-4× faster. The follower writes the chain from ``select_notifications``, so the
    tests, which verify chains written that way, prove the bytes are the same. Any other
    recorder is read through ``select_notifications``.
    """
    datastore = getattr(recorder, "datastore", None)
    table = getattr(recorder, "events_table_name", None)
    kind = type(datastore).__name__
    if kind == "PostgresDatastore" and table:
        from psycopg.rows import tuple_row
        from psycopg.sql import SQL, Identifier

        statement = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state FROM {}.{}"
            " WHERE notification_id >= %s AND notification_id <= %s ORDER BY notification_id LIMIT %s"
        ).format(Identifier(datastore.schema), Identifier(table))

        def read_postgres(start: int, stop: int, limit: int) -> list[Record]:
            with datastore.get_connection() as connection:
                cursor = connection.cursor(row_factory=tuple_row, binary=True)
                cursor.execute(statement, (start, stop, limit), prepare=True)
                return cursor.fetchall()

        return read_postgres

    if kind == "SQLiteDatastore" and table and getattr(datastore, "originator_id_type", "uuid") == "uuid":
        sql = (
            f"SELECT rowid, originator_id, originator_version, topic, state FROM {table}"
            " WHERE rowid >= ? AND rowid <= ? ORDER BY rowid LIMIT ?"
        )
        fromhex = bytes.fromhex

        def read_sqlite(start: int, stop: int, limit: int) -> list[Record]:
            with datastore.transaction(commit=False) as cursor:
                cursor.execute(sql, (start, stop, limit))
                return [(r[0], fromhex(r[1]), r[2], r[3], r[4]) for r in cursor.fetchall()]

        return read_sqlite

    def read(start: int, stop: int, limit: int) -> list[Record]:
        return [
            (n.id, n.originator_id, n.originator_version, n.topic, n.state)
            for n in recorder.select_notifications(start=start, limit=limit, stop=stop)
        ]

    return read


def id_text(value: Any) -> str:
    """An originator id as text: a UUID (or its 16 bytes) in its usual hyphenated form."""
    if isinstance(value, bytes) and len(value) == 16:
        return str(UUID(bytes=value))
    return str(value)
