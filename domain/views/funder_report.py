"""The funder's report on a programme: every figure a funder asks for, read from the views as of a date.

Sections (``FUNDER_SECTIONS``): pairings by stage, action plans adopted, actions on time,
indicators against targets, sessions held and participants, feedback outcomes, MoUs in
force, pilot projects and milestones on time vs late, themes and SDGs covered, the same
per region and per cluster, and the progress review (the seed's 2020 table). Business
dates are judged on ``as_of`` (default today, UTC): an action done after its end date is
late, one still open past it overdue; a milestone achieved after its due date is late.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from domain.limits import MAX_LIMIT
from domain.model.statuses import (
    ActionPlanStatus,
    ActionStatus,
    AgreementKind,
    AgreementStatus,
    InvitationStatus,
    MeetingStatus,
    MilestoneStatus,
    PartnershipStatus,
    ProjectStatus,
)
from domain.themes import CLUSTER_THEMES, SDG_THEMES
from domain.views.action_plans import ACTION_PLANS, PLAN_ACTIONS, PLAN_INDICATORS
from domain.views.agreements import AGREEMENTS
from domain.views.cities import CITIES
from domain.views.codec import load, parse_day
from domain.views.feedback import outcomes
from domain.views.funder_breakdowns import Breakdowns
from domain.views.meetings import MEETINGS
from domain.views.paging import check_as_of
from domain.views.partnerships import INVITATIONS, PARTNERSHIPS
from domain.views.programmes import PROGRAMME_CITIES
from domain.views.projects import MILESTONES, PROJECTS

FUNDER_SECTIONS = (
    "pairings",
    "action_plans",
    "actions",
    "indicators",
    "sessions",
    "feedback",
    "agreements",
    "projects",
    "milestones",
    "themes",
    "regions",
    "clusters",
    "progress_review",
)


def action_state(a: dict[str, Any], as_of: date) -> str:
    """An action as of a date: done on time / done late, dropped, overdue (open past its end), or open."""
    done_on, ends_on = parse_day(a["done_on"]), parse_day(a["ends_on"])
    if a["status"] == ActionStatus.DONE and done_on is not None and done_on <= as_of:
        return "done_on_time" if done_on <= ends_on else "done_late"
    if a["status"] == ActionStatus.DROPPED and parse_day(a["dropped_on"]) <= as_of:
        return "dropped"
    return "overdue" if ends_on < as_of else "open"


def indicator_standing(i: dict[str, Any], as_of: date) -> dict[str, Any]:
    """The latest value reported on or before ``as_of``, and how far it has come from baseline to target."""
    reported = [v for v in load(i["reported"]) if parse_day(v["on"]) <= as_of]
    latest = reported[-1] if reported else None
    baseline, target = i["baseline"], i["target"]
    progress = None if latest is None else (latest["value"] - baseline) / (target - baseline)
    state = "not_reported" if progress is None else ("met" if progress >= 1 else "below_target")
    return {
        "name": i["name"],
        "unit": i["unit"],
        "baseline": baseline,
        "target": target,
        "latest": None if latest is None else latest["value"],
        "latest_on": None if latest is None else parse_day(latest["on"]),
        "progress_percent": None if progress is None else round(100 * progress, 1),
        "state": state,
    }


class FunderReportQueries:
    """Mixed into ``Views``."""

    def funder_report(self, programme_id: str | None = None, as_of: date | None = None) -> dict[str, Any]:
        as_of = check_as_of(as_of, self.today())
        with self._read() as db:
            made = _Report(db, as_of, programme_id)
            report = made.build()
            position = self._position(db)
        review, cursor = [], None
        while True:
            page = self.progress_review(as_of=as_of, limit=MAX_LIMIT, cursor=cursor)
            review += [item for item in page["items"] if item["project_id"] in made.project_ids]
            if not (cursor := page["next_cursor"]):
                break
        return {"programme_id": programme_id, "as_of": as_of, "position": position, **report, "progress_review": review}


class _Report(Breakdowns):
    """One report's figures, read in one transaction; with a programme, only what belongs to it.

    Action plans belong to their partnership's programme (read from the partnerships' view,
    so a plan drafted before ``twinning upgrade`` follows its partnership into the programme)."""

    def __init__(self, db: Any, as_of: date, programme_id: str | None) -> None:
        self.db, self.as_of, self.pid = db, as_of, programme_id
        self.regions = {r["id"]: r["region"] for r in db.all(f"SELECT id, region FROM {CITIES.name}")}
        self.city_ids = (
            set(self.regions)
            if programme_id is None
            else {
                r["city_id"]
                for r in db.all(f"SELECT city_id FROM {PROGRAMME_CITIES.name} WHERE programme_id = ?", (programme_id,))
            }
        )
        self.partnerships = self._of(PARTNERSHIPS.name, "id, status, themes, proposer_city_id, action_plan")
        self.involved: dict[str, set[str]] = defaultdict(set)
        for p in self.partnerships:
            self.involved[p["id"]].add(p["proposer_city_id"])
        # a pairing involves its proposer and every invited city that has not declined
        for i in db.all(
            f"SELECT partnership_id, city_id FROM {INVITATIONS.name} WHERE status <> ?", (InvitationStatus.DECLINED,)
        ):
            if i["partnership_id"] in self.involved:
                self.involved[i["partnership_id"]].add(i["city_id"])
        self.projects = self._of(PROJECTS.name, "id, status, themes")
        self.project_ids = {p["id"] for p in self.projects}
        self.agreement_rows = self._of(AGREEMENTS.name, "id, title, kind, status, in_force_on")
        self.agreement_ids = {r["id"] for r in self.agreement_rows}

    def _of(self, table: str, columns: str) -> list[dict]:
        """The rows of a table with a ``programme_id`` column that belong to the programme (all without one)."""
        if self.pid is None:
            return self.db.all(f"SELECT {columns} FROM {table} ORDER BY position")
        return self.db.all(f"SELECT {columns} FROM {table} WHERE programme_id = ? ORDER BY position", (self.pid,))

    def build(self) -> dict[str, Any]:
        plans = [p for p in self.db.all(f"SELECT * FROM {ACTION_PLANS.name}") if p["partnership_id"] in self.involved]
        plan_ids = {p["id"] for p in plans}
        actions = [a for a in self.db.all(f"SELECT * FROM {PLAN_ACTIONS.name}") if a["plan_id"] in plan_ids]
        indicators = self.db.all(
            f"SELECT i.*, p.title AS plan FROM {PLAN_INDICATORS.name} i JOIN {ACTION_PLANS.name} p ON p.id = i.plan_id"
            " ORDER BY i.position"
        )
        indicators = [i for i in indicators if i["plan_id"] in plan_ids]
        meetings = self._of(MEETINGS.name, "id, status, kind, attendance, cluster_id")
        projects = self.projects
        return {
            "pairings": self.pairings(),
            "action_plans": self.action_plans(plans),
            "actions": self.actions(actions),
            "indicators": self.indicators(indicators),
            "sessions": self.sessions(meetings),
            "feedback": outcomes(self.db, programme_id=self.pid),
            "agreements": self.agreements(),
            "projects": _tally(projects, "status", ProjectStatus),
            "milestones": self.milestones(),
            "themes": self.themes(projects),
            "regions": self.by_region(plans, meetings),
            "clusters": self.by_cluster(plans, meetings),
        }

    def pairings(self) -> dict[str, Any]:
        by_stage = _tally(self.partnerships, "status", PartnershipStatus)
        return {**by_stage, "with_summary_plan": sum(1 for p in self.partnerships if p["action_plan"])}

    def action_plans(self, plans: list[dict]) -> dict[str, Any]:
        adopted = [
            p for p in plans if p["status"] == ActionPlanStatus.ADOPTED and parse_day(p["adopted_on"]) <= self.as_of
        ]
        planned = {p["partnership_id"] for p in plans}
        return {
            "total": len(plans),
            "adopted": len(adopted),
            "drafted": len(plans) - len(adopted),
            # partnerships whose plan was only a summary, recorded before plans were aggregates
            "summary_only": sum(1 for p in self.partnerships if p["action_plan"] and p["id"] not in planned),
        }

    def actions(self, actions: list[dict]) -> dict[str, Any]:
        states = Counter(action_state(a, self.as_of) for a in actions)
        keys = ("done_on_time", "done_late", "overdue", "open", "dropped")
        done = states["done_on_time"] + states["done_late"]
        return {
            "total": len(actions),
            **{k: states[k] for k in keys},
            "on_time_percent": None if not done else round(100 * states["done_on_time"] / done, 1),
        }

    def indicators(self, indicators: list[dict]) -> dict[str, Any]:
        items = [{"plan": i["plan"], **indicator_standing(i, self.as_of)} for i in indicators]
        states = Counter(i["state"] for i in items)
        return {"total": len(items), **{k: states[k] for k in ("met", "below_target", "not_reported")}, "items": items}

    def sessions(self, meetings: list[dict]) -> dict[str, Any]:
        held = [m for m in meetings if m["status"] == MeetingStatus.HELD]
        return {
            "total": len(meetings),
            "held": len(held),
            "cancelled": sum(1 for m in meetings if m["status"] == MeetingStatus.CANCELLED),
            "participants": sum(m["attendance"] or 0 for m in held),
            "held_by_kind": dict(sorted(Counter(m["kind"] for m in held).items())),
        }

    def agreements(self) -> dict[str, Any]:
        rows = self.agreement_rows
        in_force = [
            r for r in rows if r["status"] == AgreementStatus.IN_FORCE and parse_day(r["in_force_on"]) <= self.as_of
        ]
        mous = [r for r in in_force if r["kind"] == AgreementKind.MOU]
        return {
            "total": len(rows),
            "in_force": len(in_force),
            "mous_in_force": len(mous),
            "mou_titles": [r["title"] for r in mous],
        }

    def milestones(self) -> dict[str, int]:
        rows = self.db.all(
            f"SELECT m.project_id, m.status, m.due_on, m.achieved_on, p.status AS project_status FROM {MILESTONES.name} m"
            f" JOIN {PROJECTS.name} p ON p.id = m.project_id"
        )
        counts: Counter = Counter()
        for m in rows:
            if m["project_id"] not in self.project_ids:
                continue
            due, achieved = parse_day(m["due_on"]), parse_day(m["achieved_on"])
            if m["status"] == MilestoneStatus.ACHIEVED and achieved is not None and achieved <= self.as_of:
                counts["achieved_on_time" if achieved <= due else "achieved_late"] += 1
            elif due < self.as_of and m["project_status"] == ProjectStatus.ACTIVE:
                counts["overdue"] += 1
            else:
                counts["planned"] += 1
        keys = ("achieved_on_time", "achieved_late", "overdue", "planned")
        return {"total": sum(counts.values()), **{k: counts[k] for k in keys}}

    def themes(self, projects: list[dict]) -> dict[str, Any]:
        pairings = Counter(t for p in self.partnerships for t in load(p["themes"]))
        pilots = Counter(t for p in projects for t in load(p["themes"]))
        covered = set(pairings) | set(pilots)
        return {
            "clusters_covered": sorted(t for t in covered if t in CLUSTER_THEMES),
            "sdgs_covered": sorted((t for t in covered if t in SDG_THEMES), key=lambda t: int(t.split("-")[1])),
            "pairings_by_theme": dict(sorted(pairings.items())),
            "projects_by_theme": dict(sorted(pilots.items())),
        }


def _tally(rows: list[dict], column: str, kind: Any = None) -> dict[str, Any]:
    counts = Counter(r[column] for r in rows)
    keys = [str(k) for k in kind] if kind is not None else sorted(counts)
    return {"total": len(rows), "by_status": {k: counts[k] for k in keys}}
