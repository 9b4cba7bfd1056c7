"""Pilot projects and their milestones."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import Field

from domain.model.statuses import MilestoneStatus, ProjectStatus
from web.schemas.base import (
    Day,
    Id,
    Input,
    Output,
    PageQuery,
    QueryTheme,
    Text,
    Theme,
    ViewItem,
    deprecated_alias,
    values_of,
)


class ProjectIn(Input):
    title: Text
    partnership_id: Id
    themes: list[Theme] = []
    description: Text | None = None
    programme_id: Id | None = Field(None, description="the partnership's programme (a project always has it)")


class MilestoneIn(Input):
    title: Text
    due_on: Day
    milestone_id: Text | None = Field(None, description="optional; a new id is made when left out")


class AchieveIn(Input):
    achieved_on: Day
    note: Text | None = None


class MilestoneRescheduleIn(Input):
    due_on: Day
    reason: Text


class CompleteIn(Input):
    summary: Text


class ProjectCancelIn(Input):
    reason: Text


class MilestoneOut(Output):
    id: str
    title: str
    due_on: date
    status: values_of(MilestoneStatus)
    achieved_on: date | None
    note: str | None


class ProjectOut(Output):
    id: str
    version: int
    status: values_of(ProjectStatus)
    title: str
    partnership_id: str
    member_city_ids: list[str]
    themes: list[str]
    description: str | None
    milestones: list[MilestoneOut]
    summary: str | None
    created_at: datetime
    updated_at: datetime
    programme_id: str | None = None


class ProjectListQuery(PageQuery):
    status: values_of(ProjectStatus) | None = None
    city_id: Id | None = None
    partnership_id: Id | None = None
    theme: QueryTheme | None = None
    programme_id: Id | None = None
    as_of: Day | None = Field(
        None, description="milestone states (planned, achieved, overdue) as of this date; default today"
    )


class ProjectListItem(ViewItem):
    id: str
    version: int
    status: str
    title: str
    partnership_id: str
    member_city_ids: list[str]
    milestones: list[dict[str, Any]] = []
    created_at: datetime
    updated_at: datetime
    launched_at: datetime | None = deprecated_alias("created_at")


class ProjectPage(Output):
    items: list[ProjectListItem]
    next_cursor: str | None
