"""One bootstrap: what a twinning process runs on, built once from ``Settings``.

``bootstrap(settings)`` opens the Programme and answers a ``Twinning``; the rest is
built on first use and then kept: the Views, the audit chain, as-of reports, the
idempotency store, the queue's Redis connection and the dispatcher. ``create_app``,
every ``twinning`` command and ``workers.embedded.EmbeddedRuntime`` take one;
blueprints reach it through ``web.http.services()`` and build nothing themselves.

Whatever creates tables is built inside ``web.startup.schema_lock``, so processes that
start at once on a fresh PostgreSQL database create them one after the other.
``close()`` closes what the bootstrap built, newest first, and nothing it was given.

Workers are imported when a part needs them: the web layer must not import RQ (a
command only records events; the dispatcher enqueues).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar, overload

from config.settings import Settings
from domain.application import Programme
from domain.audit import AuditChain, ReportsAsOf
from domain.errors import RuleBroken
from domain.followers import Follower
from domain.views import Views
from web import idempotency
from web.startup import schema_lock

if TYPE_CHECKING:
    from redis import Redis
    from rq import Queue

    from workers.dispatcher import Dispatcher, Rearmed

log = logging.getLogger("twinning.bootstrap")
T = TypeVar("T")


class Closable(Protocol):
    def close(self) -> None: ...


C = TypeVar("C", bound=Closable)
REDIS_TIMEOUT_SECONDS = 2.0  # the web's queue client: a dead Redis is a quick 503, not a hung request
ADMIN_ATTEMPTS = 3


class Part(Generic[T]):
    """A part of ``Twinning`` built on first use, once per container (under the schema lock when it
    creates tables). Assigning one replaces it, as a test does to take the views away."""

    def __init__(self, build: Callable[[Twinning], T], *, creates_tables: bool = False) -> None:
        self.build = build
        self.creates_tables = creates_tables
        self.slot = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = f"_part_{name}"

    @overload
    def __get__(self, twinning: None, owner: type) -> Part[T]: ...

    @overload
    def __get__(self, twinning: Twinning, owner: type) -> T: ...

    def __get__(self, twinning: Twinning | None, owner: type) -> Part[T] | T:
        if twinning is None:
            return self
        parts = twinning.__dict__
        if self.slot not in parts:
            # The schema lock first, then this part's own: no part that creates tables needs a
            # part that does not, so no thread waits for a lock held by one waiting for its own.
            with schema_lock(twinning.settings) if self.creates_tables else nullcontext(), twinning.lock(self.slot):
                if self.slot not in parts:
                    parts[self.slot] = self.build(twinning)
        return parts[self.slot]

    def __set__(self, twinning: Twinning, value: T) -> None:
        twinning.__dict__[self.slot] = value


def _views(twinning: Twinning) -> Views:
    return twinning.own(Views(twinning.settings.store_env()))


def _views_follower(twinning: Twinning) -> Follower:
    """Waits for the views' position (``?after=N``); the projector feeds them."""
    return Follower(twinning.programme, twinning.views)


def _reports_as_of(twinning: Twinning) -> ReportsAsOf:
    return twinning.own(ReportsAsOf(twinning.programme))


def _idempotency(twinning: Twinning) -> idempotency.IdempotencyStore:
    return twinning.own(idempotency.open_store(twinning.settings.database_url))


def in_process_redis() -> Redis:
    """A Redis client on a fresh in-process server (fakeredis with Lua, needed by RQ's unique job ids)."""
    import fakeredis

    return fakeredis.FakeRedis(server=fakeredis.FakeServer())


def _queue_connection(twinning: Twinning) -> Redis | None:
    """The embedded mode's queue is an in-process Redis unless REDIS_URL names one; elsewhere a
    process without REDIS_URL has no queue (the admin's job endpoints answer 503)."""
    import redis

    url = twinning.settings.redis_url
    if twinning.embedded and not url:
        return twinning.own(in_process_redis())
    if url is None:
        return None
    if twinning.embedded:  # the RQ worker blocks on Redis longer than the web's short timeout
        return twinning.own(redis.Redis.from_url(url))
    client = redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
    )
    return twinning.own(client)


def _queue(twinning: Twinning) -> Queue:
    from workers.worker import make_queue

    connection = twinning.queue_connection
    if connection is None:
        raise RuntimeError("no job queue: set REDIS_URL (or run `twinning serve`, which has its own)")
    return make_queue(connection)


