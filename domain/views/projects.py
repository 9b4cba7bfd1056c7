"""Pilot projects with their member cities and milestones (each milestone's state as of a date)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from domain.milestones import STATES, milestone_state
from domain.model.project import PilotProject
from domain.model.statuses import MilestoneStatus, ProjectStatus
from domain.storage import marks
from domain.views import timeline
from domain.views.cities import CITIES
from domain.views.codec import contains, day, dump, instant, load, member
from domain.views.context import Context, handles, looks_up
from domain.views.paging import Page, Where, check_as_of, check_limit, check_text, decode_cursor, encode_cursor, split
from domain.views.table import Table
from domain.views.timeline import quoted, tells
from domain.views.told import Told

PROJECTS = Table(
    "view_projects",
    "id, title, partnership_id, programme_id?, status, themes:json, member_city_ids:json, description?, summary?,"
    " launched_at:instant, updated_at:instant, version:int, position:bigint",
    key="id",
    indexes={
        "by_position": "position",
        "by_status": "status, position",
        "by_partnership": "partnership_id, position",
    },
)
PROJECT_CITIES = Table(
    "view_project_cities", "project_id, city_id", key="project_id, city_id", indexes={"by_city": "city_id, project_id"}
)
MILESTONES = Table(
    "view_milestones",
    "project_id, milestone_id, title, due_on:day, status, achieved_on:day?, note?, position:bigint,"
    " updated_position:bigint",
    key="project_id, milestone_id",
    indexes={"by_status": "status, due_on"},
)
TABLES = (PROJECTS, PROJECT_CITIES, MILESTONES)


@looks_up("projects", copy=lambda p: {**p, "cities": list(p["cities"]), "milestones": dict(p["milestones"])})
def _load(db: Any, prid: str) -> dict[str, Any] | None:
    row = db.one(f"SELECT title, member_city_ids FROM {PROJECTS.name} WHERE id = ?", (prid,))
    if row is None:
        return None
    milestones = db.all(f"SELECT milestone_id, title FROM {MILESTONES.name} WHERE project_id = ?", (prid,))
    return {
        "title": row["title"],
        "cities": load(row["member_city_ids"]),
        "milestones": {r["milestone_id"]: r["title"] for r in milestones},
    }


# -- handlers --------------------------------------------------------------------------------


@handles(PilotProject.ProjectLaunched)
def launched(ctx: Context, position: int, e: Any) -> None:
    prid, at = str(e.originator_id), instant(e.timestamp)
    members = list(dict.fromkeys(e.member_city_ids))
    PROJECTS.insert(
        ctx.db,
        id=prid,
        title=e.title,
        partnership_id=e.partnership_id,
        programme_id=e.programme_id,
        status=ProjectStatus.ACTIVE,
        themes=dump(list(e.themes)),
        member_city_ids=dump(members),
        description=e.description,
        launched_at=at,
        updated_at=at,
        version=e.originator_version,
        position=position,
    )
    for city_id in members:
        PROJECT_CITIES.insert(ctx.db, project_id=prid, city_id=city_id)
    ctx.put("projects", prid, {"title": e.title, "cities": members, "milestones": {}})
    timeline.record(ctx, members, position)


@handles(PilotProject.MilestonePlanned)
def milestone_planned(ctx: Context, position: int, e: Any) -> None:
    prid = str(e.originator_id)
    project = ctx.get("projects", prid)
    if project is None:
        return
    MILESTONES.insert(
        ctx.db,
        project_id=prid,
        milestone_id=e.milestone_id,
        title=e.title,
        due_on=day(e.due_on),
        status=MilestoneStatus.PLANNED,
        position=position,
        updated_position=position,
    )
    project["milestones"][e.milestone_id] = e.title
    ctx.touch(PROJECTS.name, e)
    timeline.record(ctx, project["cities"], position)


def _milestone_change(ctx: Context, position: int, e: Any, **changes: Any) -> None:
    prid = str(e.originator_id)
    project = ctx.get("projects", prid)
    if project is None:
        return
    ctx.db.update(
        MILESTONES.name,
        {"project_id": prid, "milestone_id": e.milestone_id},
        {**changes, "updated_position": position},
    )
    ctx.touch(PROJECTS.name, e)
    timeline.record(ctx, project["cities"], position)


@handles(PilotProject.MilestoneRescheduled)
def milestone_rescheduled(ctx: Context, position: int, e: Any) -> None:
    _milestone_change(ctx, position, e, due_on=day(e.due_on))


@handles(PilotProject.MilestoneAchieved)
def milestone_achieved(ctx: Context, position: int, e: Any) -> None:
    _milestone_change(ctx, position, e, status=MilestoneStatus.ACHIEVED, achieved_on=day(e.achieved_on), note=e.note)


@handles(PilotProject.ProjectCompleted)
def completed(ctx: Context, position: int, e: Any) -> None:
    _closed(ctx, position, e, ProjectStatus.COMPLETED, e.summary)


@handles(PilotProject.ProgrammeAssigned)
def programme_assigned(ctx: Context, position: int, e: Any) -> None:
    """The upgrade placed a pilot project recorded before programmes existed."""
    ctx.touch(PROJECTS.name, e, programme_id=e.programme_id)


@handles(PilotProject.ProjectCancelled)
def cancelled(ctx: Context, position: int, e: Any) -> None:
    _closed(ctx, position, e, ProjectStatus.CANCELLED, e.reason)


def _closed(ctx: Context, position: int, e: Any, status: str, summary: str) -> None:
    prid = str(e.originator_id)
    project = ctx.get("projects", prid)
    if project is None:
        return
    ctx.touch(PROJECTS.name, e, status=status, summary=summary)
    timeline.record(ctx, project["cities"], position)


def _milestone(p: dict[str, Any], e: Any) -> dict[str, str]:
    return {"milestone": quoted(p["milestones"].get(e.milestone_id, e.milestone_id)), "project": quoted(p["title"])}


TOLD: dict[type, Any] = {
    PilotProject.ProjectLaunched: lambda p, e: Told("Pilot project {project} launched", project=quoted(e.title)),
    PilotProject.MilestonePlanned: lambda p, e: Told(
        "Milestone {milestone} of {project} planned for {day}",
        milestone=quoted(e.title),
        project=quoted(p["title"]),
        day=day(e.due_on),
    ),
    PilotProject.MilestoneRescheduled: lambda p, e: Told(
        "Milestone {milestone} of {project} moved to {day}", **_milestone(p, e), day=day(e.due_on)
    ),
    PilotProject.MilestoneAchieved: lambda p, e: Told(
        "Milestone {milestone} of {project} achieved on {day}", **_milestone(p, e), day=day(e.achieved_on)
    ),
    PilotProject.ProjectCompleted: lambda p, e: Told("Pilot project {project} completed", project=quoted(p["title"])),
    PilotProject.ProjectCancelled: lambda p, e: Told("Pilot project {project} cancelled", project=quoted(p["title"])),
}


@tells(*TOLD)
def _told(ctx: Context, position: int, e: Any) -> str:
    return TOLD[type(e)](ctx.get("projects", str(e.originator_id)), e)


# -- queries ---------------------------------------------------------------------------------


class ProjectQueries:
    """Mixed into ``Views``."""

    def projects(
        self,
        status: str | None = None,
        city_id: str | None = None,
        partnership_id: str | None = None,
        theme: str | None = None,
        as_of: date | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        programme_id: str | None = None,
    ) -> Page:
        """Newest first, each with its milestones' state (planned / achieved / overdue) as of ``as_of``."""
        limit = check_limit(limit)
        after = decode_cursor("projects", cursor, int)
        as_of = check_as_of(as_of, self.today())
        where = Where()
        if status := check_text(status, "status"):
            where.add("status = ?", status)
        if city_id := check_text(city_id, "city_id"):
            where.add(f"id IN (SELECT project_id FROM {PROJECT_CITIES.name} WHERE city_id = ?)", str(city_id))
        if partnership_id := check_text(partnership_id, "partnership_id"):
            where.add("partnership_id = ?", partnership_id)
        if theme := check_text(theme, "theme"):
            where.add(contains("themes"), member(theme))
        if programme_id := check_text(programme_id, "programme_id"):
            where.add("programme_id = ?", programme_id)
        if after:
            where.add("position < ?", after[0])
        with self._read() as db:
            rows = db.all(
                f"SELECT * FROM {PROJECTS.name}{where.sql()} ORDER BY position DESC LIMIT ?", (*where.params, limit + 1)
            )
            rows, next_cursor = split(rows, limit, lambda r: encode_cursor("projects", r["position"]))
            return {"items": project_items(db, rows, as_of), "next_cursor": next_cursor}

    def project(self, project_id: str, as_of: date | None = None) -> dict[str, Any] | None:
        with self._read() as db:
            rows = db.all(f"SELECT * FROM {PROJECTS.name} WHERE id = ?", (str(project_id),))
            return project_items(db, rows, check_as_of(as_of, self.today()))[0] if rows else None


