"""A view table declared once: its columns, key, indexes and order; everything else derives from it.

    CITIES = Table(
        "view_cities",
        "id, name, local_name?, population:bigint?, themes_offered:json, registered_at:instant, version:int",
        key="id",
        indexes={"by_name": "sort_key, id"},
    )

A column is ``name[:type][?]``: the type (default ``text``) says how it is stored and read
back, ``?`` that it may be NULL. From the declaration come the DDL (``statements``), the
primary key (``key``, which ``domain.storage.Batch`` keys held rows by), the insert column
list (``row`` fills every declared column, in order, and refuses any other) and the
mapping of a stored row to Python values (``decode``). No other module spells a table's
columns in SQL text (``tests/unit/test_view_declarations.py`` checks).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from domain.views.codec import flag, load, parse_day, parse_instant

# type -> (SQL type, how a stored value is read back)
TYPES: dict[str, tuple[str, Callable[[Any], Any] | None]] = {
    "text": ("TEXT", None),
    "int": ("INTEGER", None),
    "bigint": ("BIGINT", None),
    "real": ("DOUBLE PRECISION", None),
    "json": ("TEXT", load),
    "instant": ("TEXT", parse_instant),
    "day": ("TEXT", parse_day),
    "flag": ("INTEGER", flag),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "text"
    null: bool = False

    def sql(self) -> str:
        return f"{self.name} {TYPES[self.type][0]}" + ("" if self.null else " NOT NULL")


def parse_columns(spec: str) -> tuple[Column, ...]:
    columns = []
    for part in spec.split(","):
        text = part.strip()
        null = text.endswith("?")
        name, _, kind = text.rstrip("?").partition(":")
        if kind and kind not in TYPES:
            raise ValueError(f"column {name}: unknown type {kind!r}")
        columns.append(Column(name.strip(), kind.strip() or "text", null))
    return tuple(columns)


def _names(spec: str | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(c.strip() for c in spec.split(",")) if isinstance(spec, str) else spec


@dataclass(frozen=True)
class Table:
    """A view table; ``order`` sorts ``Views.dump()`` (default: the key); ``compact``: SQLite WITHOUT ROWID."""

    name: str
    spec: str
    key: str | tuple[str, ...]
    indexes: Mapping[str, str] = field(default_factory=dict)
    order: str | None = None
    compact: bool = False

    def __post_init__(self) -> None:
        columns = parse_columns(self.spec)
        names = tuple(c.name for c in columns)
        object.__setattr__(self, "columns", columns)
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "key", _names(self.key))
        object.__setattr__(self, "_blank", dict.fromkeys(names))
        object.__setattr__(self, "_readers", tuple((c.name, TYPES[c.type][1]) for c in columns))
        for column in (*self.key, *(c for spec in self.indexes.values() for c in _names(spec))):
            if column not in names:
                raise ValueError(f"{self.name}: {column} is not a declared column")

    columns: tuple[Column, ...] = field(init=False, repr=False, compare=False)
    names: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def statements(self, postgres: bool = False) -> list[str]:
        """CREATE TABLE and CREATE INDEX, as run on a fresh database."""
        body = ", ".join(c.sql() for c in self.columns) + f", PRIMARY KEY ({', '.join(self.key)})"
        table = f"CREATE TABLE IF NOT EXISTS {self.name} ({body})"
        if self.compact and not postgres:
            table += " WITHOUT ROWID"  # the key is the table: one B-tree to write, not two
        return [table] + [
            f"CREATE INDEX IF NOT EXISTS {self.name}_{index} ON {self.name} ({', '.join(_names(columns))})"
            for index, columns in self.indexes.items()
        ]

    def row(self, **values: Any) -> dict[str, Any]:
        """A row to insert: every declared column in order (NULL where not given); any other name is refused."""
        row = {**self._blank, **values}  # type: ignore[attr-defined]
        if len(row) != len(self.names):
            raise KeyError(f"{self.name} has no column {sorted(set(values) - set(self.names))}")
        return row

    def insert(self, db: Any, **values: Any) -> None:
        db.insert(self.name, self.row(**values))

    def decode(self, stored: Mapping[str, Any]) -> dict[str, Any]:
        """The declared columns of a stored row, as Python values (JSON loaded, instants and dates parsed)."""
        return {
            name: stored[name] if read is None else read(stored[name])
            for name, read in self._readers  # type: ignore[attr-defined]
        }

    @property
    def sort(self) -> str:
        return self.order or ", ".join(self.key)
