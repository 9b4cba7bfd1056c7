"""Reading the event log lean: what a follower needs of each notification, ids that keep their text.

The library's ``select_notifications`` builds a ``Notification`` dataclass per row and a
``UUID`` per originator id (from its text on SQLite), which a read model then turns back
into text (``str(e.originator_id)``). ``lean_reader`` reads the same rows (same table,
same order, same bounds) as plain records whose ``originator_id`` is a ``LogId``: a UUID
(equal to, and hashing as, the library's) made from its canonical text (on SQLite the
query spells the stored hex so), so ``str()`` of it costs nothing and its number is
parsed only if something asks for it. A recorder it does not know (another store, a wrapper) gets ``None``:
the caller keeps to ``select_notifications``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple
from uuid import UUID, SafeUUID


class LogId(UUID):
    """A UUID read from the log as its canonical text: ``str()`` is that text, its number is parsed when first asked for."""

    __slots__ = ("_number", "text")

    @property  # type: ignore[override]  # the slot ``int`` of UUID, filled lazily
    def int(self) -> int:
        try:
            return self._number
        except AttributeError:
            number = int(self.text.replace("-", ""), 16)
            object.__setattr__(self, "_number", number)
            return number

    def __str__(self) -> str:
        return self.text


def log_id(text: str) -> LogId:
    value = object.__new__(LogId)
    set_ = object.__setattr__
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
# SQLite keeps a UUID as its 32 hex digits (``UUID.hex``): the query spells it canonically, in C.
SQLITE_CANONICAL_ID = (
    "CASE WHEN length(originator_id) = 32 AND originator_id NOT GLOB '*[^0-9a-f]*' THEN"
    " substr(originator_id, 1, 8) || '-' || substr(originator_id, 9, 4) || '-' || substr(originator_id, 13, 4)"
    " || '-' || substr(originator_id, 17, 4) || '-' || substr(originator_id, 21) ELSE originator_id END"
)


def _ids(uuid_ids: bool) -> Callable[[str], Any]:
    if not uuid_ids:
        return str

    def convert(text: str) -> Any:
        # The canonical text (PostgreSQL's, or SQLite's hex formatted by the query); anything else
        # is parsed the library's way.
        if len(text) == CANONICAL and text.islower():
            return log_id(text)
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
    uuid_ids = datastore.originator_id_type == "uuid"
    convert = _ids(uuid_ids)
    text = (
        f"SELECT rowid, {SQLITE_CANONICAL_ID if uuid_ids else 'originator_id'}, originator_version, topic, state"
        f" FROM {recorder.events_table_name} WHERE rowid>=? ORDER BY rowid LIMIT ?"
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
