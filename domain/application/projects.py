"""Pilot projects of active partnerships, and their milestones."""

from __future__ import annotations

import uuid
from datetime import date
from uuid import UUID

from domain.access import Principal, require_officer_of_any
from domain.application.base import ProgrammeBase, Recorded, parse_id
from domain.model.partnership import Partnership, PartnershipNotActive
from domain.model.programme import ProgrammeNotResolved
from domain.model.project import PilotProject
from domain.model.statuses import PartnershipStatus
from domain.themes import check_themes
from domain.values import check_date, check_name, check_text


class ProjectsMixin(ProgrammeBase):
    def launch_project(
        self,
        principal: Principal,
        title: str,
        partnership_id: str,
        themes: list[str] = (),
        description: str | None = None,
        new_id: UUID | None = None,
        programme_id: str | None = None,
    ) -> Recorded:
        partnership = self.load(Partnership, partnership_id, field="partnership_id")
        require_officer_of_any(principal, partnership.member_city_ids, "a member city")
        # A project belongs to its partnership's programme; naming another is a mistake.
        if programme_id is not None and str(parse_id(programme_id, "programme_id")) != partnership.programme_id:
            raise ProgrammeNotResolved(f"differs from the partnership's programme {partnership.programme_id}")
        self.require_acts_in(principal, partnership.programme_id)
        if partnership.status != PartnershipStatus.ACTIVE:
            raise PartnershipNotActive(f"the partnership is {partnership.status}; a pilot project needs an active one")
        project = PilotProject(
            id=new_id,
            title=check_name(title, "title"),
            partnership_id=str(partnership.id),
            member_city_ids=partnership.member_city_ids,
            themes=check_themes(themes),
            description=check_text(description, "description"),
            actor=principal.user_id,
            programme_id=partnership.programme_id,
        )
        return Recorded(project, self.record_new(project))

    def plan_milestone(
        self,
        principal: Principal,
        project_id: str,
        title: str,
        due_on: date,
        milestone_id: str | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        title, due_on = check_name(title, "title"), check_date(due_on, "due_on")
        milestone_id = check_name(milestone_id, "milestone_id") if milestone_id else str(uuid.uuid4())
        return self._on_project(
            principal,
            project_id,
            expected_version,
            lambda p: p.plan_milestone(milestone_id, title, due_on, actor=principal.user_id),
        )

    def reschedule_milestone(
        self,
        principal: Principal,
        project_id: str,
        milestone_id: str,
        due_on: date,
        reason: str,
        expected_version: int | None = None,
    ) -> Recorded:
        due_on, reason = check_date(due_on, "due_on"), check_text(reason, "reason", required=True)
        return self._on_project(
            principal,
            project_id,
            expected_version,
            lambda p: p.reschedule_milestone(milestone_id, due_on, reason, actor=principal.user_id),
        )

    def achieve_milestone(
        self,
        principal: Principal,
        project_id: str,
        milestone_id: str,
        achieved_on: date,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        achieved_on, note = check_date(achieved_on, "achieved_on"), check_text(note, "note")
        return self._on_project(
            principal,
            project_id,
            expected_version,
            lambda p: p.achieve_milestone(milestone_id, achieved_on, note=note, actor=principal.user_id),
        )

    def complete_project(
        self, principal: Principal, project_id: str, summary: str, expected_version: int | None = None
    ) -> Recorded:
        summary = check_text(summary, "summary", required=True)
        return self._on_project(
            principal, project_id, expected_version, lambda p: p.complete(summary, actor=principal.user_id)
        )

    def cancel_project(
        self, principal: Principal, project_id: str, reason: str, expected_version: int | None = None
    ) -> Recorded:
        reason = check_text(reason, "reason", required=True)
        return self._on_project(
            principal, project_id, expected_version, lambda p: p.cancel(reason, actor=principal.user_id)
        )

    def _on_project(self, principal: Principal, project_id: str, expected_version: int | None, command) -> Recorded:
        def guarded(project: PilotProject) -> None:
            require_officer_of_any(principal, project.member_city_ids, "a member city")
            self.require_acts_in(principal, project.programme_id)
            command(project)

        return self.change(PilotProject, project_id, guarded, expected_version=expected_version)
