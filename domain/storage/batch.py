"""Writes held back and sent together: a table's new rows become one COPY or a few multi-row INSERTs.

``Batch`` is a ``Db`` that knows the primary key of each table it writes (``KEYS``, set
by a subclass). Writes through ``insert`` are held back; ``update`` and ``delete`` apply
to held rows in memory and to stored rows in SQL, so a row created and changed within
one batch costs one statement. Any SQL text naming a table with held rows (a read, say)
sends them first, and ``flush()`` sends the rest before the commit: the transaction sees
its own writes, and what is committed is the same as writing row by row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, ClassVar

from eventsourcing.persistence import IntegrityError

from domain.storage.sql import Db


@dataclass(frozen=True)
class Add:
    """An increment in ``Batch.update``: ``column = column + n``."""

    n: int


class Batch(Db):
    KEYS: ClassVar[dict[str, tuple[str, ...]]] = {}
    _key_sets: ClassVar[dict[str, frozenset[str]]] = {}
    _key_of: ClassVar[dict[str, Any]] = {}
    _named: ClassVar[dict[str, tuple[str, ...]]] = {}  # SQL text -> the tables it names
    _updates: ClassVar[dict[tuple, str]] = {}  # (dialect, table, changed columns, where columns) -> UPDATE text

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._key_sets = {table: frozenset(columns) for table, columns in cls.KEYS.items()}
        cls._key_of = {
            table: (lambda row, c=columns[0]: (row[c],)) if len(columns) == 1 else itemgetter(*columns)
            for table, columns in cls.KEYS.items()
        }
        cls._named, cls._updates = {}, {}

    def __init__(self, cursor: Any, postgres: bool) -> None:
        super().__init__(cursor, postgres)
        # table -> value of the key's first column -> key -> row (so that "the rows of this
        # city / this meeting" are found without scanning the whole batch)
        self.held: dict[str, dict[Any, dict[tuple, dict[str, Any]]]] = {}

    def insert(self, table: str, row: dict[str, Any]) -> None:
        key = self._key_of[table](row)
        groups = self.held.get(table)
        if groups is None:
            groups = self.held[table] = {}
        group = groups.get(key[0])
        if group is None:
            group = groups[key[0]] = {}
        elif key in group:
            raise IntegrityError(f"{table}: a row with the key {key} is already being inserted")
        group[key] = row

    def held_row(self, table: str, **key: Any) -> dict[str, Any] | None:
        full = tuple(key[column] for column in self.KEYS[table])
        return self.held.get(table, {}).get(full[0], {}).get(full)

    def update(self, table: str, where: dict[str, Any], changes: dict[str, Any]) -> None:
        """Change the rows matching ``where`` (column = value): held ones in memory, stored ones in SQL."""
        matching = self._matching(table, where)
        for _key, row in matching:
            for column, value in changes.items():
                row[column] = row[column] + value.n if isinstance(value, Add) else value
        if matching and self._is_key(table, where):
            return  # the row is not stored yet: nothing to send
        shape = (self.postgres, table, tuple((c, isinstance(v, Add)) for c, v in changes.items()), tuple(where))
        text = self._updates.get(shape)
        if text is None:
            sets = ", ".join(f"{c} = {c} + ?" if add else f"{c} = ?" for c, add in shape[2])
            conditions = " AND ".join(f"{c} = ?" for c in where)
            text = self._updates[shape] = self.sql(f"UPDATE {table} SET {sets} WHERE {conditions}")
        params = [v.n if isinstance(v, Add) else v for v in changes.values()]
        self.cursor.execute(text, (*params, *where.values()))

    def delete(self, table: str, where: dict[str, Any]) -> None:
        matching = self._matching(table, where)
        groups = self.held.get(table, {})
        for key, _row in matching:
            del groups[key[0]][key]
        if matching and self._is_key(table, where):
            return  # the row was never stored
        conditions = " AND ".join(f"{c} = ?" for c in where)
        self.cursor.execute(self.sql(f"DELETE FROM {table} WHERE {conditions}"), tuple(where.values()))

    def _is_key(self, table: str, where: dict[str, Any]) -> bool:
        return where.keys() == self._key_sets[table]

    def _matching(self, table: str, where: dict[str, Any]) -> list[tuple[tuple, dict[str, Any]]]:
        groups = self.held.get(table)
        if not groups:
            return []
        first = self.KEYS[table][0]
        if self._is_key(table, where):
            key = tuple(where[c] for c in self.KEYS[table])
            row = groups.get(key[0], {}).get(key)
            return [] if row is None else [(key, row)]
        candidates = (
            groups.get(where[first], {}).items()
            if first in where
            else (item for group in groups.values() for item in group.items())
        )
        return [(k, row) for k, row in candidates if all(row[c] == v for c, v in where.items())]

    def flush(self, tables: Iterable[str] | None = None) -> None:
        for table in list(self.held if tables is None else tables):
            rows = [row for group in self.held.pop(table, {}).values() for row in group.values()]
            self.insert_rows(table, rows)

    def _before(self, text: str) -> None:
        if self.held:
            named = self._named.get(text)
            if named is None:
                if len(self._named) > 10_000:
                    self._named.clear()
                named = self._named[text] = tuple(t for t in self.KEYS if re.search(rf"\b{t}\b", text))
            held = [table for table in named if table in self.held]
            if held:
                self.flush(held)
