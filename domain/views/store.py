"""Where the views live: the store's own database (SQLite file or PostgreSQL schema).

The library's tracking recorders are subclassed so that the view tables are created
next to the tracking table, and a view writes its rows and its tracking record through
the same cursor, in one ``datastore.transaction(commit=True)``.

SQL is written once, SQLite-style, through ``domain.storage`` (placeholders, the schema's
search path, held writes sent as COPY or multi-row INSERT). Instants are stored as fixed-width
UTC ISO text (``2020-10-28T08:00:00.000000+00:00``), which sorts chronologically in
both databases; dates as ``YYYY-MM-DD``; lists and small records as JSON text.
"""

from __future__ import annotations

import json
import sqlite3
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Any

from eventsourcing.persistence import (
    InfrastructureFactory,
    IntegrityError,
    OperationalError,
    ProgrammingError,
    Tracking,
)
from eventsourcing.sqlite import SQLiteTrackingRecorder

from domain.storage import Add as Add  # re-exported: the views' modules import them from here
from domain.storage import Batch, Storage, byte_order, is_postgres, lock_ddl, open_factory
from domain.storage import marks as marks

SCHEMA_VERSION = "1"
TRACKING_NAME = "views"

TABLES: dict[str, list[str]] = {
    "view_meta": [
        "CREATE TABLE IF NOT EXISTS view_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ],
    "view_cities": [
        "CREATE TABLE IF NOT EXISTS view_cities ("
        " id TEXT PRIMARY KEY, name TEXT NOT NULL, local_name TEXT, country TEXT NOT NULL, region TEXT NOT NULL,"
        " timezone TEXT NOT NULL, population BIGINT, description TEXT, working_hours TEXT,"
        " themes_offered TEXT NOT NULL, themes_sought TEXT NOT NULL, status TEXT NOT NULL,"
        " sort_key TEXT NOT NULL, search TEXT NOT NULL, registered_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
        " version INTEGER NOT NULL, position BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS view_cities_by_name ON view_cities (sort_key, id)",
        "CREATE INDEX IF NOT EXISTS view_cities_by_region ON view_cities (region, sort_key, id)",
        "CREATE INDEX IF NOT EXISTS view_cities_by_status ON view_cities (status, sort_key, id)",
    ],
    "view_city_themes": [
        "CREATE TABLE IF NOT EXISTS view_city_themes ("
        " city_id TEXT NOT NULL, direction TEXT NOT NULL, theme TEXT NOT NULL,"
        " PRIMARY KEY (city_id, direction, theme))",
        "CREATE INDEX IF NOT EXISTS view_city_themes_by_theme ON view_city_themes (theme, city_id)",
    ],
    "view_stakeholders": [
        "CREATE TABLE IF NOT EXISTS view_stakeholders ("
        " city_id TEXT NOT NULL, stakeholder_id TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,"
        " themes TEXT NOT NULL, position BIGINT NOT NULL, PRIMARY KEY (city_id, stakeholder_id))",
    ],
    "view_partnerships": [
        "CREATE TABLE IF NOT EXISTS view_partnerships ("
        " id TEXT PRIMARY KEY, title TEXT NOT NULL, proposer_city_id TEXT NOT NULL, status TEXT NOT NULL,"
        " themes TEXT NOT NULL, description TEXT, action_plan TEXT, outcome TEXT, closing_reason TEXT,"
        " proposed_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL, position BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS view_partnerships_by_position ON view_partnerships (position)",
        "CREATE INDEX IF NOT EXISTS view_partnerships_by_status ON view_partnerships (status, position)",
        "CREATE INDEX IF NOT EXISTS view_partnerships_by_proposer ON view_partnerships (proposer_city_id, position)",
    ],
    "view_partnership_themes": [
        "CREATE TABLE IF NOT EXISTS view_partnership_themes ("
        " partnership_id TEXT NOT NULL, theme TEXT NOT NULL, PRIMARY KEY (partnership_id, theme))",
        "CREATE INDEX IF NOT EXISTS view_partnership_themes_by_theme ON view_partnership_themes (theme, partnership_id)",
    ],
    "view_invitations": [
        "CREATE TABLE IF NOT EXISTS view_invitations ("
        " partnership_id TEXT NOT NULL, city_id TEXT NOT NULL, status TEXT NOT NULL, invited_at TEXT NOT NULL,"
        " answered_at TEXT, reason TEXT, response_hours DOUBLE PRECISION, position BIGINT NOT NULL, ordinal INTEGER NOT NULL,"
        " PRIMARY KEY (partnership_id, city_id))",
        "CREATE INDEX IF NOT EXISTS view_invitations_by_city ON view_invitations (city_id, status, position)",
    ],
    "view_meetings": [
        "CREATE TABLE IF NOT EXISTS view_meetings ("
        " id TEXT PRIMARY KEY, title TEXT NOT NULL, kind TEXT NOT NULL, starts_at TEXT NOT NULL, ends_at TEXT NOT NULL,"
        " duration_minutes INTEGER NOT NULL, status TEXT NOT NULL, partnership_id TEXT, location TEXT, url TEXT,"
        " organiser_id TEXT, sequence INTEGER NOT NULL, attendance INTEGER, summary TEXT, cancel_reason TEXT,"
        " scheduled_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL, position BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS view_meetings_by_start ON view_meetings (starts_at, id)",
        "CREATE INDEX IF NOT EXISTS view_meetings_by_organiser ON view_meetings (organiser_id, starts_at, id)",
        "CREATE INDEX IF NOT EXISTS view_meetings_by_status ON view_meetings (status, starts_at)",
    ],
    "view_meeting_cities": [
        "CREATE TABLE IF NOT EXISTS view_meeting_cities ("
        " meeting_id TEXT NOT NULL, city_id TEXT NOT NULL, starts_at TEXT NOT NULL, attended INTEGER,"
        " position BIGINT NOT NULL, ordinal INTEGER NOT NULL, PRIMARY KEY (meeting_id, city_id))",
        "CREATE INDEX IF NOT EXISTS view_meeting_cities_by_city ON view_meeting_cities (city_id, starts_at, meeting_id)",
    ],
    "view_agreements": [
        "CREATE TABLE IF NOT EXISTS view_agreements ("
        " id TEXT PRIMARY KEY, title TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, parties TEXT NOT NULL,"
        " topics TEXT NOT NULL, partnership_id TEXT, in_force_on TEXT, terminated_on TEXT, termination_reason TEXT,"
        " drafted_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL, position BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS view_agreements_by_position ON view_agreements (position)",
        "CREATE INDEX IF NOT EXISTS view_agreements_by_status ON view_agreements (status, position)",
        "CREATE INDEX IF NOT EXISTS view_agreements_by_partnership ON view_agreements (partnership_id, position)",
    ],
    "view_agreement_cities": [
        "CREATE TABLE IF NOT EXISTS view_agreement_cities ("
        " agreement_id TEXT NOT NULL, city_id TEXT NOT NULL, PRIMARY KEY (agreement_id, city_id))",
        "CREATE INDEX IF NOT EXISTS view_agreement_cities_by_city ON view_agreement_cities (city_id, agreement_id)",
    ],
    "view_projects": [
        "CREATE TABLE IF NOT EXISTS view_projects ("
        " id TEXT PRIMARY KEY, title TEXT NOT NULL, partnership_id TEXT NOT NULL, status TEXT NOT NULL,"
        " themes TEXT NOT NULL, member_city_ids TEXT NOT NULL, description TEXT, summary TEXT,"
        " launched_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL, position BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS view_projects_by_position ON view_projects (position)",
        "CREATE INDEX IF NOT EXISTS view_projects_by_status ON view_projects (status, position)",
        "CREATE INDEX IF NOT EXISTS view_projects_by_partnership ON view_projects (partnership_id, position)",
    ],
    "view_project_cities": [
        "CREATE TABLE IF NOT EXISTS view_project_cities ("
        " project_id TEXT NOT NULL, city_id TEXT NOT NULL, PRIMARY KEY (project_id, city_id))",
        "CREATE INDEX IF NOT EXISTS view_project_cities_by_city ON view_project_cities (city_id, project_id)",
    ],
    "view_project_themes": [
        "CREATE TABLE IF NOT EXISTS view_project_themes ("
        " project_id TEXT NOT NULL, theme TEXT NOT NULL, PRIMARY KEY (project_id, theme))",
        "CREATE INDEX IF NOT EXISTS view_project_themes_by_theme ON view_project_themes (theme, project_id)",
    ],
    "view_milestones": [
        "CREATE TABLE IF NOT EXISTS view_milestones ("
        " project_id TEXT NOT NULL, milestone_id TEXT NOT NULL, title TEXT NOT NULL, due_on TEXT NOT NULL,"
        " status TEXT NOT NULL, achieved_on TEXT, note TEXT, position BIGINT NOT NULL, updated_position BIGINT NOT NULL,"
        " PRIMARY KEY (project_id, milestone_id))",
        "CREATE INDEX IF NOT EXISTS view_milestones_by_status ON view_milestones (status, due_on)",
    ],
    "view_timeline": [
        "CREATE TABLE IF NOT EXISTS view_timeline ("
        " city_id TEXT NOT NULL, position BIGINT NOT NULL, type TEXT NOT NULL, subject_kind TEXT NOT NULL,"
        " subject_id TEXT NOT NULL, summary TEXT NOT NULL, actor TEXT, recorded_at TEXT NOT NULL, data TEXT NOT NULL,"
        " PRIMARY KEY (city_id, position))",
    ],
    "view_inbox": [
        "CREATE TABLE IF NOT EXISTS view_inbox ("
        " id TEXT PRIMARY KEY, recipient_id TEXT NOT NULL, kind TEXT NOT NULL, subject_kind TEXT, subject_id TEXT,"
        " title TEXT NOT NULL, body TEXT NOT NULL, channels TEXT NOT NULL, sent_at TEXT NOT NULL,"
        " position BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS view_inbox_by_recipient ON view_inbox (recipient_id, position)",
    ],
}
# The primary key of each table (the held rows of ``Db`` are keyed by it).
KEYS: dict[str, tuple[str, ...]] = {
    "view_meta": ("key",),
    "view_cities": ("id",),
    "view_city_themes": ("city_id", "direction", "theme"),
    "view_stakeholders": ("city_id", "stakeholder_id"),
    "view_partnerships": ("id",),
    "view_partnership_themes": ("partnership_id", "theme"),
    "view_invitations": ("partnership_id", "city_id"),
    "view_meetings": ("id",),
    "view_meeting_cities": ("meeting_id", "city_id"),
    "view_agreements": ("id",),
    "view_agreement_cities": ("agreement_id", "city_id"),
    "view_projects": ("id",),
    "view_project_cities": ("project_id", "city_id"),
    "view_project_themes": ("project_id", "theme"),
    "view_milestones": ("project_id", "milestone_id"),
    "view_timeline": ("city_id", "position"),
    "view_inbox": ("id",),
}
# Every table the follower fills (view_meta holds the schema version, not rows of the log).
ROW_TABLES = tuple(name for name in TABLES if name != "view_meta")


# -- value encoding -------------------------------------------------------------------------

_last_instant: tuple[Any, str] = (None, "")


def instant(value: datetime) -> str:
    """A tz-aware instant as fixed-width UTC text, so text order is time order."""
    global _last_instant
    last = _last_instant  # one event's timestamp is asked for several times in a row
    if value is last[0]:
        return last[1]
    text = value.astimezone(UTC).isoformat(timespec="microseconds")
    _last_instant = (value, text)
    return text


def parse_instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def parse_day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _json_default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value)
    return str(value)


