"""Turning events into view rows, inside the caller's transaction.

Each read model registers its handlers by event class (``@handles(City.CityRegistered)``);
an event no handler knows (users, tokens, index aggregates, events added later) is
skipped, and still tracked by the caller. Every row is a function of the log up to its
event, so a rebuild from zero gives exactly the rows of incremental processing.

A ``Context`` lives for one transaction: it caches what handlers look up (city names,
partnership members, meeting invitees...) through the loaders the read models register
(``@looks_up("partnerships")``), and is thrown away with the transaction, so a
rolled-back batch leaves nothing behind in memory either.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventsourcing.utils import TopicError, resolve_topic

from domain.model.user import User
from domain.views.codec import instant
from domain.views.store import ViewsDb

Handler = Callable[["Context", int, Any], None]
Loader = Callable[[ViewsDb, str], Any]

HANDLERS: dict[type, Handler] = {}
LOADERS: dict[str, Loader] = {}
# How a remembered look-up is copied before a batch may change it (default: it is never changed).
COPIES: dict[str, Callable[[Any], Any]] = {}


def handles(*event_classes: type) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for cls in event_classes:
            if cls in HANDLERS:
                raise ValueError(f"{cls.__qualname__} already has a handler ({HANDLERS[cls].__qualname__})")
            HANDLERS[cls] = handler
        return handler

    return register


ERASURE_PURGES: list[Handler] = []


def on_erasure(purge: Handler) -> Handler:
    """Register how a read model forgets an erased person (each view may hold their data: one handler calls all)."""
    ERASURE_PURGES.append(purge)
    return purge


@handles(User.PersonalDataErased)
def _erased(ctx: Context, position: int, e: Any) -> None:
    ctx.erased = True
    for purge in ERASURE_PURGES:
        purge(ctx, position, e)


def looks_up(kind: str, copy: Callable[[Any], Any] | None = None) -> Callable[[Loader], Loader]:
    """Register how a kind of look-up reads the view tables (None: there is nothing), and how a
    remembered one is copied if handlers change what they looked up."""

    def register(loader: Loader) -> Loader:
        LOADERS[kind] = loader
        if copy is not None:
            COPIES[kind] = copy
        return loader

    return register


def handled(topic: str) -> bool:
    """Whether a handler takes the events stored under ``topic`` (through the library's topic
    registry, so a renamed class's old topic counts too). A topic that does not resolve is
    wanted, so decoding it fails as it always has."""
    try:
        return resolve_topic(topic) in HANDLERS
    except TopicError:
        return True


class Memory:
    """Look-ups kept from one committed batch to the next, so catching up does not re-read its own rows.

    It holds what the look-ups of ``Context`` would read from the view tables as of the
    last batch this process committed. ``Views.process`` trusts it only while the views'
    tracking position is still the one that batch recorded (nobody else wrote in between),
    and throws it away otherwise. Bounded: past ``LIMIT`` entries of a kind, the older
    half is forgotten (and read again from the tables when needed).
    """

    LIMIT = 20_000

    def __init__(self) -> None:
        self.kept: dict[str, dict[str, Any]] = {}

    def absorb(self, ctx: Context) -> None:
        """Take in what a committed batch looked up and changed."""
        for kind, seen in ctx.cache.items():
            kept = self.kept.setdefault(kind, {})
            kept.update(seen)
            if len(kept) > self.LIMIT:
                for key in list(kept)[: len(kept) // 2]:
                    del kept[key]


class Context:
    """One transaction's ``Db`` and its look-up caches.

    With a ``Memory``, a look-up first asks the batch's own cache, then the memory
    (copying what it takes, so that a rolled-back batch leaves the memory as it was),
    then the tables.
    """

    def __init__(self, db: ViewsDb, memory: Memory | None = None) -> None:
        self.db = db
        self.memory = memory
        self.cache: dict[str, dict[str, Any]] = {kind: {} for kind in LOADERS}
        self.erased = False  # a person's data was erased in this batch

    def get(self, kind: str, key: str) -> Any:
        cache = self.cache[kind]
        if key in cache:
            return cache[key]
        kept = None if self.memory is None else self.memory.kept.get(kind, {}).get(key)
        if kept is not None:
            copier = COPIES.get(kind)
            found = kept if copier is None else copier(kept)
        else:
            found = LOADERS[kind](self.db, key)
        if found is not None:
            cache[key] = found
        return found

    def put(self, kind: str, key: str, value: Any) -> None:
        self.cache[kind][key] = value

    def touch(self, table: str, e: Any, key: str | None = None, **changes: Any) -> None:
        """Update the aggregate's row (``key``, default the event's originator): the columns, version and time."""
        changes["updated_at"] = instant(e.timestamp)
        changes["version"] = e.originator_version
        key = key or str(e.originator_id)
        self.db.update_key(table, (key,), changes)


def apply(db: ViewsDb, batch: list[tuple[int, Any]], ctx: Context | None = None, flush: bool = True) -> Context:
    """Apply a batch of (position, event) in log order through ``db`` (and ``ctx``, if given); an event
    may be None (a topic no handler takes, left undecoded by the follower).

    With ``flush`` everything is sent when it returns; without, the caller sends the held
    rows (``db.flush()``) before the commit.
    """
    ctx = ctx or Context(db)
    handlers = HANDLERS
    for position, event in batch:
        handler = handlers.get(type(event))
        if handler is not None:
            handler(ctx, position, event)
    if flush:
        db.flush()
    return ctx
