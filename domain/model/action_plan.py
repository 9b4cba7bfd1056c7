"""An Urban Cooperation Action Plan (UCAP): a partnership's objectives, actions and indicators.

Adoption rule: the plan is drafted, then each member city adopts it (its officer, or a
facilitator on the city's behalf); once every member city has, the plan is adopted. The
old one-step ``action-plan`` command adopts on behalf of all members at once, as it did.
Plans stay open after adoption: actions, indicators and their values keep being recorded.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidValue, NotFound, RuleBroken
from domain.model.statuses import CLOSED_ACTION, ActionPlanStatus, ActionStatus


class ActionPlanExists(RuleBroken):
    code = "action-plan-exists"
    title = "A partnership has one action plan"


class ActionPlanAlreadyAdopted(RuleBroken):
    code = "action-plan-adopted"
    title = "This member city has already adopted the action plan"


class PlanItemExists(RuleBroken):
    code = "plan-item-exists"
    title = "An objective, action or indicator with this id already exists in the action plan"


class ActionClosed(RuleBroken):
    code = "action-closed"
    title = "A done or dropped action cannot change again"


class ActionNotStarted(RuleBroken):
    code = "action-not-started"
    title = "An action is started before it is done"


def plan_id_of(partnership_id: str | UUID) -> UUID:
    """The id of a partnership's one action plan: a second draft finds its id taken."""
    return uuid5(NAMESPACE_URL, f"https://twinning.example/partnerships/{partnership_id}/action-plan")


