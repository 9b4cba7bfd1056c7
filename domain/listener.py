"""Waking a follower as soon as events are recorded: PostgreSQL's LISTEN on the library's channel.

eventsourcing's PostgreSQL application recorder sends ``NOTIFY <channel>`` in every
transaction that inserts events (``channel_name``: the events table's name), and its
``subscribe()`` listens on that channel. A ``Follower`` does not use ``subscribe()``
itself: the subscription reads the log on its own (a second read of every event, and
one event at a time, where the views want batches of thousands), it keeps no tracking,
and it hands its listening connection back to the pool still listening, where psycopg
keeps every later notification in an unbounded backlog. So a ``LogListener`` listens
on the same channel with a connection from the recorder's pool (given back after
``UNLISTEN``), and only says "something was recorded"; the follower reads after its
tracked position as before, so batching and tracking stay what they were.

The listener is a wake-up, never the only way to notice new events: the follower still
polls at its poll interval, so a notification lost in a broken connection costs at most
one interval. A listening connection that breaks (the server restarted, or someone ran
``pg_terminate_backend``) is logged, closed, and tried again with a growing delay
(``RETRY_SECONDS`` doubling up to ``MAX_RETRY_SECONDS``); once LISTEN is back the
follower is woken, so events recorded while nobody listened are read at once. SQLite
and the in-memory store have no such channel (``subscribe()`` raises
NotImplementedError there): ``LogListener.open`` answers None and the follower polls.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

LISTEN_SLICE_SECONDS = 0.1  # how often the listening thread looks whether it should stop
RETRY_SECONDS = 0.5
MAX_RETRY_SECONDS = 30.0


class LogListener:
    """Wakes ``wait`` when the store notifies that events were recorded (or when ``stop`` is set)."""

    def __init__(self, datastore: Any, channel: str, stop: threading.Event, logger: logging.Logger) -> None:
        self.datastore = datastore
        self.channel = channel
        self.stop = stop
        self.logger = logger
        self.listening = False  # LISTEN is in force on a live connection
        self.backend_pid: int | None = None  # the listening connection's server process (for tests and logs)
        self._woken = threading.Event()
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None
        self._running = False  # the listening thread is connecting or listening (set False before it wakes us)
        self._failures = 0
        self._retry_at = 0.0

    @classmethod
    def open(cls, recorder: Any, stop: threading.Event, logger: logging.Logger) -> LogListener | None:
        """A listener for ``recorder``'s notification channel; None when the store has none (SQLite, memory)."""
        from eventsourcing.postgres import PostgresApplicationRecorder

        if not isinstance(recorder, PostgresApplicationRecorder):
            return None
        return cls(recorder.datastore, recorder.channel_name, stop, logger)

    def wait(self, timeout: float) -> None:
        """Until events are recorded, ``timeout`` has passed or ``stop`` is set; (re)starts listening when due."""
        if not self._running:
            now = time.monotonic()
            if now < self._retry_at:
                # Nobody would set ``_woken`` now: poll, and be back in time for the next attempt.
                self.stop.wait(min(timeout, self._retry_at - now))
                return
            self._start()
        self._woken.wait(timeout)
        self._woken.clear()

    def close(self) -> None:
        self._closed.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    # -- the listening thread ----------------------------------------------------------------

    def _start(self) -> None:
        self._running = True
        self._thread = threading.Thread(target=self._listen, name=f"listen-{self.channel}", daemon=True)
        self._thread.start()

    def _listen(self) -> None:
        from psycopg import sql

        try:
            with self.datastore.get_connection() as conn:
                try:
                    conn.execute(sql.SQL("LISTEN {0}").format(sql.Identifier(self.channel)))
                    self.backend_pid = conn.info.backend_pid
                    self.listening = True
                    self.logger.info(
                        "listening on %s for new events%s", self.channel, " again" if self._failures else ""
                    )
                    self._failures = 0
                    # Events recorded before LISTEN took effect sent no notification we could see.
                    self._woken.set()
                    while not (self.stop.is_set() or self._closed.is_set()):
                        for _ in conn.notifies(timeout=LISTEN_SLICE_SECONDS, stop_after=1):
                            self._woken.set()
                finally:
                    self.listening = False
                    self._unlisten(conn)
        except Exception as error:
            if not (self.stop.is_set() or self._closed.is_set()):
                self._failures += 1
                delay = min(MAX_RETRY_SECONDS, RETRY_SECONDS * 2 ** (self._failures - 1))
                self._retry_at = time.monotonic() + delay
                self.logger.warning(
                    "listening on %s failed (%s: %s); polling, listening again in %.1fs",
                    self.channel,
                    type(error).__name__,
                    str(error).strip().splitlines()[0][:200] if str(error).strip() else "",
                    delay,
                )
        finally:
            self.listening = False
            self._running = False
            self._woken.set()

    def _unlisten(self, conn: Any) -> None:
        # The connection goes back to the pool: it must not go on collecting notifications there
        # (see the module docstring). A broken one is dropped by the pool anyway.
        if conn.closed:
            return
        try:
            conn.execute("UNLISTEN *")
        except Exception:
            self.logger.debug("UNLISTEN failed; the pool will drop the connection", exc_info=True)
