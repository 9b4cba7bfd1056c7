"""SQLite for the Programme: writers of one database file queue on a lock, not in SQLite's busy sleeps.

SQLite lets one writer at a time into a database. A writer that finds the write lock
taken does not wait for it to be released: its busy handler sleeps (1, 2, 5, 10, … ms)
and tries again. Meanwhile eventsourcing's connection pool keeps the process's other
threads, readers included, queued behind that writer (it holds the pool's writer lock,
and the next writer holds the pool's fair-queue semaphore while waiting for it). With
gunicorn's workers and threads all writing (bench/http.py), commands hardly scaled.

``ProgrammeSQLiteFactory`` (used by ``ProgrammeBase.construct_factory`` for
``PERSISTENCE_MODULE=eventsourcing.sqlite``) keeps the library's recorders; the events'
recorder takes, around each insert, a lock of the process and an exclusive ``flock`` on
``<database>.writers`` shared by every process of this code, so that writers wait their
turn and are woken as soon as it comes. It is only a queue: SQLite's own locking still
decides, and a writer that does not take it (another program, the views' follower) is
merely back to the busy handler.
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteFactory


class WriteQueue:
    """An in-process lock, and a ``flock`` on ``<db>.writers`` for the processes (none for in-memory databases)."""

    def __init__(self, db_name: str) -> None:
        self.lock = threading.Lock()
        memory = not db_name or ":memory:" in db_name or "mode=memory" in db_name or db_name.startswith("file:")
        self.path = None if memory else db_name + ".writers"
        self.handle: TextIO | None = None

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self.lock:
            handle = self._handle()
            if handle is None:
                yield
                return
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _handle(self) -> TextIO | None:
        if self.handle is None and self.path is not None:
            try:
                self.handle = open(self.path, "a")
            except OSError:  # a read-only directory: no queue, SQLite's busy handler as before
                self.path = None
        return self.handle

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


class ProgrammeSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    """The events' recorder: each insert waits its turn in the database's write queue."""

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        with self.datastore.write_queue.turn():
            return super().insert_events(stored_events, **kwargs)


class ProgrammeSQLiteFactory(SQLiteFactory):
    application_recorder_class = ProgrammeSQLiteApplicationRecorder

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        self.datastore.write_queue = WriteQueue(self.datastore.pool.db_name)

    def close(self) -> None:
        self.datastore.write_queue.close()
        super().close()