def check_window(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise InvalidValue("ends_on", f"{ends_on.isoformat()} is before starts_on {starts_on.isoformat()}")


def check_number(value: Any, field: str) -> float:
    if not isinstance(value, bool) and isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:
            number = float("inf")
        if math.isfinite(number):
            return number
    raise InvalidValue(field, "must be a finite number")


class ActionPlan(Aggregate):
    @event("ActionPlanDrafted")
    def __init__(
        self,
        partnership_id: str,
        member_city_ids: list[str],
        title: str,
        actor: str,
        programme_id: str | None = None,
        id: UUID | None = None,
    ) -> None:
        self.partnership_id = partnership_id
        self.programme_id = programme_id
        self.member_city_ids = list(member_city_ids)
        self.title = title
        self.status = ActionPlanStatus.DRAFTED
        self.objectives: dict[str, dict[str, Any]] = {}
        self.actions: dict[str, dict[str, Any]] = {}
        self.indicators: dict[str, dict[str, Any]] = {}
        self.adoptions: dict[str, date] = {}
        self.adopted_on: date | None = None

    # -- objectives ---------------------------------------------------------------------------

    def add_objective(self, objective_id: str, text: str, actor: str) -> None:
        if objective_id in self.objectives:
            raise PlanItemExists(f"objective {objective_id!r} already exists")
        self._add_objective(objective_id=objective_id, text=text, actor=actor)

    @event("ObjectiveAdded")
    def _add_objective(self, objective_id: str, text: str, actor: str) -> None:
        self.objectives[objective_id] = {"id": objective_id, "text": text}

    # -- actions ------------------------------------------------------------------------------

    def add_action(
        self,
        action_id: str,
        title: str,
        responsible_city_id: str,
        starts_on: date,
        ends_on: date,
        means: str | None,
        actor: str,
        objective_id: str | None = None,
    ) -> None:
        if responsible_city_id not in self.member_city_ids:
            raise InvalidValue("responsible_city_id", f"{responsible_city_id} is not a member city of the partnership")
        check_window(starts_on, ends_on)
        if objective_id is not None and objective_id not in self.objectives:
            raise InvalidValue("objective_id", f"the action plan has no objective {objective_id!r}")
        if action_id in self.actions:
            raise PlanItemExists(f"action {action_id!r} already exists")
        self._add_action(
            action_id=action_id,
            title=title,
            responsible_city_id=responsible_city_id,
            starts_on=starts_on,
            ends_on=ends_on,
            means=means,
            objective_id=objective_id,
            actor=actor,
        )

    @event("ActionAdded")
    def _add_action(
        self,
        action_id: str,
        title: str,
        responsible_city_id: str,
        starts_on: date,
        ends_on: date,
        means: str | None,
        objective_id: str | None,
        actor: str,
    ) -> None:
        self.actions[action_id] = {
            "id": action_id,
            "title": title,
            "responsible_city_id": responsible_city_id,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "means": means,
            "objective_id": objective_id,
            "status": ActionStatus.PLANNED,
            "started_on": None,
            "done_on": None,
            "dropped_on": None,
            "dropped_reason": None,
        }

    def start_action(self, action_id: str, on: date, actor: str) -> None:
        action = self._open_action(action_id)
        if action["status"] != ActionStatus.PLANNED:
            raise ActionClosed(f"the action is already {action['status']}")
        self._start_action(action_id=action_id, on=on, actor=actor)

    @event("ActionStarted")
    def _start_action(self, action_id: str, on: date, actor: str) -> None:
        self.actions[action_id].update(status=ActionStatus.STARTED, started_on=on)

    def finish_action(self, action_id: str, on: date, actor: str) -> None:
        action = self._open_action(action_id)
        if action["status"] != ActionStatus.STARTED:
            raise ActionNotStarted("start the action before recording it as done")
        if on < action["started_on"]:
            raise InvalidValue("on", f"{on.isoformat()} is before the action started ({action['started_on']})")
        self._finish_action(action_id=action_id, on=on, actor=actor)

    @event("ActionDone")
    def _finish_action(self, action_id: str, on: date, actor: str) -> None:
        self.actions[action_id].update(status=ActionStatus.DONE, done_on=on)

    def drop_action(self, action_id: str, on: date, reason: str, actor: str) -> None:
        self._open_action(action_id)
        self._drop_action(action_id=action_id, on=on, reason=reason, actor=actor)

    @event("ActionDropped")
    def _drop_action(self, action_id: str, on: date, reason: str, actor: str) -> None:
        self.actions[action_id].update(status=ActionStatus.DROPPED, dropped_on=on, dropped_reason=reason)

    def _open_action(self, action_id: str) -> dict[str, Any]:
        action = self.actions.get(action_id)
        if action is None:
            raise NotFound(f"the action plan has no action {action_id!r}")
        if action["status"] in CLOSED_ACTION:
            raise ActionClosed(f"the action is {action['status']}")
        return action

    # -- indicators ---------------------------------------------------------------------------

    def define_indicator(
        self, indicator_id: str, name: str, unit: str, baseline: float, target: float, actor: str
    ) -> None:
        if indicator_id in self.indicators:
            raise PlanItemExists(f"indicator {indicator_id!r} already exists")
        baseline, target = check_number(baseline, "baseline"), check_number(target, "target")
        if baseline == target:
            raise InvalidValue("target", "must differ from the baseline")
        self._define_indicator(
            indicator_id=indicator_id, name=name, unit=unit, baseline=baseline, target=target, actor=actor
        )

    @event("IndicatorDefined")
    def _define_indicator(
        self, indicator_id: str, name: str, unit: str, baseline: float, target: float, actor: str
    ) -> None:
        self.indicators[indicator_id] = {
            "id": indicator_id,
            "name": name,
            "unit": unit,
            "baseline": baseline,
            "target": target,
            "values": [],
        }

    def report_value(self, indicator_id: str, value: float, on: date, note: str | None, actor: str) -> None:
        if indicator_id not in self.indicators:
            raise NotFound(f"the action plan has no indicator {indicator_id!r}")
        self._report_value(indicator_id=indicator_id, value=check_number(value, "value"), on=on, note=note, actor=actor)

    @event("IndicatorValueReported")
    def _report_value(self, indicator_id: str, value: float, on: date, note: str | None, actor: str) -> None:
        values = self.indicators[indicator_id]["values"]
        values.append({"value": value, "on": on, "note": note})
        values.sort(key=lambda v: v["on"])

    # -- adoption -----------------------------------------------------------------------------

    def adopt(self, city_id: str, on: date, actor: str) -> None:
        """One member city adopts the plan; the last one to do so makes it adopted."""
        if city_id not in self.member_city_ids:
            raise InvalidValue("city_id", f"{city_id} is not a member city of the partnership")
        if city_id in self.adoptions:
            raise ActionPlanAlreadyAdopted(f"adopted on {self.adoptions[city_id].isoformat()}")
        self._adopt_by_member(city_id=city_id, on=on, actor=actor)
        if self.status == ActionPlanStatus.DRAFTED and set(self.member_city_ids) <= set(self.adoptions):
            self._adopt(adopted_on=max(self.adoptions.values()), city_ids=list(self.member_city_ids), actor=actor)

    def adopt_for_members(self, adopted_on: date, actor: str) -> None:
        """The old one-step command: every member's adoption recorded at once (a no-op once adopted)."""
        if self.status == ActionPlanStatus.DRAFTED:
            self._adopt(adopted_on=adopted_on, city_ids=list(self.member_city_ids), actor=actor)

    @event("MemberAdoptedActionPlan")
    def _adopt_by_member(self, city_id: str, on: date, actor: str) -> None:
        self.adoptions[city_id] = on

    @event("ActionPlanAdopted")
    def _adopt(self, adopted_on: date, city_ids: list[str], actor: str) -> None:
        self.status = ActionPlanStatus.ADOPTED
        self.adopted_on = adopted_on
        for city_id in city_ids:
            self.adoptions.setdefault(city_id, adopted_on)
