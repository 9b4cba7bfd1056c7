"""The read side of the views: filters, keyset pages ``{items, next_cursor}`` and reports.

Every list reads one ordered index (see ``store.TABLES``) and asks for ``limit + 1``
rows; the extra row only tells that a next page exists. Items are plain dicts with
Python values: instants are tz-aware UTC ``datetime``s, business dates ``date``s.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID

from domain.errors import InvalidValue
from domain.matchmaking.profile import HELIX_KINDS, CityProfile, partners_by_city
from domain.themes import THEMES
from domain.values import _CONTROL, parse_hhmm
from domain.views.paging import check_limit, decode_cursor, encode_cursor, split
from domain.views.store import Db, fold, instant, load, marks, parse_day, parse_instant

Page = dict[str, Any]


class Where:
    """Conditions and their parameters, in order."""

    def __init__(self) -> None:
        self.conditions: list[str] = []
        self.params: list[Any] = []

    def add(self, condition: str, *params: Any) -> None:
        self.conditions.append(condition)
        self.params.extend(params)

    def sql(self) -> str:
        return (" WHERE " + " AND ".join(self.conditions)) if self.conditions else ""


def _like(text: str) -> str:
    escaped = fold(text).replace("!", "!!").replace("%", "!%").replace("_", "!_")
    return f"%{escaped}%"


def _check_instant(value: datetime | None, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InvalidValue(field, "must be a date-time with a time-zone offset")
    return instant(value)


def _check_text(value: str | UUID | None, field: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, UUID):
        return str(value)
    if not isinstance(value, str) or len(value) > 200:
        raise InvalidValue(field, "must be text of at most 200 characters")
    if _CONTROL.search(value):  # PostgreSQL refuses NUL in text; no filter value holds control characters
        raise InvalidValue(field, "must not contain control characters")
    return value


def milestone_state(status: str, due_on: date, achieved_on: date | None, project_status: str, as_of: date) -> str:
    """As of a date: ``achieved`` (on or before it), ``overdue`` (due before it, in an active project) or ``planned``."""
    if status == "achieved" and achieved_on is not None and achieved_on <= as_of:
        return "achieved"
    if due_on < as_of and project_status == "active":
        return "overdue"
    return "planned"


class Queries:
    """Mixed into ``Views``: needs ``_read()`` (a read transaction yielding a ``Db``) and ``today()``."""

    _read: Callable[[], AbstractContextManager[Db]]
    today: Callable[[], date]

    # -- city directory -----------------------------------------------------------------------

    def cities(
        self,
        region: str | None = None,
        theme: str | None = None,
        q: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page:
        """Cities by name; ``theme`` offered or sought; ``q`` a case-insensitive substring of name or local name."""
        limit = check_limit(limit)
        after = decode_cursor("cities", cursor, str, str)
        where = Where()
        if region := _check_text(region, "region"):
            where.add("region = ?", region)
        if status := _check_text(status, "status"):
            where.add("status = ?", status)
        if theme := _check_text(theme, "theme"):
            where.add("id IN (SELECT city_id FROM view_city_themes WHERE theme = ?)", theme)
        if q is not None and q.strip():
            if len(q) > 200:
                raise InvalidValue("q", "must be at most 200 characters")
            if _CONTROL.search(q):
                raise InvalidValue("q", "must not contain control characters")
            where.add("search LIKE ? ESCAPE '!'", _like(q.strip()))
        if after:
            where.add("(sort_key > ? OR (sort_key = ? AND id > ?))", after[0], after[0], after[1])
        with self._read() as db:
            rows = db.all(
                f"SELECT * FROM view_cities{where.sql()} ORDER BY sort_key, id LIMIT ?", (*where.params, limit + 1)
            )
            rows, next_cursor = split(rows, limit, lambda r: encode_cursor("cities", r["sort_key"], r["id"]))
            return {"items": self._city_items(db, rows), "next_cursor": next_cursor}

    def city(self, city_id: str) -> dict[str, Any] | None:
        with self._read() as db:
            rows = db.all("SELECT * FROM view_cities WHERE id = ?", (str(city_id),))
            return self._city_items(db, rows)[0] if rows else None

    @staticmethod
    def _city_items(db: Db, rows: list[dict]) -> list[dict]:
        ids = [r["id"] for r in rows]
        stakeholders: dict[str, list[dict]] = defaultdict(list)
        if ids:
            for s in db.all(
                f"SELECT * FROM view_stakeholders WHERE city_id IN ({marks(ids)}) ORDER BY position, stakeholder_id",
                ids,
            ):
                stakeholders[s["city_id"]].append(
                    {"id": s["stakeholder_id"], "name": s["name"], "kind": s["kind"], "themes": load(s["themes"])}
                )
        return [
            {
                "id": r["id"],
                "name": r["name"],
                "local_name": r["local_name"],
                "country": r["country"],
                "region": r["region"],
                "timezone": r["timezone"],
                "population": r["population"],
                "description": r["description"],
                "working_hours": load(r["working_hours"]),
                "themes_offered": load(r["themes_offered"]),
                "themes_sought": load(r["themes_sought"]),
                "status": r["status"],
                "version": r["version"],
                "stakeholders": stakeholders[r["id"]],
                "registered_at": parse_instant(r["registered_at"]),
                "updated_at": parse_instant(r["updated_at"]),
            }
            for r in rows
        ]

    # -- partnership board -----------------------------------------------------------------------

    def partnerships(
        self,
        status: str | None = None,
        city_id: str | None = None,
        theme: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page:
        """Newest first; ``city_id`` as proposer or invitee."""
        limit = check_limit(limit)
        after = decode_cursor("partnerships", cursor, int)
        where = Where()
        if status := _check_text(status, "status"):
            where.add("p.status = ?", status)
        if city_id := _check_text(city_id, "city_id"):
            where.add(
                "(p.proposer_city_id = ? OR p.id IN (SELECT partnership_id FROM view_invitations WHERE city_id = ?))",
                str(city_id),
                str(city_id),
            )
        if theme := _check_text(theme, "theme"):
            where.add("p.id IN (SELECT partnership_id FROM view_partnership_themes WHERE theme = ?)", theme)
        if after:
            where.add("p.position < ?", after[0])
        with self._read() as db:
            rows = db.all(
                "SELECT p.*, c.name AS proposer_name FROM view_partnerships p"
                f" LEFT JOIN view_cities c ON c.id = p.proposer_city_id{where.sql()} ORDER BY p.position DESC LIMIT ?",
                (*where.params, limit + 1),
            )
            rows, next_cursor = split(rows, limit, lambda r: encode_cursor("partnerships", r["position"]))
            return {"items": self._partnership_items(db, rows), "next_cursor": next_cursor}

    def partnership(self, partnership_id: str) -> dict[str, Any] | None:
        with self._read() as db:
            rows = db.all(
                "SELECT p.*, c.name AS proposer_name FROM view_partnerships p"
                " LEFT JOIN view_cities c ON c.id = p.proposer_city_id WHERE p.id = ?",
                (str(partnership_id),),
            )
            return self._partnership_items(db, rows)[0] if rows else None

    @staticmethod
    def _partnership_items(db: Db, rows: list[dict]) -> list[dict]:
        ids = [r["id"] for r in rows]
        invitations: dict[str, list[dict]] = defaultdict(list)
        if ids:
            for i in db.all(
                "SELECT i.*, c.name FROM view_invitations i LEFT JOIN view_cities c ON c.id = i.city_id"
                f" WHERE i.partnership_id IN ({marks(ids)}) ORDER BY i.position, i.ordinal",
                ids,
            ):
                invitations[i["partnership_id"]].append(
                    {
                        "city_id": i["city_id"],
                        "name": i["name"],
                        "status": i["status"],
                        "invited_at": parse_instant(i["invited_at"]),
                        "answered_at": parse_instant(i["answered_at"]),
                        "reason": i["reason"],
                    }
                )
        items = []
        for r in rows:
            plan = load(r["action_plan"])
            if plan:
                plan["adopted_on"] = parse_day(plan["adopted_on"])
            items.append(
                {
                    "id": r["id"],
                    "title": r["title"],
                    "status": r["status"],
                    "proposer_city_id": r["proposer_city_id"],
                    "proposer_name": r["proposer_name"],
                    "themes": load(r["themes"]),
                    "description": r["description"],
                    "invitations": invitations[r["id"]],
                    "action_plan": plan,
                    "outcome": r["outcome"],
                    "closing_reason": r["closing_reason"],
                    "version": r["version"],
                    "proposed_at": parse_instant(r["proposed_at"]),
                    "updated_at": parse_instant(r["updated_at"]),
                    "position": r["position"],
                }
            )
        return items

    def invitations_awaiting(self, city_id: str, limit: int | None = None, cursor: str | None = None) -> Page:
        """Invitations the city has not answered yet, in open partnerships, oldest first."""
        limit = check_limit(limit)
        after = decode_cursor("awaiting", cursor, int, str)
        where = Where()
        where.add("i.city_id = ?", str(city_id))
        where.add("i.status = 'pending'")
        where.add("p.status IN ('proposed', 'active')")
        if after:
            where.add("(i.position > ? OR (i.position = ? AND i.partnership_id > ?))", after[0], after[0], after[1])
        with self._read() as db:
            rows = db.all(
                "SELECT i.partnership_id, i.invited_at, i.position, p.title, p.status, p.themes, p.proposer_city_id,"
                " c.name AS proposer_name FROM view_invitations i JOIN view_partnerships p ON p.id = i.partnership_id"
                f" LEFT JOIN view_cities c ON c.id = p.proposer_city_id{where.sql()}"
                " ORDER BY i.position, i.partnership_id LIMIT ?",
                (*where.params, limit + 1),
            )
        rows, next_cursor = split(rows, limit, lambda r: encode_cursor("awaiting", r["position"], r["partnership_id"]))
        items = [
            {
                "partnership_id": r["partnership_id"],
                "title": r["title"],
                "partnership_status": r["status"],
                "themes": load(r["themes"]),
                "proposer_city_id": r["proposer_city_id"],
                "proposer_name": r["proposer_name"],
                "invited_at": parse_instant(r["invited_at"]),
            }
            for r in rows
        ]
        return {"items": items, "next_cursor": next_cursor}

    # -- calendar ------------------------------------------------------------------------------

    def meetings(
        self,
        city_id: str | None = None,
        from_: datetime | None = None,
        to: datetime | None = None,
        status: str | None = None,
        organiser_id: str | None = None,
        partnership_id: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page:
        """Sessions by start time; ``from_`` ≤ starts_at < ``to`` (tz-aware); per city or organiser (facilitator)."""
        limit = check_limit(limit)
        after = decode_cursor("meetings", cursor, str, str)
        start, end = _check_instant(from_, "from"), _check_instant(to, "to")
        where = Where()
        if city_id := _check_text(city_id, "city_id"):
            # The per-city index (city_id, starts_at, meeting_id) carries the order and the range.
            table, key = (
                "view_meeting_cities x JOIN view_meetings m ON m.id = x.meeting_id",
                ("x.starts_at", "x.meeting_id"),
            )
            where.add("x.city_id = ?", str(city_id))
        else:
            table, key = "view_meetings m", ("m.starts_at", "m.id")
        if start:
            where.add(f"{key[0]} >= ?", start)
        if end:
            where.add(f"{key[0]} < ?", end)
        if status := _check_text(status, "status"):
            where.add("m.status = ?", status)
        if organiser_id := _check_text(organiser_id, "organiser_id"):
            where.add("m.organiser_id = ?", organiser_id)
        if partnership_id := _check_text(partnership_id, "partnership_id"):
            where.add("m.partnership_id = ?", partnership_id)
        if after:
            where.add(f"({key[0]} > ? OR ({key[0]} = ? AND {key[1]} > ?))", after[0], after[0], after[1])
        with self._read() as db:
            rows = db.all(
                f"SELECT m.* FROM {table}{where.sql()} ORDER BY {key[0]}, {key[1]} LIMIT ?", (*where.params, limit + 1)
            )
            rows, next_cursor = split(rows, limit, lambda r: encode_cursor("meetings", r["starts_at"], r["id"]))
            return {"items": self._meeting_items(db, rows), "next_cursor": next_cursor}

    def meeting(self, meeting_id: str) -> dict[str, Any] | None:
        with self._read() as db:
            rows = db.all("SELECT * FROM view_meetings WHERE id = ?", (str(meeting_id),))
            return self._meeting_items(db, rows)[0] if rows else None

    @staticmethod
    def _meeting_items(db: Db, rows: list[dict]) -> list[dict]:
        ids = [r["id"] for r in rows]
        cities: dict[str, list[dict]] = defaultdict(list)
        if ids:
            for x in db.all(
                "SELECT x.meeting_id, x.city_id, x.attended, c.name FROM view_meeting_cities x"
                f" LEFT JOIN view_cities c ON c.id = x.city_id WHERE x.meeting_id IN ({marks(ids)})"
                " ORDER BY x.position, x.ordinal",
                ids,
            ):
                attended = None if x["attended"] is None else bool(x["attended"])
                cities[x["meeting_id"]].append({"city_id": x["city_id"], "name": x["name"], "attended": attended})
        return [
            {
                "id": r["id"],
                "title": r["title"],
                "kind": r["kind"],
                "starts_at": parse_instant(r["starts_at"]),
                "ends_at": parse_instant(r["ends_at"]),
                "duration_minutes": r["duration_minutes"],
                "status": r["status"],
                "partnership_id": r["partnership_id"],
                "location": r["location"],
                "url": r["url"],
                "organiser_id": r["organiser_id"],
                "sequence": r["sequence"],
                "attendance": r["attendance"],
                "summary": r["summary"],
                "cancel_reason": r["cancel_reason"],
                "invited_cities": cities[r["id"]],
                "version": r["version"],
                "updated_at": parse_instant(r["updated_at"]),
            }
            for r in rows
        ]

    # -- agreements -------------------------------------------------------------------------------

    def agreements(
        self,
        status: str | None = None,
        kind: str | None = None,
        city_id: str | None = None,
        partnership_id: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page:
        """Newest first."""
        limit = check_limit(limit)
        after = decode_cursor("agreements", cursor, int)
        where = Where()
        if status := _check_text(status, "status"):
            where.add("status = ?", status)
        if kind := _check_text(kind, "kind"):
            where.add("kind = ?", kind)
        if city_id := _check_text(city_id, "city_id"):
            where.add("id IN (SELECT agreement_id FROM view_agreement_cities WHERE city_id = ?)", str(city_id))
        if partnership_id := _check_text(partnership_id, "partnership_id"):
            where.add("partnership_id = ?", partnership_id)
        if after:
            where.add("position < ?", after[0])
        with self._read() as db:
            rows = db.all(
                f"SELECT * FROM view_agreements{where.sql()} ORDER BY position DESC LIMIT ?", (*where.params, limit + 1)
            )
        rows, next_cursor = split(rows, limit, lambda r: encode_cursor("agreements", r["position"]))
        return {"items": [self._agreement_item(r) for r in rows], "next_cursor": next_cursor}

    def agreement(self, agreement_id: str) -> dict[str, Any] | None:
        with self._read() as db:
            row = db.one("SELECT * FROM view_agreements WHERE id = ?", (str(agreement_id),))
        return None if row is None else self._agreement_item(row)

    @staticmethod
    def _agreement_item(r: dict) -> dict:
        parties = [{**p, "signed_on": parse_day(p.get("signed_on"))} for p in load(r["parties"])]
        return {
            "id": r["id"],
            "title": r["title"],
            "kind": r["kind"],
            "status": r["status"],
            "parties": parties,
            "topics": load(r["topics"]),
            "partnership_id": r["partnership_id"],
            "in_force_on": parse_day(r["in_force_on"]),
            "terminated_on": parse_day(r["terminated_on"]),
            "termination_reason": r["termination_reason"],
            "version": r["version"],
            "drafted_at": parse_instant(r["drafted_at"]),
            "updated_at": parse_instant(r["updated_at"]),
        }

    # -- pilot projects ------------------------------------------------------------------------------

    def projects(
        self,
        status: str | None = None,
        city_id: str | None = None,
        partnership_id: str | None = None,
        theme: str | None = None,
        as_of: date | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page:
        """Newest first, each with its milestones' state (planned / achieved / overdue) as of ``as_of``."""
        limit = check_limit(limit)
        after = decode_cursor("projects", cursor, int)
        as_of = self._as_of(as_of)
        where = Where()
        if status := _check_text(status, "status"):
            where.add("status = ?", status)
        if city_id := _check_text(city_id, "city_id"):
            where.add("id IN (SELECT project_id FROM view_project_cities WHERE city_id = ?)", str(city_id))
        if partnership_id := _check_text(partnership_id, "partnership_id"):
            where.add("partnership_id = ?", partnership_id)
        if theme := _check_text(theme, "theme"):
            where.add("id IN (SELECT project_id FROM view_project_themes WHERE theme = ?)", theme)
        if after:
            where.add("position < ?", after[0])
        with self._read() as db:
            rows = db.all(
                f"SELECT * FROM view_projects{where.sql()} ORDER BY position DESC LIMIT ?", (*where.params, limit + 1)
            )
            rows, next_cursor = split(rows, limit, lambda r: encode_cursor("projects", r["position"]))
            return {"items": self._project_items(db, rows, as_of), "next_cursor": next_cursor}

    def project(self, project_id: str, as_of: date | None = None) -> dict[str, Any] | None:
        with self._read() as db:
            rows = db.all("SELECT * FROM view_projects WHERE id = ?", (str(project_id),))
            return self._project_items(db, rows, self._as_of(as_of))[0] if rows else None

    @staticmethod
    def _project_items(db: Db, rows: list[dict], as_of: date) -> list[dict]:
        ids = [r["id"] for r in rows]
        milestones: dict[str, list[dict]] = defaultdict(list)
        names: dict[str, str] = {}
        if ids:
            status_of = {r["id"]: r["status"] for r in rows}
            for m in db.all(
                f"SELECT * FROM view_milestones WHERE project_id IN ({marks(ids)})"
                " ORDER BY due_on, position, milestone_id",
                ids,
            ):
                due, achieved = parse_day(m["due_on"]), parse_day(m["achieved_on"])
                milestones[m["project_id"]].append(
                    {
                        "id": m["milestone_id"],
                        "title": m["title"],
                        "due_on": due,
                        "status": m["status"],
                        "achieved_on": achieved,
                        "note": m["note"],
                        "state": milestone_state(m["status"], due, achieved, status_of[m["project_id"]], as_of),
                    }
                )
            members = sorted({c for r in rows for c in load(r["member_city_ids"])})
            if members:
                names = {
                    c["id"]: c["name"]
                    for c in db.all(f"SELECT id, name FROM view_cities WHERE id IN ({marks(members)})", members)
                }
        items = []
        for r in rows:
            own = milestones[r["id"]]
            counts = {state: sum(1 for m in own if m["state"] == state) for state in ("planned", "achieved", "overdue")}
            items.append(
                {
                    "id": r["id"],
                    "title": r["title"],
                    "partnership_id": r["partnership_id"],
                    "status": r["status"],
                    "themes": load(r["themes"]),
                    "member_city_ids": load(r["member_city_ids"]),
                    "cities": [{"city_id": c, "name": names.get(c)} for c in load(r["member_city_ids"])],
                    "description": r["description"],
                    "summary": r["summary"],
                    "milestones": own,
                    "milestone_counts": counts,
                    "as_of": as_of,
                    "version": r["version"],
                    "launched_at": parse_instant(r["launched_at"]),
                    "updated_at": parse_instant(r["updated_at"]),
                }
            )
        return items

    # -- city timeline ---------------------------------------------------------------------------------

    def timeline(self, city_id: str, limit: int | None = None, cursor: str | None = None) -> Page:
        """Everything that touched the city, in log order."""
        limit = check_limit(limit)
        after = decode_cursor("timeline", cursor, int)
        where = Where()
        where.add("city_id = ?", str(city_id))
        if after:
            where.add("position > ?", after[0])
        with self._read() as db:
            rows = db.all(
                f"SELECT * FROM view_timeline{where.sql()} ORDER BY position LIMIT ?", (*where.params, limit + 1)
            )
        rows, next_cursor = split(rows, limit, lambda r: encode_cursor("timeline", r["position"]))
        items = [
            {
                "position": r["position"],
                "type": r["type"],
                "subject": {"kind": r["subject_kind"], "id": r["subject_id"]},
                "summary": r["summary"],
                "actor": r["actor"],
                "recorded_at": parse_instant(r["recorded_at"]),
                "data": load(r["data"]),
            }
            for r in rows
        ]
        return {"items": items, "next_cursor": next_cursor}

    # -- inbox ------------------------------------------------------------------------------------------

    def inbox(self, recipient_id: str, limit: int | None = None, cursor: str | None = None) -> Page:
        """A user's notifications, newest first."""
        limit = check_limit(limit)
        after = decode_cursor("inbox", cursor, int)
        where = Where()
        where.add("recipient_id = ?", str(recipient_id))
        if after:
            where.add("position < ?", after[0])
        with self._read() as db:
            rows = db.all(
                f"SELECT * FROM view_inbox{where.sql()} ORDER BY position DESC LIMIT ?", (*where.params, limit + 1)
            )
        rows, next_cursor = split(rows, limit, lambda r: encode_cursor("inbox", r["position"]))
        items = [
            {
                "id": r["id"],
                "kind": r["kind"],
                "subject": {"kind": r["subject_kind"], "id": r["subject_id"]},
                "title": r["title"],
                "body": r["body"],
                "sent_at": parse_instant(r["sent_at"]),
                "channels": load(r["channels"]),
            }
            for r in rows
        ]
        return {"items": items, "next_cursor": next_cursor}

    # -- reports -----------------------------------------------------------------------------------------

    def dashboard(self, as_of: date | None = None) -> dict[str, Any]:
        """The programme in figures; milestones achieved / overdue as of ``as_of`` (default today, UTC)."""
        as_of = self._as_of(as_of)
        day = as_of.isoformat()

        def counts(db: Db, sql: str, params: tuple = ()) -> dict[str, int]:
            return {r["k"]: r["n"] for r in db.all(sql, params)}

        def crosstab(db: Db, sql: str) -> dict[str, dict[str, int]]:
            table: dict[str, dict[str, int]] = defaultdict(dict)
            for r in db.all(sql):
                table[r["theme"]][r["status"]] = r["n"]
            return {theme: dict(sorted(by.items())) for theme, by in sorted(table.items())}

        with self._read() as db:
            cities_by_status = counts(db, "SELECT status AS k, COUNT(*) AS n FROM view_cities GROUP BY status")
            cities_by_region = counts(db, "SELECT region AS k, COUNT(*) AS n FROM view_cities GROUP BY region")
            cities_by_theme = counts(
                db, "SELECT theme AS k, COUNT(DISTINCT city_id) AS n FROM view_city_themes GROUP BY theme"
            )
            partnerships_by_status = counts(
                db, "SELECT status AS k, COUNT(*) AS n FROM view_partnerships GROUP BY status"
            )
            partnership_themes = crosstab(
                db,
                "SELECT t.theme, p.status, COUNT(*) AS n FROM view_partnership_themes t"
                " JOIN view_partnerships p ON p.id = t.partnership_id GROUP BY t.theme, p.status",
            )
            invitations_by_status = counts(
                db, "SELECT status AS k, COUNT(*) AS n FROM view_invitations GROUP BY status"
            )
            meetings_by_status = counts(db, "SELECT status AS k, COUNT(*) AS n FROM view_meetings GROUP BY status")
            meetings_by_kind = counts(db, "SELECT kind AS k, COUNT(*) AS n FROM view_meetings GROUP BY kind")
            participants = db.scalar("SELECT COALESCE(SUM(attendance), 0) FROM view_meetings WHERE status = 'held'")
            agreements_by_status = counts(db, "SELECT status AS k, COUNT(*) AS n FROM view_agreements GROUP BY status")
            agreements_by_kind = counts(db, "SELECT kind AS k, COUNT(*) AS n FROM view_agreements GROUP BY kind")
            mous_in_force = db.scalar("SELECT COUNT(*) FROM view_agreements WHERE status = 'in_force' AND kind = 'mou'")
            projects_by_status = counts(db, "SELECT status AS k, COUNT(*) AS n FROM view_projects GROUP BY status")
            project_themes = crosstab(
                db,
                "SELECT t.theme, p.status, COUNT(*) AS n FROM view_project_themes t"
                " JOIN view_projects p ON p.id = t.project_id GROUP BY t.theme, p.status",
            )
            milestones_total = db.scalar("SELECT COUNT(*) FROM view_milestones")
            achieved = db.scalar(
                "SELECT COUNT(*) FROM view_milestones WHERE status = 'achieved' AND achieved_on <= ?", (day,)
            )
            overdue = db.scalar(
                "SELECT COUNT(*) FROM view_milestones m JOIN view_projects p ON p.id = m.project_id"
                " WHERE p.status = 'active' AND m.due_on < ?"
                " AND NOT (m.status = 'achieved' AND m.achieved_on <= ?)",
                (day, day),
            )
            position = self._position(db)
        return {
            "as_of": as_of,
            "position": position,
            "cities": {
                "total": sum(cities_by_status.values()),
                "by_status": dict(sorted(cities_by_status.items())),
                "by_region": dict(sorted(cities_by_region.items())),
                "by_theme": dict(sorted(cities_by_theme.items())),
            },
            "partnerships": {
                "total": sum(partnerships_by_status.values()),
                "by_status": dict(sorted(partnerships_by_status.items())),
                "by_theme": {t: sum(by.values()) for t, by in partnership_themes.items()},
                "by_theme_and_status": partnership_themes,
                "invitations_by_status": dict(sorted(invitations_by_status.items())),
            },
            "sessions": {
                "total": sum(meetings_by_status.values()),
                "by_status": dict(sorted(meetings_by_status.items())),
                "by_kind": dict(sorted(meetings_by_kind.items())),
                "held": meetings_by_status.get("held", 0),
                "participants": int(participants or 0),
            },
            "agreements": {
                "total": sum(agreements_by_status.values()),
                "by_status": dict(sorted(agreements_by_status.items())),
                "by_kind": dict(sorted(agreements_by_kind.items())),
                "in_force": agreements_by_status.get("in_force", 0),
                "mous_in_force": int(mous_in_force or 0),
            },
            "projects": {
                "total": sum(projects_by_status.values()),
                "by_status": dict(sorted(projects_by_status.items())),
                "by_theme": {t: sum(by.values()) for t, by in project_themes.items()},
                "by_theme_and_status": project_themes,
            },
            "milestones": {
                "total": int(milestones_total or 0),
                "achieved": int(achieved or 0),
                "overdue": int(overdue or 0),
                "planned": int((milestones_total or 0) - (achieved or 0) - (overdue or 0)),
            },
        }

    def progress_review(self, as_of: date | None = None, limit: int | None = None, cursor: str | None = None) -> Page:
        """The seed's table, in launch order: project, cities (names), status, latest result."""
        limit = check_limit(limit)
        after = decode_cursor("review", cursor, int)
        as_of = self._as_of(as_of)
        where = Where()
        if after:
            where.add("position > ?", after[0])
        with self._read() as db:
            rows = db.all(
                f"SELECT * FROM view_projects{where.sql()} ORDER BY position LIMIT ?", (*where.params, limit + 1)
            )
            rows, next_cursor = split(rows, limit, lambda r: encode_cursor("review", r["position"]))
            projects = self._project_items(db, rows, as_of)
        items = []
        for p in projects:
            achieved = [m for m in p["milestones"] if m["state"] == "achieved"]
            latest = max(achieved, key=lambda m: (m["achieved_on"], m["due_on"]), default=None)
            if p["status"] == "completed" and p["summary"]:
                result, result_on, source = p["summary"], p["updated_at"].date(), "summary"
            elif latest is not None:
                note = f": {latest['note']}" if latest["note"] else ""
                result, result_on, source = f"{latest['title']}{note}", latest["achieved_on"], "milestone"
            elif p["summary"]:
                result, result_on, source = p["summary"], p["updated_at"].date(), "summary"
            else:
                result, result_on, source = p["description"], None, "description"
            items.append(
                {
                    "project_id": p["id"],
                    "project": p["title"],
                    "partnership_id": p["partnership_id"],
                    "cities": [c["name"] or c["city_id"] for c in p["cities"]],
                    "status": p["status"],
                    "latest_result": result,
                    "latest_result_on": result_on,
                    "latest_result_source": source,
                    "milestones": p["milestone_counts"],
                    "as_of": as_of,
                }
            )
        return {"items": items, "next_cursor": next_cursor}

    # -- matchmaking inputs --------------------------------------------------------------------------------

    def city_profiles(self) -> list[CityProfile]:
        """Every city as a ``CityProfile`` for ``domain.matchmaking`` (retired ones flagged)."""
        with self._read() as db:
            cities = db.all(
                "SELECT id, name, country, region, timezone, themes_offered, themes_sought, working_hours,"
                " status FROM view_cities ORDER BY sort_key, id"
            )
            stakeholders = db.all("SELECT city_id, kind, themes FROM view_stakeholders")
            ties = db.all(
                "SELECT p.id AS partnership_id, p.status, p.proposer_city_id, i.city_id, i.status AS answer"
                " FROM view_partnerships p LEFT JOIN view_invitations i ON i.partnership_id = p.id"
            )
            responses = db.all("SELECT city_id, response_hours FROM view_invitations WHERE response_hours IS NOT NULL")
        helix: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for s in stakeholders:
            if s["kind"] in HELIX_KINDS:
                for theme in load(s["themes"]):
                    if theme in THEMES:
                        helix[s["city_id"]][theme].add(s["kind"])
        by_partnership: dict[str, tuple[str, str, dict[str, str]]] = {}
        for t in ties:
            status, proposer, invitations = by_partnership.setdefault(
                t["partnership_id"], (t["status"], t["proposer_city_id"], {})
            )
            if t["city_id"] is not None:
                invitations[t["city_id"]] = t["answer"]
        partners = partners_by_city(by_partnership.values())
        hours: dict[str, list[float]] = defaultdict(list)
        for r in responses:
            hours[r["city_id"]].append(float(r["response_hours"]))
        profiles = []
        for c in cities:
            start, end, days = _working_hours(load(c["working_hours"]))
            profiles.append(
                CityProfile(
                    id=c["id"],
                    name=c["name"],
                    country=c["country"],
                    region=c["region"],
                    timezone=c["timezone"],
                    themes_offered=frozenset(t for t in load(c["themes_offered"]) if t in THEMES),
                    themes_sought=frozenset(t for t in load(c["themes_sought"]) if t in THEMES),
                    helix={t: frozenset(k) for t, k in helix[c["id"]].items()},
                    partners=frozenset(partners.get(c["id"], ())),
                    working_hours=(start, end),
                    working_days=days,
                    median_response_hours=statistics.median(hours[c["id"]]) if hours[c["id"]] else None,
                    retired=c["status"] == "retired",
                )
            )
        return profiles

    # -- helpers ---------------------------------------------------------------------------------------------

    def _as_of(self, as_of: date | None) -> date:
        if as_of is None:
            return self.today()
        if not isinstance(as_of, date) or isinstance(as_of, datetime):
            raise InvalidValue("as_of", "must be a calendar date YYYY-MM-DD")
        return as_of

    def _position(self, db: Db) -> int:
        raise NotImplementedError


def _working_hours(hours: dict | None) -> tuple[time, time, frozenset[int]]:
    if not hours:
        return time(9), time(18), frozenset(range(5))
    return (
        parse_hhmm(hours.get("start", "09:00")),
        parse_hhmm(hours.get("end", "18:00")),
        frozenset(hours.get("days", [0, 1, 2, 3, 4])),
    )


def utc_today() -> date:
    return datetime.now(UTC).date()


__all__ = ["Page", "Queries", "milestone_state", "utc_today"]