_encode = json.JSONEncoder(default=_json_default, ensure_ascii=False, separators=(",", ":")).encode


def dump(value: Any) -> str:
    return _encode(value)


def load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def fold(text: str | None) -> str:
    """Unicode-safe case folding for search and sorting (Málaga ≡ MÁLAGA ≡ ma\u0301laga)."""
    if not text:
        return ""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFKC", text).casefold())


def sort_key(name: str | None) -> str:
    """Order names as people expect: accents second (Liuzhou < Málaga < Mannheim), then exact spelling."""
    folded = fold(name)
    base = "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))
    return f"{base}\x1f{folded}"


# -- the cursor: held writes keyed by each table's primary key (domain.storage.Batch) -----------


class Db(Batch):
    KEYS = KEYS


# -- the recorders ------------------------------------------------------------------------


class _ViewTables:
    """Shared by both dialects: creates (and on a schema change, recreates) the view tables."""

    datastore: Any
    postgres = False

    @cached_property
    def storage(self) -> Storage:
        return Storage(self.datastore)

    @contextmanager
    def db(self, *, commit: bool) -> Iterator[Db]:
        with self.storage.transaction(commit=commit, db=Db) as db:
            yield db

    def create_table(self) -> None:
        # Two processes starting at once (web and projector) may race to create the tables
        # and the library's first tracking row; the loser finds them made on a second try.
        for attempt in range(3):
            try:
                super().create_table()  # the library's tracking table
                self._create_and_check_version()
                return
            except (IntegrityError, OperationalError, ProgrammingError):
                if attempt == 2:
                    raise
                time.sleep(0.1 * (attempt + 1))

    def _create_and_check_version(self) -> None:
        with self.db(commit=True) as db:
            lock_ddl(db, "twinning-views-ddl")
            self._create_view_tables(db)
            version = db.scalar("SELECT value FROM view_meta WHERE key = ?", ("schema_version",))
            if version is None:
                db.run("INSERT INTO view_meta (key, value) VALUES (?, ?)", ("schema_version", SCHEMA_VERSION))
            elif version != SCHEMA_VERSION:
                # The view's shape changed: drop and recreate, and forget the position so
                # the follower replays the log into the new tables.
                self.reset(db)

    def reset(self, db: Db) -> None:
        """Drop and recreate every view table and forget how far the view had read (one transaction)."""
        for table in ROW_TABLES:
            db.run(f"DROP TABLE IF EXISTS {table}")
        self._create_view_tables(db)
        self._delete_tracking(db, TRACKING_NAME)
        db.run("DELETE FROM view_meta WHERE key = ?", ("schema_version",))
        db.run("INSERT INTO view_meta (key, value) VALUES (?, ?)", ("schema_version", SCHEMA_VERSION))

    @staticmethod
    def _create_view_tables(db: Db) -> None:
        for statements in TABLES.values():
            for statement in statements:
                db.run(byte_order(statement, db.postgres))

    def _delete_tracking(self, db: Db, name: str) -> None:
        raise NotImplementedError

    def record(self, db: Db, tracking: Tracking) -> None:
        self._insert_tracking(db.cursor, tracking)

    def advance(self, db: Db, tracking: Tracking, expected: int) -> bool:
        """Move the position from ``expected`` to the tracking's id; False (nothing done) if it is not at ``expected``.

        A compare-and-set: True means nobody else has recorded a position since ``expected``.
        """
        if not self.datastore.single_row_tracking:
            return False
        db.cursor.execute(self._advance_sql(), (tracking.notification_id, tracking.application_name, expected))
        return db.cursor.fetchone() is not None

    def _advance_sql(self) -> Any:
        return (
            "UPDATE tracking SET notification_id = ? WHERE application_name = ? AND notification_id = ?"
            " RETURNING notification_id"
        )


