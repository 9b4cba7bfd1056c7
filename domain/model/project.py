"""A pilot project run by the members of an active partnership, tracked through milestones."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import NotFound, RuleBroken
from domain.milestones import is_overdue
from domain.model.statuses import MilestoneStatus, ProjectStatus


class ProjectClosed(RuleBroken):
    code = "project-closed"
    title = "The pilot project is completed or cancelled"


class MilestoneExists(RuleBroken):
    code = "milestone-exists"
    title = "A milestone with this id already exists in the project"


class MilestoneAlreadyAchieved(RuleBroken):
    code = "milestone-already-achieved"
    title = "A milestone is achieved once"


class PilotProject(Aggregate):
    # Snapshots: version 2 holds programme_id (v0.1.0's did not).
    class_version = 2

    @staticmethod
    def upcast_v1_v2(state: dict) -> None:
        state["programme_id"] = None

    class ProjectLaunched(Aggregate.Created):
        """Version 2 adds ``programme_id`` (the partnership's); v0.1.0's projects had none."""

        class_version = 2
        title: str
        partnership_id: str
        member_city_ids: list[str]
        themes: list[str]
        description: str | None
        actor: str
        programme_id: str | None

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["programme_id"] = None

    @event(ProjectLaunched)
    def __init__(
        self,
        title: str,
        partnership_id: str,
        member_city_ids: list[str],
        themes: list[str],
        description: str | None,
        actor: str,
        id: UUID | None = None,
        programme_id: str | None = None,
    ) -> None:
        self.programme_id = programme_id
        self.title = title
        self.partnership_id = partnership_id
        self.member_city_ids = list(member_city_ids)
        self.themes = list(themes)
        self.description = description
        self.milestones: dict[str, dict] = {}
        self.status = ProjectStatus.ACTIVE
        self.summary: str | None = None

    def assign_programme(self, programme_id: str, actor: str) -> None:
        """The upgrade places a project recorded before programmes existed, once."""
        if self.programme_id is None:
            self._assign_programme(programme_id=programme_id, actor=actor)

    @event("ProgrammeAssigned")
    def _assign_programme(self, programme_id: str, actor: str) -> None:
        self.programme_id = programme_id

    def plan_milestone(self, milestone_id: str, title: str, due_on: date, actor: str) -> None:
        self._check_active()
        if milestone_id in self.milestones:
            raise MilestoneExists(f"milestone {milestone_id!r} already exists")
        self._plan_milestone(milestone_id=milestone_id, title=title, due_on=due_on, actor=actor)

    @event("MilestonePlanned")
    def _plan_milestone(self, milestone_id: str, title: str, due_on: date, actor: str) -> None:
        self.milestones[milestone_id] = {
            "id": milestone_id,
            "title": title,
            "due_on": due_on,
            "status": MilestoneStatus.PLANNED,
            "achieved_on": None,
            "note": None,
        }

    def reschedule_milestone(self, milestone_id: str, due_on: date, reason: str, actor: str) -> None:
        milestone = self._planned(milestone_id)
        if milestone["due_on"] != due_on:
            self._reschedule_milestone(milestone_id=milestone_id, due_on=due_on, reason=reason, actor=actor)

    @event("MilestoneRescheduled")
    def _reschedule_milestone(self, milestone_id: str, due_on: date, reason: str, actor: str) -> None:
        self.milestones[milestone_id]["due_on"] = due_on

    def achieve_milestone(self, milestone_id: str, achieved_on: date, actor: str, note: str | None = None) -> None:
        self._planned(milestone_id)
        self._achieve_milestone(milestone_id=milestone_id, achieved_on=achieved_on, note=note, actor=actor)

    @event("MilestoneAchieved")
    def _achieve_milestone(self, milestone_id: str, achieved_on: date, note: str | None, actor: str) -> None:
        self.milestones[milestone_id].update(status=MilestoneStatus.ACHIEVED, achieved_on=achieved_on, note=note)

    def complete(self, summary: str, actor: str) -> None:
        self._check_active()
        self._complete(summary=summary, actor=actor)

    @event("ProjectCompleted")
    def _complete(self, summary: str, actor: str) -> None:
        self.status = ProjectStatus.COMPLETED
        self.summary = summary

    def cancel(self, reason: str, actor: str) -> None:
        self._check_active()
        self._cancel(reason=reason, actor=actor)

    @event("ProjectCancelled")
    def _cancel(self, reason: str, actor: str) -> None:
        self.status = ProjectStatus.CANCELLED
        self.summary = reason

    def overdue_milestones(self, today: date) -> list[dict]:
        return [
            m
            for m in self.milestones.values()
            if is_overdue(m["status"], m["due_on"], m.get("achieved_on"), self.status, today)
        ]

    def _planned(self, milestone_id: str) -> dict:
        self._check_active()
        milestone = self.milestones.get(milestone_id)
        if milestone is None:
            raise NotFound(f"the project has no milestone {milestone_id!r}")
        if milestone["status"] == MilestoneStatus.ACHIEVED:
            raise MilestoneAlreadyAchieved(f"achieved on {milestone['achieved_on'].isoformat()}")
        return milestone

    def _check_active(self) -> None:
        if self.status != ProjectStatus.ACTIVE:
            raise ProjectClosed(f"the project is {self.status}")
