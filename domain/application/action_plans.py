"""Action plans (UCAPs) of active partnerships: objectives, actions, indicators and their adoption."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from domain.access import Principal, require_officer_of_any
from domain.application.base import ProgrammeBase, Recorded, parse_id
from domain.errors import Duplicate
from domain.model.action_plan import ActionPlan, ActionPlanExists, plan_id_of
from domain.model.partnership import Partnership, PartnershipNotActive
from domain.model.statuses import PartnershipStatus
from domain.values import check_date, check_name, check_text


def _item_id(value: str | None, field: str) -> str:
    return check_name(value, field) if value else str(uuid.uuid4())


class ActionPlansMixin(ProgrammeBase):
    def draft_action_plan(
        self,
        principal: Principal,
        partnership_id: str,
        title: str,
        objectives: list[str] = (),
    ) -> Recorded:
        partnership = self.load(Partnership, partnership_id)
        require_officer_of_any(principal, partnership.member_city_ids, "a member city")
        self.require_acts_in(principal, partnership.programme_id)
        plan = self._new_plan(partnership, check_name(title, "title"), principal)
        for index, text in enumerate(objectives or ()):
            plan.add_objective(
                str(uuid.uuid4()), check_text(text, f"objectives.{index}", required=True), principal.user_id
            )
        try:
            return Recorded(plan, self.record_new(plan))
        except Duplicate:
            raise ActionPlanExists(f"the partnership already has an action plan ({plan.id})") from None

    def _new_plan(self, partnership: Partnership, title: str, principal: Principal) -> ActionPlan:
        if partnership.status != PartnershipStatus.ACTIVE:
            raise PartnershipNotActive(f"the partnership is {partnership.status}; an action plan needs an active one")
        return ActionPlan(
            id=plan_id_of(partnership.id),
            partnership_id=str(partnership.id),
            member_city_ids=partnership.member_city_ids,
            title=title,
            programme_id=partnership.programme_id,
            actor=principal.user_id,
        )

    def adopt_partnership_plan(
        self, principal: Principal, partnership: Partnership, summary: str, adopted_on: date
    ) -> ActionPlan:
        """The old ``action-plan`` command's plan: drafted with the summary as its first objective (or the
        summary added to the existing plan), adopted on behalf of every member."""
        pid = plan_id_of(partnership.id)
        if self.exists(pid):
            plan = self.load(ActionPlan, pid)
            if summary not in (o["text"] for o in plan.objectives.values()):
                plan.add_objective(str(uuid.uuid4()), summary, principal.user_id)
        else:
            plan = self._new_plan(partnership, check_name(partnership.title, "title"), principal)
            plan.add_objective(str(uuid.uuid4()), summary, principal.user_id)
        plan.adopt_for_members(adopted_on, principal.user_id)
        return plan

    def add_objective(
        self, principal: Principal, plan_id: str, text: str, expected_version: int | None = None
    ) -> Recorded:
        text = check_text(text, "text", required=True)
        objective_id = str(uuid.uuid4())
        return self._on_plan(
            principal, plan_id, expected_version, lambda p: p.add_objective(objective_id, text, principal.user_id)
        )

    def add_action(
        self,
        principal: Principal,
        plan_id: str,
        title: str,
        responsible_city_id: str,
        starts_on: date,
        ends_on: date,
        means: str | None = None,
        objective_id: str | None = None,
        action_id: str | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        title = check_name(title, "title")
        responsible = str(parse_id(responsible_city_id, "responsible_city_id"))
        starts_on, ends_on = check_date(starts_on, "starts_on"), check_date(ends_on, "ends_on")
        means = check_text(means, "means")
        action_id = _item_id(action_id, "action_id")
        return self._on_plan(
            principal,
            plan_id,
            expected_version,
            lambda p: p.add_action(
                action_id, title, responsible, starts_on, ends_on, means, principal.user_id, objective_id=objective_id
            ),
        )

    def start_action(
        self, principal: Principal, plan_id: str, action_id: str, on: date, expected_version: int | None = None
    ) -> Recorded:
        on = check_date(on, "on")
        return self._on_plan(
            principal, plan_id, expected_version, lambda p: p.start_action(action_id, on, principal.user_id)
        )

    def finish_action(
        self, principal: Principal, plan_id: str, action_id: str, on: date, expected_version: int | None = None
    ) -> Recorded:
        on = check_date(on, "on")
        return self._on_plan(
            principal, plan_id, expected_version, lambda p: p.finish_action(action_id, on, principal.user_id)
        )

    def drop_action(
        self,
        principal: Principal,
        plan_id: str,
        action_id: str,
        on: date,
        reason: str,
        expected_version: int | None = None,
    ) -> Recorded:
        on, reason = check_date(on, "on"), check_text(reason, "reason", required=True)
        return self._on_plan(
            principal, plan_id, expected_version, lambda p: p.drop_action(action_id, on, reason, principal.user_id)
        )

    def define_indicator(
        self,
        principal: Principal,
        plan_id: str,
        name: str,
        unit: str,
        baseline: float,
        target: float,
        indicator_id: str | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        name, unit = check_name(name, "name"), check_name(unit, "unit")
        indicator_id = _item_id(indicator_id, "indicator_id")
        return self._on_plan(
            principal,
            plan_id,
            expected_version,
            lambda p: p.define_indicator(indicator_id, name, unit, baseline, target, principal.user_id),
        )

    def report_indicator_value(
        self,
        principal: Principal,
        plan_id: str,
        indicator_id: str,
        value: float,
        on: date,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        on, note = check_date(on, "on"), check_text(note, "note")
        return self._on_plan(
            principal,
            plan_id,
            expected_version,
            lambda p: p.report_value(indicator_id, value, on, note, principal.user_id),
        )

    def adopt_plan_for_city(
        self, principal: Principal, plan_id: str, city_id: str, on: date, expected_version: int | None = None
    ) -> Recorded:
        city_id, on = str(parse_id(city_id, "city_id")), check_date(on, "on")
        require_officer_of_any(principal, [city_id], "the adopting city")
        return self._on_plan(principal, plan_id, expected_version, lambda p: p.adopt(city_id, on, principal.user_id))

    def _on_plan(
        self, principal: Principal, plan_id: str, expected_version: int | None, command: Callable[[ActionPlan], Any]
    ) -> Recorded:
        def guarded(plan: ActionPlan) -> None:
            require_officer_of_any(principal, plan.member_city_ids, "a member city")
            # a plan drafted before ``twinning upgrade`` follows its partnership into the programme
            self.require_acts_in(
                principal, plan.programme_id or self.load(Partnership, plan.partnership_id).programme_id
            )
            command(plan)

        return self.change(ActionPlan, plan_id, guarded, expected_version=expected_version)
