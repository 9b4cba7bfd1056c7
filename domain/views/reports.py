"""Reports over the read models: the programme's dashboard and the progress review of its pilot projects."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from domain.milestones import MilestoneState, milestone_state
from domain.model.statuses import AgreementKind, AgreementStatus, MeetingStatus, ProjectStatus
from domain.views.agreements import AGREEMENTS
from domain.views.cities import CITIES
from domain.views.codec import load, parse_day
from domain.views.meetings import MEETINGS
from domain.views.paging import Page, Where, check_as_of, check_limit, decode_cursor, encode_cursor, split
from domain.views.partnerships import INVITATIONS, PARTNERSHIPS
from domain.views.programmes import PROGRAMME_CITIES
from domain.views.projects import MILESTONES, PROJECTS, project_items


def _counts(db: Any, table: str, column: str, where: str = "", params: tuple = ()) -> dict[str, int]:
    rows = db.all(f"SELECT {column} AS k, COUNT(*) AS n FROM {table}{where} GROUP BY {column}", params)
    return dict(sorted((r["k"], r["n"]) for r in rows))


def _by_theme(rows: list[dict], *columns: str) -> dict[str, dict[str, int]]:
    """theme -> status -> how many rows hold the theme in any of these JSON list columns."""
    table: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        for theme in {t for column in columns for t in load(r[column])}:
            table[theme][r["status"]] += 1
    return {theme: dict(sorted(by.items())) for theme, by in sorted(table.items())}


def _total(by: dict[str, dict[str, int]]) -> dict[str, int]:
    return {theme: sum(counts.values()) for theme, counts in by.items()}


def milestone_counts(db: Any, as_of: date, programme_id: str | None = None) -> dict[str, int]:
    scope, params = ("", ()) if programme_id is None else (" WHERE p.programme_id = ?", (programme_id,))
    counts = Counter(
        milestone_state(r["status"], parse_day(r["due_on"]), parse_day(r["achieved_on"]), r["project_status"], as_of)
        for r in db.all(
            f"SELECT m.status, m.due_on, m.achieved_on, p.status AS project_status FROM {MILESTONES.name} m"
            f" LEFT JOIN {PROJECTS.name} p ON p.id = m.project_id{scope}",
            params,
        )
    )
    total = sum(counts.values())
    achieved, overdue, planned = (
        counts[s] for s in (MilestoneState.ACHIEVED, MilestoneState.OVERDUE, MilestoneState.PLANNED)
    )
    return {"total": total, "achieved": achieved, "overdue": overdue, "planned": planned}


class ReportQueries:
    """Mixed into ``Views``."""

    def dashboard(self, as_of: date | None = None, programme_id: str | None = None) -> dict[str, Any]:
        """The programme in figures; milestones achieved / overdue as of ``as_of`` (default today, UTC).
        ``programme_id``: only that programme's cities, partnerships, sessions, agreements and projects."""
        as_of = check_as_of(as_of, self.today())
        one = () if programme_id is None else (programme_id,)
        own = "" if programme_id is None else " WHERE programme_id = ?"
        also = "" if programme_id is None else " AND programme_id = ?"
        members = (
            ""
            if programme_id is None
            else f" WHERE id IN (SELECT city_id FROM {PROGRAMME_CITIES.name} WHERE programme_id = ?)"
        )
        answers = (
            ""
            if programme_id is None
            else f" WHERE partnership_id IN (SELECT id FROM {PARTNERSHIPS.name} WHERE programme_id = ?)"
        )
        with self._read() as db:
            cities_by_status = _counts(db, CITIES.name, "status", members, one)
            cities_by_region = _counts(db, CITIES.name, "region", members, one)
            cities = db.all(f"SELECT status, themes_offered, themes_sought FROM {CITIES.name}{members}", one)
            partnerships_by_status = _counts(db, PARTNERSHIPS.name, "status", own, one)
            partnership_themes = _by_theme(
                db.all(f"SELECT status, themes FROM {PARTNERSHIPS.name}{own}", one), "themes"
            )
            invitations_by_status = _counts(db, INVITATIONS.name, "status", answers, one)
            meetings_by_status = _counts(db, MEETINGS.name, "status", own, one)
            meetings_by_kind = _counts(db, MEETINGS.name, "kind", own, one)
            participants = db.scalar(
                f"SELECT COALESCE(SUM(attendance), 0) FROM {MEETINGS.name} WHERE status = ?{also}",
                (MeetingStatus.HELD, *one),
            )
            agreements_by_status = _counts(db, AGREEMENTS.name, "status", own, one)
            agreements_by_kind = _counts(db, AGREEMENTS.name, "kind", own, one)
            mous_in_force = db.scalar(
                f"SELECT COUNT(*) FROM {AGREEMENTS.name} WHERE status = ? AND kind = ?{also}",
                (AgreementStatus.IN_FORCE, AgreementKind.MOU, *one),
            )
            projects_by_status = _counts(db, PROJECTS.name, "status", own, one)
            project_themes = _by_theme(db.all(f"SELECT status, themes FROM {PROJECTS.name}{own}", one), "themes")
            milestones = milestone_counts(db, as_of, programme_id)
            position = self._position(db)
        cities_by_theme = _total(_by_theme(cities, "themes_offered", "themes_sought"))
        return {
            "as_of": as_of,
            "position": position,
            "programme_id": programme_id,
            "cities": {
                "total": sum(cities_by_status.values()),
                "by_status": cities_by_status,
                "by_region": cities_by_region,
                "by_theme": cities_by_theme,
            },
            "partnerships": {
                "total": sum(partnerships_by_status.values()),
                "by_status": partnerships_by_status,
                "by_theme": _total(partnership_themes),
                "by_theme_and_status": partnership_themes,
                "invitations_by_status": invitations_by_status,
            },
            "sessions": {
                "total": sum(meetings_by_status.values()),
                "by_status": meetings_by_status,
                "by_kind": meetings_by_kind,
                "held": meetings_by_status.get(MeetingStatus.HELD, 0),
                "participants": int(participants or 0),
            },
            "agreements": {
                "total": sum(agreements_by_status.values()),
                "by_status": agreements_by_status,
                "by_kind": agreements_by_kind,
                "in_force": agreements_by_status.get(AgreementStatus.IN_FORCE, 0),
                "mous_in_force": int(mous_in_force or 0),
            },
            "projects": {
                "total": sum(projects_by_status.values()),
                "by_status": projects_by_status,
                "by_theme": _total(project_themes),
                "by_theme_and_status": project_themes,
            },
            "milestones": milestones,
        }

    def progress_review(
        self,
        as_of: date | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        programme_id: str | None = None,
    ) -> Page:
        """The seed's table, in launch order: project, cities (names), status, latest result."""
        limit = check_limit(limit)
        after = decode_cursor("review", cursor, int)
        as_of = check_as_of(as_of, self.today())
        where = Where()
        if programme_id is not None:
            where.add("programme_id = ?", programme_id)
        if after:
            where.add("position > ?", after[0])
        with self._read() as db:
            rows = db.all(
                f"SELECT * FROM {PROJECTS.name}{where.sql()} ORDER BY position LIMIT ?", (*where.params, limit + 1)
            )
            rows, next_cursor = split(rows, limit, lambda r: encode_cursor("review", r["position"]))
            projects = project_items(db, rows, as_of)
        return {"items": [_review(p, as_of) for p in projects], "next_cursor": next_cursor}


def _review(p: dict[str, Any], as_of: date) -> dict[str, Any]:
    achieved = [m for m in p["milestones"] if m["state"] == MilestoneState.ACHIEVED]
    latest = max(achieved, key=lambda m: (m["achieved_on"], m["due_on"]), default=None)
    if p["status"] == ProjectStatus.COMPLETED and p["summary"]:
        result, result_on, source = p["summary"], p["updated_at"].date(), "summary"
    elif latest is not None:
        note = f": {latest['note']}" if latest["note"] else ""
        result, result_on, source = f"{latest['title']}{note}", latest["achieved_on"], "milestone"
    elif p["summary"]:
        result, result_on, source = p["summary"], p["updated_at"].date(), "summary"
    else:
        result, result_on, source = p["description"], None, "description"
    return {
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
