"""Reading the event log lean: what a follower needs of each notification, ids that keep their text.

The library's ``select_notifications`` builds a ``Notification`` dataclass per row and a
``UUID`` per originator id (from its text on SQLite), which a read model then turns back
into text (``str(e.originator_id)``). ``lean_reader`` reads the same rows (same table,
same order, same bounds) as plain records whose ``originator_id`` is a ``LogId``: a UUID
(equal to, and hashing as, the library's) that remembers its text, so ``str()`` of it
costs nothing. A recorder it does not know (another store, a wrapper) gets ``None``:
the caller keeps to ``select_notifications``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple
from uuid import UUID, SafeUUID


class LogId(UUID):
    __slots__ = ("text",)

    def __str__(self) -> str:
        return self.text


def log_id(number: int, text: str) -> LogId:
    value = object.__new__(LogId)
    set_ = object.__setattr__
    set_(value, "int", number)
    set_(value, "is_safe", SafeUUID.unknown)
    set_(value, "text", text)
    return value


class Record(NamedTuple):
    """A notification as a follower reads it (the fields of the library's ``Notification``)."""

    id: int
    originator_id: Any
    originator_version: int
    topic: str
    state: bytes


Reader = Callable[[int, int], Sequence[Record]]
CANONICAL = len("00000000-0000-0000-0000-000000000000")
HEX = 32


def _ids(uuid_ids: bool) -> Callable[[str], Any]:
    if not uuid_ids:
        return str

    def convert(text: str) -> Any:
        # SQLite keeps a UUID's hex, PostgreSQL's text is str(UUID); anything else is parsed the library's way.
        if len(text) == HEX and text.isalnum():
            h = text.lower()
            return log_id(int(h, 16), f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
        if len(text) == CANONICAL and text.islower():
            return log_id(int(text.replace("-", ""), 16), text)
        return UUID(text)

    return convert


def lean_reader(recorder: Any) -> Reader | None:
    """``(start, limit) -> records`` with ids >= start, ascending, at most ``limit``; None if not known here."""
    from eventsourcing.postgres import PostgresApplicationRecorder
    from eventsourcing.sqlite import SQLiteApplicationRecorder

    if isinstance(recorder, SQLiteApplicationRecorder):
        return _sqlite(recorder)
    if isinstance(recorder, PostgresApplicationRecorder):
        return _postgres(recorder)
    return None


def _sqlite(recorder: Any) -> Reader:
    datastore = recorder.datastore
    convert = _ids(datastore.originator_id_type == "uuid")
    text = (
        f"SELECT rowid, originator_id, originator_version, topic, state FROM {recorder.events_table_name}"
        " WHERE rowid>=? ORDER BY rowid LIMIT ?"
    )

    def read(start: int, limit: int) -> list[Record]:
        with datastore.transaction(commit=False) as cursor:
            cursor.execute(text, (start, limit))
            rows = cursor.fetchall()
        new = tuple.__new__
        return [new(Record, (r[0], convert(r[1]), r[2], r[3], r[4])) for r in rows]

    return read


def _postgres(recorder: Any) -> Reader:
    from psycopg.sql import SQL, Identifier

    from domain.application.postgres import bounded  # the store's short retry, as select_notifications has

    datastore = recorder.datastore
    convert = _ids(datastore.originator_id_type == "uuid")
    text = SQL(
        "SELECT notification_id, originator_id::text AS originator_id, originator_version, topic, state"
        " FROM {}.{} WHERE notification_id>=%s ORDER BY notification_id LIMIT %s"
    ).format(Identifier(datastore.schema), Identifier(recorder.events_table_name))

    @bounded
    def select(_recorder: Any, start: int, limit: int) -> list[Record]:
        with datastore.get_connection() as connection, connection.cursor() as cursor:
            cursor.execute(text, (start, limit), prepare=True)
            rows = cursor.fetchall()
        new = tuple.__new__
        return [
            new(
                Record,
                (
                    r["notification_id"],
                    convert(r["originator_id"]),
                    r["originator_version"],
                    r["topic"],
                    bytes(r["state"]),
                ),
            )
            for r in rows
        ]

    return lambda start, limit: select(recorder, start, limit)
