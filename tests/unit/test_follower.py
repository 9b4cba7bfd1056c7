"""The follower on eventsourcing's in-memory store, with a small in-memory processor."""

from __future__ import annotations

import gc
import logging
import threading
import time
from contextlib import contextmanager

import pytest
from eventsourcing.persistence import IntegrityError, OperationalError, Tracking

from domain.application import Programme
from domain.followers import Follower, Processor

MEMORY = {"PERSISTENCE_MODULE": "eventsourcing.popo"}


class MemoryProcessor:
    """Keeps what it was given; its 'tracking table' refuses a position that is not ahead (like the library's)."""

    name = "memory"

    def __init__(self, fail_times: int = 0, error: type[Exception] = OperationalError) -> None:
        self.seen: list[tuple[int, str]] = []
        self.batches: list[int] = []
        self._position = 0
        self.fail_times = fail_times
        self.error = error

    def position(self) -> int:
        return self._position

    def process(self, batch, tracking: Tracking) -> None:
        if self.fail_times:
            self.fail_times -= 1
            raise self.error("the store is restarting")
        assert tracking.application_name == self.name
        assert tracking.notification_id == batch[-1][0]
        if tracking.notification_id <= self._position:
            raise IntegrityError("position already recorded")
        self.seen += [(position, type(event).__name__) for position, event in batch]
        self.batches.append(len(batch))
        self._position = tracking.notification_id


@pytest.fixture
def app():
    app = Programme(env=MEMORY)
    admin = app.ensure_admin("admin-token-for-follower-tests-" + "x" * 20)
    app.staff = app.authenticate(app.create_user(admin, "Facilitator", "f@iuc.example", "facilitator").token)
    for n in range(10):
        app.register_city(app.staff, f"City {n}", "IT", "Europe/Rome")
    yield app
    app.close()


def test_the_processor_protocol_is_what_views_and_dispatcher_implement():
    assert isinstance(MemoryProcessor(), Processor)


def test_run_once_processes_everything_in_batches_in_log_order(app):
    processor = MemoryProcessor()
    follower = Follower(app, processor, batch_size=4)
    head = app.recorder.max_notification_id()
    assert follower.lag() == head
    assert follower.run_once() == head
    assert [p for p, _ in processor.seen] == list(range(1, head + 1))
    assert all(size <= 4 for size in processor.batches)
    assert follower.lag() == 0
    assert follower.run_once() == 0

    app.register_city(app.staff, "Late city", "CN", "Asia/Shanghai")
    assert follower.lag() == 2  # the city and its name claim
    assert follower.run_once() == 2
    assert processor.seen[-2:] == [(head + 1, "CityRegistered"), (head + 2, "CityNameClaimed")]


class GappyRecorder:
    """The log as PostgreSQL can leave it: ids of rolled-back transactions never appear."""

    def __init__(self, recorder, missing: set[int]) -> None:
        self.recorder, self.missing = recorder, missing

    def select_notifications(self, start, limit, stop=None, topics=(), *, inclusive_of_start=True):
        found, start = [], start
        while len(found) < limit:
            page = self.recorder.select_notifications(
                start=start, limit=limit, stop=stop, topics=topics, inclusive_of_start=inclusive_of_start
            )
            found += [n for n in page if n.id not in self.missing]
            if len(page) < limit:
                break
            start, inclusive_of_start = page[-1].id, False
        return found[:limit]

    def max_notification_id(self):
        return self.recorder.max_notification_id()


class GappyApp:
    def __init__(self, app: Programme, missing: set[int]) -> None:
        self.recorder = GappyRecorder(app.recorder, missing)
        self.mapper = app.mapper


def test_gaps_in_notification_ids_do_not_stall_the_follower(app):
    head = app.recorder.max_notification_id()
    missing = {2, 3, 7, head}  # even the newest id may be a gap
    processor = MemoryProcessor()
    follower = Follower(GappyApp(app, missing), processor, batch_size=3)
    assert follower.run_once() == head - len(missing)
    assert [p for p, _ in processor.seen] == [n for n in range(1, head + 1) if n not in missing]
    assert processor.position() == head - 1
    assert follower.run_once() == 0  # and it does not wait for the missing ids


def test_a_position_recorded_by_another_follower_is_skipped_not_doubled(app):
    processor = MemoryProcessor()
    Follower(app, processor, batch_size=5).run_once()
    seen = list(processor.seen)
    stale = Follower(app, processor, batch_size=5)
    reads = []
    real = processor.position

    def position() -> int:  # the first read is stale: another follower committed right after it
        reads.append(1)
        return 0 if len(reads) == 1 else real()

    processor.position = position
    assert stale.run_once() == 0
    assert processor.seen == seen


