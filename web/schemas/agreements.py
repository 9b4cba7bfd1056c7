"""Agreements: drafting, signatures, termination and their list."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, StrictStr

from domain.limits import MAX_PARTIES
from domain.model.statuses import AgreementKind, AgreementStatus
from web.schemas.base import (
    Day,
    Id,
    Input,
    Name,
    Output,
    PageQuery,
    RequiredText,
    Theme,
    ViewItem,
    _enum,
    _one_of,
    deprecated_alias,
    values_of,
)


class PartyIn(Input):
    name: Name
    city_id: Id | None = None


class AgreementIn(Input):
    """The parties' names are distinct (any case): at least two of them."""

    title: Name
    kind: Annotated[StrictStr, Field(json_schema_extra=_enum(AgreementKind))]
    parties: list[PartyIn] = Field(min_length=2, max_length=MAX_PARTIES)
    partnership_id: Id | None = None
    topics: list[Theme] = []
    programme_id: Id | None = Field(None, description="the programme; omitted: the partnership's, or the parties' one")


class SignIn(Input):
    party: Name = Field(description="the name of one of the agreement's parties")
    signed_on: Day
    signatory: Name | None = None


class TerminateIn(Input):
    reason: RequiredText
    on: Day


class PartyOut(Output):
    name: str
    city_id: str | None
    signed_on: date | None
    signatory: str | None


class TerminationOut(Output):
    reason: str
    on: date


class AgreementOut(Output):
    id: str
    version: int
    status: values_of(AgreementStatus)
    title: str
    kind: str
    parties: list[PartyOut]
    topics: list[str]
    partnership_id: str | None
    in_force_on: date | None
    termination: TerminationOut | None
    created_at: datetime
    updated_at: datetime
    programme_id: str | None = None


class AgreementListQuery(PageQuery):
    status: values_of(AgreementStatus) | None = None
    kind: _one_of(AgreementKind, "agreement kind") | None = None  # type: ignore[valid-type]
    city_id: Id | None = None
    partnership_id: Id | None = None
    programme_id: Id | None = None


class AgreementListItem(ViewItem):
    id: str
    version: int
    status: str
    title: str
    kind: str
    parties: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime
    drafted_at: datetime | None = deprecated_alias("created_at")


class AgreementPage(Output):
    items: list[AgreementListItem]
    next_cursor: str | None
