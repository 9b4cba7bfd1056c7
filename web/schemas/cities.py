"""Cities: registration, profile, stakeholders, the directory and partner suggestions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from domain.limits import DEFAULT_SUGGESTIONS, MAX_POPULATION, MAX_SEARCH, MAX_SUGGESTIONS
from domain.model.statuses import CityStatus, StakeholderKind
from domain.regions import REGIONS
from domain.values import HHMM_PATTERN
from web.schemas.base import (
    TEXT_PATTERN,
    WAIT,
    Country,
    Id,
    Input,
    Name,
    Output,
    PageQuery,
    QueryRegion,
    QueryTheme,
    Text,
    Theme,
    TimeZone,
    ViewItem,
    _enum,
    deprecated_alias,
    values_of,
    whole_number,
)

Clock = Annotated[StrictStr, Field(pattern=HHMM_PATTERN, description="local time HH:MM (24-hour)")]
Weekday = whole_number(0, 6)
Population = whole_number(1, MAX_POPULATION)


class WorkingHours(BaseModel):
    """Local working hours; `start` must be before `end` (refused otherwise, naming working_hours)."""

    model_config = ConfigDict(extra="forbid")
    start: Clock = "09:00"
    end: Clock = "18:00"
    days: list[Weekday] = Field([0, 1, 2, 3, 4], min_length=1, description="weekdays, 0 = Monday")


class CityIn(Input):
    """`timezone` must be one used in `country` (tzdata's zone tables), e.g. CN: Asia/Shanghai."""

    name: Name
    local_name: Name | None = None
    country: Country
    timezone: TimeZone
    population: Population | None = None
    themes_offered: list[Theme] = []
    themes_sought: list[Theme] = []
    description: Text | None = None
    working_hours: WorkingHours | None = None


def _drop_impossible_defaults(schema: dict) -> None:
    """A field that may be left out but not be null has no default to document."""
    for prop in schema.get("properties", {}).values():
        if "default" in prop and prop["default"] is None and "anyOf" not in prop:
            del prop["default"]


class CityPatch(Input):
    """Any profile field; fields left out stay as they are. A new `timezone` must be one used in the city's country."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_drop_impossible_defaults)

    # Left out means "unchanged"; null clears the optional fields and is refused for the others.
    name: Name = None  # type: ignore[assignment]
    local_name: Name | None = None
    timezone: TimeZone = None  # type: ignore[assignment]
    population: Population | None = None
    themes_offered: list[Theme] = None  # type: ignore[assignment]
    themes_sought: list[Theme] = None  # type: ignore[assignment]
    description: Text | None = None
    working_hours: WorkingHours | None = None


class StakeholderIn(Input):
    name: Name
    kind: Annotated[StrictStr, Field(json_schema_extra=_enum(StakeholderKind, "the triple helix"))]
    themes: list[Theme] = []


class StakeholderOut(Output):
    id: str
    name: str
    kind: str
    themes: list[str]


class CityOut(Output):
    id: str
    version: int
    status: values_of(CityStatus)
    name: str
    local_name: str | None
    country: str
    region: Annotated[str, Field(json_schema_extra=_enum(REGIONS))]
    timezone: str
    population: int | None
    themes_offered: list[str]
    themes_sought: list[str]
    description: str | None
    working_hours: WorkingHours | None
    stakeholders: list[StakeholderOut]
    created_at: datetime
    updated_at: datetime


class SuggestionOut(Output):
    city_id: str
    name: str
    score: int = Field(ge=0, le=100)
    reasons: list[str]


class SuggestionPage(Output):
    """The best candidates, top-k by design (not paged)."""

    items: list[SuggestionOut]
    next_cursor: None = Field(None, description="always null: suggestions are the top `limit`, not a page")


class SuggestionsQuery(Input):
    limit: Annotated[int, Field(ge=1, le=MAX_SUGGESTIONS)] = DEFAULT_SUGGESTIONS
    programme_id: Id | None = Field(None, description="suggest within this programme (default: the city's programmes)")
    after: (
        Annotated[int, Field(ge=0, description=f"wait (up to {WAIT}) until the views have processed this log position")]
        | None
    ) = None


class CityListQuery(PageQuery):
    region: QueryRegion | None = None
    theme: QueryTheme | None = None
    q: (
        Annotated[
            StrictStr,
            Field(
                max_length=MAX_SEARCH,
                pattern=TEXT_PATTERN,
                description="part of the name or local name, any case and accents",
            ),
        ]
        | None
    ) = None
    status: values_of(CityStatus) | None = None
    country: Country | None = None


class CityListItem(ViewItem):
    id: str
    version: int
    status: str
    name: str
    local_name: str | None = None
    country: str
    region: str
    timezone: str
    population: int | None = None
    themes_offered: list[str]
    themes_sought: list[str]
    description: str | None = None
    working_hours: dict[str, Any] | None = None
    stakeholders: list[dict[str, Any]] = []
    created_at: datetime
    updated_at: datetime
    registered_at: datetime | None = deprecated_alias("created_at")


class CityPage(Output):
    items: list[CityListItem]
    next_cursor: str | None


class InvitationAwaitingItem(ViewItem):
    partnership_id: str
    title: str
    proposer_city_id: str
    invited_at: datetime | None = None


class InvitationPage(Output):
    items: list[InvitationAwaitingItem]
    next_cursor: str | None
