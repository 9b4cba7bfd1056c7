"""Each read model declares its tables once; DDL, keys, insert columns and row mapping come from that.

The last test reads the source of domain/views: no module but ``table.py`` (which builds
statements from a declaration) spells a view table's column list in SQL text.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

import domain.views
from domain.views.schema import TABLES, Db
from domain.views.store import META
from domain.views.table import Table

VIEWS_DIR = Path(domain.views.__file__).parent
DECLARED = (META, *TABLES)


@pytest.mark.parametrize("table", DECLARED, ids=lambda t: t.name)
def test_the_ddl_creates_exactly_the_declared_columns_and_key(table: Table):
    db = sqlite3.connect(":memory:")
    for statement in table.statements():
        db.execute(statement)
    info = db.execute(f"PRAGMA table_info({table.name})").fetchall()
    assert tuple(row[1] for row in info) == table.names
    key = sorted((row[5], row[1]) for row in info if row[5])
    assert tuple(name for _, name in key) == table.key
    assert {row[1]: not row[3] for row in info} == {c.name: c.null for c in table.columns}


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_insert_columns_and_the_row_mapping_are_the_declared_ones(table: Table):
    assert tuple(table.row()) == table.names
    assert tuple(table.decode(dict.fromkeys(table.names))) == table.names
    assert Db.KEYS[table.name] == table.key and Db.COLUMNS[table.name] == table.names
    with pytest.raises(KeyError):
        table.row(no_such_column=1)


def test_every_table_is_declared_once():
    names = [t.name for t in DECLARED]
    assert len(names) == len(set(names))


# A parenthesised or SELECTed list of three or more bare names, as in "INSERT INTO t (a, b, c)".
_NAME_LIST = re.compile(r"\b[a-z_]+(?:\s*,\s*[a-z_]+){2,}\b")
_STATEMENT = re.compile(r"\b(INSERT\s+INTO|CREATE\s+TABLE|COPY)\s+view_", re.IGNORECASE)


def _sql_texts(source: str) -> list[str]:
    """The string literals of a module that read as SQL."""
    literals = re.findall(r'"(?:[^"\\\n]|\\.)*"', source)
    return [s for s in literals if re.search(r"\b(SELECT|INSERT|UPDATE|CREATE|COPY|DELETE)\b", s)]


@pytest.mark.parametrize("module", sorted(p.name for p in VIEWS_DIR.glob("*.py") if p.name != "table.py"))
def test_no_module_spells_a_tables_columns_in_sql(module: str):
    source = (VIEWS_DIR / module).read_text(encoding="utf-8")
    for text in _sql_texts(source):
        assert not _STATEMENT.search(text), f"{module}: {text!r} writes a view table by hand"
        for listed in _NAME_LIST.findall(text):
            names = [n.strip() for n in listed.split(",")]
            for table in DECLARED:
                spelled = set(names) & set(table.names)
                assert len(spelled) < 4, f"{module}: {text!r} spells the columns of {table.name}"


def test_the_source_check_catches_a_hand_written_insert():
    by_hand = '"INSERT INTO view_cities (id, name, country, region) VALUES (?, ?, ?, ?)"'
    texts = _sql_texts(by_hand)
    assert texts and _STATEMENT.search(texts[0])
    listed = [n.strip() for n in _NAME_LIST.findall(texts[0])[0].split(",")]
    assert len(set(listed) & set(TABLES[0].names)) >= 4
