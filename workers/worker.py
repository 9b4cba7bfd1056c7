"""Queues and the embedded worker.

Production runs ``rq worker --with-scheduler twinning`` (jobs then build their context
from the environment). The embedded mode runs, in threads of the web process, a
``ThreadWorker`` (a SimpleWorker with a timer death penalty and no signal handlers)
and a scheduler loop (RQ's scheduler forks a process, which cannot see an in-process
Redis stand-in, so ``RQScheduler`` is driven from a thread instead).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from redis import Redis
from rq import Queue, SimpleWorker
from rq.scheduler import RQScheduler
from rq.timeouts import TimerDeathPenalty

from workers.scheduling import QUEUE_NAME

log = logging.getLogger(__name__)


def redis_connection(url: str) -> Redis:
    return Redis.from_url(url)


def make_queue(connection: Redis | str, name: str = QUEUE_NAME) -> Queue:
    """The ``twinning`` queue on a Redis client or URL (``redis://host:port/db``)."""
    if isinstance(connection, str):
        connection = redis_connection(connection)
    return Queue(name, connection=connection)


class ThreadWorker(SimpleWorker):
    """A worker that can run in a thread: jobs run in it, timeouts by timer, no signal handlers."""

    death_penalty_class = TimerDeathPenalty
    idle_poll_seconds = 1

    def _install_signal_handlers(self) -> None:
        pass

    def dequeue_job_and_maintain_ttl(self, timeout: int | None, max_idle_time: int | None = None):
        """Wait for a job in short slices, so a stop request (no signals in a thread) is seen within
        ``idle_poll_seconds``; answers None once stopped, which ends ``work()``."""
        while not self._stop_requested:
            if timeout is None or max_idle_time is not None:
                return super().dequeue_job_and_maintain_ttl(timeout, max_idle_time)
            result = super().dequeue_job_and_maintain_ttl(timeout, self.idle_poll_seconds)
            if result is not None:
                return result
        return None

    def request_stop_soon(self) -> None:
        """Stop after the job at hand (if any): the thread-safe counterpart of a SIGTERM."""
        self._stop_requested = True


def run_scheduler(queues: list[Queue], connection: Redis, stop: threading.Event, interval: float = 1.0) -> None:
    """Move due scheduled jobs (``enqueue_at``, retries with intervals) onto their queues until ``stop``."""
    scheduler = RQScheduler(queues, connection=connection, interval=max(1, int(interval)))
    try:
        while not stop.is_set():
            try:
                if scheduler.acquire_locks():
                    scheduler.enqueue_scheduled_jobs()
            except Exception:
                log.exception("scheduler tick failed")
            stop.wait(interval)
    finally:
        try:
            scheduler.release_locks()
        except Exception:
            log.debug("could not release scheduler locks", exc_info=True)


class EmbeddedWorker:
    """A worker thread and a scheduler thread on one queue; ``start()`` then ``stop()``."""

    def __init__(self, queue: Queue, scheduler_interval: float = 1.0, **worker_options: Any) -> None:
        self.queue = queue
        self.scheduler_interval = scheduler_interval
        self.worker = ThreadWorker([queue], connection=queue.connection, **worker_options)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> EmbeddedWorker:
        self._stop.clear()
        self._threads = [
            threading.Thread(target=self._work, name="twinning-worker", daemon=True),
            threading.Thread(
                target=run_scheduler,
                name="twinning-scheduler",
                daemon=True,
                args=([self.queue], self.queue.connection, self._stop, self.scheduler_interval),
            ),
        ]
        for thread in self._threads:
            thread.start()
        return self

    def _work(self) -> None:
        while not self._stop.is_set():
            try:
                self.worker.work(burst=False, with_scheduler=False, logging_level="WARNING")
            except Exception:
                log.exception("embedded worker stopped on an error; restarting")
            if not self._stop.is_set():
                self._stop.wait(1)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self.worker.request_stop_soon()
        for thread in self._threads:
            thread.join(timeout)
