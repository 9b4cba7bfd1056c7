"""Common meeting slots across cities' working hours (pure, no I/O).

Each city works ``start``–``end`` local time on its working ``days`` (Monday = 0),
by default 09:00–18:00 Monday to Friday. Local working windows are turned into UTC
instants with ``zoneinfo`` day by day, so a daylight-saving change moves the window
exactly when the city's clocks change: Rome 09:00 is 08:00 UTC in January and
07:00 UTC in July, while Yantai (Asia/Shanghai) 09:00 is 01:00 UTC all year.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.errors import InvalidValue
from domain.limits import MAX_SLOT_CITIES, MAX_SLOT_RANGE, MAX_STEP_MINUTES, MIN_STEP_MINUTES
from domain.model.meeting import check_duration
from domain.values import check_instant, check_timezone, check_working_hours, parse_hhmm

DEFAULT_HOURS = {"start": "09:00", "end": "18:00", "days": [0, 1, 2, 3, 4]}
MAX_RANGE = MAX_SLOT_RANGE
MAX_CITIES = MAX_SLOT_CITIES

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class WorkingWeek:
    """One city's working hours: a time zone and a weekly local schedule."""

    timezone: str
    start: time
    end: time
    days: frozenset[int]

    @classmethod
    def of(cls, timezone_name: str, hours: dict | None = None) -> WorkingWeek:
        checked = check_working_hours(hours) or check_working_hours(DEFAULT_HOURS)
        return cls(
            timezone=check_timezone(timezone_name),
            start=parse_hhmm(checked["start"]),
            end=parse_hhmm(checked["end"]),
            days=frozenset(checked["days"]),
        )

    def windows(self, start: datetime, end: datetime) -> list[Interval]:
        """This city's working windows (UTC) that touch [start, end), in order."""
        zone = ZoneInfo(self.timezone)
        first = start.astimezone(zone).date() - timedelta(days=1)
        last = end.astimezone(zone).date() + timedelta(days=1)
        found: list[Interval] = []
        day = first
        while day <= last:
            if day.weekday() in self.days:
                lo = _local_to_utc(day, self.start, zone)
                hi = _local_to_utc(day, self.end, zone)
                if lo < end and start < hi and lo < hi:
                    found.append((max(lo, start), min(hi, end)))
            day += timedelta(days=1)
        return found


def _local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A local wall-clock time as a UTC instant.

    PEP 495 (fold=0): a time repeated when clocks go back is its first occurrence; a
    time skipped when they go forward is read with the earlier offset, i.e. it lands
    after the gap (02:30 on Rome's spring-forward day is 03:30 summer time).
    """
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """Intersection of two sorted lists of disjoint intervals."""
    i = j = 0
    out: list[Interval] = []
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def common_windows(weeks: Iterable[WorkingWeek], start: datetime, end: datetime) -> list[Interval]:
    """The UTC intervals inside [start, end) when every city is within its working hours."""
    result: list[Interval] | None = None
    for week in weeks:
        windows = week.windows(start, end)
        result = windows if result is None else intersect(result, windows)
        if not result:
            return []
    return result or []


def common_slots(
    weeks: Sequence[WorkingWeek],
    start: datetime,
    end: datetime,
    duration_minutes: int,
    step_minutes: int = 30,
) -> list[Slot]:
    """Meeting slots of ``duration_minutes`` inside every city's working hours.

    Slots start on a ``step_minutes`` grid of UTC time (so on the hour and half hour
    in every zone whose offset is a whole or half hour) within [start, end).
    """
    start, end = check_instant(start, "from").astimezone(UTC), check_instant(end, "to").astimezone(UTC)
    if not weeks:
        raise InvalidValue("city_ids", "give at least one city")
    if len(weeks) > MAX_CITIES:
        raise InvalidValue("city_ids", f"give at most {MAX_CITIES} cities")
    check_duration(duration_minutes)
    if (
        isinstance(step_minutes, bool)
        or not isinstance(step_minutes, int)
        or not MIN_STEP_MINUTES <= step_minutes <= MAX_STEP_MINUTES
    ):
        raise InvalidValue(
            "step_minutes", f"must be a whole number of minutes from {MIN_STEP_MINUTES} to {MAX_STEP_MINUTES}"
        )
    if end <= start:
        raise InvalidValue("to", "must be after from")
    if end - start > MAX_RANGE:
        raise InvalidValue("to", f"the range may span at most {MAX_RANGE.days} days")
    duration, step = timedelta(minutes=duration_minutes), timedelta(minutes=step_minutes)
    epoch = datetime(2000, 1, 3, tzinfo=UTC)
    slots: list[Slot] = []
    for lo, hi in common_windows(weeks, start, end):
        offset = (lo - epoch) % step
        at = lo if not offset else lo + (step - offset)
        while at + duration <= hi:
            slots.append(Slot(at, at + duration))
            at += step
    return slots
