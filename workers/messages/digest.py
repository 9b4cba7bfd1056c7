"""The daily digest: one mail listing what a person was told since their last one."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_time

from workers.messages import Words


def digest(w: Words, day: date, items: list[dict[str, Any]]) -> tuple[str, str]:
    """``items``: inbox rows (title, body, sent_at), oldest first."""
    subject = w.n_(
        "Your twinning digest for %(day)s: %(count)d notification",
        "Your twinning digest for %(day)s: %(count)d notifications",
        len(items),
        day=w.date(day),
    )
    lines = [w._("What twinning told you since your last digest:"), ""]
    zone = ZoneInfo(w.timezone)
    for number, item in enumerate(items, 1):
        sent: datetime = item["sent_at"]
        at = format_time(sent.astimezone(zone), "HH:mm", locale=w.locale)
        lines.append(
            w._(
                "%(number)d. %(title)s (%(date)s, %(time)s)",
                number=number,
                title=item["title"],
                date=w.date(sent.astimezone(zone).date()),
                time=at,
            )
        )
        lines += [f"   {line}" if line else "" for line in item["body"].splitlines()]
        lines.append("")
    lines.append(w._("You get this digest because your email preference is daily. Change it with PATCH /api/v1/me."))
    return subject, "\n".join(lines)
