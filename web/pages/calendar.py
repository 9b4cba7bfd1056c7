"""The calendar's arithmetic: weeks in the viewer's zone, each invited city's local time, the slot finder's query."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.limits import MAX_SLOT_RANGE
from web.pages.reading import when, zone_label

WEEK = timedelta(days=7)
WEEK_LIMIT = 200


def monday_of(text: str | None, zone_name: str, now: datetime) -> date:
    """The Monday of the week asked for (``?week=YYYY-MM-DD``), else of this week in the viewer's zone."""
    try:
        chosen = date.fromisoformat(text) if text else now.astimezone(ZoneInfo(zone_name)).date()
    except ValueError:
        chosen = now.astimezone(ZoneInfo(zone_name)).date()
    return chosen - timedelta(days=chosen.weekday())


def local_midnight(day: date, zone_name: str) -> datetime:
    """00:00 of a day in a zone, as an aware instant (a day may have 23 or 25 hours)."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone_name))


def week_days(monday: date, zone_name: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Seven days, each with the sessions that start on it in the viewer's zone."""
    zone = ZoneInfo(zone_name)
    days = [{"day": monday + timedelta(days=n), "items": []} for n in range(7)]
    for item in items:
        offset = (item["starts_at"].astimezone(zone).date() - monday).days
        if 0 <= offset < 7:
            days[offset]["items"].append(item)
    return days


class Zones:
    """Each city's time zone, read once per page from the directory."""

    def __init__(self, views) -> None:
        self.views = views
        self.found: dict[str, str] = {}

    def of(self, city_id: str) -> str:
        if city_id not in self.found:
            row = self.views.city(city_id)
            self.found[city_id] = row["timezone"] if row else "UTC"
        return self.found[city_id]

    def local_times(self, instant: datetime, cities: list[dict[str, Any]]) -> list[dict[str, str]]:
        """The instant on each city's clock: ``[{name, time, zone}]``."""
        shown = []
        for city in cities:
            zone_name = self.of(city["city_id"])
            shown.append(
                {
                    "name": city.get("name") or city["city_id"],
                    "time": when(instant, zone_name, "short"),
                    "zone": zone_label(zone_name),
                }
            )
        return shown


def slots_query(args, zone_name: str, now: datetime) -> dict[str, Any]:
    """The slot finder's form as the API's ``SlotsQuery`` reads it: the first day is midnight in the viewer's zone."""
    ids = [c for c in args.getlist("city_ids") if c]
    data: dict[str, Any] = {"city_ids": ",".join(ids)}
    for name in ("duration_minutes", "step_minutes"):
        raw = (args.get(name) or "").strip()
        if raw:
            data[name] = int(raw) if raw.isdigit() else raw
    start_text = (args.get("from") or "").strip()
    try:
        first = date.fromisoformat(start_text) if start_text else None
    except ValueError:
        data["from"] = start_text
        first = None
    if first is not None:
        start = max(local_midnight(first, zone_name), now.astimezone(UTC).replace(second=0, microsecond=0))
        days = args.get("days", "7")
        span = timedelta(days=int(days)) if days.isdigit() and 0 < int(days) <= MAX_SLOT_RANGE.days else WEEK
        data["from"] = start.isoformat()
        data["to"] = (local_midnight(first, zone_name) + span).isoformat()
    return data
