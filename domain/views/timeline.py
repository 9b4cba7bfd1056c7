"""The city timeline: everything that touched a city, in log order.

The table is a narrow index, (city, log position): catching up writes two short values
per city and event. When a page is shown, its events are read back from the log and
each is told (``summary``) by the read model that handles it (``@tells(City.CityRegistered)``),
with the names it had then (``name_at``) and the titles of what it concerns, which do
not change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from domain.model.action_plan import ActionPlan
from domain.model.agreement import Agreement
from domain.model.city import City
from domain.model.cluster import Cluster
from domain.model.meeting import Meeting
from domain.model.notification import Notification
from domain.model.partnership import Partnership
from domain.model.programme import CooperationProgramme
from domain.model.project import PilotProject
from domain.views.codec import dump, load
from domain.views.context import Context
from domain.views.paging import Page, Where, check_limit, decode_cursor, encode_cursor, split
from domain.views.table import Table

# ``city`` is the city's number: the log position of its registration (``view_cities.position``),
# a short integer key where the city's id would be 36 characters in every row.
TIMELINE = Table("view_timeline", "city:bigint, position:bigint", key="city, position", compact=True)
TABLES = (TIMELINE,)

ENVELOPE = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic", "actor"})
SUBJECTS = (
    (City.Event, "city"),
    (Partnership.Event, "partnership"),
    (Meeting.Event, "meeting"),
    (Agreement.Event, "agreement"),
    (PilotProject.Event, "project"),
    (CooperationProgramme.Event, "programme"),
    (Cluster.Event, "cluster"),
    (ActionPlan.Event, "action_plan"),
)
# A page's events are read with one range query when they lie this close together, else one by one.
DENSE = 4


Teller = Callable[[Context, int, Any], str]
TELLERS: dict[type, Teller] = {}


def tells(*event_classes: type) -> Callable[[Teller], Teller]:
    """Register how an event is summed up on a timeline (``ctx`` looks up as the handlers do)."""

    def register(teller: Teller) -> Teller:
        for cls in event_classes:
            TELLERS[cls] = teller
        return teller

    return register


def record(ctx: Context, cities: Iterable[str], position: int) -> None:
    """The event at ``position`` touched these cities (rows in the declared order: city, position)."""
    known, get = ctx.cache["numbers"], ctx.get
    rows = ctx.db.appending(TIMELINE.name)
    for city_id in dict.fromkeys(cities):
        number = known.get(city_id) or get("numbers", city_id)
        if number is not None:
            rows.append((number, position))


def record_city(ctx: Context, city_id: str, position: int) -> None:
    """The event at ``position`` touched this one city (``record`` for one, without its set-up)."""
    number = ctx.cache["numbers"].get(city_id) or ctx.get("numbers", city_id)
    if number is not None:
        ctx.db.appending(TIMELINE.name).append((number, position))


def quoted(title: str) -> str:
    return f"\u201c{title}\u201d"


def payload(event: Any) -> dict[str, Any]:
    return {k: v for k, v in event.__dict__.items() if k not in ENVELOPE}


def told(ctx: Context, position: int, event: Any) -> dict[str, Any]:
    """An entry as a page shows it: the event's type, its summary, subject, actor, time and payload."""
    return {"position": position, "type": type(event).__name__, "summary": TELLERS[type(event)](ctx, position, event)}


def details(event: Any) -> dict[str, Any]:
    """What the log says of a timeline entry: its subject, actor, time and payload (as JSON values)."""
    if isinstance(event, Notification.NotificationSent):
        subject = dict(event.subject or {})
        kind, sid = str(subject.get("kind")), str(subject.get("id"))
        data: Any = {
            "kind": event.kind,
            "recipient_id": event.recipient_id,
            "subject": subject,
            "channels": list(event.channels),
        }
    else:
        kind = next((k for cls, k in SUBJECTS if isinstance(event, cls)), "unknown")
        sid, data = str(event.originator_id), payload(event)
    return {
        "subject": {"kind": kind, "id": sid},
        "actor": getattr(event, "actor", None),
        "recorded_at": event.timestamp,
        "data": load(dump(data)),
    }


def read_events(log: Any, positions: list[int]) -> dict[int, Any]:
    """The events at these log positions (ascending), decoded."""
    found: dict[int, Any] = {}
    if not positions:
        return found
    recorder, decode = log.recorder, log.mapper.to_domain_event
    first, last = positions[0], positions[-1]
    if last - first < DENSE * len(positions):
        wanted = set(positions)
        notifications = recorder.select_notifications(start=first, limit=last - first + 1, stop=last)
        return {n.id: decode(n) for n in notifications if n.id in wanted}
    for position in positions:
        for n in recorder.select_notifications(start=position, limit=1, stop=position):
            found[n.id] = decode(n)
    return found


class TimelineQueries:
    """Mixed into ``Views``."""

    def timeline(self, city_id: str, limit: int | None = None, cursor: str | None = None, log: Any = None) -> Page:
        """Everything that touched the city, in log order (``log``: where the events are, default the views' own)."""
        limit = check_limit(limit)
        after = decode_cursor("timeline", cursor, int)
        with self._read() as db:
            where = Where()
            where.add("city = ?", Context(db).get("numbers", str(city_id)))
            if after:
                where.add("position > ?", after[0])
            rows = db.all(
                f"SELECT * FROM {TIMELINE.name}{where.sql()} ORDER BY position LIMIT ?", (*where.params, limit + 1)
            )
            rows, next_cursor = split(rows, limit, lambda r: encode_cursor("timeline", r["position"]))
            events = read_events(log or self.log(), [r["position"] for r in rows])
            ctx = Context(db)
            items = []
            for stored in rows:
                r = TIMELINE.decode(stored)
                event = events[r["position"]]
                entry, more = told(ctx, r["position"], event), details(event)
                items.append(
                    {
                        "position": entry["position"],
                        "type": entry["type"],
                        "subject": more["subject"],
                        "summary": entry["summary"],
                        "actor": more["actor"],
                        "recorded_at": more["recorded_at"],
                        "data": more["data"],
                    }
                )
        return {"items": items, "next_cursor": next_cursor}


def told_rows(db: Any, log: Any) -> list[dict[str, Any]]:
    """Every timeline row as it is shown (for ``Views.dump``): city, position, type and summary."""
    from domain.views.cities import CITIES  # which imports this module

    rows = db.all(
        f"SELECT c.id AS city_id, t.position FROM {TIMELINE.name} t JOIN {CITIES.name} c ON c.position = t.city"
        " ORDER BY c.id, t.position"
    )
    events = read_events(log, sorted({r["position"] for r in rows}))
    ctx = Context(db)
    return [{"city_id": r["city_id"], **told(ctx, r["position"], events[r["position"]])} for r in rows]
