"""Action plans (UCAPs): objectives, actions, indicators and their reported values."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StrictFloat, StrictInt

from domain.model.statuses import ActionPlanStatus, ActionStatus
from web.schemas.base import Day, Id, Input, Name, Output, PageQuery, RequiredText, ViewItem, values_of

Long = RequiredText
Number = Annotated[StrictInt | StrictFloat, Field(description="a finite number")]
ItemId = Annotated[Name, Field(description="optional; a new id is made when left out")]


class ActionPlanDraftIn(Input):
    title: Name
    objectives: list[Long] = Field([], description="the plan's first objectives, in order")


class ObjectiveIn(Input):
    text: Long


class ActionIn(Input):
    title: Name
    responsible_city_id: Id = Field(description="a member city of the partnership")
    starts_on: Day
    ends_on: Day = Field(description="on or after starts_on")
    means: Long | None = Field(None, description="budget, staff, partners: what the action is done with")
    objective_id: Name | None = None
    action_id: ItemId | None = None


class OnIn(Input):
    on: Day


class DropIn(Input):
    on: Day
    reason: Long


class IndicatorIn(Input):
    name: Name
    unit: Name
    baseline: Number
    target: Number = Field(description="differs from the baseline")
    indicator_id: ItemId | None = None


class IndicatorValueIn(Input):
    value: Number
    on: Day
    note: Long | None = None


class AdoptPlanIn(Input):
    city_id: Id = Field(description="the member city adopting the plan")
    on: Day


class ObjectiveOut(Output):
    id: str
    text: str


class ActionOut(Output):
    id: str
    title: str
    responsible_city_id: str
    starts_on: date
    ends_on: date
    means: str | None
    objective_id: str | None
    status: values_of(ActionStatus)
    started_on: date | None
    done_on: date | None
    dropped_on: date | None
    dropped_reason: str | None


class ReportedValueOut(Output):
    value: float
    on: date
    note: str | None


class IndicatorOut(Output):
    id: str
    name: str
    unit: str
    baseline: float
    target: float
    values: list[ReportedValueOut]


class AdoptionOut(Output):
    city_id: str
    on: date


class ActionPlanFullOut(Output):
    id: str
    version: int
    status: values_of(ActionPlanStatus)
    title: str
    partnership_id: str
    programme_id: str | None
    member_city_ids: list[str]
    objectives: list[ObjectiveOut]
    actions: list[ActionOut]
    indicators: list[IndicatorOut]
    adoptions: list[AdoptionOut]
    adopted_on: date | None
    created_at: datetime
    updated_at: datetime


class ActionPlanListQuery(PageQuery):
    partnership_id: Id | None = None
    programme_id: Id | None = None
    status: values_of(ActionPlanStatus) | None = None


class ActionPlanListItem(ViewItem):
    id: str
    version: int
    status: str
    title: str
    partnership_id: str
    member_city_ids: list[str]
    created_at: datetime
    updated_at: datetime


class ActionPlanPage(Output):
    items: list[ActionPlanListItem]
    next_cursor: str | None
