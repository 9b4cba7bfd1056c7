"""A first start on an empty Redis is not an alarm: the dispatcher arms the planned jobs and says
so at INFO. Only a queue that lost its marker after jobs were dispatched (Redis restarted empty)
is a warning."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from config.settings import persistence_env
from tests.support.workers import dispatch
from workers.dispatcher import ARMED_KEY, Dispatcher


def _open(programme, queue, database_url) -> Dispatcher:
    return Dispatcher.open(
        programme, queue, persistence_env(database_url), reminder_offsets=(timedelta(hours=1),), watch_queue=True
    )


def _dispatcher_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "workers.dispatcher"]


def test_a_first_start_on_an_empty_redis_logs_info_and_a_lost_queue_still_warns(cast, queue, database_url, caplog):
    cast.programme.schedule_meeting(
        cast.facilitator,
        "Rome and Yantai: kick-off",
        "online",
        datetime.now(UTC) + timedelta(days=3),
        60,
        [cast.city("rome"), cast.city("yantai")],
    )
    caplog.set_level(logging.INFO, logger="workers.dispatcher")
    first = _open(cast.programme, queue, database_url)
    try:
        dispatch(cast.programme, first)
    finally:
        first.close()
    assert queue.connection.exists(ARMED_KEY)
    records = _dispatcher_records(caplog)
    assert not [r for r in records if r.levelno >= logging.WARNING], [r.getMessage() for r in records]
    assert any(r.levelno == logging.INFO and "first start" in r.getMessage() for r in records)

    caplog.clear()
    queue.connection.flushdb()  # Redis restarted without its data, after jobs were dispatched
    again = _open(cast.programme, queue, database_url)
    try:
        again.position()
    finally:
        again.close()
    warned = [r for r in _dispatcher_records(caplog) if r.levelno == logging.WARNING]
    assert warned and "Redis restarted empty?" in warned[0].getMessage()
