"""The listener's fallback: with no connection to listen on, it lets the follower poll and tries again later."""

from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager

import pytest
from eventsourcing.persistence import OperationalError

from domain import listener as listening
from domain.application import Programme
from domain.listener import LogListener


class UnreachableStore:
    """A datastore whose server is away: every connection attempt fails, and is counted."""

    def __init__(self) -> None:
        self.attempts: list[float] = []

    @contextmanager
    def get_connection(self):
        self.attempts.append(time.monotonic())
        raise OperationalError("connection refused")
        yield  # pragma: no cover - never reached


@pytest.fixture
def quick_retries(monkeypatch):
    monkeypatch.setattr(listening, "RETRY_SECONDS", 0.05)
    monkeypatch.setattr(listening, "MAX_RETRY_SECONDS", 0.2)


def test_stores_without_notifications_get_no_listener():
    app = Programme(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    try:
        assert LogListener.open(app.recorder, threading.Event(), logging.getLogger("test")) is None
    finally:
        app.close()


def test_an_unreachable_store_is_tried_again_with_growing_delays(quick_retries, caplog):
    store, stop = UnreachableStore(), threading.Event()
    listener = LogListener(store, "stored_events", stop, logging.getLogger("test.listener"))
    caplog.set_level(logging.WARNING, logger="test.listener")
    deadline = time.monotonic() + 5
    while len(store.attempts) < 5 and time.monotonic() < deadline:
        listener.wait(1.0)  # the follower's idle wait: it never hangs on a listener that cannot listen
    listener.close()
    assert len(store.attempts) >= 5
    assert not listener.listening
    gaps = [later - earlier for earlier, later in zip(store.attempts, store.attempts[1:])]
    assert gaps[0] >= 0.04 and gaps[1] >= 0.09  # 0.05 s, then 0.1 s ...
    assert max(gaps) < 0.5  # ... capped at MAX_RETRY_SECONDS (0.2 s), never the follower's poll interval
    assert sum("listening on stored_events failed" in r.getMessage() for r in caplog.records) == len(store.attempts)


def test_a_stop_ends_the_wait_between_attempts(quick_retries, monkeypatch):
    monkeypatch.setattr(listening, "RETRY_SECONDS", 60.0)
    monkeypatch.setattr(listening, "MAX_RETRY_SECONDS", 60.0)
    store, stop = UnreachableStore(), threading.Event()
    listener = LogListener(store, "stored_events", stop, logging.getLogger("test.listener"))
    listener.wait(1.0)  # the first attempt fails; the next is a minute away
    threading.Timer(0.1, stop.set).start()
    started = time.monotonic()
    listener.wait(30.0)
    assert time.monotonic() - started < 5
    assert len(store.attempts) == 1
    listener.close()
