"""The storage adapter on both stores: one SQL text, the schema, bulk writes, transactions, the DDL lock.

The cities of the programme are written as rows of a small table of our own, as the
views, the audit chain and the idempotency answers write theirs.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from eventsourcing.persistence import PersistenceError

from config.settings import persistence_env
from domain.storage import Batch, Db, Storage, byte_order, open_storage

CITIES = [
    {"id": "yantai", "name": "Yantai", "local_name": "烟台", "population": 7_000_000, "note": None},
    {"id": "liuzhou", "name": "Liuzhou", "local_name": "柳州", "population": None, "note": "100% river city"},
    {"id": "malaga", "name": "Málaga", "local_name": None, "population": 590_000, "note": "Costa del Sol"},
    {"id": "mannheim", "name": "Mannheim", "local_name": "Mannheim", "population": 315_000, "note": ""},
    {"id": "rome", "name": "Rome", "local_name": "Roma", "population": 2_750_000, "note": "it's ?-free"},
]
CREATE = (
    "CREATE TABLE IF NOT EXISTS {table} (id TEXT PRIMARY KEY, name TEXT NOT NULL, local_name TEXT,"
    " population BIGINT, note TEXT)"
)


class SmallChunks(Db):
    CHUNK_PARAMS = 7  # one row of five columns per INSERT statement: chunking is exercised


class CityBatch(Batch):
    KEYS = {"cities": ("id",), "cities_copy": ("id",)}


@pytest.fixture
def storage(database_url):
    opened = open_storage("STORAGE_TEST", persistence_env(database_url))
    yield opened
    opened.close()


def _create(storage: Storage, *tables: str) -> None:
    with storage.ddl("twinning-storage-test") as db:
        for table in tables:
            db.run(byte_order(CREATE.format(table=table), db.postgres))


def _rows(storage: Storage, table: str) -> list[dict]:
    with storage.transaction(commit=False) as db:
        return db.all(f"SELECT id, name, local_name, population, note FROM {table} ORDER BY id")


def test_one_sql_text_runs_on_both_stores_with_question_marks_and_percent_signs(storage):
    _create(storage, "cities")
    with storage.transaction(commit=True) as db:
        for city in CITIES:
            db.run("INSERT INTO cities (id, name, local_name, population, note) VALUES (?, ?, ?, ?, ?)", city.values())
    with storage.transaction(commit=False) as db:
        rivers = db.all("SELECT id, note FROM cities WHERE note LIKE '%river%' AND id <> ?", ("rome",))
        assert rivers == [{"id": "liuzhou", "note": "100% river city"}]
        assert db.one("SELECT name FROM cities WHERE local_name = ?", ("柳州",)) == {"name": "Liuzhou"}
        assert db.one("SELECT name FROM cities WHERE id = ?", ("chongqing",)) is None
        assert db.scalar("SELECT COUNT(*) AS n FROM cities WHERE population IS NULL") == 1
        assert db.tuples("SELECT id, population FROM cities WHERE id IN (?, ?) ORDER BY id", ("rome", "yantai")) == [
            ("rome", 2_750_000),
            ("yantai", 7_000_000),
        ]


def test_text_is_ordered_by_bytes_on_both_stores(storage):
    _create(storage, "cities")
    with storage.transaction(commit=True) as db:
        db.insert_rows("cities", CITIES)
        names = [row["name"] for row in db.all("SELECT name FROM cities ORDER BY name")]
    assert names == sorted(city["name"] for city in CITIES)  # Python's order is code-point order too
    assert names == ["Liuzhou", "Mannheim", "Málaga", "Rome", "Yantai"]


@pytest.mark.parametrize("how", ["bulk", "held"])
def test_bulk_writes_give_the_same_rows_as_one_insert_at_a_time(storage, how):
    """COPY on PostgreSQL (multi-row INSERT in pipeline mode), multi-row INSERT on SQLite: the same rows."""
    _create(storage, "cities", "cities_copy", "cities_one_by_one")
    with storage.transaction(commit=True) as db:
        for city in CITIES:
            db.run(
                "INSERT INTO cities_one_by_one (id, name, local_name, population, note) VALUES (?, ?, ?, ?, ?)",
                city.values(),
            )
    with storage.transaction(commit=True, db=SmallChunks) as db, db.pipeline():
        db.insert_rows("cities", CITIES)  # no COPY in pipeline mode: multi-row INSERTs on both stores
    if how == "bulk":
        with storage.transaction(commit=True) as db:
            db.insert_rows("cities_copy", CITIES)  # COPY on PostgreSQL
    else:
        with storage.transaction(commit=True, db=CityBatch) as batch:
            for city in CITIES:
                batch.insert("cities_copy", dict(city))
            batch.update("cities_copy", {"id": "malaga"}, {"note": "Costa del Sol"})  # held: changed in memory
            assert batch.held_row("cities_copy", id="rome")["local_name"] == "Roma"
            # a read naming the table sends the held rows first
            assert batch.scalar("SELECT COUNT(*) AS n FROM cities_copy") == len(CITIES)
    expected = sorted(CITIES, key=lambda city: city["id"])
    assert _rows(storage, "cities_one_by_one") == expected
    assert _rows(storage, "cities") == expected
    assert _rows(storage, "cities_copy") == expected


def test_a_transaction_that_raises_leaves_nothing(storage):
    _create(storage, "cities")

    class Interrupted(Exception):
        pass

    with pytest.raises(Interrupted), storage.transaction(commit=True, db=CityBatch) as batch:
        batch.run("INSERT INTO cities (id, name) VALUES (?, ?)", ("chongqing", "Chongqing"))
        batch.insert("cities", {"id": "yantai", "name": "Yantai", "local_name": None, "population": None, "note": None})
        batch.flush()
        raise Interrupted
    with pytest.raises(Interrupted), storage.ddl("twinning-storage-test") as db:
        db.run(CREATE.format(table="never_made"))
        db.insert_rows("cities", CITIES)
        raise Interrupted
    assert _rows(storage, "cities") == []
    with pytest.raises(PersistenceError), storage.transaction(commit=False) as db:  # the library's error
        db.run("SELECT id FROM never_made")


def test_each_postgresql_schema_keeps_its_own_tables(postgres_run, postgres_url):
    other = f"t_{uuid.uuid4().hex[:12]}"
    postgres_run.execute(f"CREATE SCHEMA {other}")
    rome_side = open_storage("STORAGE_TEST", persistence_env(postgres_url))
    yantai_side = open_storage("STORAGE_TEST", persistence_env(postgres_run.url(other)))
    try:
        assert rome_side.schema != yantai_side.schema == other
        for side, city in ((rome_side, CITIES[4]), (yantai_side, CITIES[0])):
            _create(side, "cities")
            with side.transaction(commit=True) as db:
                db.insert_rows("cities", [city])
        assert [row["id"] for row in _rows(rome_side, "cities")] == ["rome"]
        assert [row["id"] for row in _rows(yantai_side, "cities")] == ["yantai"]
    finally:
        rome_side.close()
        yantai_side.close()
        postgres_run.execute(f"DROP SCHEMA {other} CASCADE")


def test_the_ddl_lock_makes_concurrent_creators_go_one_after_the_other(database_url):
    """Two starters (each with its own pool, as two processes) create the same table and count themselves in."""
    starters = [open_storage("STORAGE_TEST", persistence_env(database_url)) for _ in range(2)]
    inside: list[tuple[float, float]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def start(storage: Storage, name: str) -> None:
        barrier.wait()
        try:
            with storage.ddl("twinning-storage-test") as db:
                entered = time.monotonic()
                db.run(
                    byte_order("CREATE TABLE IF NOT EXISTS starters (name TEXT PRIMARY KEY, n INTEGER)", db.postgres)
                )
                before = db.scalar("SELECT COUNT(*) AS n FROM starters")
                time.sleep(0.3)  # long enough for the other to collide, if nothing stopped it
                db.run("INSERT INTO starters (name, n) VALUES (?, ?)", (name, before + 1))
                inside.append((entered, time.monotonic()))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=start, args=(s, n)) for s, n in zip(starters, ("web", "projector"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    try:
        assert errors == []
        first, second = sorted(inside)
        assert first[1] <= second[0]  # the second came in after the first had committed
        with starters[0].transaction(commit=False) as db:
            assert sorted(row["n"] for row in db.all("SELECT n FROM starters")) == [1, 2]
    finally:
        for storage in starters:
            storage.close()
