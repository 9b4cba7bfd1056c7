"""What the workers need to know of each person: language, email mode and time zone.

The effective time zone is the person's own, else their city's, else UTC: it is worked
out when asked, so a city that moves its zone moves its officers' with it.
"""

from __future__ import annotations

from typing import Any

from domain.model.statuses import EmailMode, Language
from domain.model.user import User
from domain.views.cities import CITIES
from domain.views.context import Context, handles
from domain.views.table import Table

USERS = Table(
    "view_users",
    "id, city_id?, language, email_mode, timezone?, version:int, position:bigint",
    key="id",
)
TABLES = (USERS,)
UTC_ZONE = "UTC"


@handles(User.UserRegistered)
def registered(ctx: Context, position: int, e: Any) -> None:
    USERS.insert(
        ctx.db,
        id=str(e.originator_id),
        city_id=e.city_id,
        language=Language.EN,
        email_mode=EmailMode.IMMEDIATE,
        timezone=None,
        version=e.originator_version,
        position=position,
    )


@handles(User.PreferencesChanged)
def preferences_changed(ctx: Context, position: int, e: Any) -> None:
    changes = {"language": e.language, "email_mode": e.email, "timezone": e.timezone}
    ctx.db.update_key(USERS.name, (str(e.originator_id),), {**changes, "version": e.originator_version})


def effective(row: dict[str, Any]) -> dict[str, Any]:
    """A stored person's preferences, with the zone they live by (``timezone``) and the one they chose."""
    return {
        "language": row["language"],
        "email": row["email_mode"],
        "timezone": row["timezone"] or row["city_timezone"] or UTC_ZONE,
        "own_timezone": row["timezone"],
    }


class UserQueries:
    """Mixed into ``Views``."""

    def preferences(self, user_id: str) -> dict[str, Any]:
        """``language``, ``email`` (mode) and ``timezone`` (effective zone name); the defaults for someone unknown."""
        with self._read() as db:
            row = db.one(
                f"SELECT u.language, u.email_mode, u.timezone, c.timezone AS city_timezone FROM {USERS.name} u"
                f" LEFT JOIN {CITIES.name} c ON c.id = u.city_id WHERE u.id = ?",
                (str(user_id),),
            )
        if row is None:
            return {"language": Language.EN, "email": EmailMode.IMMEDIATE, "timezone": UTC_ZONE, "own_timezone": None}
        return effective(row)

    def users_with_email(self, mode: str) -> list[dict[str, Any]]:
        """Everyone on this email mode (``daily``: the digest's recipients), with their preferences and ``id``."""
        with self._read() as db:
            rows = db.all(
                f"SELECT u.id, u.language, u.email_mode, u.timezone, c.timezone AS city_timezone FROM {USERS.name} u"
                f" LEFT JOIN {CITIES.name} c ON c.id = u.city_id WHERE u.email_mode = ? ORDER BY u.id",
                (str(mode),),
            )
        return [{"id": r["id"], **effective(r)} for r in rows]
