"""Followers on PostgreSQL wake on the store's notification, and fall back to polling when it breaks.

Each test runs a projector (a ``Follower`` feeding the views) in a thread, as ``twinning
project`` does, and records commands while it runs. A poll interval of 30 s shows the
wake-up: a new city in the directory within a second or two can only have come from the
notification.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from config.settings import persistence_env
from domain import listener as listening
from domain.followers import Follower
from domain.views import Views
from tests.support.cast import Cast

LONG_POLL = 30.0
WOKEN_WITHIN = 2.0  # far below LONG_POLL, with room for a loaded machine


@pytest.fixture
def database_url(postgres_url):
    """These tests are about PostgreSQL's LISTEN/NOTIFY: SQLite has no notifications to wake on."""
    return postgres_url


@pytest.fixture
def views(database_url):
    views = Views(persistence_env(database_url))
    yield views
    views.close()


@contextmanager
def projector(cast: Cast, views: Views, poll_interval: float) -> Iterator[Follower]:
    follower = Follower(cast.programme, views, logger=logging.getLogger("test.projector"))
    stop = threading.Event()
    thread = threading.Thread(target=follower.run, args=(stop, poll_interval), daemon=True)
    thread.start()
    try:
        until(lambda: follower.listener is not None and follower.listener.listening, "the projector listens")
        until(lambda: views.position() == cast.programme.recorder.max_notification_id(), "the projector caught up")
        yield follower
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


def until(condition, what: str, timeout: float = 10.0) -> float:
    """Seconds until ``condition()`` held; fails after ``timeout``."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, f"{what}: not within {timeout} s"
        time.sleep(0.005)
    return time.monotonic() - started


def directory(views: Views) -> list[str]:
    return [city["name"] for city in views.cities(limit=100)["items"]]


def register(cast: Cast, name: str) -> int:
    """Register a city; the log position of its events."""
    cast.programme.register_city(cast.facilitator, name, "IT", "Europe/Rome")
    return cast.programme.recorder.max_notification_id()


def cut(postgres_run, pid: int) -> None:
    postgres_run.execute(f"SELECT pg_terminate_backend({int(pid)})")


def test_a_new_city_reaches_the_directory_on_the_notification_not_the_poll(cast, views):
    with projector(cast, views, poll_interval=LONG_POLL):
        for name in ("Turin", "Qingdao", "Heidelberg"):
            register(cast, name)
            took = until(lambda name=name: name in directory(views), f"{name} in the directory", timeout=LONG_POLL)
            assert took < WOKEN_WITHIN, f"{name} took {took:.2f} s: the projector slept instead of waking"


def test_a_cut_listening_connection_leaves_the_projector_polling(cast, views, postgres_run, monkeypatch, caplog):
    monkeypatch.setattr(listening, "RETRY_SECONDS", 600.0)  # no second LISTEN during this test
    caplog.set_level(logging.WARNING, logger="test.projector")
    with projector(cast, views, poll_interval=0.2) as follower:
        cut(postgres_run, follower.listener.backend_pid)
        until(lambda: not follower.listener.listening, "the listener noticed the cut")
        for name in ("Turin", "Qingdao"):
            register(cast, name)
            until(lambda name=name: name in directory(views), f"{name} in the directory, by polling")
        assert not follower.listener.listening
    assert any("listening on" in r.getMessage() and "failed" in r.getMessage() for r in caplog.records)


def test_after_a_cut_the_projector_listens_again_and_wakes_on_notifications(cast, views, postgres_run):
    with projector(cast, views, poll_interval=LONG_POLL) as follower:
        first = follower.listener.backend_pid
        cut(postgres_run, first)
        until(lambda: follower.listener.listening and follower.listener.backend_pid != first, "listening again")
        register(cast, "Turin")
        took = until(lambda: "Turin" in directory(views), "Turin in the directory", timeout=LONG_POLL)
        assert took < WOKEN_WITHIN


def test_two_projectors_woken_together_record_each_event_once(cast, views, database_url):
    other_views = Views(persistence_env(database_url))
    try:
        with projector(cast, views, poll_interval=LONG_POLL), projector(cast, other_views, poll_interval=LONG_POLL):
            for name in ("Turin", "Qingdao", "Heidelberg", "Wuhan"):
                head = register(cast, name)
                until(lambda head=head: views.position() >= head, f"{name} projected", timeout=WOKEN_WITHIN * 2)
        assert sorted(directory(views)).count("Turin") == 1
        assert len(directory(views)) == len(set(directory(views))) == len(cast.city_ids) + 4
    finally:
        other_views.close()
