"""Lists read the views (read models): ``{items, next_cursor}``, ``?limit=&cursor=``, and ``?after=N``.

A command answers ``X-Log-Position``; a list given ``?after=N`` waits (at most 5 s)
until its view has processed N, so a client reads its own write in a list too. If
the view does not get there in time the answer is 503 (Retry-After), not a stale list.
Every list answers ``X-View-Position``: how far its view had read the log, and
``X-View-Lag``: how many recorded events it does not show yet.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError

from domain.errors import InvalidValue, StoreUnavailable
from web.http import services
from web.problems import ApiProblem

if TYPE_CHECKING:
    from domain.views import Views

WAIT_SECONDS = 5.0


def read_views(after: int | None) -> Views:
    """The views, once they have processed ``after`` (if given)."""
    found = services()
    if found.views is None:  # a process without read models: 503, not a 500
        raise ApiProblem(503, "views-unavailable", "the read models are not available", headers={"Retry-After": "5"})
    if after:
        head = _guard(found.programme.recorder.max_notification_id) or 0
        if after > head:
            raise InvalidValue(
                "after",
                f"the log has no position {after} yet (it ends at {head}); pass the X-Log-Position of a command",
            )
        follower = found.views_follower
        if not _guard(lambda: follower.wait_for(after, WAIT_SECONDS)):
            position = _guard(found.views.position)
            raise ApiProblem(
                503,
                "view-behind",
                f"the view has processed the log up to {position}; {after} did not arrive within {WAIT_SECONDS:.0f} s",
                headers={"Retry-After": "1"},
            )
    return found.views


def _guard(query: Callable[[], Any]) -> Any:
    """A read of the views; one retry after a broken connection (the server restarted, or cut it)."""
    from domain.application.postgres import drop_dead_connections, pool_timed_out

    for attempt in (1, 2):
        try:
            return query()
        except (OperationalError, InterfaceError) as error:
            if attempt == 2 or pool_timed_out(error):
                raise StoreUnavailable() from error
            views = services().views
            drop_dead_connections(getattr(getattr(views, "recorder", None), "datastore", None))
    raise AssertionError("unreachable")


def page(after: int | None, query: Callable[[Views], dict]):
    views = read_views(after)
    position = _guard(views.position)
    result = _guard(lambda: query(views))
    return result, 200, {"X-View-Position": str(position), "X-View-Lag": str(_lag(position))}


def _lag(position: int) -> int:
    """How many recorded events the list does not show yet: a list serves while its view lags, and says so."""
    head = _guard(services().programme.recorder.max_notification_id) or 0
    return max(0, head - position)


def text_id(value: UUID | None) -> str | None:
    return None if value is None else str(value)


def programme_filter(value: UUID | None) -> str | None:
    """``?programme_id=`` of a list: an unknown programme is the client's mistake (422), not an empty list."""
    if value is None:
        return None
    from domain.model.programme import CooperationProgramme

    return str(services().programme.load(CooperationProgramme, value, field="programme_id").id)


class Suggester:
    """A MatchIndex over the city profiles, rebuilt when the views have moved on."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.position: int | None = None
        self.index = None

    def suggest(self, views, city_id: str, limit: int, cross_region: bool = False, within=None):
        from domain.matchmaking import MatchIndex

        position = _guard(views.position)
        with self.lock:
            if self.index is None or self.position != position:
                self.index = MatchIndex(_guard(views.city_profiles))
                self.position = position
            index = self.index
        return index.suggest(city_id, limit, cross_region=cross_region, within=within)
