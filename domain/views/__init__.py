"""Read models of the programme: followers of the event log with tracking, rebuildable from it.

One module per read model (cities, partnerships, meetings, agreements, projects,
timeline, inbox, reports, profiles), each declaring its tables once (``table.Table``)
and holding its handlers (by event class) and its queries. ``Views(env)`` keeps them in
the store's own database (the same env dict as the ``Programme``) and is the
``Processor`` a ``domain.followers.Follower`` drives:

    views = Views(env)
    Follower(programme, views).run_once()
    views.cities(theme="hydrogen", q="ché")   # {"items": [...], "next_cursor": ...}
"""

from domain.milestones import milestone_state
from domain.views.paging import DEFAULT_LIMIT, MAX_LIMIT
from domain.views.views import Views

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "Views", "milestone_state"]
