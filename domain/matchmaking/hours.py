"""Working hours that overlap across time zones, on a reference date.

Offsets are taken from ``zoneinfo`` at local noon of the reference date, so DST is
honoured: Rome is UTC+1 in January and UTC+2 in July, Shanghai UTC+8 all year.
Rome 09-18 and Shanghai 09-18 (both Monday to Friday) overlap 09:00-11:00 Rome time
(2 h) in January and 09:00-12:00 (3 h) in July.

The overlap of two weekly schedules depends only on the difference of the two
offsets, which is what the index caches on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from domain.matchmaking.profile import WEEKDAYS

DAY = 24 * 60
WEEK = 7 * DAY

Schedule = tuple[int, int, frozenset[int]]  # start minute, end minute (may pass 1440), working days


@dataclass(frozen=True)
class Overlap:
    minutes: int  # longest overlap on one of the first city's working days
    days: frozenset[int]  # the first city's working days that overlap at all
    uniform: bool  # every one of those days overlaps by ``minutes``


NO_OVERLAP = Overlap(0, frozenset(), True)


def utc_offset_minutes(timezone: str, on: date) -> int:
    """UTC offset of ``timezone`` at local noon on ``on``, in minutes."""
    offset = ZoneInfo(timezone).utcoffset(datetime.combine(on, time(12)))
    return int(offset.total_seconds()) // 60


def overlap(delta: int, a: Schedule, b: Schedule) -> Overlap:
    """Overlap of schedule ``a`` with ``b``, where ``delta`` = offset(a) - offset(b) in minutes.

    A local time t of city b is t + delta on city a's clock. Day d of ``a`` is
    compared with every working day of ``b`` (and the week before and after), so
    windows that cross midnight or a weekend in the other zone count correctly.
    """
    start_a, end_a, days_a = a
    start_b, end_b, days_b = b
    others = [(d * DAY + start_b + delta + k, d * DAY + end_b + delta + k) for d in days_b for k in (-WEEK, 0, WEEK)]
    per_day: dict[int, int] = {}
    for d in days_a:
        lo, hi = d * DAY + start_a, d * DAY + end_a
        minutes = 0
        for other_lo, other_hi in others:
            if other_lo < hi and lo < other_hi:
                minutes += min(hi, other_hi) - max(lo, other_lo)
        if minutes:
            per_day[d] = minutes
    if not per_day:
        return NO_OVERLAP
    best = max(per_day.values())
    return Overlap(best, frozenset(per_day), all(m == best for m in per_day.values()))


def schedule_overlap(tz_a: str, a: Schedule, tz_b: str, b: Schedule, on: date) -> Overlap:
    return overlap(utc_offset_minutes(tz_a, on) - utc_offset_minutes(tz_b, on), a, b)


def duration_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" if not rest else f"{hours} h {rest} min"


def overlap_reason(o: Overlap) -> str:
    if o.days == WEEKDAYS:
        where = "on weekdays"
    elif len(o.days) == 1:
        where = "on one working day a week"
    else:
        where = f"on {len(o.days)} working days a week"
    amount = duration_text(o.minutes) if o.uniform else f"up to {duration_text(o.minutes)}"
    return f"Working hours overlap {amount} {where}"
