"""Queues, the production worker class and the embedded worker.

Production runs ``rq worker --worker-class workers.worker.Worker --with-scheduler twinning``
(jobs then build their context from the environment). ``Worker`` is RQ's forking worker with
the project's logging (config/logging.py: time, level, logger and the job id on every line)
and a scheduler that dies with it: RQ forks the scheduler as a child process which, when the
worker is killed with SIGKILL, would live on as an orphan holding the process manager's pipe
(so honcho never sees the death) and the scheduler lock (so no new worker can schedule). The embedded mode runs, in threads of the web process, a
``ThreadWorker`` (a SimpleWorker with a timer death penalty and no signal handlers)
and a scheduler loop (RQ's scheduler forks a process, which cannot see an in-process
Redis stand-in, so ``RQScheduler`` is driven from a thread instead).
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
from typing import Any

from redis import Redis
from rq import Queue, SimpleWorker
from rq import Worker as ForkingWorker
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


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent_pid: int, signum: int = signal.SIGTERM) -> None:
    """Ask the kernel for ``signum`` when the parent dies (Linux); if it is already gone, now."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0)
        except (OSError, AttributeError):
            log.debug("prctl(PR_SET_PDEATHSIG) unavailable; the scheduler polls its parent instead")
    if os.getppid() != parent_pid:  # died between the fork and the prctl
        os.kill(os.getpid(), signum)


class Scheduler(RQScheduler):
    """RQ's scheduler process, stopped (its locks released) when the worker that forked it dies.

    SIGTERM rather than SIGKILL: the scheduler's own handler then stops it after the tick at hand
    and releases the scheduler lock, so the next worker takes it at once rather than after the
    lock's time to live. The parent check on every heartbeat covers systems without prctl."""

    _parent_pid = 0

    def start(self):
        self._parent_pid = os.getpid()
        return super().start()

    def _install_signal_handlers(self) -> None:
        super()._install_signal_handlers()
        if self._parent_pid:
            die_with_parent(self._parent_pid)

    def heartbeat(self) -> None:
        if self._parent_pid and os.getppid() != self._parent_pid:
            self.log.warning("scheduler: its worker (pid %d) is gone; stopping", self._parent_pid)
            self.request_stop()
        super().heartbeat()


class Worker(ForkingWorker):
    """``rq worker --worker-class workers.worker.Worker``: the project's log lines, a scheduler that dies with it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from config.logging import configure_logging  # an entry point: the rq command line builds this class
        from config.settings import Settings, SettingsError

        try:  # a bad configuration in one line, before RQ registers the worker
            Settings.from_env()
        except SettingsError as error:
            sys.stderr.write(f"twinning worker: {error}\n")
            raise SystemExit(1) from None
        level = os.environ.get("TWINNING_LOG_LEVEL", "INFO").upper()
        configure_logging(level)
        # RQ's own job lines ("… started", "Successfully completed …") are this process's story.
        logging.getLogger("rq.worker").setLevel(level)
        # Every job runs in a work horse forked from here: imported once here, the jobs and the
        # domain they load are already in each horse instead of being imported again per job.
        import workers.jobs  # noqa: F401

        super().__init__(*args, **kwargs)

    def execute_job(self, job: Any, queue: Queue) -> Any:
        from config.logging import request_id

        token = request_id.set(job.id)  # the work horse is forked from here and inherits it
        try:
            return super().execute_job(job, queue)
        finally:
            request_id.reset(token)

    def _start_scheduler(self, burst: bool = False, logging_level: str | None = "INFO", *args: Any, **kwargs: Any):
        """RQ's ``_start_scheduler`` with ``Scheduler`` (the lock taken here, the process forked by ``start``)."""
        self.scheduler = Scheduler(
            self.queues,
            connection=self.connection,
            logging_level=logging_level if logging_level is not None else self.log.level,
            serializer=self.serializer,
        )
        self.scheduler.acquire_locks()
        if not self.scheduler.acquired_locks:
            return
        if burst:
            try:
                self.scheduler.register_birth()
                self.scheduler.enqueue_scheduled_jobs()
            finally:
                self.scheduler.release_locks()
                self.scheduler.register_death()
        else:
            self.scheduler.start()


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
