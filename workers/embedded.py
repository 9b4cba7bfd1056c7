"""The embedded mode's background work: followers and an RQ worker in threads of one process.

``twinning serve`` runs the web app and, through ``EmbeddedRuntime``, everything the
production Procfile runs as separate processes, as threads of the same process:

* the projector: ``domain.followers.Follower`` feeding the ``Views``, and another
  following the log into the audit hash chain (``domain.audit``), as ``twinning project`` does;
* the dispatcher, following the log as ``twinning dispatch`` does (the same
  ``follow_dispatch`` of the bootstrap), enqueueing the same jobs with the same ids;
* an RQ worker and a scheduler loop (``workers.worker.EmbeddedWorker``) running the
  same ``workers.jobs`` functions as ``rq worker --with-scheduler``.

All of it runs on what ``web.bootstrap`` built (``bootstrap(settings, embedded=True)``):
the Programme, the Views, the audit chain and the queue, whose Redis is an in-process
stand-in (``fakeredis`` with Lua, one ``FakeServer`` per bootstrap, shared by the web
app's admin endpoints and the worker) unless ``REDIS_URL`` names a real Redis. An
in-process Redis starts empty, so on ``start()`` the jobs of events the dispatcher had
already processed are put back (``workers.dispatcher.rearm``): after a clean stop (the queue was drained, a marker file says so) only the jobs planned for a
time — reminders, nudges, milestone and agreement notices; after a crash also the
at-once jobs of the last week's events, which may have been waiting in the lost queue.
Notifications are deduplicated by key, so putting a job back never sends anything twice.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from workers.context import JobContext, build_context, install_context
from workers.dispatcher import Rearmed
from workers.scheduling import RETRY_MAX
from workers.worker import EmbeddedWorker

if TYPE_CHECKING:
    from rq import Queue

    from config.settings import Settings
    from domain.application import Programme
    from domain.followers import Follower

log = logging.getLogger("twinning.embedded")
MARKER = "embedded-queue.json"
T = TypeVar("T")


class Wiring(Protocol):
    """What the runtime runs on: ``web.bootstrap.Twinning`` built with ``embedded=True`` (named here
    by what it offers, since workers do not import the web layer)."""

    settings: Settings
    programme: Programme

    @property
    def queue(self) -> Queue: ...

    def projectors(self) -> list[Follower]: ...

    def rearm(self, *, immediate: bool = False) -> Rearmed: ...

    def dispatcher_position(self) -> int: ...

    def follow_dispatch(self, stop: threading.Event, poll_interval: float, logger: logging.Logger) -> None: ...


@dataclass
class StopReport:
    drained: bool
    dispatcher_position: int
    left_in_queue: int


class EmbeddedRuntime:
    """Projector, dispatcher, RQ worker and scheduler in threads; ``start()``, then ``stop()`` once.

    What it runs on (``twinning``) belongs to the caller, who closes it after ``stop()``.
    """

    def __init__(
        self,
        twinning: Wiring,
        *,
        poll_interval: float = 0.2,
        scheduler_interval: float = 0.5,
        state_dir: Path | None = None,
    ) -> None:
        self.twinning = twinning
        self.settings = twinning.settings
        self.queue = twinning.queue
        self.poll_interval = poll_interval
        self.state_dir = Path(state_dir or self.settings.var_dir)
        self.rearmed: Rearmed | None = None
        self.worker = EmbeddedWorker(self.queue, scheduler_interval=scheduler_interval)
        self._stop_dispatcher = threading.Event()
        self._stop_projector = threading.Event()
        self._threads: dict[str, threading.Thread] = {}
        self._previous_context: JobContext | None = None

    @property
    def marker_path(self) -> Path:
        return self.state_dir / MARKER

    # -- starting ----------------------------------------------------------------------------

    def start(self) -> EmbeddedRuntime:
        self._previous_context = install_context(build_context(self.settings, programme=self.twinning.programme))
        clean = self._take_marker()
        self.rearmed = self._rearm(immediate=not clean)
        self.worker.start()
        views, chain = self.twinning.projectors()
        self._thread("twinning-projector", lambda: views.run(self._stop_projector, poll_interval=self.poll_interval))
        self._thread("twinning-audit-chain", lambda: chain.run(self._stop_projector, poll_interval=self.poll_interval))
        self._thread("twinning-dispatcher", self._dispatch)
        return self

    def _thread(self, name: str, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._threads[name] = thread
        thread.start()

    def _dispatch(self) -> None:
        self.twinning.follow_dispatch(
            self._stop_dispatcher, self.poll_interval, logging.getLogger("twinning.dispatcher")
        )

    def _rearm(self, immediate: bool) -> Rearmed:
        if not immediate:
            log.info("the last stop was clean: re-arming the jobs planned for later")
        elif self._dispatcher_position() > 0:
            log.warning("the last stop was not clean (or is unknown): re-arming at-once jobs of recent events too")
        return self.twinning.rearm(immediate=immediate)

    def _take_marker(self) -> bool:
        """True if the last run stopped cleanly with a drained queue at the dispatcher's current position.
        The marker is removed, so a crash of this run leaves none."""
        try:
            state = json.loads(self.marker_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        try:
            self.marker_path.unlink()
        except OSError:
            pass
        current = self._dispatcher_position()
        if current < 0:
            return False  # unknown means not clean
        return bool(state.get("drained")) and state.get("dispatcher_position") == current

    # -- stopping ----------------------------------------------------------------------------

    def stop(self, drain_timeout: float = 10.0, join_timeout: float = 15.0) -> StopReport:
        """Stop the dispatcher, let the worker finish what is queued (at most ``drain_timeout``),
        stop the worker and the projector, and leave a marker saying whether the queue was drained."""
        self._stop_dispatcher.set()
        self._join("twinning-dispatcher", join_timeout)
        drained = self._drain(drain_timeout)
        left = self._safe(lambda: self.queue.count, -1)
        self.worker.stop(join_timeout)
        self._stop_projector.set()
        self._join("twinning-projector", join_timeout)
        self._join("twinning-audit-chain", join_timeout)
        position = self._dispatcher_position()
        report = StopReport(drained=drained, dispatcher_position=position, left_in_queue=left)
        if drained and position >= 0:
            self._write_marker(position)
        else:
            log.warning(
                "stopped with %s job(s) left in the in-process queue; they are re-armed on the next start", left
            )
        install_context(self._previous_context)
        return report

    def _join(self, name: str, timeout: float) -> None:
        thread = self._threads.get(name)
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                log.warning("%s did not stop within %.0fs", name, timeout)

    def _drain(self, timeout: float) -> bool:
        """Wait until nothing is queued or running and no failed job waits for a retry."""
        deadline = time.monotonic() + timeout
        while True:
            if self._safe(self._idle, False):
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)

    def _idle(self) -> bool:
        if self.queue.count or self.queue.started_job_registry.count:
            return False
        for job_id in self.queue.scheduled_job_registry.get_job_ids():
            job = self.queue.fetch_job(job_id)
            if job is not None and job.retries_left is not None and job.retries_left < RETRY_MAX:
                return False  # a retry of a failed at-once job: it lives only in this queue
        return True

    def _dispatcher_position(self) -> int:
        return self._safe(self.twinning.dispatcher_position, -1)

    def _write_marker(self, position: int) -> None:
        state = {
            "drained": True,
            "dispatcher_position": position,
            "stopped_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        try:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            self.marker_path.write_text(json.dumps(state), encoding="utf-8")
        except OSError:
            log.warning("could not write %s", self.marker_path, exc_info=True)

    @staticmethod
    def _safe(query: Callable[[], T], default: T) -> T:
        try:
            return query()
        except Exception:
            log.debug("query failed while stopping", exc_info=True)
            return default

    # -- observing ---------------------------------------------------------------------------

    def alive(self) -> dict[str, bool]:
        return {name: thread.is_alive() for name, thread in self._threads.items()}
