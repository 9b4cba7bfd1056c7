"""Agreements: drafting, signatures, termination and their list."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, StrictStr

from domain.model.statuses import AgreementKind, AgreementStatus
from web.schemas.base import (
    Day,
    Id,
    Input,
    Output,
    PageQuery,
    Text,
    Theme,
    ViewItem,
    _enum,
    deprecated_alias,
    values_of,
)


class PartyIn(Input):
    name: Text
    city_id: Id | None = None


class AgreementIn(Input):
    title: Text
    kind: Annotated[StrictStr, Field(json_schema_extra=_enum(AgreementKind))]
    parties: list[PartyIn]
    partnership_id: Id | None = None
    topics: list[Theme] = []
    programme_id: Id | None = Field(None, description="the programme; omitted: the partnership's, or the parties' one")


class SignIn(Input):
    party: Text
    signed_on: Day
    signatory: Text | None = None


class TerminateIn(Input):
    reason: Text
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
    kind: Annotated[StrictStr, Field(json_schema_extra=_enum(AgreementKind))] | None = None
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
