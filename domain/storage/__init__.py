"""The one storage adapter for our own tables (views, audit chain, idempotency answers).

SQL is written once, SQLite-style, and runs on both databases; see ``sql`` (the cursor),
``batch`` (held writes sent as COPY or multi-row INSERT) and ``stores`` (transactions,
schema, DDL lock, on the datastore of eventsourcing that the env selects).
"""

from domain.storage import secure  # noqa: F401  (every SQLite connection overwrites what it deletes)
from domain.storage.batch import Add, Batch
from domain.storage.sql import Db, byte_order, for_dialect, marks
from domain.storage.stores import Storage, is_postgres, lock_ddl, open_factory, open_storage

__all__ = [
    "Add",
    "Batch",
    "Db",
    "Storage",
    "byte_order",
    "for_dialect",
    "is_postgres",
    "lock_ddl",
    "marks",
    "open_factory",
    "open_storage",
]