@dataclass(eq=False)
class Twinning:
    """What one process runs on. Build it with ``bootstrap``; close it once, when the process is done."""

    settings: Settings
    programme: Programme
    embedded: bool = False
    _closers: list[Callable[[], None]] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _locks: dict[str, threading.RLock] = field(default_factory=dict, init=False, repr=False)

    views = Part(_views, creates_tables=True)
    views_follower = Part(_views_follower)
    audit_chain = Part(lambda twinning: AuditChain(twinning.programme), creates_tables=True)
    reports_as_of = Part(_reports_as_of)
    idempotency = Part(_idempotency, creates_tables=True)
    queue_connection = Part(_queue_connection)
    queue = Part(_queue)

    def lock(self, name: str) -> threading.RLock:
        """The lock that builds the part ``name`` once."""
        with self._lock:
            return self._locks.setdefault(name, threading.RLock())

    def own(self, thing: C) -> C:
        """``thing`` was built here: ``close()`` closes it."""
        self._closers.append(thing.close)
        return thing

    def ensure_admin(self) -> None:
        """The admin holding ``TWINNING_ADMIN_TOKEN``, if set. Idempotent; processes starting at
        once race to create it, and the losers find it on their next attempt."""
        token = self.settings.admin_token
        if not token:
            return
        for attempt in range(1, ADMIN_ATTEMPTS + 1):
            try:
                self.programme.ensure_admin(token)
                return
            except RuleBroken:  # Duplicate / ConcurrencyConflict: another process won the race
                if attempt == ADMIN_ATTEMPTS:
                    raise

    def prepare_web(self) -> None:
        """The admin, and the parts the web serves with, built now under one schema lock: the
        tables are created as the process starts (one process after the other), not on a request."""
        with schema_lock(self.settings):
            self.ensure_admin()
            serving = (self.views, self.audit_chain, self.idempotency, self.queue_connection)
        log.debug("ready to serve with %s", ", ".join(type(part).__name__ for part in serving))

    # -- followers ------------------------------------------------------------------------------

    def projectors(self) -> list[Follower]:
        """The followers of ``twinning project``: the views, then the audit chain."""
        return [
            Follower(self.programme, self.views, logger=logging.getLogger("twinning.projector")),
            Follower(self.programme, self.audit_chain, logger=logging.getLogger("twinning.audit")),
        ]

    def open_dispatcher(self) -> Dispatcher:
        """A dispatcher on this process's queue, with its own tracking recorder (its own connections):
        close it when done (``close()`` closes it too)."""
        from workers.dispatcher import Dispatcher
        from workers.dispatcher.follower import timings

        queue = self.queue
        with schema_lock(self.settings):
            dispatcher = Dispatcher.open(self.programme, queue, self.settings.store_env(), **timings(self.settings))
        return self.own(dispatcher)

    def rearm(self, *, immediate: bool = False) -> Rearmed:
        """Put back the jobs a Redis that lost its data had (``workers.dispatcher.rearm``)."""
        from workers.dispatcher import rearm

        dispatcher = self.open_dispatcher()
        try:
            return rearm(dispatcher, immediate=immediate)
        finally:
            dispatcher.close()

    def dispatcher_position(self) -> int:
        dispatcher = self.open_dispatcher()
        try:
            return dispatcher.position()
        finally:
            dispatcher.close()

    def dispatcher_follower(self) -> Follower:
        """The log's follower that enqueues jobs, the weekly digest armed first (``twinning dispatch --once``)."""
        from workers.scheduling import arm_daily_digests, arm_weekly_digest

        dispatcher = self.open_dispatcher()
        arm_weekly_digest(self.queue)
        arm_daily_digests(self.queue)
        return Follower(self.programme, dispatcher)

    def follow_dispatch(self, stop: threading.Event, poll_interval: float, logger: logging.Logger) -> None:
        """Follow the log into the queue until ``stop`` is set (``twinning dispatch``, or a thread of
        ``twinning serve``): ``workers.dispatcher.run_dispatcher`` on this Programme and queue, which
        re-arms by itself if Redis loses the jobs meanwhile."""
        from workers.dispatcher import run_dispatcher

        self.dispatcher_position()  # its tracking table created first, under the schema lock
        run_dispatcher(
            self.settings,
            stop,
            programme=self.programme,
            connection=self.queue_connection,
            poll_interval=poll_interval,
            logger=logger,
        )

    # -- closing --------------------------------------------------------------------------------

    def close(self) -> None:
        """Close what was built here, newest first; a second call closes nothing."""
        with self._lock:
            closers, self._closers = self._closers, []
        for close in reversed(closers):
            try:
                close()
            except Exception:
                log.warning("closing failed", exc_info=True)

    def __enter__(self) -> Twinning:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


EMBEDDED_LISTENERS = 3  # the followers of ``twinning serve`` that listen on the Programme's pool


def bootstrap(
    settings: Settings | None = None,
    *,
    programme: Programme | None = None,
    views: Views | None = None,
    queue_connection: Redis | None = None,
    embedded: bool = False,
) -> Twinning:
    """Open the Programme on ``settings``' store (under the schema lock) unless one is given.
    Given parts belong to the caller and are not closed here. ``embedded``: ``twinning serve``,
    whose queue is an in-process Redis when REDIS_URL is unset."""
    settings = settings or Settings.from_env()
    if embedded and settings.database_url.startswith("postgresql"):
        # ``twinning serve`` runs three followers here, each holding one of the Programme's connections
        # while it listens: without room on top of them, requests would wait and answer 503.
        settings = replace(settings, pool_max=settings.pool_max + EMBEDDED_LISTENERS)
    closers: list[Callable[[], None]] = []
    if programme is None:
        with schema_lock(settings):
            programme = Programme(env=settings.store_env())
        closers.append(programme.close)
    twinning = Twinning(settings=settings, programme=programme, embedded=embedded, _closers=closers)
    if views is not None:
        twinning.views = views
    if queue_connection is not None:
        twinning.queue_connection = queue_connection
    return twinning