def test_an_integrity_error_of_the_processor_itself_surfaces(app):
    processor = MemoryProcessor(fail_times=1, error=IntegrityError)
    with pytest.raises(IntegrityError):
        Follower(app, processor).run_once()


def test_run_retries_store_errors_with_backoff_and_never_dies(app, caplog):
    processor = MemoryProcessor(fail_times=2)
    follower = Follower(app, processor, batch_size=100, logger=logging.getLogger("test.follower"))
    stop = threading.Event()
    thread = threading.Thread(target=follower.run, args=(stop,), kwargs={"poll_interval": 0.01}, daemon=True)
    caplog.set_level(logging.INFO, logger="test.follower")
    thread.start()
    try:
        assert follower.wait_for(app.recorder.max_notification_id(), timeout=5)
        app.register_city(app.staff, "Followed city", "DE", "Europe/Berlin")
        assert follower.wait_for(app.recorder.max_notification_id(), timeout=5)  # it keeps polling
    finally:
        stop.set()
        thread.join(timeout=5)
    assert not thread.is_alive()
    assert [p for p, _ in processor.seen] == list(range(1, app.recorder.max_notification_id() + 1))
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2 and "store error" in warnings[0].getMessage()
    assert any("recovered" in r.getMessage() for r in caplog.records)


def test_run_survives_a_processor_bug_and_logs_it(app, caplog):
    processor = MemoryProcessor(fail_times=1, error=ValueError)
    follower = Follower(app, processor, logger=logging.getLogger("test.follower.bug"))
    stop = threading.Event()
    thread = threading.Thread(target=follower.run, args=(stop,), kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        assert follower.wait_for(app.recorder.max_notification_id(), timeout=5)
    finally:
        stop.set()
        thread.join(timeout=5)
    assert any(r.levelno == logging.ERROR and r.exc_info for r in caplog.records)


def test_wait_for_is_bounded(app, monkeypatch):
    follower = Follower(app, MemoryProcessor())
    started = time.monotonic()
    assert not follower.wait_for(1, timeout=0.05)
    assert time.monotonic() - started < 1
    monkeypatch.setattr("domain.followers.MAX_WAIT_SECONDS", 0.1)
    started = time.monotonic()
    assert not follower.wait_for(1, timeout=60)
    assert time.monotonic() - started < 1
    follower.run_once()
    assert follower.wait_for(app.recorder.max_notification_id(), timeout=0)


def test_batch_size_must_be_positive(app):
    with pytest.raises(ValueError):
        Follower(app, MemoryProcessor(), batch_size=0)


class CollectorWatcher(MemoryProcessor):
    """Notes whether Python's cycle collector was on while each batch was processed."""

    def __init__(self) -> None:
        super().__init__()
        self.collector_on: list[bool] = []

    def process(self, batch, tracking: Tracking) -> None:
        self.collector_on.append(gc.isenabled())
        super().process(batch, tracking)


def test_the_cycle_collector_waits_while_batches_are_processed_and_is_back_after(app):
    watcher = CollectorWatcher()
    assert gc.isenabled()
    assert Follower(app, watcher, batch_size=4).run_once() == app.recorder.max_notification_id()
    assert len(watcher.collector_on) > 1 and not any(watcher.collector_on)
    assert gc.isenabled()


def test_the_collector_gets_its_turn_between_long_stretches_of_a_catch_up(app, monkeypatch):
    from domain import collection

    monkeypatch.setattr("domain.followers.PAUSED_EVENTS", 8)
    between: list[bool] = []
    pause = collection.collector_paused

    @contextmanager
    def watched():
        between.append(gc.isenabled())  # the collector is on (it may run) before each stretch
        with pause():
            yield

    monkeypatch.setattr("domain.followers.collector_paused", watched)
    watcher = CollectorWatcher()
    Follower(app, watcher, batch_size=4).run_once()
    assert not any(watcher.collector_on)
    # two batches of four events to a stretch, the last stretch perhaps shorter
    assert len(between) == -(-len(watcher.batches) // 2) and len(between) > 1 and all(between)


def test_a_collector_the_host_switched_off_stays_off_and_a_failed_batch_gives_it_back(app):
    gc.disable()
    try:
        Follower(app, MemoryProcessor(), batch_size=4).run_once()
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(OperationalError):
        Follower(app, MemoryProcessor(fail_times=1)).run_once()
    assert gc.isenabled()


def test_two_followers_in_threads_do_not_end_each_others_pause(app):
    from domain.collection import collector_paused

    inside, release = threading.Event(), threading.Event()

    def hold() -> None:
        with collector_paused():
            inside.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert inside.wait(5)
        Follower(app, MemoryProcessor(), batch_size=4).run_once()  # pauses and resumes inside the other pause
        assert not gc.isenabled()
    finally:
        release.set()
        holder.join()
    assert gc.isenabled()
