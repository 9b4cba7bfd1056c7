"""Programmes, their cities and facilitators, and their thematic clusters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, StrictStr

from domain.limits import MAX_CLUSTER_THEMES, MAX_PROGRAMME_CODE, MAX_PROGRAMME_REGIONS
from domain.model.programme import CODE_PATTERN
from domain.model.statuses import ProgrammeStatus
from domain.regions import REGIONS
from web.schemas.base import After, Day, Id, Input, Name, Output, Theme, ViewItem, _enum, values_of

ProgrammeCode = Annotated[
    StrictStr,
    Field(
        min_length=1,
        max_length=MAX_PROGRAMME_CODE,
        pattern=CODE_PATTERN,
        description="a slug, unique among programmes: iuc-asia, iurc-asia-australasia",
    ),
]
Region = Annotated[StrictStr, Field(json_schema_extra=_enum(REGIONS, "a world region"))]


class ProgrammeIn(Input):
    code: ProgrammeCode
    name: Name
    regions: list[Region] = Field(min_length=1, max_length=MAX_PROGRAMME_REGIONS)
    starts_on: Day
    ends_on: Day | None = None


class FacilitatorIn(Input):
    user_id: Id


class CloseProgrammeIn(Input):
    ends_on: Day | None = Field(None, description="default: today")


class ClusterIn(Input):
    name: Name
    themes: list[Theme] = Field([], max_length=MAX_CLUSTER_THEMES)


class ProgrammeOut(Output):
    id: str
    version: int
    status: values_of(ProgrammeStatus)
    code: str
    name: str
    regions: list[str]
    starts_on: date
    ends_on: date | None
    city_ids: list[str]
    facilitator_ids: list[str]
    created_at: datetime
    updated_at: datetime


class ProgrammeItem(ViewItem):
    id: str
    code: str
    name: str
    status: str
    regions: list[str]
    starts_on: date
    ends_on: date | None
    cities: list[dict[str, Any]]
    city_ids: list[str]
    facilitator_ids: list[str]


class ProgrammeList(Output):
    items: list[ProgrammeItem]


class ProgrammeListQuery(Input):
    city_id: Id | None = None
    after: After | None = None


class ClusterQuery(Input):
    after: After | None = None


class ClusterOut(Output):
    id: str
    version: int
    programme_id: str
    name: str
    themes: list[str]
    city_ids: list[str]
    created_at: datetime
    updated_at: datetime


class ClusterView(ViewItem):
    id: str
    programme_id: str
    name: str
    themes: list[str]
    cities: list[dict[str, Any]]
    city_ids: list[str]
    sessions: list[dict[str, Any]] = Field(description="the meetings scheduled as the cluster's sessions")
    projects: list[dict[str, Any]] = Field(description="the programme's pilot projects of its members on its themes")