WRITER_CACHE_KIB = -65536  # SQLite's cache_size: negative means KiB
READER_CACHE_KIB = -2000  # SQLite's default


class SQLiteViewRecorder(_ViewTables, SQLiteTrackingRecorder):
    postgres = False

    @contextmanager
    def db(self, *, commit: bool) -> Iterator[Db]:
        with self.datastore.get_connection(commit=commit) as connection:
            if commit:
                # WAL with synchronous=NORMAL: a commit is atomic but may be lost on a power
                # failure. For a view that is harmless: its tracking row is lost with its rows,
                # and the follower processes those events again. (Outside the transaction:
                # SQLite refuses to change it inside one. The store's own connections keep FULL.)
                # A page cache of 64 MB while writing (the default 2 MB makes index inserts into
                # large tables re-read their pages; back to the default after, so that pooled
                # connections reading for the web stay small), and checkpoints after 16,000 WAL
                # pages rather than 1,000, so a catch-up of large batches does not checkpoint (and
                # sync) at every commit (the store's own writers still checkpoint at 1,000 pages).
                # Measured in bench/catch_up.py: together ~15-20% faster on 100,000 events.
                setup = connection.cursor()
                setup.execute("PRAGMA synchronous=NORMAL")
                setup.execute(f"PRAGMA cache_size={WRITER_CACHE_KIB}")
                setup.execute("PRAGMA wal_autocheckpoint=16000")
            try:
                with connection.transaction(commit=commit) as cursor:
                    yield Db(cursor, postgres=False)
            finally:
                if commit:
                    with suppress(sqlite3.Error):  # a broken connection must not hide the error at hand
                        connection.cursor().execute(f"PRAGMA cache_size={READER_CACHE_KIB}")

    def _delete_tracking(self, db: Db, name: str) -> None:
        db.run("DELETE FROM tracking WHERE application_name = ?", (name,))