def project_items(db: Any, rows: list[dict], as_of: date) -> list[dict]:
    ids = [r["id"] for r in rows]
    milestones: dict[str, list[dict]] = defaultdict(list)
    names: dict[str, str] = {}
    if ids:
        status_of = {r["id"]: r["status"] for r in rows}
        for stored in db.all(
            f"SELECT * FROM {MILESTONES.name} WHERE project_id IN ({marks(ids)}) ORDER BY due_on, position, milestone_id",
            ids,
        ):
            m = MILESTONES.decode(stored)
            state = milestone_state(m["status"], m["due_on"], m["achieved_on"], status_of[m["project_id"]], as_of)
            milestones[m["project_id"]].append(
                {
                    "id": m["milestone_id"],
                    "title": m["title"],
                    "due_on": m["due_on"],
                    "status": m["status"],
                    "achieved_on": m["achieved_on"],
                    "note": m["note"],
                    "state": state,
                }
            )
        members = sorted({c for r in rows for c in load(r["member_city_ids"])})
        if members:
            found = db.all(f"SELECT id, name FROM {CITIES.name} WHERE id IN ({marks(members)})", members)
            names = {c["id"]: c["name"] for c in found}
    items = []
    for stored in rows:
        r = PROJECTS.decode(stored)
        own = milestones[r["id"]]
        items.append(
            {
                "id": r["id"],
                "title": r["title"],
                "partnership_id": r["partnership_id"],
                "programme_id": r["programme_id"],
                "status": r["status"],
                "themes": r["themes"],
                "member_city_ids": r["member_city_ids"],
                "cities": [{"city_id": c, "name": names.get(c)} for c in r["member_city_ids"]],
                "description": r["description"],
                "summary": r["summary"],
                "milestones": own,
                "milestone_counts": {state: sum(1 for m in own if m["state"] == state) for state in STATES},
                "as_of": as_of,
                "version": r["version"],
                "created_at": r["launched_at"],
                "launched_at": r["launched_at"],  # deprecated alias of created_at, for one release
                "updated_at": r["updated_at"],
            }
        )
    return items
