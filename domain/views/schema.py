"""Every read model's tables, in one tuple, and the ``Db`` that keys held rows by their declared keys.

Importing the read models registers their handlers and look-ups (``domain.views.context``).
"""

from __future__ import annotations

from domain.views import (
    action_plans,
    agreements,
    cities,
    clusters,
    feedback,
    inbox,
    meetings,
    partnerships,
    programmes,
    projects,
    timeline,
    users,
)
from domain.views.store import ViewsDb
from domain.views.table import Table

TABLES: tuple[Table, ...] = (
    *cities.TABLES,
    *partnerships.TABLES,
    *meetings.TABLES,
    *agreements.TABLES,
    *projects.TABLES,
    *timeline.TABLES,
    *inbox.TABLES,
    *users.TABLES,
    *feedback.TABLES,
    *programmes.TABLES,
    *clusters.TABLES,
    *action_plans.TABLES,
)


class Db(ViewsDb):
    KEYS = {table.name: table.key for table in TABLES}
    COLUMNS = {table.name: table.names for table in TABLES}