def _postgres_recorder_class() -> type:
    from eventsourcing.postgres import PostgresTrackingRecorder
    from psycopg.sql import SQL, Identifier

    from domain.application.postgres import bounded

    class PostgresViewRecorder(_ViewTables, PostgresTrackingRecorder):
        postgres = True
        # the library retries 10 times, each try waiting the pool's timeout: minutes while the server is down
        max_tracking_id = bounded(PostgresTrackingRecorder.max_tracking_id)

        def _advance_sql(self) -> Any:
            return SQL(
                "UPDATE {}.{} SET notification_id = %s WHERE application_name = %s AND notification_id = %s"
                " RETURNING notification_id"
            ).format(Identifier(self.datastore.schema), Identifier(self.tracking_table_name))

        def _delete_tracking(self, db: Db, name: str) -> None:
            db.cursor.execute(
                SQL("DELETE FROM {}.{} WHERE application_name = %s").format(
                    Identifier(self.datastore.schema), Identifier(self.tracking_table_name)
                ),
                (name,),
            )

    return PostgresViewRecorder


def open_recorder(env: dict[str, str]) -> tuple[InfrastructureFactory, _ViewTables]:
    """The view recorder in the database the env names (keys may be prefixed ``VIEWS_``)."""
    factory = open_factory(TRACKING_NAME, env)
    postgres = is_postgres(factory.datastore)  # type: ignore[attr-defined]
    recorder_class = _postgres_recorder_class() if postgres else SQLiteViewRecorder
    return factory, factory.tracking_recorder(recorder_class)
