"""One SQL text for both databases: the cursor of a transaction, speaking SQLite-style SQL.

SQL is written once, SQLite-style (``?`` placeholders, unqualified table names); ``Db``
translates it for psycopg (``%s``, a literal ``%`` doubled). Rows come back as dicts on
both databases. ``insert_rows`` writes many rows at once: COPY on PostgreSQL, multi-row
INSERTs on SQLite (and in PostgreSQL's pipeline mode, where COPY is not allowed).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any


class Db:
    """A cursor inside one transaction (see ``Storage.transaction``)."""

    # Bound parameters per multi-row INSERT: below SQLite's limit (999 before 3.32, 32,766 since).
    # Fewer, longer statements: each one's parsing and its trips through the sqlite3 module are paid once.
    CHUNK_PARAMS = 32_000 if sqlite3.sqlite_version_info >= (3, 32) else 900
    _translated: dict[str, str] = {}

    def __init__(self, cursor: Any, postgres: bool) -> None:
        self.cursor = cursor
        self.postgres = postgres
        self.pipelined = False

    def sql(self, text: str) -> str:
        if not self.postgres:
            return text
        translated = self._translated.get(text)
        if translated is None:
            translated = self._translated[text] = text.replace("%", "%%").replace("?", "%s")
        return translated

    @contextmanager
    def pipeline(self) -> Iterator[Any]:
        """PostgreSQL: send statements without waiting for each answer (a read or the commit syncs)."""
        if not self.postgres:
            yield None
            return
        with self.cursor.connection.pipeline() as pipeline:
            self.pipelined = True
            try:
                yield pipeline
            finally:
                self.pipelined = False

    def _before(self, text: str) -> None:
        """Called before every statement (a subclass sends the writes it holds back)."""

    def run(self, text: str, params: Sequence[Any] = ()) -> None:
        self._before(text)
        self.cursor.execute(self.sql(text), tuple(params))

    def all(self, text: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        self._before(text)
        self.cursor.execute(self.sql(text), tuple(params))
        rows = self.cursor.fetchall()
        return rows if self.postgres else [dict(zip(row.keys(), row)) for row in rows]

    def one(self, text: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        self._before(text)
        self.cursor.execute(self.sql(text), tuple(params))
        row = self.cursor.fetchone()
        if row is None or self.postgres:
            return row
        return dict(zip(row.keys(), row))

    def tuples(self, text: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Rows as plain tuples; on PostgreSQL in binary through a prepared statement (bytea as bytes, not hex)."""
        self._before(text)
        if not self.postgres:
            self.cursor.execute(text, tuple(params))
            return [tuple(row) for row in self.cursor.fetchall()]
        from psycopg.rows import tuple_row

        fast = self.cursor.connection.cursor(row_factory=tuple_row, binary=True)
        fast.execute(self.sql(text), tuple(params), prepare=True)
        return fast.fetchall()

    def scalar(self, text: str, params: Sequence[Any] = ()) -> Any:
        row = self.one(text, params)
        return None if row is None else next(iter(row.values()))

    def insert_rows(self, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert ``rows`` (dicts with the same columns) with as few statements as the database allows."""
        if not rows:
            return
        columns = list(rows[0])
        names = ", ".join(columns)
        if self.postgres and not self.pipelined:
            # COPY: no statement text to build and parse per chunk (several times faster than
            # multi-row INSERT through psycopg). Not allowed in pipeline mode.
            with self.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                write = copy.write_row
                for row in rows:
                    write([row[c] for c in columns])
            return
        per_statement = max(1, self.CHUNK_PARAMS // len(columns))
        one = "(" + ", ".join("?" * len(columns)) + ")"
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            text = f"INSERT INTO {table} ({names}) VALUES " + ", ".join([one] * len(chunk))
            self.cursor.execute(self.sql(text), [row[c] for row in chunk for c in columns])


def marks(values: Sequence[Any]) -> str:
    """``?,?,?`` for an IN list."""
    return ",".join("?" * len(values))


def byte_order(statement: str, postgres: bool) -> str:
    """A CREATE statement whose TEXT columns compare bytes on PostgreSQL too, as in SQLite.

    Keyset pages compare keys in SQL and in Python: both databases must order text the same
    way, whatever the server's locale.
    """
    return statement.replace(" TEXT", ' TEXT COLLATE "C"') if postgres else statement


def for_dialect(statement: str, postgres: bool) -> str:
    """A CREATE statement written with SQLite's types, with PostgreSQL's names for them there."""
    if not postgres:
        return statement
    return statement.replace(" BLOB", " BYTEA").replace(" REAL", " DOUBLE PRECISION")
