"""Partnerships: proposals, answers, action plans, conclusions and the board."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import Field

from domain.limits import MAX_PARTNERSHIP_INVITED
from domain.model.statuses import InvitationStatus, PartnershipStatus
from web.schemas.base import (
    Day,
    Id,
    Input,
    Name,
    Output,
    PageQuery,
    QueryTheme,
    RequiredText,
    Text,
    Theme,
    ViewItem,
    deprecated_alias,
    id_list,
    values_of,
)


class PartnershipIn(Input):
    """The proposer is not among `invited_city_ids`."""

    title: Name
    proposer_city_id: Id
    invited_city_ids: id_list(min_items=1, max_items=MAX_PARTNERSHIP_INVITED)  # type: ignore[valid-type]
    themes: list[Theme] = []
    description: Text | None = None
    programme_id: Id | None = Field(None, description="the programme; omitted: the one programme holding its cities")


class CityRef(Input):
    city_id: Id


class DeclineIn(Input):
    city_id: Id
    reason: Text | None = None


class ReasonIn(Input):
    reason: Text | None = None


class ActionPlanIn(Input):
    summary: RequiredText
    adopted_on: Day


class ConcludeIn(Input):
    outcome: RequiredText


class InvitationOut(Output):
    city_id: str
    status: values_of(InvitationStatus)
    invited_at: datetime | None
    answered_at: datetime | None
    reason: str | None


class ActionPlanOut(Output):
    summary: str
    adopted_on: date


class PartnershipOut(Output):
    id: str
    version: int
    status: values_of(PartnershipStatus)
    title: str
    proposer_city_id: str
    member_city_ids: list[str]
    invitations: list[InvitationOut]
    themes: list[str]
    description: str | None
    action_plan: ActionPlanOut | None
    action_plan_id: str | None = Field(None, description="the partnership's action plan: GET /action-plans/{id}")
    outcome: str | None
    closing_reason: str | None
    created_at: datetime
    updated_at: datetime
    programme_id: str | None = None


class PartnershipListQuery(PageQuery):
    status: values_of(PartnershipStatus) | None = None
    city_id: Id | None = None
    theme: QueryTheme | None = None
    programme_id: Id | None = None


class PartnershipListItem(ViewItem):
    id: str
    version: int
    status: str
    title: str
    proposer_city_id: str
    proposer_name: str | None = None
    themes: list[str]
    invitations: list[dict[str, Any]]
    member_city_ids: list[str] = Field(description="the proposer and every city that accepted")
    created_at: datetime
    updated_at: datetime
    position: int = Field(description="the log position of the proposal: lists are ordered by it")
    proposed_at: datetime | None = deprecated_alias("created_at")


class PartnershipPage(Output):
    items: list[PartnershipListItem]
    next_cursor: str | None
