"""Read models of the programme: followers of the event log with tracking, rebuildable from it.

``Views(env)`` keeps them in the store's own database (the same env dict as the
``Programme``) and is the ``Processor`` a ``domain.followers.Follower`` drives:

    views = Views(env)
    Follower(programme, views).run_once()
    views.cities(theme="hydrogen", q="ché")   # {"items": [...], "next_cursor": ...}
"""

from domain.views.paging import DEFAULT_LIMIT, MAX_LIMIT
from domain.views.queries import milestone_state
from domain.views.views import Views

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "Views", "milestone_state"]
